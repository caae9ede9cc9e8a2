"""Torch threads that fit the machine this process runs on.

Every entry point (``train``, ``notebook`` and its papermill kernel, ``sweep``, ``closed-set``)
calls :func:`configure_threads`: torch gets one intra-op thread per core this process may use
(``os.sched_getaffinity``; ``--threads N`` overrides), and, unless the user set it, OpenMP's
wait policy is ``PASSIVE`` (:data:`WAIT_POLICY`), so that a thread that waits for its partner
sleeps instead of spinning. On a CPU shared with another job, spinning threads fight that job
for the core and each parallel region waits for the slowest thread: the ``performance`` page of
the book gives the measurements behind this choice. The policy must be in the environment
before torch's OpenMP runtime starts, so :mod:`stienet` sets it when it is imported (before it
imports torch) and the main job passes it to its kernel.
"""
from __future__ import annotations

import os

#: ``OMP_WAIT_POLICY`` set (with ``setdefault``) before torch loads.
WAIT_POLICY = "PASSIVE"


def set_wait_policy() -> None:
    """``OMP_WAIT_POLICY=PASSIVE`` unless the environment already says otherwise. Effective
    only before torch (its OpenMP runtime) is first imported in this process.
    ``STIENET_KEEP_OMP_DEFAULT=1`` leaves the variable unset (for benchmarks)."""
    if not os.environ.get("STIENET_KEEP_OMP_DEFAULT"):
        os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                      # macOS, Windows: no affinity API
        return max(1, os.cpu_count() or 1)


def configure_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads to ``threads`` (``None``: :func:`usable_cores`); returns the
    number set."""
    import torch

    n = int(threads) if threads else usable_cores()
    if n < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    torch.set_num_threads(n)
    return n
