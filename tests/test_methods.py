"""The registry of open-set methods: CLI, pairs sweep and report reach every method by name."""
import json

import pytest

from stienet.__main__ import main
from stienet.checks import OPEN_SET_METHODS
from stienet.experiments import Settings, expand
from stienet.methods import METHODS, get_method
from stienet.report import load_results, methods_table, paper_methods_table, write_report
from stienet.results import save_result

TINY = ["--scale", "0.04", "--out"]


def test_registry_names_and_faces():
    assert tuple(METHODS) == OPEN_SET_METHODS
    assert get_method("osbp").name == "OSBP"
    with pytest.raises(ValueError, match="unknown open-set method"):
        get_method("nope")
    for m in METHODS.values():
        assert m.kind in ("deep", "shallow")
        if m.kind == "shallow":
            est = m.build(0)
            assert all(hasattr(est, f) for f in ("fit", "predict", "decision_function"))


def test_pairs_sweep_expands_methods():
    s = Settings(seeds=(0, 1), methods=("STIENet", "OSBP", "OSNN"))
    runs = expand("pairs", s)
    assert len(runs) == 12 * 2 * 2 + 12 * 2 * 2                     # STIENet x presets, then 2 baselines
    assert {r.kind for r in runs if r.method != "STIENet"} == {"open"}
    paths = [r.path("out", "synthetic") for r in runs]
    assert len(set(paths)) == len(paths)
    assert str(paths[-1]).endswith("pairs/OSNN/S_e_seed1.json")
    assert len(expand("pairs", Settings(seeds=(0,)))) == 24           # default: STIENet only


def test_cli_shallow_method_writes_record(tmp_path, capsys):
    assert main(["train", "--method", "osnn", "--source", "B", "--target", "C", *TINY, str(tmp_path)]) == 0
    rec = json.loads((tmp_path / "synthetic" / "OSNN" / "B_C_seed0.json").read_text())
    assert rec["method"] == "OSNN" and rec["data"] == "synthetic" and rec["kind"] == "shallow"
    assert "per speaker" in rec["features"] and rec["generator_version"] >= 1
    assert rec["hyperparameters"]["estimator"]["lambda_r"] == 0.5 and 0 < rec["learned"]["T_"] <= 1
    m = rec["metrics"]
    assert len(m["confusion"]) == 4 and sum(map(sum, m["confusion"])) == rec["n_target"]
    for key in ("OS", "OS*", "UNK", "H", "WAR", "AUROC"):
        assert key in m
    assert len(m["target_score"]) == rec["n_target"]
    _reproduces(rec)
    assert rec["provenance"] == {"B": None, "C": None}                   # synthetic stand-ins
    assert "data: synthetic" in capsys.readouterr().out


def test_cli_osbp_uses_the_training_loop(tmp_path):
    assert main(["train", "--method", "OSBP", "--source", "B", "--target", "C", "--epochs", "1",
                 "--batch-size", "8", "--device", "cpu", *TINY, str(tmp_path)]) == 0
    rec = json.loads((tmp_path / "synthetic" / "OSBP" / "B_C_seed0.json").read_text())
    assert rec["method"] == "OSBP" and rec["kind"] == "deep" and rec["preset"] is None
    assert rec["hyperparameters"]["method"] == {"t": 0.5, "grad_reverse_coeff": 1.0}
    assert {"loss_cls", "loss_adv", "loss_total"} <= set(rec["history"][0])
    assert "AUROC" in rec["metrics"]
    _reproduces(rec)


def test_cli_lead_runs_both_stages(tmp_path):
    assert main(["train", "--method", "LEAD", "--source", "B", "--target", "C", "--epochs", "1",
                 "--batch-size", "8", "--device", "cpu", *TINY, str(tmp_path)]) == 0
    rec = json.loads((tmp_path / "synthetic" / "LEAD" / "B_C_seed0.json").read_text())
    assert [h["stage"] for h in rec["history"]] == ["source", "adapt"]
    assert rec["hyperparameters"]["method"]["w_0"] == 0.55 and "AUROC" in rec["metrics"]
    assert len(rec["metrics"]["target_prob"][0]) == 3                  # K-way, entropy rule
    _reproduces(rec)


def _reproduces(rec):
    """The stored per-clip outputs give back the stored metrics exactly (float32 round trip),
    and every target clip carries its emotion name."""
    from stienet.methods import metrics_from_record

    again = metrics_from_record(rec)
    assert {k: rec["metrics"][k] for k in again} == again
    assert len(rec["metrics"]["target_emotions"]) == rec["n_target"]
    assert 0 <= rec["metrics"]["closed OS*"] <= 1


def test_cli_rejects_unknown_method(capsys):
    assert main(["train", "--method", "XYZ", "--source", "B", "--target", "C"]) == 2
    assert "open-set methods are" in capsys.readouterr().err
    assert main(["sweep", "ablation", "--methods", "OSBP", "--dry-run"]) == 2


def _fixture(out, method, pair, seed, metrics, preset=None):
    src, tgt = pair.split("_")
    rec = {"method": method, "source": src, "target": tgt, "data": "synthetic", "seed": seed,
           "sweep": "pairs", "preset": preset, "wall_time_s": 2.0,
           "metrics": dict(metrics, confusion=[[1, 0], [0, 1]])}
    name = f"{pair}_seed{seed}" + (f"_{preset}" if preset else "")
    save_result(rec, out / "synthetic" / "pairs" / method / f"{name}.json")


def test_methods_table_and_report(tmp_path):
    out = tmp_path / "res"
    for seed, h in enumerate([0.2, 0.4]):
        _fixture(out, "STIENet", "B_C", seed, {"OS*": 0.5, "UNK": 0.1, "H": h}, "open")
        _fixture(out, "OSNN", "B_C", seed, {"OS*": 0.3, "UNK": 0.9, "H": 0.45})
        _fixture(out, "OSNN", "C_B", seed, {"OS*": 0.1, "UNK": 0.9, "H": 0.18})
    rec = {"method": "OSBP", "source": "B", "target": "C", "data": "synthetic", "seed": 0,
           "preset": None, "hyperparameters": {"preset": "paper"}, "metrics": {"OS*": 0.1}}
    save_result(rec, out / "synthetic" / "pairs" / "OSBP" / "B_C_seed0.json")
    df = load_results(out, "synthetic", "pairs")
    assert df.loc[df["method"] == "OSBP", "preset"].tolist() == [""]   # no STIENet preset
    df = df[df["method"] != "OSBP"]
    t = methods_table(df)
    assert list(t.index) == ["OSNN", "STIENet (open)"]
    assert t.loc["STIENet (open)", ("B_C", "H")] == pytest.approx(30.0)
    assert t.loc["OSNN", ("mean", "OS*")] == pytest.approx(20.0)       # mean over B_C and C_B
    assert t.loc["OSNN", ("wall s", "median")] == 2.0
    assert methods_table(df, stat="max").loc["STIENet (open)", ("B_C", "H")] == pytest.approx(40.0)
    paper = paper_methods_table()
    assert paper.loc["OSNN", ("B_C", "OS")] == 26.33 and list(paper.index)[-1] == "STIENet"
    made = {p.name for p in write_report(out, "synthetic")}
    assert {"pairs_open.md", "pairs_methods.md", "pairs_methods_paper.md"} <= made
