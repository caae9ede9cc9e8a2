"""Torch threads that fit the machine this process runs on, also when it is shared.

Every entry point (``train``, ``notebook`` and its papermill kernel, ``sweep``, ``closed-set``)
calls :func:`configure_threads`. With ``--threads N`` torch gets N intra-op threads, fixed.
Without it, torch gets one thread per core this process may use (``os.sched_getaffinity``)
**that no other process keeps busy**: :class:`ThreadFitter` measures, from ``/proc/stat`` and
this process's own CPU time, how many cores the rest of the machine used over a short probe
before training and over every epoch, and sets the threads for the next epoch.

Why: OpenMP's threads wait for each other at the end of every parallel region. On a CPU where
another job holds a core, two threads share one core with that job, each region waits for the
descheduled thread, and a run took 2.3–3.8 times as long as on the idle machine; with one
thread it took 1.5 times as long. Making threads sleep instead of spin
(``OMP_WAIT_POLICY=PASSIVE``) removed the slowdown under load but made the idle run 1.5 times
slower. The book's performance page gives the measurements
(``python benchmarks/shared_cpu.py``).
"""
from __future__ import annotations

import os
import time


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                      # macOS, Windows: no affinity API
        return max(1, os.cpu_count() or 1)


def _busy_seconds() -> float | None:
    """CPU seconds all processes of the machine have spent busy since boot (``/proc/stat``), or
    ``None`` where there is no such file."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = [int(v) for v in fields[1:]]
    busy = sum(ticks[:3]) + sum(ticks[5:8])   # user nice system, irq softirq steal (no idle, iowait)
    return busy / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system


class ThreadFitter:
    """Chooses torch's threads from the cores that other processes leave free.

    :meth:`update` compares the machine's busy CPU time with this process's own since the last
    call: ``other`` cores were busy with other work, so ``round(usable - other)`` threads (at
    least 1, at most the usable cores) are set. ``fixed`` (``--threads``) turns it off.
    """

    def __init__(self, fixed: int | None = None):
        self.fixed = fixed
        self.cores = usable_cores()
        self.threads = fixed or self.cores
        self._mark = self._sample()

    @staticmethod
    def _sample():
        busy = _busy_seconds()
        return None if busy is None else (time.monotonic(), busy, _own_seconds())

    def other_cores(self) -> float | None:
        """Cores other processes kept busy since the last mark (``None``: not measurable)."""
        now = self._sample()
        if now is None or self._mark is None:
            return None
        wall = now[0] - self._mark[0]
        if wall <= 0:
            return None
        other = ((now[1] - self._mark[1]) - (now[2] - self._mark[2])) / wall
        self._mark = now
        return max(0.0, other)

    def update(self) -> int:
        """Set and return the threads for what comes next."""
        import torch

        if not self.fixed:
            other = self.other_cores()
            if other is not None:
                self.threads = int(min(self.cores, max(1, round(self.cores - other))))
        torch.set_num_threads(self.threads)
        return self.threads

    def probe(self, seconds: float = 0.3) -> int:
        """Measure the rest of the machine for ``seconds`` (this process idle), then
        :meth:`update`."""
        if not self.fixed:
            self._mark = self._sample()
            time.sleep(seconds)
        return self.update()


#: The fitter of this process (``configure_threads`` makes it; ``fit`` updates it every epoch).
_FITTER: ThreadFitter | None = None


def configure_threads(threads: int | None = None, probe: bool = True) -> int:
    """Set torch's intra-op threads: ``threads`` fixed, or (``None``) the usable cores that no
    other process keeps busy, measured over a short probe and re-measured at every epoch of
    :func:`stienet.train.fit` (:class:`ThreadFitter`). Returns the number set."""
    global _FITTER
    if threads is not None and int(threads) < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    _FITTER = ThreadFitter(int(threads) if threads else None)
    return _FITTER.probe() if probe else _FITTER.update()


def refit_threads() -> int | None:
    """Re-measure the machine and reset the threads (between epochs); ``None`` when
    :func:`configure_threads` was not called in this process (then nothing changes)."""
    return None if _FITTER is None else _FITTER.update()
