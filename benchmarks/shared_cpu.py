"""Wall time of a short training run on an idle CPU and beside another torch job.

    python benchmarks/shared_cpu.py [--epochs 2] [--scale 0.25] [--repeat 1] [--config NAME ...]

Times ``python -m stienet train --source B --target C`` (synthetic stand-ins) once per
configuration, idle and then beside :mod:`benchmarks.cpu_load` (a torch process with its default
threads multiplying matrices), and prints the seconds and the slowdown. Configurations:

* ``default`` — what the command does (:mod:`stienet.threads`: one thread per usable core that
  no other process keeps busy, re-measured every epoch);
* ``two`` — ``--threads 2`` (fixed; OpenMP's own wait policy: what the command did before);
* ``passive`` — ``--threads 2`` with ``OMP_WAIT_POLICY=PASSIVE`` (waiting threads sleep);
* ``active`` — ``--threads 2`` with ``OMP_WAIT_POLICY=ACTIVE`` (waiting threads spin);
* ``one`` — ``--threads 1``.

Run it with nothing else on the machine: it makes its own load.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIGS = {"default": ({}, []), "two": ({}, ["--threads", "2"]),
           "passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, ["--threads", "2"]),
           "active": ({"OMP_WAIT_POLICY": "ACTIVE"}, ["--threads", "2"]),
           "one": ({}, ["--threads", "1"])}


def timed(env_changes: dict, extra: list, epochs: int, scale: float) -> float:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    env.update(env_changes)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stienet", "train", "--source", "B", "--target", "C",
                        "--epochs", str(epochs), "--scale", str(scale), "--out", out, *extra],
                       env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--scale", type=float, default=0.25)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--config", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    a = p.parse_args()
    timed({}, [], 1, a.scale)                        # generate and decode the stand-ins once
    print(f"train B -> C, {a.epochs} epochs, scale {a.scale}; seconds (best of {a.repeat})")
    print(f"{'config':<8} {'idle':>7} {'loaded':>7} {'slowdown':>8}")
    for name in a.config:
        env, extra = CONFIGS[name]
        idle = min(timed(env, extra, a.epochs, a.scale) for _ in range(a.repeat))
        load = subprocess.Popen([sys.executable, str(HERE / "cpu_load.py")])
        try:
            time.sleep(1.0)
            loaded = min(timed(env, extra, a.epochs, a.scale) for _ in range(a.repeat))
        finally:
            load.kill()
            load.wait()
        print(f"{name:<8} {idle:7.1f} {loaded:7.1f} {loaded / idle:7.2f}x", flush=True)


if __name__ == "__main__":
    main()
