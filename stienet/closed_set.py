"""One closed-set run of the SATNMF paper's protocol: ComParE features → [0, 1] scaling →
a closed-set method (SATNMF Table 3's, or a skada method beyond the paper) → UAR / WAR.

Methods are looked up by paper name in :data:`REGISTRY` (one :class:`ClosedMethod` each: an
estimator factory, its fixed hyper-parameters and the paper's oracle grid), so the CLI, the
sweeps and the report never branch on a method's name. ``"SVM"`` is the paper's baseline
column (linear SVM on the source's scaled features, applied to the target); the names of
:data:`stienet.satnmf.VARIANTS` are SATNMF and its special cases; mSDA, FSTSL, DoSL and DBN
are the other columns of SATNMF Table 3 (:mod:`stienet.baselines`); CORAL, SA, TCA and JDOT
come from skada (:mod:`stienet.baselines.skada_methods`).

Two selection rules (``ClosedSetConfig.select``):

* ``"fixed"`` (default): hyper-parameters fixed in advance; target labels are used only to
  report. The honest protocol.
* ``"source-cv"``: every combination of the same grid is scored by leave-one-speaker-out on
  the *source* corpus (the held-out speaker's clips play the target, so transductive methods
  see a corpus of unlabelled clips as in the real run), and the best mean UAR is used on the
  target. No target label is used.
* ``"oracle"``: SATNMF §3.2's protocol — every combination of the method's grid
  (:attr:`ClosedMethod.grid`, the paper's grids where it states them, reduced where noted in
  :attr:`ClosedMethod.grid_note`) is run and the one with the best **target** UAR is reported.
  It uses target labels; every record and table says so.

Explained in ``notebooks/06_satnmf`` and ``notebooks/10_results_satnmf``.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import numpy as np

from . import __version__
from .data import closed_set_split, load_corpus
from .data.synthetic import generator_version
from .features import compare_features, minmax_scale
from .metrics import closed_set_metrics
from .paths import atomic_write_bytes, cache_dir
from .results import _clean, git_commit
from .satnmf import VARIANTS, linear_svm, make_variant

SELECTION_RULE = ("fixed hyper-parameters chosen without target labels; labels of the target "
                  "voted over n_trials initialisations")
ORACLE_RULE = ("oracle (uses target labels): every combination of the grid run, the best "
               "target UAR reported (SATNMF §3.2)")
SOURCE_CV_RULE = ("source-cv: every combination of the grid scored by leave-one-speaker-out "
                  "on the source corpus (each held-out speaker's clips stand in for the target; "
                  "a SATNMF model fitted with cv_trials initialisations per fold); the best "
                  "mean UAR over the folds is used on the target. No target label is used")
SELECTIONS = ("fixed", "oracle", "source-cv")
SOURCE_CV_CACHE_VERSION = 1     # bump when the search's rows would change for the same inputs
RULES = {"fixed": SELECTION_RULE, "oracle": ORACLE_RULE, "source-cv": SOURCE_CV_RULE}

#: SATNMF §3.2's grids: SVM trade-off, neighbours, dictionary size, every regulariser.
PAPER_C = (0.1, 0.5, 1, 5, 10, 50, 100)
PAPER_P = (1, 3, 5, 10, 15)
PAPER_R = (16, 32, 64, 128, 256, 512)
PAPER_REG = (0.01, 0.1, 0.5, 1, 5, 10, 50, 100, 1000)


def SourceSVM(C: float = 1.0):
    """The paper's baseline: linear SVM on the source features, applied to the target (the
    identity representation of :class:`~stienet.baselines.common.RepresentationSVM`, so that
    the oracle search trains it in the span of the source rows: the same classifier, ~40×
    cheaper with 6373 features)."""
    from .baselines.common import SourceOnly

    return SourceOnly(C=C)


@dataclass(frozen=True)
class ClosedMethod:
    """A closed-set method by its paper name.

    ``make(**params)`` builds an estimator with ``fit(Xs, ys, Xt)`` / ``predict(Xt)``;
    ``defaults`` are its fixed hyper-parameters (chosen without target labels); ``grid`` maps
    each searched hyper-parameter to its values under ``select="oracle"``; ``paper_column`` is
    the method's column in SATNMF Table 3 (``paper_tables.csv``), None beyond the paper;
    ``family``: ``"SATNMF Table 3"``, ``"SATNMF Fig 2"`` or ``"skada"``."""

    name: str
    make: Callable
    defaults: dict
    grid: dict
    grid_note: str
    paper_column: str | None
    family: str
    seeded: bool = False            # takes the run's seed as ``seed``


def _baseline(module: str, cls: str):
    def make(**params):
        import importlib

        return getattr(importlib.import_module(f".baselines.{module}", __package__), cls)(**params)
    return make


def _variant(name: str):
    return lambda **params: make_variant(name, **params)


_PAPER_GRID = "SATNMF §3.2's grid"
_SVM_GRID = {"C": PAPER_C}
_VARIANT_GRID = {"r": (64, 128, 256)}
_VARIANT_NOTE = ("reduced for time: r ∈ {64, 128, 256} of the paper's {16, …, 512}; α, β, γ, λ "
                 "and p fixed at their defaults (the paper also searched them)")
_METHODS = [
    ClosedMethod("SVM", SourceSVM, {"C": 1.0}, _SVM_GRID, _PAPER_GRID, "SVM", "SATNMF Table 3"),
    ClosedMethod("mSDA", _baseline("msda", "MSDA"), {"noise": 0.5, "layers": 3, "C": 1.0},
                 {"noise": (0.1, 0.3, 0.5, 0.7, 0.9), "layers": (1, 3), "C": PAPER_C},
                 "C: SATNMF §3.2; noise and layers (not stated by SATNMF): Chen et al.'s range, "
                 "layers reduced to {1, 3} for time", "mSDA+SVM", "SATNMF Table 3"),
    *[ClosedMethod(v, _variant(v), {}, _VARIANT_GRID, _VARIANT_NOTE,
                   f"{v}+SVM" if v in ("TNMF", "SATNMF") else None,
                   "SATNMF Table 3" if v in ("TNMF", "SATNMF") else "SATNMF Fig 2") for v in VARIANTS],
    ClosedMethod("FSTSL", _baseline("fstsl", "FSTSL"),
                 {"alpha": 1.0, "beta": 1.0, "gamma": 1.0, "p": 5, "C": 1.0},
                 {"alpha": (0.01, 1, 100), "beta": (0.01, 1, 100), "C": PAPER_C},
                 "reduced for time: α, β ∈ {0.01, 1, 100} of the paper's regulariser grid, "
                 "γ = 1 and p = 5 fixed; C: SATNMF §3.2", "FSTSL+SVM", "SATNMF Table 3"),
    ClosedMethod("DBN", _baseline("dbn", "DBN"), {"hidden": (500, 500, 500), "epochs": 100},
                 {"epochs": (100, 200, 300)},
                 "reduced for CPU time: fine-tuning epochs ∈ {100, 200, 300} of the paper's "
                 "{100, 200, 300, 500} (one run read at each), hidden units fixed at 500 per "
                 "layer (paper: {500, 1000, 2000})",
                 "DBN", "SATNMF Table 3", seeded=True),
    ClosedMethod("DoSL", _baseline("dosl", "DoSL"), {"lam": 1.0, "mu": 1.0},
                 {"lam": (0.01, 1, 100), "mu": (0.01, 1, 100)},
                 "reduced for time: λ, μ ∈ {0.01, 1, 100} of the paper's regulariser grid",
                 "DoSL", "SATNMF Table 3"),
    ClosedMethod("CORAL", _baseline("skada_methods", "CORAL"), {"C": 1.0}, _SVM_GRID,
                 "C: SATNMF §3.2's SVM grid; shrinkage Ledoit–Wolf", None, "skada"),
    ClosedMethod("SA", _baseline("skada_methods", "SubspaceAlignment"),
                 {"n_components": 64, "C": 1.0},
                 {"n_components": (16, 32, 64, 128), "C": PAPER_C},
                 "n_components: SATNMF's r grid up to 128; C: SATNMF §3.2", None, "skada",
                 seeded=True),
    ClosedMethod("TCA", _baseline("skada_methods", "TCA"),
                 {"n_components": 64, "mu": 0.1, "C": 1.0},
                 {"n_components": (16, 64, 128), "mu": (0.1, 1, 10), "C": PAPER_C},
                 "reduced for time: n_components ∈ {16, 64, 128}, μ ∈ {0.1, 1, 10}; C: SATNMF "
                 "§3.2", None, "skada"),
    ClosedMethod("JDOT", _baseline("skada_methods", "JDOT"), {"alpha": 0.5, "C": 1.0},
                 {"C": (0.1, 1, 10)}, "reduced for time: C ∈ {0.1, 1, 10}; α = 0.5 (skada's)",
                 None, "skada"),
]
#: Paper name → method; the order of Table 3 (then Fig 2's special cases, then skada).
REGISTRY: dict[str, ClosedMethod] = {m.name: m for m in _METHODS}
METHODS = tuple(REGISTRY)

#: ASCII names for files and command lines.
SLUGS = {m: m.replace("γ", "gamma").replace("λ", "lambda") for m in METHODS}


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
    params: dict = field(default_factory=dict)   # hyper-parameters of a registry method
    select: str = "fixed"                 # "fixed", "source-cv" or "oracle" (uses target labels)
    cv_trials: int = 1                    # source-cv: SATNMF initialisations per fold (for time)
    grid: dict = field(default_factory=dict)   # oracle / source-cv: searched instead of the registry's

    def __post_init__(self):
        self.method = method_name(self.method)
        if self.select not in SELECTIONS:
            raise ValueError(f"select must be one of {SELECTIONS}, got {self.select!r}")
        self.params = dict(self.params or {})
        if self.scaling not in ("speaker", "corpus"):
            raise ValueError(f"scaling must be 'speaker' or 'corpus', got {self.scaling!r}")
        if isinstance(self.classes, list):
            self.classes = tuple(self.classes)
        self.grid = {k: tuple(v) if isinstance(v, (list, tuple)) else (v,)
                     for k, v in dict(self.grid or {}).items()}
        if self.grid and self.select == "fixed":
            raise ValueError("a grid is searched only with select='oracle' or 'source-cv'")
        if any(len(v) == 0 for v in self.grid.values()):
            raise ValueError(f"every grid entry needs at least one value, got {self.grid}")

    def searched_method(self) -> "ClosedMethod":
        """The registry's method, with ``grid`` (when given) in place of its own grid; a key
        the method does not take is refused."""
        method = REGISTRY[self.method]
        if not self.grid:
            return method
        known = set(self.method_params()) | set(method.grid)
        unknown = sorted(set(self.grid) - known)
        if unknown:
            raise ValueError(f"grid key(s) {unknown} are not hyper-parameters of {self.method}; "
                             f"it takes {sorted(known - {'random_state', 'seed'})}")
        note = "grid given by the run: " + "; ".join(
            f"{k} in {{{', '.join(f'{v:g}' if isinstance(v, float) else str(v) for v in vals)}}}"
            for k, vals in self.grid.items())
        return replace(method, grid=dict(self.grid), grid_note=note)

    def estimator(self):
        """The :class:`~stienet.satnmf.SATNMF` special case this config names (not for SVM)."""
        return make_variant(self.method, **self.method_params())

    def method_params(self) -> dict:
        """The hyper-parameters the method is built with: SATNMF's from this config's fields
        (those a special case pins to 0 left out), others from the registry's defaults with
        ``C`` from this config; then ``params`` on top, and the run's seed where it takes one."""
        method = REGISTRY[self.method]
        if self.method in VARIANTS:
            out = {k: getattr(self, k) for k in ("r", "alpha", "beta", "gamma", "lam", "p",
                                                 "sigma", "label_weights", "C", "n_trials",
                                                 "max_iter", "tol", "dtype")}
            for k in VARIANTS[self.method]:
                out.pop(k)
            out["random_state"] = self.seed
        else:
            out = dict(method.defaults)
            if "C" in out:
                out["C"] = self.C
            if method.seeded:
                out["seed"] = self.seed
        return {**out, **self.params}


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


