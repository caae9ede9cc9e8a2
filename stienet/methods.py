"""The open-set methods of STIENet's Tables 2–3 by their paper names, run under one protocol.

:data:`METHODS` maps a paper name to a :class:`Method`; :func:`run_method` runs any of them on a
pair and returns the result record that :func:`stienet.results.save_result` stores. The command
line (``python -m stienet train --method NAME``), the pairs sweep (``--methods STIENet OSBP …``)
and the report look methods up here, so a new baseline is one module in
:mod:`stienet.baselines` plus one line below.

The protocol is STIENet's (:func:`stienet.data.open_set_split`): the source's known classes
(anger, fear, happiness), oversampled to balance; the whole target, every other emotion labelled
"unknown" (``K``); target labels used only to score. Two kinds of method:

* ``deep`` — STIENet's raw-audio network and training loop (:func:`stienet.train.fit`), the
  method's own loss step (STIENet: Eq 5; OSBP: :func:`stienet.baselines.osbp.osbp_step`);
  the model after the last epoch is scored.
* ``shallow`` — estimators with ``fit(Xs, ys, Xt)`` / ``predict(Xt)`` / ``decision_function(Xt)``
  on the 6373 ComParE functionals (:func:`stienet.features.compare_features`), each corpus
  scaled to [0, 1] **per speaker** over all its clips (:func:`stienet.features.minmax_scale`,
  the SATNMF pipeline's scaling; no label involved). Fixed hyper-parameters, the papers' or
  their public code's defaults, chosen without target labels.

Every record carries method, reference, kind, features, all hyper-parameters, selection rule,
OS/OS*/UNK/H/UAR/WAR, the confusion matrix, AUROC of the method's unknown score, data
(synthetic/real), generator version, git commit and wall time.
"""
from __future__ import annotations

import inspect
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from . import __version__
from .baselines.ati import ATI
from .baselines.daod import DAOD
from .baselines.lead import LEAD_DEFAULTS, adapt, entropy_unknown_score, predict_open, source_step
from .baselines.osbp import OSBP_COEFF, OSBP_T, osbp_step
from .baselines.osnn import OSNN
from .baselines.tnmf_open import TNMFOpen
from .data import KNOWN_CLASSES, load_corpus, open_set_split
from .data.synthetic import generator_version
from .features import compare_features, minmax_scale
from .baselines.common import one_hot
from .metrics import closed_os_star, mark_degeneracy, open_set_metrics
from .openset import unknown_auroc
from .results import float32_list, git_commit

SHALLOW_SELECTION_RULE = ("fixed hyper-parameters (the papers' or their public code's defaults), "
                          "chosen without target labels; target labels are used only to report")
FEATURES = "ComParE functionals (6373), [0, 1] per speaker"
#: Learned scalars/short vectors of an estimator that a record keeps (when it has them).
LEARNED = ("T_", "t_", "validation_", "n_iter_", "history_")


def _json(obj):
    """Numpy scalars/arrays in ``obj`` as plain Python (for the result JSON)."""
    if isinstance(obj, dict):
        return {k: _json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json(v) for v in obj]
    return obj.tolist() if hasattr(obj, "tolist") else obj


@dataclass(frozen=True)
class Method:
    """One open-set method. ``build``: shallow — ``(seed, **params) -> estimator``; deep — the
    loss step passed to :func:`stienet.train.fit` (``None``: STIENet's own). ``presets``: runs
    once per STIENet training preset in a sweep. ``fixed``: the method's own hyper-parameters
    of a deep run (stored in the record)."""

    name: str
    kind: str                      # "deep" or "shallow"
    reference: str
    build: Callable | None = None
    presets: bool = False
    fixed: dict = field(default_factory=dict)
    runner: Callable | None = None  # a deep method with its own second stage (LEAD)
    stages: int = 1                 # training stages of cfg.epochs each (LEAD: source, then target)


