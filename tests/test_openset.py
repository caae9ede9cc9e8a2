"""STIENet as a user sees it: the trained model in eval mode, on toy corpora whose answer is known;
the wiring of the loss terms; the collapse flag; the open-set helpers against brute force."""
import numpy as np
import pytest
import soundfile as sf
import torch

from stienet.losses import LossWeights, total_loss
from stienet.metrics import collapsed, degeneracy_modes, open_set_metrics
from stienet.model import STIENet
from stienet.openset import (decide, least_confident, mixup_unknowns, pseudo_unknowns,
                             unknown_auroc, unknown_threshold)
from stienet.train import TrainConfig, fit, step_losses

SR = 16000
# toy classes: a harmonic tone per known emotion; the target's other emotions are noise
TONES = {"anger": 220.0, "fear": 660.0, "happiness": 1760.0}


def _clip(emotion: str, rng) -> np.ndarray:
    t = np.arange(int(SR * rng.uniform(0.45, 0.6))) / SR
    if emotion in TONES:
        f = TONES[emotion] * rng.uniform(0.97, 1.03)
        x = sum(np.sin(2 * np.pi * h * f * t + rng.uniform(0, 6.3)) / h for h in (1, 2, 3))
    else:
        x = rng.standard_normal(len(t))
    return (x * rng.uniform(0.05, 0.5) + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def _toy_root(tmp_path) -> str:
    """A tiny EmoDB (source) and CASIA (target) in their real layouts."""
    rng = np.random.default_rng(0)
    emodb = tmp_path / "emodb" / "wav"
    emodb.mkdir(parents=True)
    codes = {"anger": "W", "fear": "A", "happiness": "F", "neutral": "N"}
    for spk in ("03", "08", "09"):
        for emotion, code in codes.items():
            for i in range(8):
                sf.write(emodb / f"{spk}a{i:02d}{code}a.wav", _clip(emotion, rng), SR)
    folders = {"anger": "angry", "fear": "fear", "happiness": "happy", "neutral": "neutral",
               "sadness": "sad"}
    for spk in ("liuchanhg", "wangzhe"):
        for emotion, folder in folders.items():
            d = tmp_path / "casia" / spk / folder
            d.mkdir(parents=True)
            for i in range(6):
                sf.write(d / f"{201 + i}.wav", _clip(emotion, rng), SR)
    return str(tmp_path)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return _toy_root(tmp_path_factory.mktemp("toy"))


TOY = dict(epochs=12, clip_seconds=0.5, batch_size=16, device="cpu", lr=3e-3)


def test_trained_model_classifies_source_in_eval_mode(toy):
    run = fit("B", "C", TrainConfig(data_root=toy, holdout=0.25, **TOY), progress=False,
              keep_model=True)
    assert run.data == "real"  # the toy folders carry no synthetic marker
    assert run.history[-1]["source_acc"] > 0.9        # held-out source clips, eval mode
    assert run.metrics["OS*"] > 0.9                   # no domain shift in the toy: known target clips
    # the paper preset classifies (no collapse onto one label); whether it rejects is not asked
    # here: as on real speech, it may never say "unknown", and its unknown score may be inverted
    assert not {"one label", "one known label"} & set(run.metrics["degenerate"]), run.metrics["degenerate"]


def test_unknown_output_wins_on_separable_unknowns(toy):
    run = fit("B", "C", TrainConfig(data_root=toy, preset="open", **TOY), progress=False)
    m = run.metrics
    assert m["UNK"] > 0.7 and m["OS*"] > 0.85 and m["AUROC"] > 0.95, m
    assert np.array(m["target_logits"]).shape == (run.n_target, 4)
    assert m["target_emotions"].count("sadness") == 12 and m["closed OS*"] > 0.85


def test_result_file_reproduces_its_metrics_and_names_its_data(toy, tmp_path):
    """Saved, a run is portable (no local path; corpora by name; each corpus's digest from the
    data root's PROVENANCE.json, or stored as absent) and its float32 logits give back every
    stored metric exactly."""
    import json

    from stienet.methods import metrics_from_record
    from stienet.results import load_result, save_result

    cfg = TrainConfig(data_root=toy, preset="open", **{**TOY, "epochs": 2})
    rec = fit("B", "C", cfg, progress=False).to_json()
    path = save_result(rec, tmp_path / "a.json")
    text = path.read_text()
    assert toy not in text and str(tmp_path) not in text
    saved = load_result(path)
    assert saved["provenance"] == {c: {"sha256_of_files": None, "provenance_file": "absent"}
                                   for c in ("B", "C")}
    assert saved["hyperparameters"]["data_root"] == "<data-root>"
    again = metrics_from_record(saved)
    for key, value in again.items():
        assert value == saved["metrics"][key], key
    assert saved["metrics"]["threshold"] is not None           # the open preset's calibrated τ

    from pathlib import Path
    digest = {"emodb": {"sha256_of_files": "ab" * 32, "commit": "c0ffee"},
              "casia": {"sha256_of_files": "cd" * 32}}
    (Path(toy) / "PROVENANCE.json").write_text(json.dumps(digest))
    try:
        saved = load_result(save_result(rec, tmp_path / "b.json"))
    finally:
        (Path(toy) / "PROVENANCE.json").unlink()
    assert saved["provenance"]["B"] == {"sha256_of_files": "ab" * 32, "commit": "c0ffee"}
    assert saved["provenance"]["C"]["sha256_of_files"] == "cd" * 32


def _grads(model, terms, name):
    model.zero_grad(set_to_none=True)
    terms[name].backward(retain_graph=True)
    enc = any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.encoder.parameters())
    cls = any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.classifier.parameters())
    return enc, cls


