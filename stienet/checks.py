"""Argument checks shared by the command line and the main job's first cell.

Every check raises :class:`UsageError` (a ``ValueError``) with a one-line message meant for a
person at a terminal. Nothing here imports numpy, pandas or torch, so ``python -m stienet`` can
reject a bad value in a fraction of a second, before any corpus is generated or decoded.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from .data.specs import CORPORA, check_corpus_arg, corpus_name, manifest_path


#: Closed-set methods by their ASCII names (``stienet.closed_set.SLUGS``; a test keeps the two
#: equal). Here so that a wrong ``--method`` is answered without importing the SATNMF code.
CLOSED_SET_METHODS = ("SVM", "mSDA", "SNMF", "SNMF-gamma", "STNMF-lambda", "SATNMF", "TNMF",
                      "FSTSL", "DBN", "DoSL", "CORAL", "SA", "TCA", "JDOT")


#: Open-set methods by their paper names (``stienet.methods.METHODS``; a test keeps the two
#: equal), for ``train --method`` and ``sweep pairs --methods``.
OPEN_SET_METHODS = ("STIENet", "OSBP", "OSNN", "TNMF", "ATI", "DAOD", "LEAD")


class UsageError(ValueError):
    """A wrong argument or parameter; the command line prints it and exits with code 2."""


def check_corpus(spec, role: str) -> str:
    """A corpus code (``B``, ``C``, ``e``, ``S``, ``E``) or a manifest CSV path that exists."""
    if not isinstance(spec, str) or not spec:
        raise UsageError(f"{role} must be a corpus code or a manifest CSV path, got {spec!r}")
    try:
        return check_corpus_arg(spec, role)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_pair(source, target, names=("--source", "--target")) -> None:
    """Both corpora valid and different (a cross-corpus run needs two corpora)."""
    check_corpus(source, names[0])
    check_corpus(target, names[1])
    ps, pt = manifest_path(source), manifest_path(target)
    same = (source == target) if ps is None and pt is None else \
        (ps is not None and pt is not None and ps.resolve() == pt.resolve())
    if same:
        raise UsageError(f"{names[0]} and {names[1]} are both {corpus_name(source)!r}: a "
                         "cross-corpus run needs two different corpora")


def check_data_root(data_root, name: str = "--data-root") -> None:
    """``None`` (use ``$STIENET_DATA`` or the synthetic stand-ins) or an existing folder."""
    label, value = (name, data_root) if data_root else ("$STIENET_DATA", os.environ.get("STIENET_DATA"))
    if value and not Path(value).expanduser().is_dir():
        raise UsageError(f"{label} {value} does not exist or is not a folder "
                         "(it should hold one sub-folder per corpus: emodb/, casia/, ...)")


def check_out_dir(path, name: str = "--out") -> None:
    """An output folder: may not exist yet, but may not be a file."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise UsageError(f"{name} {path} is a file; give a folder")
    parent = next((q for q in [p, *p.parents] if q.exists()), None)
    if parent is not None and not parent.is_dir():
        raise UsageError(f"{name} {path}: {parent} is a file, not a folder")
    if parent is not None and not os.access(parent, os.W_OK):
        raise UsageError(f"{name} {path}: no permission to write in {parent}")


