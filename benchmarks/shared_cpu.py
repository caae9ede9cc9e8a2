"""Wall time of a short training run on an idle CPU and beside another torch job.

    python benchmarks/shared_cpu.py [--epochs 2] [--scale 0.25] [--repeat 1] [--config NAME ...]

Times ``python -m stienet train --source B --target C`` (synthetic stand-ins) once per
configuration, idle and then beside :mod:`benchmarks.cpu_load` (a torch process with its default
threads multiplying matrices), and prints the seconds and the slowdown. Configurations:

* ``default`` — what the command does now (:mod:`stienet.threads`: one thread per usable core,
  ``OMP_WAIT_POLICY=PASSIVE``);
* ``active`` — the same threads with OpenMP's spinning wait (``OMP_WAIT_POLICY=ACTIVE``);
* ``gomp`` — the same threads, OpenMP's own default policy (the variable unset; as before);
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
CONFIGS = {"default": ({}, []), "active": ({"OMP_WAIT_POLICY": "ACTIVE"}, []),
           "gomp": ({"OMP_WAIT_POLICY": None}, []), "one": ({}, ["--threads", "1"])}


def timed(env_changes: dict, extra: list, epochs: int, scale: float) -> float:
    env = dict(os.environ)
    for k, v in env_changes.items():
        if v is None:
            env.pop(k, None)
            env["STIENET_KEEP_OMP_DEFAULT"] = "1"
        else:
            env[k] = v
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