@pytest.mark.parametrize("bn", ["domain", "joint"])
@pytest.mark.parametrize("preset", ["paper", "open"])
def test_each_term_reaches_the_parameters_it_should(preset, bn):
    torch.manual_seed(0)
    model = STIENet(3).train()
    with torch.no_grad():     # known classes win at first, so every target clip gets a pseudo label
        model.classifier.net[-1].bias[:3] += 3.0
    cfg = TrainConfig(preset=preset, pseudo_threshold=0.0, bn=bn)
    xs, xt = torch.randn(8, 8000), torch.randn(8, 8000)
    ys = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    terms = step_losses(model, xs, ys, xt, cfg, torch.full((8,), 8000), torch.full((8,), 6000),
                        torch.Generator().manual_seed(0))
    assert set(terms) == {"cls", "rej", "mmd", "mmd_class", "inv"} | ({"rej_target"} if preset == "open" else set())
    # MMD terms act on φ only: the classifier is not in their graph
    assert _grads(model, terms, "mmd") == (True, False)
    assert _grads(model, terms, "mmd_class") == (True, False)
    assert _grads(model, terms, "cls") == (True, True)
    # dropout pseudo-unknowns (paper) train φ too; mixup ones (open) are detached features, but the
    # classifier's BatchNorm couples them to the clean rows of the same pass
    assert _grads(model, terms, "rej")[1] and _grads(model, terms, "inv")[1]
    if preset == "open":
        assert _grads(model, terms, "rej_target") == (True, True)
    # Eq 5: the total is the weighted sum of the terms
    w = LossWeights(alpha=1, beta=2, gamma=0.5, delta=0, epsilon=3)
    expect = terms["cls"] + 2 * terms["rej"] + 0.5 * terms["mmd"] + 3 * terms["inv"]
    if preset == "open":
        expect = expect + 2 * terms["rej_target"]
    assert torch.allclose(total_loss(terms, w), expect)


def test_collapse_flag_on_hand_made_predictions():
    y = np.array([0] * 10 + [1] * 10 + [2] * 10 + [3] * 10)
    good = y.copy()
    assert not collapsed(open_set_metrics(y, good, 3)["confusion"], 3)
    one_label = np.full_like(y, 1)
    assert collapsed(open_set_metrics(y, one_label, 3)["confusion"], 3)
    # known clips all "fear", unknown clips right: at most one label on known clips
    known_one = np.where(y < 3, 1, 3)
    assert open_set_metrics(y, known_one, 3)["collapsed"]
    # 37 of 40 clips (92.5 %) in one label
    mostly = np.full_like(y, 2)
    mostly[:3] = [0, 1, 3]
    assert collapsed(open_set_metrics(y, mostly, 3)["confusion"], 3)
    # 36 of 40 (90 %) is not above 90 %, and known clips get 3 labels; but no clip is called
    # "unknown", which is a mode of its own
    edge = np.full_like(y, 2)
    edge[[0, 1, 10, 11]] = [0, 0, 1, 1]
    assert degeneracy_modes(open_set_metrics(y, edge, 3)["confusion"], 3) == ("never unknown",)
    edge[[30, 31]] = 3                                  # 2 of 10 unknown clips rejected
    edge[[20, 21]] = 0                                  # ... and 34 of 40 in label 2
    assert not collapsed(open_set_metrics(y, edge, 3)["confusion"], 3)
    # a target that is 95 % unknown, predicted perfectly, has not collapsed
    y95 = np.array([0, 1] + [3] * 38)
    assert not collapsed(open_set_metrics(y95, np.r_[[0, 1], [3] * 38], 3)["confusion"], 3)