METHODS = {m.name: m for m in (
    Method("STIENet", "deep", "Zhou & Luo (the STIENet paper), Eq 1-5", None, presets=True),
    Method("OSBP", "deep", "Saito et al., ECCV 2018 [26]", osbp_step,
           fixed={"t": OSBP_T, "grad_reverse_coeff": OSBP_COEFF}),
    # OSNN's T is chosen on the source, leave one speaker out, for the best H of known-class
    # accuracy and rejection (criterion="h"): the paper's NA with λ_r = 0.5 scores "reject
    # everything" 0.5, which beat every threshold on real speech (stienet.baselines.osnn)
    Method("OSNN", "shallow", "Junior et al., Mach. Learn. 2017 [17]; T chosen leave-one-speaker-out for H",
           lambda seed, **p: OSNN(random_state=seed, **{"criterion": "h", **p})),
    Method("TNMF", "shallow", "Song et al., ICASSP 2016 [24] + OSNN on the codes (this project's rule)",
           lambda seed, **p: TNMFOpen(random_state=seed, **p)),
    Method("ATI", "shallow", "Busto & Gall, ICCV 2017 [25] (ATI-lambda)",
           lambda seed, **p: ATI(random_state=seed, **p)),
    # t=None: the threshold of DAOD's first pseudo labels chosen on the source by OSNN (speaker-
    # disjoint); the authors' t=0.5 (Office-31) rejected every real target clip
    Method("DAOD", "shallow", "Fang et al., TNNLS 2020 [3]; first labels' t chosen on the source",
           lambda seed, **p: DAOD(**{"t": None, **p})),
    Method("LEAD", "deep", "Qu et al., CVPR 2024 [19]", source_step,
           fixed={k: (list(v) if isinstance(v, tuple) else v) for k, v in LEAD_DEFAULTS.items()},
           runner=lambda *a, **k: run_lead(*a, **k), stages=2),
)}


def method_names() -> tuple[str, ...]:
    return tuple(METHODS)


def get_method(name: str) -> Method:
    """The :class:`Method` of a paper name, any case."""
    for key, method in METHODS.items():
        if key.lower() == str(name).lower():
            return method
    raise ValueError(f"unknown open-set method {name!r}; methods are {', '.join(METHODS)}")


@dataclass
class OpenSetConfig:
    """Everything a shallow open-set run depends on (stored with the result)."""

    method: str = "OSNN"
    seed: int = 0
    params: dict = field(default_factory=dict)     # the estimator's hyper-parameters
    known: tuple = KNOWN_CLASSES
    scaling: str = "speaker"                      # [0, 1] per "speaker" or per "corpus"
    data_root: str | None = None
    synthetic_scale: float = 1.0
    synthetic_shift: float = 1.0
    synthetic_seed: int = 0

    def __post_init__(self):
        self.method = get_method(self.method).name
        if self.scaling not in ("speaker", "corpus"):
            raise ValueError(f"scaling must be 'speaker' or 'corpus', got {self.scaling!r}")
        self.known = tuple(self.known)


def open_set_features(source: str, target: str, cfg: OpenSetConfig, progress: bool = True):
    """``(split, Xs, Xt)``: STIENet's open-set split of the pair (source oversampled) and the
    scaled ComParE features of its rows. Each corpus is scaled on all of its clips (per speaker
    or per corpus) before the rows are picked."""
    tables, scaled = {}, {}
    for role, code in (("source", source), ("target", target)):
        table = load_corpus(code, data_root=cfg.data_root, seed=cfg.synthetic_seed,
                            scale=cfg.synthetic_scale, shift=cfg.synthetic_shift, progress=progress)
        feats = compare_features(table, progress=progress)
        groups = feats.table["speaker"].to_numpy() if cfg.scaling == "speaker" else None
        tables[role], scaled[role] = feats.table, minmax_scale(feats.values, groups)
    split = open_set_split(tables["source"], tables["target"], known=cfg.known, balance=True,
                           seed=cfg.seed)
    return (split, scaled["source"][split.source["row"].to_numpy()],
            scaled["target"][split.target["row"].to_numpy()])


