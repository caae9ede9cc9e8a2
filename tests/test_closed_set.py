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



def test_cli_closed_set_oracle_is_labelled_and_stored_apart(tmp_path, capsys):
    """``closed-set`` (alias ``satnmf``) with ``--select oracle``: the paper's grid over C for the
    SVM; the record and the printout say it uses target labels; the best of the grid is the
    stored result."""
    code = main(["closed-set", "--source", "B", "--target", "C", "--classes", "B2C", "--method",
                 "svm", "--select", "oracle", "--out", str(tmp_path), "--no-progress", *TINY])
    assert code == 0 and "oracle: uses target labels" in capsys.readouterr().out
    rec = json.loads((tmp_path / "synthetic" / "SVM-oracle" / "B_C_seed0.json").read_text())
    assert rec["selection"] == "oracle" and rec["selection_rule"].startswith("oracle (uses target labels)")
    assert [r["params"]["C"] for r in rec["oracle_search"]] == [0.1, 0.5, 1, 5, 10, 50, 100]
    assert rec["metrics"]["UAR"] == max(r["UAR"] for r in rec["oracle_search"])
    assert rec["method_params"]["C"] in rec["oracle_grid"]["C"]


def test_cli_param_reaches_the_method(tmp_path):
    assert main(["satnmf", "--source", "B", "--target", "C", "--classes", "B2C", "--method", "msda",
                 "--param", "noise=0.3", "--param", "layers=1", "--out", str(tmp_path),
                 "--no-progress", *TINY]) == 0
    rec = json.loads((tmp_path / "synthetic" / "mSDA" / "B_C_seed0.json").read_text())
    assert rec["method_params"] == {"noise": 0.3, "layers": 1, "C": 1.0}
    assert rec["selection"] == "fixed" and rec["family"] == "SATNMF Table 3"
    assert main(["satnmf", "--source", "B", "--target", "C", "--method", "msda", "--param",
                 "depth=2", "--out", str(tmp_path), *TINY]) == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # large C on a toy
def test_source_cv_search_equals_brute_force_leave_one_speaker_out():
    """``select="source-cv"``: every C of the SVM's grid scored by leave-one-speaker-out on the
    source, by hand here with sklearn's balanced accuracy (mean recall over the classes the
    held-out speaker has); the search keeps the best mean and sees no target data."""
    import numpy as np
    from sklearn.metrics import balanced_accuracy_score

    from stienet.closed_set import REGISTRY, SourceSVM, source_cv_search

    rng = np.random.default_rng(0)
    speakers = np.repeat(np.arange(4), 30)
    ys = np.tile(np.arange(3), 40)
    Xs = rng.normal(size=(120, 20)) + 0.8 * np.eye(3, 20)[ys] + 0.5 * rng.normal(size=(4, 20))[speakers]
    Xs = (Xs - Xs.min(0)) / (Xs.max(0) - Xs.min(0))
    method = REGISTRY["SVM"]
    params, rows = source_cv_search(method, dict(method.defaults), Xs, ys, speakers, 3)
    expected = []
    for C in method.grid["C"]:
        folds = []
        for s in range(4):
            held = speakers == s
            pred = SourceSVM(C=C).fit(Xs[~held], ys[~held], Xs[held]).predict(Xs[held])
            folds.append(balanced_accuracy_score(ys[held], pred))
        expected.append(np.mean(folds))
    assert [r["params"]["C"] for r in rows] == list(method.grid["C"])
    assert np.allclose([r["UAR"] for r in rows], expected)
    assert params["C"] == method.grid["C"][int(np.argmax(expected))]
    with pytest.raises(ValueError, match="at least 2 speakers"):
        source_cv_search(method, {}, Xs, ys, np.zeros(120), 3)


def test_source_cv_search_of_satnmf_fits_cv_trials_per_fold_and_keeps_the_runs_trials():
    """A SATNMF grid under source-cv: each fold's model votes ``cv_trials`` initialisations
    (by hand here: SATNMF with n_trials=1 on the other speakers, the held-out speaker as its
    unlabelled target, UAR = balanced accuracy), and the chosen params keep the run's own
    ``n_trials`` for the final fit."""
    import numpy as np
    from sklearn.metrics import balanced_accuracy_score

    from stienet.closed_set import REGISTRY, source_cv_search
    from stienet.satnmf import make_variant

    rng = np.random.default_rng(1)
    speakers = np.repeat(np.arange(3), 24)
    ys = np.tile(np.arange(3), 24)
    Xs = rng.random((72, 30)) + 0.6 * np.eye(3, 30)[ys] + 0.3 * rng.random((3, 30))[speakers]
    Xs = (Xs - Xs.min(0)) / (Xs.max(0) - Xs.min(0))
    method = REGISTRY["SATNMF"]
    base = {"r": 4, "n_trials": 3, "max_iter": 20, "random_state": 0}
    small = type(method)(**{**method.__dict__, "grid": {"r": (2, 4)}})
    params, rows = source_cv_search(small, base, Xs, ys, speakers, 3, cv_trials=1)
    expected = []
    for r in (2, 4):
        folds = []
        for s in range(3):
            held = speakers == s
            model = make_variant("SATNMF", **{**base, "r": r, "n_trials": 1})
            model.fit(Xs[~held], ys[~held], Xs[held], n_classes=3)
            folds.append(balanced_accuracy_score(ys[held], model.predict()))
        expected.append(np.mean(folds))
    assert np.allclose([row["UAR"] for row in rows], expected)
    assert params["r"] == (2, 4)[int(np.argmax(expected))] and params["n_trials"] == 3
    with pytest.raises(ValueError, match="cv_trials must be >= 1"):
        source_cv_search(small, base, Xs, ys, speakers, 3, cv_trials=0)