def test_open_set_helpers_against_brute_force():
    rng = np.random.default_rng(1)
    prob = rng.dirichlet(np.ones(4), size=50)
    idx = least_confident(torch.from_numpy(prob), 0.2).numpy()
    brute = sorted(range(50), key=lambda i: prob[i, :3].max())[:10]
    assert sorted(idx) == sorted(brute)
    # threshold: brute force over every candidate cut, Youden's J
    neg, pos = rng.uniform(0, 0.6, 40), rng.uniform(0.4, 1, 30)
    tau = unknown_threshold(neg, pos)
    j = lambda t: (pos >= t).mean() - (neg >= t).mean()  # noqa: E731
    assert j(tau) == pytest.approx(max(j(t) for t in np.r_[neg, pos]))
    # decision rule and AUROC
    assert (decide(prob) == prob.argmax(1)).all()
    d = decide(prob, 0.3)
    assert ((d == 3) == (prob[:, 3] >= 0.3)).all() and (d[prob[:, 3] < 0.3] < 3).all()
    y = (prob[:, 3] > 0.25).astype(int) * 3
    pairs = [(a, b) for a in prob[y == 3, 3] for b in prob[y == 0, 3]]
    assert unknown_auroc(y, prob[:, 3], 3) == pytest.approx(np.mean([a > b for a, b in pairs]))
    assert np.isnan(unknown_auroc(np.zeros(5), prob[:5, 3], 3))


def test_pseudo_unknowns():
    torch.manual_seed(0)
    fs, ys = torch.randn(12, 6).abs(), torch.tensor([0, 1, 2] * 4)
    norm = pseudo_unknowns(fs, ys, "dropout-norm", 0.5)
    assert torch.allclose(norm.norm(dim=1), fs.norm(dim=1), atol=1e-5)
    mix = mixup_unknowns(fs, ys, torch.Generator().manual_seed(0))
    # every mixture lies on a segment between its own row and a row of another class
    for i in range(12):
        ok = False
        for j in np.flatnonzero(ys.numpy() != ys[i].item()):
            d = fs[i] - fs[j]
            lam = ((mix[i] - fs[j]) @ d) / (d @ d)
            ok |= bool(0.3 - 1e-5 <= lam <= 0.7 + 1e-5 and torch.allclose(lam * fs[i] + (1 - lam) * fs[j], mix[i], atol=1e-5))
        assert ok
    assert not mix.requires_grad
    with pytest.raises(ValueError, match="pseudo_unknowns kind"):
        pseudo_unknowns(fs, ys, "gauss")
    # reflection through the target mean: each pseudo-unknown and its source row have the
    # target mean as midpoint (checked row by row, elementwise)
    ft = torch.randn(9, 6) + 3.0
    ref = pseudo_unknowns(fs.requires_grad_(), ys, "reflect", centre=ft.mean(0))
    for i in range(12):
        for k in range(6):
            assert (ref[i, k] + fs[i, k]).item() / 2 == pytest.approx(ft[:, k].mean().item(), abs=1e-5)
    assert not ref.requires_grad
    with pytest.raises(ValueError, match="needs the target mean"):
        pseudo_unknowns(fs, ys, "reflect")


def test_speaker_offsets_are_each_speakers_mean_feature(toy, monkeypatch):
    import stienet.train as train
    from stienet.data import load_corpus, load_waveforms
    from stienet.train import predict_proba, speaker_offsets

    monkeypatch.setattr(train, "SPEAKER_CLIPS", 1000)     # every clip of a speaker counts

    audio = load_waveforms(load_corpus("B", data_root=toy), progress=False)
    torch.manual_seed(0)
    model = STIENet(3).eval()
    crops = lambda rows: (audio.fixed(0.5, "center", rows=rows), audio.real_samples(0.5, rows))  # noqa: E731
    off = speaker_offsets(model, audio, crops, "cpu", seed=0)
    speakers = audio.table["speaker"].astype(str).to_numpy()
    assert off.shape == (len(audio), model.encoder.out_dim)
    feats, _ = predict_proba(model, *crops(np.arange(len(audio)))[:1], "cpu",
                             crops(np.arange(len(audio)))[1])
    for s in np.unique(speakers):
        assert np.allclose(off[speakers == s], feats[speakers == s].mean(0), atol=1e-5)
    monkeypatch.undo()
    run = fit("B", "C", TrainConfig(data_root=toy, speaker_norm=True, bn="joint", **{**TOY, "epochs": 2}),
              progress=False)
    assert run.to_json()["hyperparameters"]["speaker_norm"] is True
    assert np.isfinite(run.history[-1]["loss_total"])


