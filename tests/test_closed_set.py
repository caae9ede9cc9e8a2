"""Closed-set runs (SATNMF paper protocol) through the CLI: result JSON, methods, errors."""
import json

import pytest

from stienet.__main__ import main
from stienet.closed_set import SLUGS, ClosedSetConfig, method_name

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