def run_shallow(source: str, target: str, cfg: OpenSetConfig, progress: bool = True) -> dict:
    """Fit a shallow method on ``source`` (labelled, known classes) and the unlabelled
    ``target``; score its target predictions. Returns the result record."""
    start = time.perf_counter()
    method = get_method(cfg.method)
    split, Xs, Xt = open_set_features(source, target, cfg, progress)
    ys, yt = split.source["label"].to_numpy(), split.target["label"].to_numpy()
    K = len(cfg.known)
    est = method.build(cfg.seed, **cfg.params)
    if "groups" in inspect.signature(est.fit).parameters:   # speakers, for source-only choices
        est.fit(Xs, ys, Xt, groups=split.source["speaker"].to_numpy())
    else:
        est.fit(Xs, ys, Xt)
    pred = np.asarray(est.predict(Xt))
    score = np.asarray(est.decision_function(Xt), dtype=np.float32)   # stored as float32
    known_pred = np.asarray(est.predict_known(Xt))
    metrics = open_set_metrics(yt, pred, K)
    metrics["AUROC"] = unknown_auroc(yt, score, K)
    metrics["closed OS*"] = closed_os_star(yt, one_hot(known_pred, K), K)
    mark_degeneracy(metrics)
    metrics["target_score"] = float32_list(score)       # unknown score: reproduces the AUROC
    metrics["target_pred"] = pred.tolist()              # decision: reproduces OS, OS*, UNK, H
    metrics["target_known_pred"] = known_pred.tolist()  # rejection off: reproduces closed OS*
    metrics["target_labels"] = yt.tolist()
    metrics["target_emotions"] = split.target["emotion"].tolist()
    kinds = set(split.source["data"]) | set(split.target["data"])
    data = kinds.pop() if len(kinds) == 1 else "mixed"
    hyper = asdict(cfg) | {"estimator": {k: (list(v) if isinstance(v, tuple) else v)
                                         for k, v in est.get_params().items()}}
    hyper["known"] = list(cfg.known)
    learned = {k: getattr(est, k) for k in LEARNED if hasattr(est, k)}   # e.g. OSNN's chosen T
    return {"method": method.name, "reference": method.reference, "kind": method.kind,
            "features": FEATURES if cfg.scaling == "speaker" else FEATURES.replace("speaker", "corpus"),
            "source": source, "target": target, "data": data,
            "generator_version": generator_version(data), "preset": None, "seed": cfg.seed,
            "epochs": None, "selection_rule": SHALLOW_SELECTION_RULE, "hyperparameters": hyper,
            "label_names": list(split.label_names), "n_source": len(ys), "n_target": len(yt),
            "metrics": metrics, "learned": _json(learned), "package_version": __version__, "git_commit": git_commit(),
            "device": "cpu", "wall_time_s": round(time.perf_counter() - start, 2)}


def run_deep(name: str, source: str, target: str, cfg, progress: bool = True,
             on_epoch: Callable | None = None) -> dict:
    """Train a deep method (:class:`stienet.train.TrainConfig` ``cfg``) and return its record."""
    from .train import fit

    method = get_method(name)
    if method.runner is not None:
        return method.runner(source, target, cfg, progress, on_epoch)
    record = fit(source, target, cfg, progress=progress, on_epoch=on_epoch, step=method.build,
                 method=method.name).to_json()
    record.update(reference=method.reference, kind=method.kind, features="raw audio (16 kHz)")
    if method.fixed:
        record["hyperparameters"]["method"] = dict(method.fixed)
        record["preset"] = None          # STIENet's training presets do not apply
    return record


def run_method(name: str, source: str, target: str, *, seed: int = 0, epochs: int = 10,
               batch_size: int = 32, scale: float = 1.0, shift: float = 1.0,
               data_root: str | None = None, device: str = "auto", params: dict | None = None,
               progress: bool = True, on_epoch: Callable | None = None) -> dict:
    """Run the method ``name`` on one pair; ``params``: the method's own settings (deep:
    :class:`~stienet.train.TrainConfig` fields such as ``preset``, ``lr``, ``weights``;
    shallow: estimator hyper-parameters). ``epochs``, ``batch_size``, ``device`` only concern
    deep methods."""
    method, params = get_method(name), dict(params or {})
    if method.kind == "shallow":
        cfg = OpenSetConfig(method=method.name, seed=seed, params=params, data_root=data_root,
                            synthetic_scale=scale, synthetic_shift=shift)
        return run_shallow(source, target, cfg, progress)
    from .train import TrainConfig

    if method.build is not None or method.runner is not None:
        params.setdefault("bn", "joint")   # their steps pass both domains through one encoder call
    cfg = TrainConfig(epochs=epochs, batch_size=batch_size, seed=seed, device=device,
                      data_root=data_root, synthetic_scale=scale, synthetic_shift=shift, **params)
    return run_deep(method.name, source, target, cfg, progress, on_epoch)


