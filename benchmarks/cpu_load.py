"""A CPU load for timing a job on a shared machine: a second torch process, with torch's default
threads, multiplying matrices in a loop until killed (or for ``--seconds``).

    python benchmarks/cpu_load.py [--seconds S] [--size N]

A pure-Python busy loop is a gentler load (it occupies one core and never synchronises threads);
this one is what a colleague's training job looks like to the scheduler.
"""
from __future__ import annotations

import argparse
import time

import torch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=float("inf"))
    p.add_argument("--size", type=int, default=512)
    a = p.parse_args()
    x, y = torch.randn(a.size, a.size), torch.randn(a.size, a.size)
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        x = (x @ y).tanh_()


if __name__ == "__main__":
    main()
