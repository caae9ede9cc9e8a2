"""The log-mel front-end (beyond the paper) and the label-free unknown scores of
benchmarks/unknown_scores.py, each against an independent reference."""
import importlib.util
from pathlib import Path

import librosa
import numpy as np
import pytest
import torch

from stienet.model import LOGMEL, ModelConfig, STIENet


def test_logmel_is_librosas_melspectrogram():
    """φ's first step equals librosa.feature.melspectrogram (same window, hop, bands, zero
    padding at the edges) to float32 precision, in log."""
    enc = STIENet(3, LOGMEL).encoder
    x = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    ref = librosa.feature.melspectrogram(y=x, sr=16000, n_fft=512, hop_length=160, win_length=400,
                                         window="hann", center=True, pad_mode="constant",
                                         power=2.0, n_mels=64)
    ours = enc.logmel(torch.from_numpy(x)[None])[0].double().numpy()
    np.testing.assert_allclose(ours, np.log(ref + 1e-6), atol=2e-3)


@pytest.mark.parametrize("cfg", [ModelConfig(), LOGMEL], ids=["wave", "logmel"])
def test_frames_counts_the_real_steps(cfg):
    """``frames(n)`` is the length the CNN gives a clip of n real samples (run it on clips of
    exactly that length), so padding never reaches the LSTM's pooled mean."""
    enc = STIENet(3, cfg).encoder.eval()
    for n in (8000, 16001, 29999, 48000):
        x = torch.randn(1, n)
        h = enc.cnn(enc.logmel(x) if cfg.frontend == "logmel" else x.unsqueeze(1))
        assert enc.frames(torch.tensor([n])).item() == h.shape[2]


def test_logmel_padding_does_not_change_phi():
    """A clip zero-padded to 3 s with its real length given has (nearly) the φ of the clip alone:
    only the edge frames that straddle the end differ."""
    torch.manual_seed(0)
    model = STIENet(3, LOGMEL).eval()
    x = torch.randn(1, 48000) * 0.1
    with torch.no_grad():
        alone = model.encoder(x)
        padded = model.encoder(torch.cat([x, torch.zeros(1, 16000)], 1), torch.tensor([48000]))
    np.testing.assert_allclose(padded.numpy(), alone.numpy(), atol=0.05)


def test_bad_frontend_is_refused():
    with pytest.raises(ValueError, match="frontend must be one of"):
        ModelConfig(frontend="mfcc")


def _scores_module():
    path = Path(__file__).parents[1] / "benchmarks" / "unknown_scores.py"
    spec = importlib.util.spec_from_file_location("unknown_scores", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_label_free_scores_match_brute_force():
    """Prototype, kNN, Mahalanobis and energy scores against loops over clips and classes."""
    rng = np.random.default_rng(1)
    K, d = 3, 5
    fs = rng.normal(size=(60, d)) + np.repeat(np.eye(K, d) * 3, 20, axis=0)
    ys = np.repeat(np.arange(K), 20)
    ft = rng.normal(size=(15, d))
    logits = rng.normal(size=(15, K + 1))
    s = _scores_module().label_free_scores(fs, ys, ft, logits)
    protos = [fs[ys == k].mean(0) for k in range(K)]
    cosd = lambda a, b: 1 - a @ b / np.linalg.norm(a) / np.linalg.norm(b)  # noqa: E731
    from sklearn.covariance import LedoitWolf
    prec = np.linalg.inv(LedoitWolf().fit(fs - np.array(protos)[ys]).covariance_)
    for i, f in enumerate(ft):
        assert s["prototype"][i] == pytest.approx(min(cosd(f, p) for p in protos))
        assert s["knn"][i] == pytest.approx(np.mean(sorted(cosd(f, g) for g in fs)[:10]))
        assert s["mahalanobis"][i] == pytest.approx(min((f - p) @ prec @ (f - p) for p in protos), rel=1e-6)
        assert s["energy"][i] == pytest.approx(-np.log(np.exp(logits[i, :K]).sum()))
        p = np.exp(logits[i]) / np.exp(logits[i]).sum()
        assert s["p_unknown"][i] == pytest.approx(p[K])
        assert s["msp"][i] == pytest.approx(1 - (np.exp(logits[i, :K]) / np.exp(logits[i, :K]).sum()).max())
    assert len(np.unique(s["cluster"])) <= 2 * K