def run_lead(source: str, target: str, cfg, progress: bool = True,
             on_epoch: Callable | None = None) -> dict:
    """LEAD (:mod:`stienet.baselines.lead`): ``cfg.epochs`` epochs of source training by the
    shared loop, then ``cfg.epochs`` epochs of source-free adaptation on the target clips (same
    crops and level normalisation). The record's history holds both stages (``stage``)."""
    import torch

    from .data import load_waveforms
    from .train import fit, level_gains, precise_batchnorm

    method = get_method("LEAD")
    started = time.perf_counter()
    stage1 = fit(source, target, cfg, progress=progress, keep_model=True, step=source_step,
                 method="LEAD", on_epoch=on_epoch)
    model, device = stage1.model, next(stage1.model.parameters()).device
    tables = {}
    for role, code in (("source", source), ("target", target)):
        tables[role] = load_corpus(code, data_root=cfg.data_root, seed=cfg.synthetic_seed,
                                   scale=cfg.synthetic_scale, shift=cfg.synthetic_shift,
                                   progress=progress)
    audio = load_waveforms(tables["target"], sr=cfg.sample_rate, progress=progress)
    split = open_set_split(tables["source"], audio.table, known=cfg.known, balance=False)
    rows, yt = split.target["row"].to_numpy(), split.target["label"].to_numpy()
    gains = level_gains(audio, cfg.level)
    rng = np.random.default_rng(cfg.seed + 1)
    K = len(cfg.known)

    def crops(idx, how):
        r = rows[np.asarray(idx)]
        x = audio.fixed(cfg.clip_seconds, how, rows=r, rng=rng) * gains[r, None]
        return (torch.from_numpy(np.ascontiguousarray(x, np.float32)).to(device),
                torch.from_numpy(audio.real_samples(cfg.clip_seconds, r)))

    history = [dict(row, stage="source") for row in stage1.history]
    final = {}

    def record_epoch(epoch, losses, probs):
        probs = np.asarray(probs, dtype=np.float32)      # what is stored: metrics reproduce
        m = open_set_metrics(yt, predict_open(probs, LEAD_DEFAULTS["w_0"]), K)
        m["AUROC"] = unknown_auroc(yt, entropy_unknown_score(probs), K)
        m["closed OS*"] = closed_os_star(yt, probs, K)
        mark_degeneracy(m)
        row = {"epoch": cfg.epochs + epoch, "stage": "adapt",
               **{f"loss_{k}": v for k, v in losses.items() if k not in ("coeff", "pseudo_unknown_share")},
               "coeff": losses["coeff"], "pseudo_unknown_share": losses["pseudo_unknown_share"],
               **{k: m[k] for k in ("OS", "OS*", "UNK", "H", "WAR", "AUROC", "closed OS*")}}
        history.append(row)
        final.update(metrics=m, probs=probs)
        if on_epoch is not None:
            on_epoch(row)

    adapt(model, len(rows), crops, cfg.epochs, cfg.batch_size, cfg.lr, cfg.seed, device,
          recompute_bn=lambda mdl, batches: precise_batchnorm(mdl, batches), on_epoch=record_epoch)
    record = stage1.to_json()
    metrics = final["metrics"]
    metrics["source_acc"] = stage1.metrics.get("source_acc")      # source model, held-out clips
    metrics["target_prob"] = float32_list(final["probs"])   # (m, K): K-way, entropy rule
    metrics["target_labels"] = yt.tolist()
    metrics["target_emotions"] = split.target["emotion"].tolist()
    record.update(method="LEAD", reference=method.reference, kind="deep",
                  features="raw audio (16 kHz)", history=history, metrics=metrics, preset=None,
                  epochs=cfg.epochs, wall_time_s=round(time.perf_counter() - started, 2),
                  selection_rule="last adaptation epoch (no model selection; target labels are "
                                 "used only to report)")
    record["hyperparameters"]["method"] = dict(method.fixed, adapt_epochs=cfg.epochs,
                                               optimizer="SGD (stage 2); Adam (stage 1, shared loop)")
    return record


def metrics_from_record(record: dict) -> dict:
    """The open-set metrics recomputed from a result record's stored per-clip outputs, to check
    that a file reproduces its own numbers: STIENet and OSBP from ``target_logits`` (and the
    stored ``threshold``), shallow methods from ``target_pred`` / ``target_score`` /
    ``target_known_pred``, LEAD from its K-way ``target_prob``. Returns OS, OS*, UNK, H, AUROC
    and closed OS*. Raises ``KeyError`` for a file written before these were stored."""
    from .openset import open_set_record_metrics

    m, K = record["metrics"], len(record["label_names"]) - 1
    y = np.asarray(m["target_labels"])
    if "target_logits" in m:
        out = open_set_record_metrics(y, np.asarray(m["target_logits"], np.float32), K,
                                      m.get("threshold"))
    elif "target_pred" in m:
        out = open_set_metrics(y, np.asarray(m["target_pred"]), K)
        out["AUROC"] = unknown_auroc(y, np.asarray(m["target_score"], np.float32), K)
        out["closed OS*"] = closed_os_star(y, one_hot(np.asarray(m["target_known_pred"]), K), K)
    else:
        probs = np.asarray(m["target_prob"], np.float32)
        out = open_set_metrics(y, predict_open(probs, LEAD_DEFAULTS["w_0"]), K)
        out["AUROC"] = unknown_auroc(y, entropy_unknown_score(probs), K)
        out["closed OS*"] = closed_os_star(y, probs, K)
    return {k: out[k] for k in ("OS", "OS*", "UNK", "H", "AUROC", "closed OS*")}
