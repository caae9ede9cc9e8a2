"""One closed-set run of the SATNMF paper's protocol: ComParE features → [0, 1] scaling →
a source-only linear SVM or an (S)NMF model + linear SVM on the codes → UAR / WAR.

Methods: ``"SVM"`` (the paper's baseline column: linear SVM on the source's scaled features,
applied to the target) and every name of :data:`stienet.satnmf.VARIANTS`. Hyper-parameters are
fixed in advance; target labels are used only to report. Explained in ``notebooks/06_satnmf``.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from . import __version__
from .data import closed_set_split, load_corpus
from .data.synthetic import generator_version
from .features import compare_features, minmax_scale
from .metrics import closed_set_metrics
from .results import git_commit
from .satnmf import VARIANTS, linear_svm, make_variant

METHODS = ("SVM", *VARIANTS)

#: ASCII names for files and command lines.
SLUGS = {m: m.replace("γ", "gamma").replace("λ", "lambda") for m in METHODS}

SELECTION_RULE = ("fixed hyper-parameters chosen without target labels; labels of the target "
                  "voted over n_trials initialisations")


def method_name(name: str) -> str:
    """Paper name of a method given its paper or ASCII name, any case (``snmf-gamma`` → ``SNMF-γ``)."""
    for method, slug in SLUGS.items():
        if name.lower() in (method.lower(), slug.lower()):
            return method
    raise ValueError(f"unknown method {name!r}; methods are {', '.join(SLUGS.values())}")


@dataclass
class ClosedSetConfig:
    """Everything a closed-set run depends on; SATNMF parameter names (see :mod:`stienet.satnmf`)."""

    method: str = "SATNMF"
    classes: tuple | str | None = None   # emotions, a scheme (e2E, E2B, B2C, C2e) or intersection
    r: int = 128
    alpha: float = 1.0
    beta: float = 100.0
    gamma: float = 100.0
    lam: float = 1.0
    p: int = 5
    sigma: float | None = None
    label_weights: str = "binary"
    C: float = 1.0
    n_trials: int = 5
    max_iter: int = 300
    tol: float = 5e-4
    dtype: str = "float32"
    seed: int = 0
    scaling: str = "speaker"             # [0, 1] per speaker (paper) or per "corpus"
    data_root: str | None = None
    synthetic_scale: float = 1.0
    synthetic_shift: float = 1.0
    synthetic_seed: int = 0

    def __post_init__(self):
        self.method = method_name(self.method)
        if self.scaling not in ("speaker", "corpus"):
            raise ValueError(f"scaling must be 'speaker' or 'corpus', got {self.scaling!r}")
        if isinstance(self.classes, list):
            self.classes = tuple(self.classes)

    def estimator(self):
        """The :class:`~stienet.satnmf.SATNMF` special case this config names (not for SVM)."""
        params = {k: getattr(self, k) for k in ("r", "alpha", "beta", "gamma", "lam", "p",
                                                "sigma", "label_weights", "C", "n_trials",
                                                "max_iter", "tol", "dtype")}
        for k in VARIANTS[self.method]:
            params.pop(k)
        return make_variant(self.method, random_state=self.seed, **params)


def scaled_features(source: str, target: str, cfg: ClosedSetConfig, progress: bool = True):
    """(split, Xs, Xt): the closed-set split of the pair and its ComParE features, each corpus
    scaled to [0, 1] on its own (per speaker or per corpus, ``cfg.scaling``)."""
    feats = {}
    for code in (source, target):
        table = load_corpus(code, data_root=cfg.data_root, seed=cfg.synthetic_seed,
                            scale=cfg.synthetic_scale, shift=cfg.synthetic_shift, progress=progress)
        feats[code] = compare_features(table, progress=progress)
    split = closed_set_split(feats[source].table, feats[target].table, cfg.classes)
    out = []
    for code, part in ((source, split.source), (target, split.target)):
        values = feats[code].values[part["row"].to_numpy()]
        groups = part["speaker"].to_numpy() if cfg.scaling == "speaker" else None
        out.append(minmax_scale(values, groups))
    return split, out[0], out[1]


def run_closed_set(source: str, target: str, cfg: ClosedSetConfig | None = None,
                   progress: bool = True, n_jobs: int | None = None) -> dict:
    """Run one method on one pair; returns the record that :func:`stienet.results.save_result`
    stores (method, data, hyper-parameters, UAR, WAR, confusion, objective history, rounds,
    relative objective change at the stop and whether tol was reached, per trial, …).
    ``progress``: progress bars (features; trials × rounds). ``n_jobs``: trials run at once
    (:class:`~stienet.satnmf.SATNMF`'s default when None); neither changes the result."""
    cfg = cfg or ClosedSetConfig()
    start = time.perf_counter()
    split, Xs, Xt = scaled_features(source, target, cfg, progress)
    ys, yt = split.source["label"].to_numpy(), split.target["label"].to_numpy()
    c = len(split.classes)
    extra = {}
    if cfg.method == "SVM":
        pred = linear_svm(cfg.C).fit(Xs, ys).predict(Xt)
    else:
        model = cfg.estimator().set_params(progress=progress, **(
            {} if n_jobs is None else {"n_jobs": n_jobs})).fit(Xs, ys, Xt, n_classes=c)
        pred = model.predict()
        extra = {"objective": model.objective_,
                 "final_objective_per_trial": [t["objective"][-1] for t in model.trials_],
                 "rounds_per_trial": [len(t["objective"]) for t in model.trials_],
                 # relative objective change of the last round, and whether it reached tol
                 "rel_change_per_trial": [t["rel_change"] for t in model.trials_],
                 "converged_per_trial": [t["converged"] for t in model.trials_],
                 "converged": model.converged_,
                 "factorisation_s_per_trial": [round(t["seconds"], 2) for t in model.trials_],
                 "empty_pseudo_classes": model.empty_classes_}
        if model.pseudo_labels_ is not None:
            pl = closed_set_metrics(yt, model.pseudo_labels_, c)
            extra["pseudo_label_UAR_oracle"] = pl["UAR"]   # diagnostic only, uses target labels
    data = split.source["data"].iloc[0]
    if split.target["data"].iloc[0] != data:
        data = "mixed"
    return {"method": cfg.method, "source": source, "target": target, "data": data,
            "generator_version": generator_version(data),
            "seed": cfg.seed, "selection_rule": SELECTION_RULE, "hyperparameters": asdict(cfg),
            "label_names": list(split.classes), "n_source": len(ys), "n_target": len(yt),
            "metrics": closed_set_metrics(yt, pred, c), **extra,
            "package_version": __version__, "git_commit": git_commit(), "device": "cpu",
            "wall_time_s": round(time.perf_counter() - start, 2)}
