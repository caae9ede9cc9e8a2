"""One STIENet run: source corpus (known classes, oversampled) + unlabelled target corpus.

:func:`fit` trains with Adam on mini-batches that hold both domains and minimises Eq (5). After
every epoch it records each loss term and the target metrics — **for the record only**: nothing
is chosen with target labels; the reported model is the one after the last epoch.
Explained in ``notebooks/train``.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from . import __version__
from .data import KNOWN_CLASSES, load_corpus, load_waveforms, open_set_split
from .losses import (TERMS, LossWeights, class_mmd, inverse_entropy, mmd, perturb,
                     pseudo_labels, rejection_loss, total_loss)
from .metrics import open_set_metrics
from .model import ModelConfig, STIENet, pick_device
from .results import git_commit

SELECTION_RULE = "last epoch (no model selection; target labels are used only to report)"


@dataclass
class TrainConfig:
    """Everything one run depends on (all of it is stored with the result)."""

    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    seed: int = 0
    weights: LossWeights = field(default_factory=LossWeights)
    phi: float = 0.1                  # φ of Eq (4)
    reject_dropout: float = 0.5       # dropout rate making pseudo-unknowns, Eq (3)
    pseudo_threshold: float = 0.0     # confidence needed for a target pseudo label, Eq (2)
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
                "data": self.data, "seed": self.config.seed, "epochs": self.config.epochs,
                "selection_rule": SELECTION_RULE, "hyperparameters": self.config.to_dict(),
                "label_names": self.label_names, "n_source": self.n_source,
                "n_target": self.n_target, "history": self.history, "metrics": self.metrics,
                "package_version": __version__, "git_commit": git_commit(),
                "device": self.device, "torch_version": torch.__version__,
                "wall_time_s": round(self.wall_time_s, 2)}


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def step_losses(model: STIENet, xs, ys, xt, cfg: TrainConfig) -> dict[str, torch.Tensor]:
    """All five terms of Eq (5) for one mini-batch (source ``xs, ys``, target ``xt``)."""
    K = model.n_known
    fs, ft = model.encoder(xs), model.encoder(xt)
    n = len(fs)
    # one classifier pass over clean source, perturbed source and target (shared BatchNorm stats)
    logits = model.classifier(torch.cat([fs, perturb(fs, cfg.reject_dropout), ft]))
    ls, lp, lt = logits[:n], logits[n:2 * n], logits[2 * n:]
    l_rej = rejection_loss(lp)
    return {
        "cls": F.cross_entropy(ls, ys),
        "rej": l_rej,
        "mmd": mmd(fs, ft),
        "mmd_class": class_mmd(fs, ys, ft, pseudo_labels(lt, cfg.pseudo_threshold), K),
        "inv": inverse_entropy(l_rej, cfg.phi),
    }


@torch.no_grad()
def predict(model: STIENet, waves: np.ndarray, device, batch_size: int = 128):
    """Features φ and predicted labels (arg-max of K+1 logits) for ``waves (n, samples)``."""
    model.eval()
    feats, preds = [], []
    for i in range(0, len(waves), batch_size):
        f, logits = model(torch.from_numpy(waves[i:i + batch_size]).to(device))
        feats.append(f.cpu())
        preds.append(logits.argmax(1).cpu())
    return torch.cat(feats).numpy(), torch.cat(preds).numpy()


def fit(source_code: str, target_code: str, config: TrainConfig | None = None,
        progress: bool = True, keep_model: bool = False) -> RunResult:
    """Train STIENet on ``source_code`` → ``target_code`` (corpus codes, e.g. ``"B"``, ``"C"``).

    Data comes from ``config.data_root`` / ``$STIENET_DATA`` or the synthetic stand-ins
    (:func:`stienet.data.load_corpus`). Deterministic on CPU for a given ``config.seed``.
    Raises ``FloatingPointError`` naming the term and epoch if a loss becomes NaN or infinite.
    """
    cfg = config or TrainConfig()
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
    split = open_set_split(tables["source"], tables["target"], known=cfg.known, seed=cfg.seed)
    K = len(cfg.known)
    seed_everything(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    model = STIENet(K, cfg.model).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    src_rows, ys_all = split.source["row"].to_numpy(), split.source["label"].to_numpy()
    tgt_rows, yt_all = split.target["row"].to_numpy(), split.target["label"].to_numpy()
    target_eval = audio["target"].fixed(cfg.clip_seconds, "center", rows=tgt_rows)
    embeddings = {}
    if cfg.embeddings:
        pick_s = rng.permutation(len(src_rows))[:cfg.embeddings]
        pick_t = rng.permutation(len(tgt_rows))[:cfg.embeddings]
        source_eval = audio["source"].fixed(cfg.clip_seconds, "center", rows=src_rows[pick_s])
        embeddings = {"source_labels": ys_all[pick_s], "target_labels": yt_all[pick_t],
                      "before": (predict(model, source_eval, device)[0],
                                 predict(model, target_eval[pick_t], device)[0])}
    steps = math.ceil(len(src_rows) / cfg.batch_size)
    history = []
    for epoch in tqdm(range(1, cfg.epochs + 1), desc=f"{source_code}->{target_code}",
                      disable=not progress, leave=False):
        model.train()
        order_s = rng.permutation(len(src_rows))
        order_t = np.resize(rng.permutation(len(tgt_rows)), steps * cfg.batch_size)
        xs_epoch = audio["source"].fixed(cfg.clip_seconds, "random", rows=src_rows[order_s], rng=rng)
        xt_epoch = audio["target"].fixed(cfg.clip_seconds, "random", rows=tgt_rows[order_t], rng=rng)
        sums = dict.fromkeys(TERMS + ("total",), 0.0)
        for b in range(steps):
            sl = slice(b * cfg.batch_size, (b + 1) * cfg.batch_size)
            if len(order_s[sl]) < 2:  # BatchNorm needs two samples
                continue
            xs = torch.from_numpy(xs_epoch[sl]).to(device)
            ys = torch.from_numpy(ys_all[order_s[sl]]).to(device)
            xt = torch.from_numpy(xt_epoch[sl]).to(device)
            terms = step_losses(model, xs, ys, xt, cfg)
            loss = total_loss(terms, cfg.weights)
            for name, value in list(terms.items()) + [("total", loss)]:
                if not torch.isfinite(value):
                    raise FloatingPointError(
                        f"loss term {name!r} is {value.item()} at epoch {epoch}, step {b + 1} "
                        f"({source_code}->{target_code}, seed {cfg.seed}); lower lr or check weights")
                sums[name] += value.item() / steps
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        _, pred = predict(model, target_eval, device)
        m = open_set_metrics(yt_all, pred, K)
        history.append({"epoch": epoch, **{f"loss_{k}": v for k, v in sums.items()},
                        **{k: m[k] for k in ("OS", "OS*", "UNK", "H", "WAR")}})
    if cfg.embeddings:
        embeddings["after"] = (predict(model, source_eval, device)[0],
                               predict(model, target_eval[pick_t], device)[0])
    final = open_set_metrics(yt_all, pred, K)
    return RunResult("STIENet", source_code, target_code, data, cfg, history, final,
                     list(split.label_names), str(device), time.perf_counter() - started,
                     len(src_rows), len(tgt_rows), embeddings, model if keep_model else None)