def test_cli_closed_set_source_cv_is_labelled_and_stored_apart(tmp_path, capsys):
    code = main(["closed-set", "--source", "B", "--target", "C", "--classes", "B2C", "--method",
                 "svm", "--select", "source-cv", "--out", str(tmp_path), "--no-progress", *TINY])
    assert code == 0 and "source-cv: grid chosen on the source's speakers" in capsys.readouterr().out
    rec = json.loads((tmp_path / "synthetic" / "SVM-source-cv" / "B_C_seed0.json").read_text())
    assert rec["selection"] == "source-cv" and "No target label is used" in rec["selection_rule"]
    best = max(rec["source_cv_search"], key=lambda r: r["UAR"])
    assert rec["method_params"]["C"] == best["params"]["C"]
    assert all(len(r["fold_UAR"]) >= 2 for r in rec["source_cv_search"])


def test_cli_oracle_searches_the_grid_given_and_stores_it(tmp_path):
    """``--grid`` replaces the registry's grid (here r × beta, 2 × 2 points): every
    combination is run once and the record names the grid it searched; a key the method
    does not take, and a grid without a search, are refused."""
    code = main(["satnmf", "--source", "B", "--target", "C", "--classes", "B2C", "--select",
                 "oracle", "--grid", "r=2,4", "--grid", "beta=1,100", "--out", str(tmp_path),
                 "--no-progress", *TINY])
    assert code == 0
    rec = json.loads((tmp_path / "synthetic" / "SATNMF-oracle" / "B_C_seed0.json").read_text())
    assert rec["oracle_grid"] == {"r": [2, 4], "beta": [1, 100]}
    assert [(r["params"]["r"], r["params"]["beta"]) for r in rec["oracle_search"]] == [
        (2, 1), (2, 100), (4, 1), (4, 100)]
    best = max(rec["oracle_search"], key=lambda r: r["UAR"])
    assert rec["method_params"]["r"] == best["params"]["r"] and "grid given by the run" in rec["oracle_grid_note"]
    assert main(["satnmf", "--source", "B", "--target", "C", "--select", "oracle", "--grid",
                 "depth=1,2", "--out", str(tmp_path), *TINY]) == 2
    assert main(["satnmf", "--source", "B", "--target", "C", "--grid", "r=2,4",
                 "--out", str(tmp_path), *TINY]) == 2
    assert main(["satnmf", "--source", "B", "--target", "C", "--select", "oracle", "--grid",
                 "r=", "--out", str(tmp_path), *TINY]) == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # large C on a toy
def test_source_cv_search_is_cached_on_what_it_reads(monkeypatch):
    """A second search with the same source, classes, method settings and grid reuses the
    first one's rows (no fold is fitted again); another C grid or other source data search
    afresh, and a damaged cache entry is recomputed."""
    import numpy as np

    import stienet.closed_set as cs

    rng = np.random.default_rng(4)
    speakers = np.repeat(np.arange(3), 20)
    ys = np.tile(np.arange(3), 20)
    Xs = rng.random((60, 15)) + 0.5 * np.eye(3, 15)[ys]
    method = cs.REGISTRY["SVM"]
    first = cs.source_cv_search(method, {"C": 1.0}, Xs, ys, speakers, 3)
    calls = []
    real = cs._candidates
    monkeypatch.setattr(cs, "_candidates", lambda *a: (calls.append(1), real(*a))[1])
    assert cs.source_cv_search(method, {"C": 1.0}, Xs, ys, speakers, 3) == first and not calls
    other = cs.replace(method, grid={"C": (0.1, 1.0)})
    cs.source_cv_search(other, {"C": 1.0}, Xs, ys, speakers, 3)
    cs.source_cv_search(method, {"C": 1.0}, Xs + 0.01, ys, speakers, 3)
    assert len(calls) == 2 * 3                       # one call per fold, for each new search
    path = cs._source_cv_cache(method, {"C": 1.0}, Xs, ys, speakers, 3, None)
    path.write_text("{not json")
    assert cs.source_cv_search(method, {"C": 1.0}, Xs, ys, speakers, 3) == first and len(calls) == 9