def _fit_predict(est, Xs, ys, Xt, yt, c, progress=False, n_jobs=None):
    """(target predictions, diagnostics) of one estimator; SATNMF models (labels voted over
    trials, transductive) also report their trials and convergence."""
    from .satnmf import SATNMF

    if not isinstance(est, SATNMF):
        return est.fit(Xs, ys, Xt).predict(Xt), {}
    model = est.set_params(progress=progress, **({} if n_jobs is None else {"n_jobs": n_jobs}))
    model.fit(Xs, ys, Xt, n_classes=c)
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
    return model.predict(), extra


def _build(method: ClosedMethod, params: dict):
    try:
        return method.make(**params)
    except TypeError as exc:
        raise ValueError(f"bad hyper-parameters {params} for {method.name}: {exc}") from None


def _candidates(method: ClosedMethod, base: dict, Xs, ys, Xt, yt, c):
    """Yield (params, target predictions) for every combination of ``method.grid``. A
    representation + SVM method learns each representation once and tries every C on it; a
    DBN is trained once to the largest epoch count and read at every grid epoch."""
    from .baselines.common import RepresentationSVM, check_domains, span_svm

    grid = method.grid
    probe = _build(method, base)
    shared = ("C" if isinstance(probe, RepresentationSVM) else
              "epochs" if hasattr(probe, "eval_epochs") else None)
    rest = [k for k in grid if k != shared]
    for values in itertools.product(*(grid[k] for k in rest)):
        params = {**base, **dict(zip(rest, values))}
        if shared == "C" and "C" in grid:
            est = _build(method, params)
            Zs, Zt = est.representation(*check_domains(Xs, ys, Xt))
            for C in grid["C"]:
                U, svm = span_svm(C, Zs, ys)
                yield {**params, "C": C}, svm.predict(Zt @ U)
        elif shared == "epochs" and "epochs" in grid:
            epochs = tuple(grid["epochs"])
            est = _build(method, {**params, "epochs": max(epochs), "eval_epochs": epochs})
            est.fit(Xs, ys, Xt)
            for e in epochs:
                yield {**params, "epochs": e}, est.predictions_at_[e]
        else:
            yield params, _fit_predict(_build(method, params), Xs, ys, Xt, yt, c)[0]


