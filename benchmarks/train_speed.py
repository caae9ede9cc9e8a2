"""Training and evaluation throughput of the default STIENet model (16 kHz, 3 s clips).

    python benchmarks/train_speed.py [--batch-size 32] [--steps 8] [--device auto] [--preset paper] [--bn joint] [--fine | --logmel]

Prints clips/s for a full training step (forward + backward + Adam, with the two-domain batch
and all loss terms of Eq 5, as in :func:`stienet.train.fit`; a quarter of the clips are
shorter than the crop, so the padded-sequence path of the LSTM is timed too) and for evaluation, the
model's forward FLOPs per clip, and the achieved fraction of this machine's measured fp32
matrix-multiply throughput. A benchmark, not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from stienet.losses import total_loss
from stienet.model import FINE_FIRST_BLOCK, LOGMEL, ModelConfig, STIENet, pick_device
from stienet.train import TrainConfig, step_losses


def lstm_flops(model: STIENet, steps: int) -> int:
    """Forward FLOPs of the BiLSTM (the flop counter does not see fused RNN kernels)."""
    lstm, flops = model.encoder.lstm, 0
    for layer in range(lstm.num_layers):
        d_in = lstm.input_size if layer == 0 else 2 * lstm.hidden_size
        flops += 2 * 2 * 4 * lstm.hidden_size * (d_in + lstm.hidden_size) * steps  # 2 dirs, 2 flop/MAC
    return flops


def matmul_gflops(device, n: int = 2048, reps: int = 10) -> float:
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    a @ b
    if device.type == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize()
    return 2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--device", default="auto")
    p.add_argument("--preset", default="paper", choices=["paper", "open"])
    p.add_argument("--bn", default=None, choices=["domain", "joint"],
                   help="BatchNorm statistics (default: the preset's, domain)")
    p.add_argument("--fine", action="store_true",
                   help="the finer first block of benchmarks/source_only_seeds.py (stride 1, max-pool 40)")
    p.add_argument("--logmel", action="store_true",
                   help="the log-mel front-end (stienet.model.LOGMEL) in place of the waveform block")
    args = p.parse_args()
    model_cfg = FINE_FIRST_BLOCK if args.fine else LOGMEL if args.logmel else ModelConfig()
    device = pick_device(args.device)
    cfg = TrainConfig(preset=args.preset, bn=args.bn, model=model_cfg)
    torch.manual_seed(0)
    model = STIENet(3, cfg.model).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    n = int(cfg.sample_rate * cfg.clip_seconds)
    xs, xt = torch.randn(args.batch_size, n, device=device), torch.randn(args.batch_size, n, device=device)
    ys = torch.randint(0, 3, (args.batch_size,), device=device)
    lengths = torch.full((args.batch_size,), n)
    lengths[: args.batch_size // 4] = torch.randint(n // 3, n, (args.batch_size // 4,))
    gen = torch.Generator().manual_seed(0)

    def train_step():
        loss = total_loss(step_losses(model, xs, ys, xt, cfg, lengths, lengths, gen), cfg.weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    model.train()
    train_step()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    t = time.perf_counter()
    for _ in range(args.steps):
        train_step()
    sync()
    train_rate = 2 * args.batch_size * args.steps / (time.perf_counter() - t)  # both domains

    model.eval()
    xe = torch.randn(128, n, device=device)
    with torch.no_grad():
        model(xe)
        sync()
        t = time.perf_counter()
        for _ in range(args.steps):
            model(xe)
        sync()
    eval_rate = 128 * args.steps / (time.perf_counter() - t)

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(xe[:1])
        steps = int(model.encoder.frames(torch.tensor([xe.shape[1]])).item())
    flops = counter.get_total_flops() + lstm_flops(model, steps)
    peak = matmul_gflops(device)
    achieved = 3 * flops * train_rate / 1e9  # training step ~ 3x forward FLOPs
    print(f"device: {device}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"preset {args.preset}, bn {cfg.bn}, first block: stride {model_cfg.first_stride}, "
          f"max-pool {model_cfg.pools[0]}")
    print(f"model: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters, "
          f"{flops / 1e6:.1f} MFLOP forward per 3 s clip, {steps} LSTM steps")
    print(f"training:   {train_rate:7.1f} clips/s (batch {args.batch_size} source + {args.batch_size} target)")
    print(f"evaluation: {eval_rate:7.1f} clips/s")
    print(f"fp32 matmul: {peak:.1f} GFLOP/s measured; training achieves {achieved:.1f} GFLOP/s "
          f"= {achieved / peak:.1%} of it")


if __name__ == "__main__":
    main()
