"""stienet.summary: the degeneracy verdict on hand-made confusion matrices, and the summary text."""
import numpy as np
import pytest

from stienet.metrics import open_set_metrics
from stienet.summary import degeneracy, epoch_line, run_summary

NAMES = ["anger", "fear", "happiness", "unknown"]


def cm_from(y_true, y_pred):
    return open_set_metrics(np.array(y_true), np.array(y_pred), 3)["confusion"]


@pytest.mark.parametrize("y_pred, degenerate, words", [
    ([3] * 12, True, "'unknown'"),                             # everything rejected
    ([0] * 12, True, "'anger'"),                               # everything anger
    ([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 3], True, "'fear'"),    # known clips all 'fear'
    ([0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3], False, "not degenerate"),
])
def test_degeneracy(y_pred, degenerate, words):
    y_true = [0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3]
    flag, reason = degeneracy(cm_from(y_true, y_pred), NAMES)
    assert flag is degenerate and words in reason


def test_dominant_label_over_90_percent_is_degenerate_even_if_known_clips_vary():
    y_true = [0, 0, 1, 1, 2, 2] + [3] * 14
    y_pred = [0, 3, 1, 3, 2, 3] + [3] * 14        # known clips vary, 'unknown' covers 17/20
    assert not degeneracy(cm_from(y_true, y_pred), NAMES)[0]          # 85 %: fine
    y_true = [0, 0, 1, 1, 2, 2] + [3] * 24
    y_pred = [0, 3, 1, 3, 3, 3] + [3] * 24        # 'unknown' covers 28/30 = 93 %
    flag, reason = degeneracy(cm_from(y_true, y_pred), NAMES)
    assert flag and "93% of all target clips were predicted as 'unknown'" in reason
    y_true = [0, 1, 2] + [3] * 37                 # a target that is 92.5 % unknown, predicted
    assert not degeneracy(cm_from(y_true, y_true), NAMES)[0]          # perfectly: fine


@pytest.mark.parametrize("y_pred, auroc, modes", [
    ([0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2], None, ("never unknown",)),          # UNK = 0
    ([0, 0, 1, 1, 2, 2, 3, 0, 1, 2, 0, 1], None, ("never unknown",)),          # UNK 1/6 < 5 %? no
    ([3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], None, ("one known label", "one label", "all unknown")),
    ([3, 3, 3, 3, 1, 1, 3, 3, 3, 3, 3, 3], None, ("all unknown",)),            # OS* 0, UNK 100
    ([0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3], 0.30, ("AUROC < 45",)),
    ([0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3], 0.50, ()),
])
def test_each_degeneracy_mode_is_named(y_pred, auroc, modes):
    from stienet.metrics import degeneracy_modes

    y_true = [0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3]
    cm = cm_from(y_true, y_pred)
    if y_pred[6:] == [3, 0, 1, 2, 0, 1]:
        modes = ()                                        # UNK = 1/6 = 17 %: not "never"
    assert degeneracy_modes(cm, 3, auroc) == modes
    flag, reason = degeneracy(cm, NAMES, auroc)
    assert flag is bool(modes) and all(m in reason for m in modes)
    assert "\n" not in reason


def test_summary_flags_a_model_that_never_says_unknown():
    """The default main job's failure: OS* fine, UNK 0, H 0 — the summary must say it."""
    y_true = [0, 0, 1, 1, 2, 2, 3, 3, 3, 3]
    m = open_set_metrics(np.array(y_true), np.array([0, 0, 1, 1, 2, 2, 0, 1, 2, 0]), 3)
    assert m["collapsed"] and m["degenerate"] == ["never unknown"]
    rec = {"method": "STIENet", "source": "B", "target": "C", "data": "synthetic", "seed": 0,
           "epochs": 2, "wall_time_s": 3.0, "device": "cpu", "metrics": m, "label_names": NAMES}
    lines = run_summary(rec).splitlines()
    h = next(i for i, line in enumerate(lines) if line.lstrip().startswith("H "))
    assert "DEGENERATE: never unknown" in lines[h + 1]                  # the line beside H


def test_report_recomputes_the_flag_from_an_old_file(tmp_path):
    """A file written under the old rule (collapsed: false, UNK 0) is flagged when it loads."""
    import json

    from stienet.report import load_results

    m = open_set_metrics(np.array([0, 1, 2, 3, 3]), np.array([0, 1, 2, 0, 1]), 3)
    m["collapsed"] = False
    m.pop("degenerate")
    path = tmp_path / "synthetic" / "pairs" / "STIENet" / "B_C_seed0_paper.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"sweep": "pairs", "method": "STIENet", "source": "B", "target": "C",
                                "seed": 0, "data": "synthetic", "preset": "paper", "metrics": m}))
    row = load_results(tmp_path, "synthetic", "pairs").iloc[0]
    assert row["collapsed"] and row["degenerate"] == "never unknown"


def test_summary_names_metrics_paths_and_missing_classes():
    y_true = [0, 0, 2, 2, 3, 3]                    # no fear in the target
    m = open_set_metrics(np.array(y_true), np.array([0, 2, 2, 0, 3, 3]), 3)
    rec = {"method": "STIENet", "source": "B", "target": "x.csv", "data": "real", "seed": 0,
           "epochs": 2, "wall_time_s": 3.0, "device": "cpu", "metrics": m, "label_names": NAMES}
    text = run_summary(rec, result_path="r.json", notebook_path="n.ipynb")
    for needle in ("OS*", "UNK", "harmonic mean", "the target has no fear clips",
                   "result JSON: r.json", "executed notebook: n.ipynb", "not degenerate"):
        assert needle in text
    assert "synthetic" not in text
    line = epoch_line({"epoch": 3, "loss_total": 1.5, "OS": 0.5, "OS*": 0.25, "UNK": float("nan"),
                       "H": None}, 30)
    assert line.startswith("epoch  3/30  loss 1.5000") and "UNK   nan" in line


def test_plain_reading_follows_the_numbers():
    """The main job's sentence about its run says what the numbers say (percent, against chance)."""
    from stienet.summary import plain_reading

    names = ["anger", "fear", "happiness", "unknown"]
    cm = [[10, 5, 5, 0], [5, 10, 5, 0], [5, 5, 10, 0], [10, 10, 10, 0]]
    rec = {"data": "synthetic", "label_names": names, "history": [{"source_acc": 0.74}],
           "metrics": {"OS*": 0.5, "UNK": 0.0, "H": 0.0, "AUROC": 0.52, "confusion": cm}}
    text = plain_reading(rec)
    text = text.replace("\u00a0", " ")
    assert "learned its source: 74 %" in text and "chance 33 %" in text
    assert "OS* is 50 %, above chance" in text and "rejected 0 % of the unknown" in text
    assert "does not separate" in text and "Synthetic" in text
    assert "Degenerate: UNK below 5%" in text            # never says "unknown": flagged
    all_fear = [[0, 20, 0, 0], [0, 20, 0, 0], [0, 20, 0, 0], [0, 30, 0, 0]]
    rec["metrics"].update(confusion=all_fear, **{"OS*": 1 / 3})
    rec["history"] = [{"source_acc": 0.35}]
    text = plain_reading(rec).replace("\u00a0", " ")
    assert "barely learned" in text and "about at chance" in text and "Degenerate:" in text