def oracle_search(method: ClosedMethod, base: dict, Xs, ys, Xt, yt, c: int):
    """SATNMF §3.2's protocol: run every combination of ``method.grid`` (on top of ``base``)
    and keep the one with the best target UAR (first in grid order on ties). **Uses the target
    labels ``yt``.** Returns (best params, its predictions, one row per combination)."""
    best, rows = None, []
    for params, pred in _candidates(method, base, Xs, ys, Xt, yt, c):
        m = closed_set_metrics(yt, pred, c)
        rows.append({"params": {k: params[k] for k in method.grid}, "UAR": m["UAR"], "WAR": m["WAR"]})
        if best is None or m["UAR"] > best[2]:
            best = (params, pred, m["UAR"])
    return best[0], best[1], rows


def _source_cv_cache(method: ClosedMethod, base: dict, Xs, ys, speakers, c: int, cv_trials):
    """Where :func:`source_cv_search` keeps its rows: keyed on everything the search reads
    (the source features, labels and speakers, the method, its settings, grid and cv_trials),
    so that schemes sharing a source and classes (B2C and B2R; R2B and R2C) search once."""
    key = hashlib.sha256()
    for array in (np.ascontiguousarray(Xs, dtype=np.float64), np.asarray(ys), np.asarray(speakers).astype(str)):
        key.update(array.tobytes())
    key.update(repr((SOURCE_CV_CACHE_VERSION, method.name, sorted(base.items()), sorted(method.grid.items()),
                     c, cv_trials)).encode())
    return cache_dir() / "source_cv" / f"{SLUGS.get(method.name, method.name)}-{key.hexdigest()[:20]}.json"


