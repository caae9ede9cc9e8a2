"""A tiny STIENet run end to end: shapes, finite losses, learning, determinism, results."""
import json
import math

import numpy as np
import pytest
import torch

from stienet.__main__ import main
from stienet.losses import LossWeights
from stienet.model import STIENet
from stienet.results import load_result
from stienet.train import SELECTION_RULE, TrainConfig, fit

TINY = dict(synthetic_scale=0.04, clip_seconds=1.0, batch_size=8, device="cpu")


@pytest.fixture(scope="module")
def run():
    return fit("B", "C", TrainConfig(epochs=4, seed=0, **TINY), progress=False, keep_model=True)


def test_model_has_k_plus_one_outputs():
    model = STIENet(n_known=3).eval()
    feats, logits = model(torch.zeros(2, 16000))
    assert feats.shape == (2, 128) and logits.shape == (2, 4)


def test_smoke_run(run):
    assert run.data == "synthetic" and run.label_names[-1] == "unknown"
    assert len(run.history) == 4
    for h in run.history:
        assert all(math.isfinite(h[f"loss_{k}"]) for k in ("cls", "rej", "mmd", "mmd_class", "inv", "total"))
    assert run.history[-1]["loss_cls"] < run.history[0]["loss_cls"]
    assert run.n_target == sum(map(sum, run.metrics["confusion"]))
    assert len(run.metrics["confusion"]) == 4


def test_same_seed_same_numbers(run):
    again = fit("B", "C", TrainConfig(epochs=4, seed=0, **TINY), progress=False)
    untimed = lambda h: [{k: v for k, v in row.items() if k not in ("seconds", "elapsed_s")}  # noqa: E731
                         for row in h]
    assert untimed(again.history) == untimed(run.history) and again.metrics == run.metrics
    other = fit("B", "C", TrainConfig(epochs=1, seed=1, **TINY), progress=False)
    assert other.history[0] != run.history[0]


def test_result_json_and_cli(tmp_path, capsys):
    code = main(["train", "--source", "B", "--target", "C", "--epochs", "1", "--seeds", "3",
                 "--scale", "0.04", "--batch-size", "8", "--device", "cpu", "--out", str(tmp_path)])
    assert code == 0
    path = tmp_path / "synthetic" / "STIENet" / "B_C_seed3_paper.json"
    rec = load_result(path)
    for key in ("method", "source", "target", "data", "seed", "hyperparameters", "epochs",
                "selection_rule", "history", "metrics", "package_version", "git_commit",
                "device", "wall_time_s"):
        assert key in rec
    assert rec["data"] == "synthetic" and rec["selection_rule"] == SELECTION_RULE
    assert rec["hyperparameters"]["weights"] == {"alpha": 1.0, "beta": 1.0, "gamma": 1.0,
                                                 "delta": 1.0, "epsilon": 1.0}
    assert "data: synthetic" in capsys.readouterr().out
    assert not list(tmp_path.rglob("*.tmp"))
    json.dumps(rec, allow_nan=False)


def test_bad_configuration_errors():
    with pytest.raises(ValueError, match="finite and >= 0"):
        LossWeights(beta=-0.5)
    with pytest.raises(ValueError, match="phi must be > 0"):
        TrainConfig(phi=0)
    with pytest.raises(ValueError, match=r"must be integers: synthetic_seed=1\.0"):
        TrainConfig(synthetic_seed=1.0)
    with pytest.raises(ValueError, match="must be integers: epochs='3'"):
        TrainConfig(epochs="3")
    assert TrainConfig(seed=np.int64(2)).seed == 2
    assert main(["train", "--source", "X", "--target", "C", "--epochs", "1"]) == 2
    assert main(["train", "--source", "B", "--target", "C", "--data-root", "/nonexistent"]) == 2


def test_nan_loss_names_term_and_epoch(monkeypatch):
    import stienet.train as train
    real = train.mmd
    monkeypatch.setattr(train, "mmd", lambda fs, ft, wt=None: real(fs, ft, wt) * float("nan"))
    with pytest.raises(FloatingPointError, match="'mmd' is nan at epoch 1"):
        fit("B", "C", TrainConfig(epochs=1, **TINY), progress=False)