def check_number(name: str, value, *, low=None, high=None, low_open=False, high_open=False,
                 integer=False) -> None:
    """``value`` is a (finite) number within the bounds (open or closed)."""
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (integer and not isinstance(value, int)) or not math.isfinite(value):
        raise UsageError(f"{name} must be {kind}, got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise UsageError(f"{name} must be {'>' if low_open else '>='} {low:g}, got {value!r}")
    if high is not None and (value >= high if high_open else value > high):
        raise UsageError(f"{name} must be {'<' if high_open else '<='} {high:g}, got {value!r}")


def check_device(device, name: str = "--device") -> None:
    """``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``, and present on this machine: a CUDA or
    MPS device is looked up with torch (the only check here that imports it), before any
    corpus is loaded."""
    if not isinstance(device, str) or not (device in ("auto", "cpu", "mps")
                                           or device.split(":")[0] == "cuda"):
        raise UsageError(f"{name} must be auto, cpu, cuda, cuda:N or mps, got {device!r}")
    if device in ("auto", "cpu"):
        return
    import torch

    if device == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise UsageError(f"{name} mps: this machine has no MPS device (torch "
                             f"{torch.__version__}); use --device cpu or auto")
        return
    if not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"CUDA {torch.version.cuda}"
        raise UsageError(f"{name} {device}: no CUDA device is available (torch "
                         f"{torch.__version__}, {build}); use --device cpu or auto")
    index = device.partition(":")[2]
    if index:
        if not index.isdigit():
            raise UsageError(f"{name} must be cuda or cuda:N with N a number, got {device!r}")
        if int(index) >= torch.cuda.device_count():
            raise UsageError(f"{name} {device}: this machine has {torch.cuda.device_count()} "
                             "CUDA device(s), numbered from 0")


def check_stienet_run(source, target, *, data_root=None, epochs=30, seeds=(0,), batch_size=32,
                      lr=1e-3, weights=(1.0,) * 5, phi=0.1, reject_dropout=0.5, scale=1.0,
                      shift=1.0, device="auto", sample_rate=16000, clip_seconds=3.0,
                      dash: bool = True) -> None:
    """Every parameter of one STIENet run (``train`` command and the main job notebook).

    ``dash=False`` names the parameters as the notebook does (``source``, ``synthetic_scale``)
    instead of as options (``--source``, ``--scale``); the messages are otherwise the same.
    """
    def n(option, param):
        return option if dash else param

    check_pair(source, target, (n("--source", "source"), n("--target", "target")))
    check_data_root(data_root, n("--data-root", "data_root"))
    check_number(n("--epochs", "epochs"), epochs, low=1, integer=True)
    for seed in seeds:
        check_number(n("--seeds", "seed"), seed, low=0, integer=True)
    check_number(n("--batch-size", "batch_size"), batch_size, low=2, integer=True)
    check_number(n("--lr", "lr"), lr, low=0, low_open=True)
    for name, w in zip(("alpha", "beta", "gamma", "delta", "epsilon"), weights):
        check_number(n(f"--{name}", name), w, low=0)
    if phi is not None:                          # None: the preset's φ
        check_number(n("--phi", "phi"), phi, low=0, low_open=True)
    check_number(n("--reject-dropout", "reject_dropout"), reject_dropout, low=0, high=1,
                 high_open=True)
    check_number(n("--scale", "synthetic_scale"), scale, low=0, low_open=True)
    check_number(n("--shift", "synthetic_shift"), shift, low=0)
    check_number(n("--sr", "sample_rate"), sample_rate, low=1000, integer=True)
    check_number(n("--clip-seconds", "clip_seconds"), clip_seconds, low=0, low_open=True)
    check_device(device, n("--device", "device"))


def check_method(name, option: str = "--method") -> None:
    """A closed-set method name, any case (``svm``, ``SNMF-gamma``, ``snmf-γ``)."""
    plain = str(name).lower().replace("γ", "gamma").replace("λ", "lambda")
    if plain not in {m.lower() for m in CLOSED_SET_METHODS}:
        raise UsageError(f"unknown {option} {name!r}; methods are {', '.join(CLOSED_SET_METHODS)}")


def check_open_method(name, option: str = "--method") -> str:
    """An open-set method's paper name, any case; returns it as the paper spells it."""
    for method in OPEN_SET_METHODS:
        if str(name).lower() == method.lower():
            return method
    raise UsageError(f"unknown {option} {name!r}; open-set methods are {', '.join(OPEN_SET_METHODS)}")


def data_kind(corpora, data_root=None) -> str:
    """``"real"``, ``"synthetic"`` or ``"mixed"``: which data these corpus arguments read. A
    manifest CSV is real; a code is real below a data root (``data_root`` or ``$STIENET_DATA``)
    and the synthetic stand-in otherwise (as :func:`stienet.train.fit` labels a run)."""
    codes = "real" if (data_root or os.environ.get("STIENET_DATA")) else "synthetic"
    kinds = {"real" if manifest_path(c) is not None else codes for c in corpora}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def data_line(corpora, data_root=None) -> str:
    """The one line every command prints first: which data it reads, corpora by name (a
    manifest by its corpus name, never its path)."""
    env = os.environ.get("STIENET_DATA")
    real, synthetic = [], []
    for c in dict.fromkeys(corpora):
        if manifest_path(c) is not None:
            real.append(f"{corpus_name(c)} (manifest)")
        elif data_root or env:
            real.append(f"{c} ({CORPORA[c].name})" if c in CORPORA else str(c))
        else:
            synthetic.append(f"{c} ({CORPORA[c].name})" if c in CORPORA else str(c))
    parts = []
    if real:
        where = (" below --data-root" if data_root else " below $STIENET_DATA" if env else "")
        parts.append("real corpora " + ", ".join(real)
                     + (where if any("manifest" not in r for r in real) else ""))
    if synthetic:
        parts.append("synthetic stand-ins of " + ", ".join(synthetic)
                     + " (generated on first use; not the real corpora)")
    return "data: " + "; ".join(parts)
