"""stienet.threads: torch threads from the cores other processes leave free (simulated clocks),
and a real measurement against a busy process."""
import subprocess
import sys
import time

import pytest
import torch

from stienet import threads as th


@pytest.fixture
def clocks(monkeypatch):
    """Controlled wall clock, machine busy seconds and own CPU seconds."""
    state = {"wall": 0.0, "busy": 0.0, "own": 0.0}
    monkeypatch.setattr(th.time, "monotonic", lambda: state["wall"])
    monkeypatch.setattr(th, "_busy_seconds", lambda: state["busy"])
    monkeypatch.setattr(th, "_own_seconds", lambda: state["own"])
    monkeypatch.setattr(th, "usable_cores", lambda: 2)
    before = torch.get_num_threads()
    yield state
    torch.set_num_threads(before)


def advance(state, wall, own, other):
    state["wall"] += wall
    state["own"] += own
    state["busy"] += own + other


@pytest.mark.parametrize("other, expected", [(0.0, 2), (0.3, 2), (0.8, 1), (1.0, 1), (2.0, 1)])
def test_threads_follow_the_cores_other_processes_use(clocks, other, expected):
    fitter = th.ThreadFitter()
    advance(clocks, wall=10, own=15, other=10 * other)      # this process used 1.5 cores
    assert fitter.update() == expected == torch.get_num_threads()


def test_threads_come_back_when_the_other_job_ends(clocks):
    fitter = th.ThreadFitter()
    advance(clocks, 10, 10, 10)                             # another job holds a core
    assert fitter.update() == 1
    advance(clocks, 10, 10, 0)                              # ... and stops
    assert fitter.update() == 2


def test_fixed_threads_are_never_changed(clocks):
    fitter = th.ThreadFitter(fixed=2)
    advance(clocks, 10, 10, 20)
    assert fitter.update() == 2


def test_without_proc_stat_the_usable_cores_are_used(monkeypatch):
    monkeypatch.setattr(th, "_busy_seconds", lambda: None)
    before = torch.get_num_threads()
    try:
        assert th.ThreadFitter().update() == th.usable_cores()
    finally:
        torch.set_num_threads(before)


def test_a_real_busy_process_is_seen():
    """A pure-Python busy loop in another process adds about one busy core to what is measured
    (whatever else the machine runs)."""
    fitter = th.ThreadFitter()
    time.sleep(1.0)
    base = fitter.other_cores()
    if base is None:
        pytest.skip("no /proc/stat on this system")
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        fitter.other_cores()
        time.sleep(1.0)
        loaded = fitter.other_cores()
    finally:
        busy.kill()
        busy.wait()
    assert 0.5 < loaded - base < 1.5, (base, loaded)