def source_cv_search(method: ClosedMethod, base: dict, Xs, ys, speakers, c: int,
                     cv_trials: int | None = None):
    """``select="source-cv"``: each combination of ``method.grid`` scored by leave-one-speaker-
    out on the source (:class:`sklearn.model_selection.LeaveOneGroupOut` over ``speakers``):
    trained on the other speakers, with the held-out speaker's clips as the unlabelled target,
    and scored by UAR over the classes that speaker has. Returns (best params by mean UAR, first
    in grid order on ties, one row per combination with its per-fold UARs). ``cv_trials``: the
    initialisations voted by a SATNMF model inside each fold (the returned params keep the
    run's own ``n_trials``). Uses no target data at all. The rows are cached below
    ``cache_dir()/source_cv`` (:func:`_source_cv_cache`): a scheme with the same source,
    classes and settings as an earlier one reuses its search."""
    from sklearn.model_selection import LeaveOneGroupOut

    speakers = np.asarray(speakers)
    final = dict(base)
    if cv_trials is not None and "n_trials" in base:
        if cv_trials < 1:
            raise ValueError(f"cv_trials must be >= 1, got {cv_trials}")
        base = {**base, "n_trials": int(cv_trials)}
    cached = _source_cv_cache(method, base, Xs, ys, speakers, c, cv_trials)
    if cached.is_file():                 # the same source, classes, grid and settings: reuse
        try:
            rows = json.loads(cached.read_text())["rows"]
            best = max(range(len(rows)), key=lambda i: (rows[i]["UAR"], -i))
            return {**final, **rows[best]["params"]}, rows
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            pass                         # a damaged entry is recomputed and rewritten
    if len(np.unique(speakers)) < 2:
        raise ValueError("select='source-cv' needs a source corpus with at least 2 speakers")
    table = {}
    for train, held in LeaveOneGroupOut().split(Xs, ys, speakers):
        if len(np.unique(ys[train])) < c:
            continue                       # a fold without some class cannot train the method
        for params, pred in _candidates(method, base, Xs[train], ys[train], Xs[held], ys[held], c):
            key = tuple(params[k] for k in method.grid)
            table.setdefault(key, (params, []))[1].append(closed_set_metrics(ys[held], pred, c)["UAR"])
    if not table:
        raise ValueError("select='source-cv': no leave-one-speaker-out fold has every class")
    rows = [{"params": dict(zip(method.grid, key)), "UAR": float(np.mean(uars)), "fold_UAR": uars}
            for key, (_, uars) in table.items()]
    atomic_write_bytes(cached, json.dumps({"method": method.name, "rows": _clean(rows)}).encode())
    best = max(range(len(rows)), key=lambda i: (rows[i]["UAR"], -i))
    return {**final, **rows[best]["params"]}, rows