def test_domain_batchnorm_statistics_are_each_domains_own():
    """bn="domain": each domain's precise statistics (saved by bn_state, put back by
    load_bn_state) make eval mode compute what training computed on that domain's batch —
    checked against torch's own train-mode BatchNorm (dropout off, running statistics frozen)."""
    from stienet.train import bn_state, load_bn_state, precise_batchnorm

    torch.manual_seed(0)
    model = STIENet(3)
    xs, xt = torch.randn(6, 8000), 3.0 * torch.randn(6, 8000) + 0.5   # two different "domains"
    ls, lt = torch.full((6,), 8000), torch.full((6,), 7000)
    snapshots = {}
    for role, x, n in (("source", xs, ls), ("target", xt, lt)):
        precise_batchnorm(model, [(x, n, None)])
        snapshots[role] = bn_state(model)
    for role, x, n in (("source", xs, ls), ("target", xt, lt)):
        load_bn_state(model, snapshots[role])
        model.eval()
        with torch.no_grad():
            feats, logits = model(x, n)
        # reference: train-mode BatchNorm on the same batch (batch statistics), dropout off
        model.train()
        for m in model.modules():
            if isinstance(m, torch.nn.Dropout):
                m.eval()
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.momentum = 0.0                # leave the running statistics as they are
        with torch.no_grad():
            ref_feats, ref_logits = model(x, n)
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.momentum = 0.1
        # running variances are unbiased, batch normalisation divides by n: the deepest
        # convolution pools only ~70 values per channel here, the classifier 6 clips
        assert torch.allclose(feats, ref_feats, atol=2e-3, rtol=2e-2)
        other = snapshots["target" if role == "source" else "source"]
        load_bn_state(model, other)            # the other domain's statistics: visibly different
        model.eval()
        with torch.no_grad():
            assert not torch.allclose(model(x, n)[0], ref_feats, atol=2e-2, rtol=0.2)
        assert (logits.argmax(1) == ref_logits.argmax(1)).float().mean() >= 5 / 6
    first = next(iter(snapshots["source"]))                # the first convolution's BatchNorm
    mean_s, mean_t = snapshots["source"][first][0], snapshots["target"][first][0]
    assert not torch.allclose(mean_s, mean_t)   # the two domains really got their own statistics


def test_domain_batchnorm_needs_stienets_own_step(toy):
    from stienet.train import stienet_step

    def other_step(*args):
        return stienet_step(*args)

    with pytest.raises(ValueError, match="bn='joint'"):
        fit("B", "C", TrainConfig(data_root=toy, bn="domain", **{**TOY, "epochs": 1}),
            progress=False, step=other_step)
    with pytest.raises(ValueError, match="bn must be one of"):
        TrainConfig(bn="shared")
    with pytest.raises(ValueError, match="speaker_norm"):
        TrainConfig(bn="domain", speaker_norm=True)


def test_oracle_operating_point_is_the_best_threshold_by_brute_force():
    from stienet.metrics import open_set_metrics
    from stienet.openset import oracle_operating_point

    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 60)
    prob = rng.dirichlet(np.ones(4), 60)
    prob[y == 3, 3] += 0.3                      # unknowns score higher, but not perfectly
    prob /= prob.sum(1, keepdims=True)
    best = oracle_operating_point(y, prob)
    grid = np.linspace(0, 1.01, 2001)           # brute force over a fine grid of thresholds
    hs = [open_set_metrics(y, np.where(prob[:, 3] >= t, 3, prob[:, :3].argmax(1)), 3)["H"] for t in grid]
    assert best["H"] == pytest.approx(max(hs))
    assert best["H"] > open_set_metrics(y, prob[:, :3].argmax(1), 3)["H"]   # better than rejecting nothing
