"""Closed-set runs (SATNMF paper protocol) through the CLI: result JSON, methods, errors."""
import json

import pytest

from stienet.__main__ import main
from stienet.closed_set import SLUGS, ClosedSetConfig, method_name
from stienet.report import load_results, shift_table
from stienet.results import save_result

TINY = ["--scale", "0.04", "--r", "4", "--trials", "2", "--max-iter", "20"]


@pytest.mark.parametrize("method", ["SVM", "SATNMF"])
def test_cli_writes_result(tmp_path, capsys, method):
    code = main(["satnmf", "--source", "B", "--target", "C", "--classes", "B2C",
                 "--method", method, "--out", str(tmp_path), *TINY])
    assert code == 0
    out = capsys.readouterr().out
    assert "data: synthetic" in out and "UAR" in out
    rec = json.loads((tmp_path / "synthetic" / method / "B_C_seed0.json").read_text())
    assert rec["method"] == method and rec["data"] == "synthetic"
    assert rec["label_names"] == ["anger", "fear", "happiness", "neutral", "sadness"]
    assert 0 <= rec["metrics"]["UAR"] <= 1 and len(rec["metrics"]["confusion"]) == 5
    for key in ("hyperparameters", "package_version", "git_commit", "wall_time_s", "selection_rule"):
        assert key in rec
    if method == "SATNMF":
        assert len(rec["objective"]) >= 2 and rec["hyperparameters"]["r"] == 4
        assert len(rec["converged_per_trial"]) == len(rec["rel_change_per_trial"]) == 2
        assert rec["converged"] == all(rec["converged_per_trial"])
        for rel, done, f in zip(rec["rel_change_per_trial"], rec["converged_per_trial"],
                                rec["final_objective_per_trial"]):
            assert rel >= 0 and done == (rel <= rec["hyperparameters"]["tol"])
        assert rec["hyperparameters"]["label_weights"] == "binary"


def test_cli_progress_bar_and_no_progress(tmp_path, capsys):
    args = ["satnmf", "--source", "B", "--target", "C", "--classes", "B2C", "--out",
            str(tmp_path), *TINY]
    assert main(args) == 0
    assert "2 trials x 20 rounds" in capsys.readouterr().err
    assert main([*args, "--no-progress"]) == 0
    assert "rounds" not in capsys.readouterr().err


def test_method_names():
    assert method_name("SNMF-gamma") == "SNMF-γ" and SLUGS["STNMF-λ"] == "STNMF-lambda"
    assert method_name("svm") == "SVM"
    with pytest.raises(ValueError, match="unknown method"):
        ClosedSetConfig(method="NMF")
    assert ClosedSetConfig(method="SNMF", r=3).estimator().gamma == 0


def test_cli_bad_pair_is_a_clear_error(tmp_path, capsys):
    assert main(["satnmf", "--source", "B", "--target", "C", "--classes", "X2Y",
                 "--out", str(tmp_path), *TINY]) == 2
    assert "unknown scheme" in capsys.readouterr().err


def test_shift_table_gives_closed_set_runs_their_uar(tmp_path):
    """Closed-set runs (UAR/WAR only) get UAR rows; open-set runs keep OS/OS* (issue #11)."""
    def put(method, shift, metrics):
        rec = {"method": method, "source": "B", "target": "C", "seed": 0, "data": "synthetic",
               "sweep": "shift", "tag": f"shift={shift}", "metrics": metrics}
        save_result(rec, tmp_path / "synthetic" / "shift" / method / f"B_C_seed0_shift={shift}.json")

    put("SVM", 1, {"UAR": 0.5, "WAR": 0.6})
    put("STIENet", 1, {"OS": 0.4, "OS*": 0.3, "UNK": 0.7, "H": 0.2, "UAR": 0.9, "WAR": 0.9})
    table = shift_table(load_results(tmp_path, "synthetic", "shift"))
    svm, net = table.loc["shift=1 SVM"], table.loc["shift=1 STIENet"]
    one = "synthetic, 1 seed (%)"      # one seed: no "± std", no max column
    assert svm[(one, "UAR")] == "50.0" and svm[(one, "OS*")] == "—"
    assert net[(one, "OS*")] == "30.0" and net[(one, "UAR")] == "—"     # open-set UAR counts "unknown"
