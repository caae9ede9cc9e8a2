"""One STIENet run: source corpus (known classes, oversampled) + unlabelled target corpus.

:func:`fit` trains with Adam on mini-batches that hold both domains and minimises Eq (5). After
every epoch it records each loss term, the eval-mode accuracy on held-out source clips and the
target metrics — **for the record only**: nothing is chosen with target labels; the reported
model is the one after the last epoch. Explained in ``notebooks/train``.

Two presets (:data:`PRESETS`, stored with every result):

* ``paper`` — Eq (1)–(5) as printed: all weights 1, φ = 0.1, dropout pseudo-unknowns,
  pseudo labels from the current logits, arg-max decision over the K+1 outputs.
* ``open`` — **beyond the paper**: norm-matched dropout pseudo-unknowns, the least confident target clips
  trained towards "unknown", Eq 1/2 target means weighted by 1 − p(unknown), eval-mode pseudo
  labels above a confidence threshold, φ = 0.7 (Eq 4 then holds L_rej near 0.3 instead of 0.9)
  and an unknown threshold chosen on held-out source clips and their pseudo-unknowns.

Both presets share the implementation details that make the evaluated network the trained
one: level-normalised utterances, pooling over real frames only, and BatchNorm statistics that
are the same in training and evaluation. ``bn="domain"`` (both presets): every mini-batch passes
the source and the target through the network separately, so each domain is normalised with its
own statistics, and before every evaluation each domain gets its own precise statistics
(:func:`precise_batchnorm`), the source's for held-out source clips and the threshold, the
target's for the target — the per-corpus normalisation that the SATNMF pipeline's per-corpus
feature scaling also does (and known as AdaBN / domain-specific BatchNorm). ``bn="joint"``: one
pass over both domains and one set of statistics (the recipe before this change; the deep
baselines OSBP and LEAD keep it). Measured on the synthetic stand-ins (12 pairs, seed 0, scale
0.25, 10 epochs): ``open`` OS* 28.7 / H 32.2 / AUROC 59.7 % with ``domain`` against 23.8 / 25.0
/ 49.0 % with ``joint``; ``paper`` OS* 41.7 / AUROC 54.0 % against 35.7 / 40.4 %. Not everywhere:
the gain comes mostly from the SAVEE pairs, and B → C, C → B (``open``) and e → B (``paper``) lose
points (chapter 07); source-only B → C falls from 48 to 37 % OS* (seeds 0–3), about half of it
because the target's statistics include its unknown clips (43 % against 46 % on a target of
known-class clips only).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from . import __version__
from .data import KNOWN_CLASSES, load_corpus, load_waveforms, open_set_split
from .data.protocols import oversample
from .data.synthetic import generator_version
from .losses import (LossWeights, class_mmd, inverse_entropy, mmd, pseudo_labels,
                     rejection_loss, total_loss)
from .metrics import open_set_metrics, probabilities
from .model import ModelConfig, STIENet, pick_device
from .openset import (PSEUDO_UNKNOWNS, open_set_record_metrics, pseudo_unknowns,
                      target_rejection_loss, unknown_threshold)
from .results import float32_list, git_commit
from .threads import refit_threads

BN_MODES = ("joint", "domain")

SELECTION_RULE = "last epoch (no model selection; target labels are used only to report)"

#: Training recipes. ``paper`` is Eq (1)–(5) as printed; ``open`` goes beyond the paper.
PRESETS = {
    "paper": dict(phi=0.1, pseudo_unknowns="dropout", pseudo_labels="train", pseudo_threshold=0.0,
                  target_unknown_frac=0.0, weight_mmd=False, decision="argmax", speaker_norm=False,
                  bn="domain"),
    "open": dict(phi=0.7, pseudo_unknowns="dropout-norm", pseudo_labels="eval", pseudo_threshold=0.5,
                 target_unknown_frac=0.25, weight_mmd=True, decision="calibrated", speaker_norm=False,
                 bn="domain"),
}


@dataclass
class TrainConfig:
    """Everything one run depends on (all of it is stored with the result)."""

    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    seed: int = 0
    weights: LossWeights = field(default_factory=LossWeights)
    preset: str = "paper"             # fills every field below left at None (see PRESETS)
    phi: float | None = None          # φ of Eq (4)
    reject_dropout: float = 0.5       # dropout rate of "dropout" pseudo-unknowns, Eq (3)
    pseudo_unknowns: str | None = None    # "dropout" (Eq 3), "dropout-norm" or "mixup"
    pseudo_labels: str | None = None      # Eq (2) pseudo labels from "train"- or "eval"-mode logits
    pseudo_threshold: float | None = None  # confidence needed for a target pseudo label, Eq (2)
    target_unknown_frac: float | None = None  # least confident target share trained as unknown
    weight_mmd: bool | None = None    # weight target means of Eq 1/2 by 1 − p(unknown)
    decision: str | None = None       # "argmax" over K+1 outputs or "calibrated" unknown threshold
    holdout: float = 0.1              # share of source clips per class held out (eval accuracy)
    level: str = "speaker"            # input level normalisation: "speaker", "utterance" or "none"
    speaker_norm: bool | None = None  # subtract each speaker's mean φ (beyond the paper)
    bn: str | None = None             # BatchNorm statistics: "joint" (both domains) or "domain"
    known: tuple = KNOWN_CLASSES
    sample_rate: int = 16000
    clip_seconds: float = 3.0
    device: str = "auto"
    model: ModelConfig = field(default_factory=ModelConfig)
    data_root: str | None = None      # None: $STIENET_DATA, else synthetic stand-ins
    synthetic_scale: float = 1.0
    synthetic_shift: float = 1.0
    synthetic_seed: int = 0           # the corpus's seed; fixed while the run's seed varies
    embeddings: int = 0               # keep φ of up to this many clips per domain, before/after

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {self.preset!r}")
        for name, value in PRESETS[self.preset].items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        if self.pseudo_unknowns not in PSEUDO_UNKNOWNS:
            raise ValueError(f"pseudo_unknowns must be one of {PSEUDO_UNKNOWNS}, got {self.pseudo_unknowns!r}")
        if self.pseudo_labels not in ("train", "eval") or self.decision not in ("argmax", "calibrated"):
            raise ValueError(f"pseudo_labels must be 'train' or 'eval' and decision 'argmax' or "
                             f"'calibrated', got {self.pseudo_labels!r}, {self.decision!r}")
        if not (0 <= self.target_unknown_frac < 1 and 0 <= self.holdout < 1):
            raise ValueError(f"target_unknown_frac and holdout must be in [0, 1), got "
                             f"{self.target_unknown_frac}, {self.holdout}")
        if self.bn not in BN_MODES:
            raise ValueError(f"bn must be one of {BN_MODES}, got {self.bn!r}")
        if self.bn == "domain" and self.speaker_norm:
            raise ValueError("bn='domain' with speaker_norm=True is not implemented")
        if self.model.frontend == "logmel" and self.model.sample_rate != self.sample_rate:
            raise ValueError(f"the log-mel front-end's filterbank is for {self.model.sample_rate} Hz "
                             f"but the audio is decoded at {self.sample_rate} Hz: set "
                             "ModelConfig(sample_rate=...) to the same rate")
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}")
        if self.decision == "calibrated" and self.holdout == 0:
            raise ValueError("decision='calibrated' chooses its threshold on held-out source "
                             "clips: holdout must be > 0")
        counts = {k: getattr(self, k) for k in ("epochs", "batch_size", "seed", "synthetic_seed",
                                                 "embeddings")}
        wrong = {k: v for k, v in counts.items() if isinstance(v, bool) or not isinstance(v, (int, np.integer))}
        if wrong:  # e.g. seed=1.0 from a parameter file would fail deep inside numpy's generator
            raise ValueError("these TrainConfig fields must be integers: "
                             + ", ".join(f"{k}={v!r}" for k, v in wrong.items()))
        if self.epochs < 1 or self.batch_size < 2:
            raise ValueError(f"epochs must be >= 1 and batch_size >= 2, got {self.epochs}, {self.batch_size}")
        if not self.phi > 0:
            raise ValueError(f"phi must be > 0 (Eq 4), got {self.phi}")
        if not 0 <= self.reject_dropout < 1:
            raise ValueError(f"reject_dropout must be in [0, 1), got {self.reject_dropout}")
        self.known = tuple(self.known)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        d["known"] = list(self.known)
        return d


@dataclass
class RunResult:
    """What :func:`fit` returns; :meth:`to_json` is what the CLI stores."""

    method: str
    source: str
    target: str
    data: str
    config: TrainConfig
    history: list
    metrics: dict
    label_names: list
    device: str
    wall_time_s: float
    n_source: int
    n_target: int
    embeddings: dict = field(default_factory=dict)
    model: STIENet | None = None

    def to_json(self) -> dict:
        return {"method": self.method, "source": self.source, "target": self.target,
                "data": self.data, "generator_version": generator_version(self.data),
                "preset": self.config.preset, "seed": self.config.seed,
                "epochs": self.config.epochs,
                "selection_rule": SELECTION_RULE, "hyperparameters": self.config.to_dict(),
                "label_names": self.label_names, "n_source": self.n_source,
                "n_target": self.n_target, "history": self.history, "metrics": self.metrics,
                "package_version": __version__, "git_commit": git_commit(),
                "device": self.device, "torch_version": torch.__version__,
                "torch_threads": torch.get_num_threads(),
                "wall_time_s": round(self.wall_time_s, 2)}


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def step_losses(model: STIENet, xs, ys, xt, cfg: TrainConfig, ls=None, lt=None,
                generator: torch.Generator | None = None, offset=None) -> dict[str, torch.Tensor]:
    """All terms of Eq (5) for one mini-batch (source ``xs (n, T), ys (n,)``, target ``xt (m, T)``;
    ``ls, lt``: real samples per clip, default all ``T``; ``offset (n + m, d)``: speaker means
    subtracted from φ, source rows first).

    ``cfg.bn == "joint"``: one encoder pass and one classifier pass over source and target
    together (one set of BatchNorm statistics, as at evaluation); ``"domain"``: one pass per
    domain, each normalised with its own batch statistics (evaluation then uses each domain's
    own precise statistics). Either way the pseudo-unknowns are normalised by (and kept out of)
    the source clips' classifier BatchNorm statistics. With ``target_unknown_frac > 0`` a sixth term,
    ``rej_target`` (weighted by β), trains the least confident target clips towards unknown."""
    K, n = model.n_known, len(xs)
    if cfg.bn == "domain":                         # each domain with its own batch statistics
        fs, ft = model.encoder(xs, ls), model.encoder(xt, lt)
        if offset is not None:
            fs, ft = fs - offset[:n], ft - offset[n:]
        fp = pseudo_unknowns(fs, ys, cfg.pseudo_unknowns, cfg.reject_dropout, generator, ft.mean(0))
        l_s, l_p = model.classifier(fs, extra=fp)
        l_t = model.classifier(ft)
    else:
        lengths = None if ls is None or lt is None else torch.cat([ls, lt])
        f = model.encoder(torch.cat([xs, xt]), lengths)
        if offset is not None:
            f = f - offset
        fs, ft = f[:n], f[n:]
        fp = pseudo_unknowns(fs, ys, cfg.pseudo_unknowns, cfg.reject_dropout, generator, ft.mean(0))
        logits, l_p = model.classifier(f, extra=fp)   # BatchNorm statistics from real clips only
        l_s, l_t = logits[:n], logits[n:]
    prob_t = None
    if cfg.pseudo_labels == "eval" or cfg.weight_mmd or cfg.target_unknown_frac:
        with torch.no_grad():                      # the classifier as it predicts (dropout off)
            if cfg.bn == "domain":                 # ... with the target's own statistics
                prob_t = model.classifier.batch_stats(ft.detach()).softmax(1)
            else:
                model.classifier.eval()
                prob_t = model.classifier(ft.detach()).softmax(1)
                model.classifier.train()
    yt = pseudo_labels(l_t if cfg.pseudo_labels == "train" else prob_t.log(), cfg.pseudo_threshold)
    wt = 1 - prob_t[:, K] if cfg.weight_mmd else None
    l_rej = rejection_loss(l_p)
    terms = {
        "cls": F.cross_entropy(l_s, ys),
        "rej": l_rej,
        "mmd": mmd(fs, ft, wt),
        "mmd_class": class_mmd(fs, ys, ft, yt, K, wt),
        "inv": inverse_entropy(l_rej, cfg.phi),
    }
    if cfg.target_unknown_frac:
        terms["rej_target"] = target_rejection_loss(l_t, prob_t, cfg.target_unknown_frac)
    return terms


@torch.no_grad()
def predict_logits(model: STIENet, waves: np.ndarray, device, lengths: np.ndarray | None = None,
                   batch_size: int = 128, offsets: np.ndarray | None = None):
    """Eval-mode features φ ``(n, d)`` and float32 logits ``(n, K+1)`` for ``waves (n, T)``
    (``offsets (n, d)``: speaker means subtracted from φ)."""
    model.eval()
    feats, logits = [], []
    with torch.no_grad():
        for i in range(0, len(waves), batch_size):
            ln = None if lengths is None else torch.from_numpy(lengths[i:i + batch_size])
            off = None if offsets is None else torch.from_numpy(offsets[i:i + batch_size]).to(device)
            f, z = model(torch.from_numpy(waves[i:i + batch_size]).to(device), ln, off)
            feats.append(f.cpu())
            logits.append(z.float().cpu())
    return torch.cat(feats).numpy(), torch.cat(logits).numpy().astype(np.float32)


def predict_proba(model: STIENet, waves: np.ndarray, device, lengths: np.ndarray | None = None,
                  batch_size: int = 128, offsets: np.ndarray | None = None):
    """Eval-mode features φ ``(n, d)`` and class probabilities ``(n, K+1)`` for ``waves (n, T)``
    (:func:`stienet.metrics.probabilities` of :func:`predict_logits`)."""
    feats, logits = predict_logits(model, waves, device, lengths, batch_size, offsets)
    return feats, probabilities(logits)


def predict(model: STIENet, waves: np.ndarray, device, lengths: np.ndarray | None = None,
            batch_size: int = 128):
    """Features φ and arg-max labels over the K+1 outputs (the paper's decision)."""
    feats, prob = predict_proba(model, waves, device, lengths, batch_size)
    return feats, prob.argmax(1)


LEVELS = ("speaker", "utterance", "none")
LEVEL_RMS = 0.1   # RMS a normalised clip (utterance) or a speaker's median clip (speaker) gets


def level_gains(audio, mode: str = "speaker") -> np.ndarray:
    """Gain per clip of ``audio`` (:class:`stienet.data.Waveforms`) that normalises the input level.

    ``"speaker"``: 1 / the median RMS of the speaker's clips — corpus and microphone gains go,
    while a speaker's louder (angry) and quieter (sad) utterances keep their difference, as in the
    per-speaker scaling of the SATNMF pipeline; ``"utterance"``: 1 / the clip's own RMS (drops
    loudness altogether); ``"none"``: 1. Speakers come from the corpus table, never labels."""
    if mode not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {mode!r}")
    rms = np.array([np.sqrt(np.mean(np.square(audio.clip(i), dtype=np.float64)) + 1e-12)
                    for i in range(len(audio))])
    if mode == "none":
        return np.ones(len(audio), np.float32)
    if mode == "utterance":
        return (LEVEL_RMS / rms).astype(np.float32)
    speakers = audio.table["speaker"].astype(str).to_numpy()
    median = {s: np.median(rms[speakers == s]) for s in np.unique(speakers)}
    return np.array([LEVEL_RMS / median[s] for s in speakers], np.float32)


PRECISE_BN_BATCHES = 16   # mini-batches (source + target) averaged by precise_batchnorm


@torch.no_grad()
def precise_batchnorm(model: STIENet, batches) -> None:
    """Recompute every BatchNorm's running mean and variance as the plain average over
    ``batches`` (iterable of ``(waves, lengths, offsets)`` — the training mini-batches, source and target
    together, as in :func:`step_losses`), with the current weights and dropout off.

    The exponential running averages lag behind fast-changing weights: after three epochs they
    put the held-out source accuracy at chance while the trained network (batch statistics)
    reaches 96 % (measured, synthetic B → S). Recomputing them ("precise BN", Wu & Johnson 2021)
    makes the evaluated network the trained one."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momentum = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None                        # cumulative average over the batches
    model.eval()
    for m in bns:
        m.train()
    for waves, lengths, offsets in batches:
        model(waves, lengths, offsets)
    for m, mom in zip(bns, momentum):
        m.momentum = mom
    model.eval()


SPEAKER_CLIPS = 24   # clips per speaker averaged into its mean feature


@torch.no_grad()
def speaker_offsets(model: STIENet, audio, crops, device, seed: int) -> np.ndarray:
    """Speaker normalisation of φ (``open`` preset, beyond the paper): the eval-mode mean φ of
    each speaker (up to :data:`SPEAKER_CLIPS` centre-cropped clips of any emotion; speakers come
    from the corpus table, never from labels), returned per clip of ``audio``: ``(N, d)``.
    Subtracting it removes what a speaker — and so a corpus, its language and channel — adds to
    every clip, as the per-speaker feature scaling of the SATNMF pipeline does."""
    rng = np.random.default_rng(seed)
    speakers = audio.table["speaker"].astype(str).to_numpy()
    rows = np.concatenate([rng.permutation(np.flatnonzero(speakers == s))[:SPEAKER_CLIPS]
                           for s in np.unique(speakers)])
    x, lengths = crops(rows)
    feats, _ = predict_proba(model, x, device, lengths)
    means = {s: feats[speakers[rows] == s].mean(0) for s in np.unique(speakers)}
    return np.stack([means[s] for s in speakers]).astype(np.float32)


def holdout_split(table, share: float, seed: int):
    """Split source rows per label: ``share`` of each class held out (at least one clip when
    the class has two or more), the rest for training. Returns ``(train, held)`` tables."""
    rng = np.random.default_rng(seed)
    held = []
    for _, group in table.groupby("label", sort=True):
        k = int(round(share * len(group))) if share else 0
        k = max(k, 1) if share and len(group) >= 2 else k
        held.extend(group.index[rng.permutation(len(group))[:k]])
    return table.drop(index=held), table.loc[sorted(held)]


def _calibrate(model, feats_held, ys_held, cfg, device, seed, centre=None) -> float:
    """Unknown threshold from held-out source features and their pseudo-unknowns (eval mode;
    ``centre``: the target's mean feature, for ``"reflect"`` pseudo-unknowns)."""
    gen = torch.Generator().manual_seed(seed)
    fh = torch.from_numpy(feats_held).to(device)
    centre = None if centre is None else torch.as_tensor(centre).to(device)
    with torch.no_grad():
        model.eval()
        fp = pseudo_unknowns(fh, torch.as_tensor(np.array(ys_held)).to(device), cfg.pseudo_unknowns,
                             cfg.reject_dropout, gen, centre)
        p_known = model.classifier(fh).softmax(1)[:, -1].cpu().numpy()
        p_pseudo = model.classifier(fp).softmax(1)[:, -1].cpu().numpy()
    return unknown_threshold(p_known, p_pseudo)


def bn_state(model: nn.Module) -> dict:
    """A copy of every BatchNorm's running statistics (see :func:`load_bn_state`)."""
    return {name: (m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone())
            for name, m in model.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)}


@torch.no_grad()
def load_bn_state(model: nn.Module, state: dict) -> None:
    """Put back running statistics saved by :func:`bn_state` (e.g. one domain's)."""
    for name, m in model.named_modules():
        if name in state:
            mean, var, n = state[name]
            m.running_mean.copy_(mean), m.running_var.copy_(var), m.num_batches_tracked.copy_(n)


def evaluate(model, cfg, device, held, target, K: int, seed: int, stats=None) -> dict:
    """Eval-mode metrics of one epoch: held-out source accuracy (known classes, arg-max over
    the K outputs), target OS/OS*/UNK/H/WAR/AUROC under the preset's decision rule.
    ``stats(role)``: puts in the BatchNorm statistics of ``"source"`` or ``"target"`` before
    that domain is predicted (``bn="domain"``); the model is left with the target's."""
    use = stats or (lambda role: None)
    out = {}
    threshold = None
    use("target")
    ft, logits = predict_logits(model, target["x"], device, target["len"], offsets=target.get("off"))
    if held is not None:
        use("source")
        fh, zh = predict_logits(model, held["x"], device, held["len"], offsets=held.get("off"))
        out["source_acc"] = float((zh[:, :K].argmax(1) == held["y"]).mean())
        out["source_logits"] = zh
        if cfg.decision == "calibrated":
            threshold = _calibrate(model, fh, held["y"], cfg, device, seed, ft.mean(0))
        use("target")
    m = open_set_record_metrics(target["y"], logits, K, threshold)
    out.update(m)
    return out, logits


def stienet_step(model: STIENet, xs, ys, xt, cfg: TrainConfig, ls=None, lt=None,
                 generator: torch.Generator | None = None, offset=None):
    """``(terms, loss)`` of one STIENet mini-batch: :func:`step_losses` and Eq (5). The default
    ``step`` of :func:`fit`; another method (e.g. :func:`stienet.baselines.osbp.osbp_step`)
    passes its own with the same signature."""
    terms = step_losses(model, xs, ys, xt, cfg, ls, lt, generator, offset)
    return terms, total_loss(terms, cfg.weights)


def fit(source_code: str, target_code: str, config: TrainConfig | None = None,
        progress: bool = True, keep_model: bool = False,
        on_epoch: Callable[[dict], None] | None = None,
        step: Callable | None = None, method: str = "STIENet") -> RunResult:
    """Train STIENet on ``source_code`` → ``target_code`` (corpus codes, e.g. ``"B"``, ``"C"``).

    Data comes from ``config.data_root`` / ``$STIENET_DATA`` or the synthetic stand-ins
    (:func:`stienet.data.load_corpus`). Deterministic on CPU for a given ``config.seed``.
    ``on_epoch(row)`` is called after every epoch with that epoch's history row (losses,
    ``source_acc``, OS/OS*/UNK/H/WAR/AUROC). Raises ``FloatingPointError`` naming the term and
    epoch if a loss becomes NaN or infinite. ``step``: the loss of a mini-batch, ``(terms, loss)``
    (default :func:`stienet_step`); another deep method on the same network and loop passes its
    own, and its ``method`` name for the result.
    """
    cfg = config or TrainConfig()
    if step is not None and step is not stienet_step and cfg.bn == "domain":
        raise ValueError("a custom step passes both domains through one encoder call: train it "
                         "with bn='joint' (bn='domain' is STIENet's own step)")
    step = step or stienet_step
    started = time.perf_counter()
    device = pick_device(cfg.device)
    tables, audio = {}, {}
    for role, code in (("source", source_code), ("target", target_code)):
        table = load_corpus(code, data_root=cfg.data_root, seed=cfg.synthetic_seed,
                            scale=cfg.synthetic_scale, shift=cfg.synthetic_shift, progress=progress)
        audio[role] = load_waveforms(table, sr=cfg.sample_rate, progress=progress)
        tables[role] = audio[role].table
    kinds = set(tables["source"]["data"]) | set(tables["target"]["data"])
    data = kinds.pop() if len(kinds) == 1 else "mixed"  # "synthetic", "real" or "mixed"
    split = open_set_split(tables["source"], tables["target"], known=cfg.known, balance=False)
    train_src, held_src = holdout_split(split.source, cfg.holdout, cfg.seed)
    train_src = oversample(train_src, cfg.seed)
    K = len(cfg.known)
    seed_everything(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model = STIENet(K, cfg.model).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    src_rows, ys_all = train_src["row"].to_numpy(), train_src["label"].to_numpy()
    tgt_rows, yt_all = split.target["row"].to_numpy(), split.target["label"].to_numpy()
    gains = {role: level_gains(audio[role], cfg.level) for role in audio}
    crops = lambda role, rows, how="center": (audio[role].fixed(cfg.clip_seconds, how, rows=rows, rng=rng)  # noqa: E731
                                               * gains[role][rows, None])
    clip = lambda role, rows: {"x": crops(role, rows), "role": role, "rows": rows,  # noqa: E731
                               "len": audio[role].real_samples(cfg.clip_seconds, rows)}
    target = {**clip("target", tgt_rows), "y": yt_all}
    held = None
    if len(held_src):
        held = {**clip("source", held_src["row"].to_numpy()), "y": held_src["label"].to_numpy()}
    evals = [target] + ([held] if held else [])
    offsets = {}

    def normalise():
        """Speaker means of φ with the current model, for training and every evaluated set."""
        for role in audio:
            offsets[role] = speaker_offsets(
                model, audio[role], lambda rows, r=role: (crops(r, rows),
                                                          audio[r].real_samples(cfg.clip_seconds, rows)),
                device, cfg.seed)
        for e in evals:
            e["off"] = offsets[e["role"]][e["rows"]]

    snapshots = {}   # bn="domain": each domain's BatchNorm statistics, from precise_batchnorm

    def domain_stats(role):
        if role in snapshots:
            load_bn_state(model, snapshots[role])

    embeddings = {}
    if cfg.embeddings:
        pick_s = rng.permutation(len(src_rows))[:cfg.embeddings]
        pick_t = rng.permutation(len(tgt_rows))[:cfg.embeddings]
        source_eval, target_eval = clip("source", src_rows[pick_s]), clip("target", tgt_rows[pick_t])
        evals += [source_eval, target_eval]
        def embed():
            out = []
            for e in (source_eval, target_eval):
                domain_stats(e["role"])
                out.append(predict_proba(model, e["x"], device, e["len"], offsets=e.get("off"))[0])
            domain_stats("target")
            return tuple(out)
    if cfg.speaker_norm:
        normalise()
    if cfg.embeddings:
        embeddings = {"source_labels": ys_all[pick_s], "target_labels": yt_all[pick_t],
                      "target_index": pick_t,   # rows of metrics["target_logits"]
                      "before": embed()}
    steps = math.ceil(len(src_rows) / cfg.batch_size)
    history = []
    loop_start = time.perf_counter()
    for epoch in tqdm(range(1, cfg.epochs + 1), desc=f"{source_code}->{target_code}",
                      disable=not progress, leave=False):
        epoch_start = time.perf_counter()
        if epoch > 1:
            refit_threads()     # fewer torch threads while another job holds a core
        model.train()
        order_s = rng.permutation(len(src_rows))
        order_t = np.resize(rng.permutation(len(tgt_rows)), steps * cfg.batch_size)
        xs_epoch = crops("source", src_rows[order_s], "random")
        xt_epoch = crops("target", tgt_rows[order_t], "random")
        ls_epoch = audio["source"].real_samples(cfg.clip_seconds, src_rows[order_s])
        lt_epoch = audio["target"].real_samples(cfg.clip_seconds, tgt_rows[order_t])
        off_epoch = None if not cfg.speaker_norm else (  # noqa: E731
            lambda sl: np.concatenate([offsets["source"][src_rows[order_s][sl]],
                                       offsets["target"][tgt_rows[order_t][sl]]]))
        sums: dict[str, float] = {}
        for b in range(steps):
            sl = slice(b * cfg.batch_size, (b + 1) * cfg.batch_size)
            if len(order_s[sl]) < 2:  # BatchNorm needs two samples
                continue
            batch = [torch.from_numpy(a[sl]).to(device) for a in (xs_epoch, ls_epoch, xt_epoch, lt_epoch)]
            ys = torch.from_numpy(ys_all[order_s[sl]]).to(device)
            off = None if off_epoch is None else torch.from_numpy(off_epoch(sl)).to(device)
            terms, loss = step(model, batch[0], ys, batch[2], cfg, batch[1], batch[3], gen, off)
            for name, value in list(terms.items()) + [("total", loss)]:
                if not torch.isfinite(value):
                    raise FloatingPointError(
                        f"loss term {name!r} is {value.item()} at epoch {epoch}, step {b + 1} "
                        f"({source_code}->{target_code}, seed {cfg.seed}); lower lr or check weights")
                sums[name] = sums.get(name, 0.0) + value.item() / steps
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        slices = [sl for sl in (slice(b * cfg.batch_size, (b + 1) * cfg.batch_size)
                                for b in range(min(steps, PRECISE_BN_BATCHES)))
                  if len(order_s[sl]) >= 2]
        if cfg.bn == "domain":                 # each domain's own statistics, as in training
            for role, xe, le in (("source", xs_epoch, ls_epoch), ("target", xt_epoch, lt_epoch)):
                precise_batchnorm(model, ((torch.from_numpy(xe[sl]).to(device),
                                           torch.from_numpy(le[sl]), None) for sl in slices))
                snapshots[role] = bn_state(model)
        else:
            precise_batchnorm(model, ((torch.from_numpy(np.concatenate([xs_epoch[sl], xt_epoch[sl]])).to(device),
                                       torch.from_numpy(np.concatenate([ls_epoch[sl], lt_epoch[sl]])),
                                       None if off_epoch is None else torch.from_numpy(off_epoch(sl)).to(device))
                                      for sl in slices))
        if cfg.speaker_norm:
            normalise()
        m, logits = evaluate(model, cfg, device, held, target, K, cfg.seed, domain_stats)
        row = {"epoch": epoch, **{f"loss_{k}": v for k, v in sums.items()},
               **{k: m[k] for k in ("source_acc", "OS", "OS*", "UNK", "H", "WAR", "AUROC",
                                    "closed OS*") if k in m},
               "seconds": round(time.perf_counter() - epoch_start, 2),
               "elapsed_s": round(time.perf_counter() - loop_start, 2)}
        history.append(row)
        if on_epoch is not None:
            on_epoch(row)
    if cfg.embeddings:
        embeddings["after"] = embed()
        if snapshots:   # bn="domain": the target also through the source's statistics (φ, logits)
            domain_stats("source")
            embeddings["target_source_bn"] = predict_logits(
                model, target_eval["x"], device, target_eval["len"], offsets=target_eval.get("off"))
            domain_stats("target")
    m["target_logits"] = float32_list(logits)     # (m, K+1): reproduce every metric above
    m["target_labels"] = yt_all.tolist()           # true label 0..K, same order
    m["target_emotions"] = split.target["emotion"].tolist()   # the corpus's emotion of each clip
    if held is not None:                           # held-out source clips: logits and labels
        m["source_logits"] = float32_list(m["source_logits"])
        m["source_labels"] = held["y"].tolist()
    return RunResult(method, source_code, target_code, data, cfg, history, m,
                     list(split.label_names), str(device), time.perf_counter() - started,
                     len(src_rows), len(tgt_rows), embeddings, model if keep_model else None)