def run_closed_set(source: str, target: str, cfg: ClosedSetConfig | None = None,
                   progress: bool = True, n_jobs: int | None = None) -> dict:
    """Run one method on one pair; returns the record that :func:`stienet.results.save_result`
    stores (method, data, selection rule, hyper-parameters, UAR, WAR, confusion, and for SATNMF
    models the objective history, rounds, relative objective change at the stop and whether tol
    was reached, per trial; for ``select="oracle"`` the grid and every combination's UAR/WAR).
    ``progress``: progress bars (features; trials × rounds). ``n_jobs``: SATNMF trials run at
    once (:class:`~stienet.satnmf.SATNMF`'s default when None); neither changes the result."""
    cfg = cfg or ClosedSetConfig()
    start = time.perf_counter()
    split, Xs, Xt = scaled_features(source, target, cfg, progress)
    ys, yt = split.source["label"].to_numpy(), split.target["label"].to_numpy()
    c = len(split.classes)
    method = cfg.searched_method()
    params = cfg.method_params()
    if cfg.select == "oracle":
        params, pred, rows = oracle_search(method, params, Xs, ys, Xt, yt, c)
        extra = {"oracle_grid": method.grid, "oracle_grid_note": method.grid_note,
                 "oracle_search": rows}
    elif cfg.select == "source-cv":
        params, rows = source_cv_search(method, params, Xs, ys, split.source["speaker"].to_numpy(),
                                        c, cfg.cv_trials)
        pred, extra = _fit_predict(_build(method, params), Xs, ys, Xt, yt, c, progress, n_jobs)
        extra.update(source_cv_grid=method.grid, source_cv_grid_note=method.grid_note,
                     source_cv_search=rows,
                     source_cv_trials=cfg.cv_trials if "n_trials" in params else None)
    else:
        pred, extra = _fit_predict(_build(method, params), Xs, ys, Xt, yt, c, progress, n_jobs)
    data = split.source["data"].iloc[0]
    if split.target["data"].iloc[0] != data:
        data = "mixed"
    return {"method": cfg.method, "source": source, "target": target, "data": data,
            "generator_version": generator_version(data), "seed": cfg.seed,
            "selection": cfg.select,
            "selection_rule": RULES[cfg.select],
            "family": method.family, "paper_column": method.paper_column,
            "hyperparameters": asdict(cfg), "method_params": params,
            "label_names": list(split.classes), "n_source": len(ys), "n_target": len(yt),
            "metrics": closed_set_metrics(yt, pred, c), **extra,
            "package_version": __version__, "git_commit": git_commit(), "device": "cpu",
            "wall_time_s": round(time.perf_counter() - start, 2)}
