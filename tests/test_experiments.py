"""Sweeps: expansion, resume after a kill, corrupt files re-run; report tables from fixtures."""
import json
import subprocess
import sys
import time

import pandas as pd
import pytest

from stienet.experiments import SENSITIVITY_GRID, Settings, expand, run_sweep, valid_result
from stienet.report import load_results, pairs_table, paper_numbers, satnmf_table, write_report
from stienet.results import save_result

TINY = Settings(seeds=(0,), presets=("paper",), epochs=1, batch_size=8, scale=0.04, device="cpu")


def test_sweep_sizes():
    s = Settings(seeds=(0, 1, 2))                                    # presets paper and open
    assert len(expand("pairs", s)) == 12 * 2 * 3
    assert len(expand("ablation", s)) == 2 * 6 * 3                   # all = 1, then each weight = 0
    assert len(expand("sensitivity", s)) == 2 * (1 + 5 * (len(SENSITIVITY_GRID) - 1)) * 3
    assert len(expand("satnmf", s)) == 4 * 14 * 3                    # schemes x methods x seeds
    oracle = expand("satnmf-oracle", s)
    assert len(oracle) == 4 * 14 * 3 and {dict(r.params)["select"] for r in oracle} == {"oracle"}
    assert all("select" not in dict(r.params) for r in expand("satnmf", s))  # old files still valid
    assert {dict(r.params)["select"] for r in expand("satnmf-source-cv", s)} == {"source-cv"}
    some = expand("satnmf", Settings(seeds=(0,), closed_methods=("SVM", "mSDA")))
    assert [r.method for r in some[:2]] == ["SVM", "mSDA"] and len(some) == 4 * 2
    shift = expand("shift", s)             # 2 presets, source-only, SVM (B2C and 3 known), SATNMF
    assert len(shift) == 4 * 6 * 3
    known = [r for r in shift if r.tag.startswith("known_")]
    assert len(known) == 4 * 3 and {r.method for r in known} == {"SVM"}
    assert all(dict(r.params)["classes"] == ("anger", "fear", "happiness") for r in known)
    assert len(expand("open-ablation", s)) == 2 * 8 * 3              # 2 pairs, open and 7 ingredients off
    assert {dict(r.params)["preset"] for r in expand("pairs", s)} == {"paper", "open"}
    for name in ("pairs", "ablation", "sensitivity", "shift", "open-ablation", "satnmf",
                 "satnmf-oracle", "satnmf-source-cv"):
        paths = [r.path("out", "synthetic") for r in expand(name, s)]
        assert len(set(paths)) == len(paths)                         # no two runs share a file
    with pytest.raises(ValueError, match="unknown sweep"):
        expand("everything", s)


def test_oracle_sweep_with_its_own_grid_is_stored_apart():
    """``--grid``: the oracle / source-cv runs are tagged by the grid's keys, so they never
    overwrite (or resume from) the registry grid's files; the fixed sweep refuses a grid."""
    s = Settings(seeds=(0,), closed_methods=("SATNMF",), schemes=("B2C",),
                 grid={"r": (64, 128), "beta": (1.0, 100.0)})
    (run,) = expand("satnmf-oracle", s)
    (plain,) = expand("satnmf-oracle", Settings(seeds=(0,), closed_methods=("SATNMF",), schemes=("B2C",)))
    assert run.tag == "B2C_grid-beta-r" and plain.tag == "B2C"
    assert run.path("out", "real") != plain.path("out", "real")
    assert dict(run.params)["classes"] == "B2C"
    with pytest.raises(ValueError, match="--grid is searched by"):
        expand("satnmf", s)


def test_satnmf_sweep_on_chosen_schemes_reads_ravdess_below_the_data_root(tmp_path):
    """``--schemes``: SATNMF's B2C and the RAVDESS schemes (B2C's five classes), RAVDESS read
    as ``<data-root>/ravdess/manifest.csv``; named in files as ``ravdess``; real data."""
    (tmp_path / "ravdess").mkdir()
    (tmp_path / "ravdess" / "manifest.csv").write_text("path,emotion,speaker\n")
    s = Settings(seeds=(0,), closed_methods=("SVM",), data_root=str(tmp_path),
                 schemes=("B2C", "B2R", "R2B", "C2R", "R2C"))
    runs = expand("satnmf-oracle", s)
    assert [r.tag for r in runs] == ["B2C", "B2R", "R2B", "C2R", "R2C"] and s.data() == "real"
    manifest = str(tmp_path / "ravdess" / "manifest.csv")
    assert [(r.source, r.target) for r in runs[1:3]] == [("B", manifest), (manifest, "B")]
    assert all(dict(r.params) == {"classes": r.tag, "select": "oracle"} for r in runs)
    assert runs[1].path("out", "real").as_posix() == "out/real/satnmf-oracle/SVM/B_ravdess_seed0_B2R.json"
    with pytest.raises(ValueError, match="there is no .*ravdess/manifest.csv"):
        expand("satnmf", Settings(data_root=str(tmp_path / "elsewhere"), schemes=("R2C",)))


@pytest.mark.slow   # over 10 s: an end-to-end run
def test_killed_sweep_resumes_without_partial_or_duplicate_files(tmp_path, isolated_cache):
    out = tmp_path / "res"
    code = ("import sys; from stienet.experiments import Settings, run_sweep; "
            "run_sweep('ablation', Settings(seeds=(0,), epochs=1, batch_size=8, scale=0.04, "
            f"device='cpu'), out=r'{out}', progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    folder = out / "synthetic" / "ablation" / "STIENet"
    deadline = time.time() + 240
    while time.time() < deadline and not list(folder.glob("*.json")):
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    first = sorted(p.name for p in folder.glob("*.json"))
    assert 1 <= len(first) < 6, first
    (folder / ".C_B_seed0_beta=0.json.abc.tmp").write_text("{half")  # a killed writer's leftover
    rep = run_sweep("ablation", TINY, out=out, progress=False)
    assert rep.skipped == len(first) and len(rep.done) == 6 - len(first) and not rep.failed
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 6 and all(n.endswith(".json") and not n.startswith(".") for n in names)
    for spec in expand("ablation", TINY):
        assert valid_result(spec.path(out, "synthetic"), spec)[0]


def test_corrupt_result_is_reported_and_rerun(tmp_path, monkeypatch):
    import stienet.experiments as ex

    calls = []

    def fake_execute(spec, settings):
        calls.append(spec.tag)
        return {"metrics": {"OS": 0.5}, "spec": spec.to_dict()}
    monkeypatch.setattr(ex, "execute", fake_execute)
    out = tmp_path / "res"
    assert len(run_sweep("ablation", TINY, out=out, progress=False).done) == 6
    spec = expand("ablation", TINY)[2]
    spec.path(out, "synthetic").write_text('{"metrics": {"OS": 0.')    # cut short
    calls.clear()
    with pytest.warns(UserWarning, match="1 unusable result file"):
        rep = run_sweep("ablation", TINY, out=out, progress=False)
    assert calls == [spec.tag] and rep.skipped == 5
    assert "corrupt" in rep.rerun[0][1]
    assert json.loads(spec.path(out, "synthetic").read_text())["metrics"]["OS"] == 0.5


def test_result_of_another_generator_version_is_rerun(tmp_path, monkeypatch):
    """A synthetic result made by an older stand-in generator is not silently kept."""
    import stienet.experiments as ex
    from stienet.data.synthetic import GENERATOR_VERSION

    monkeypatch.setattr(ex, "execute", lambda spec, settings: {
        "metrics": {"OS": 0.5}, "spec": spec.to_dict(), "data": "synthetic",
        "generator_version": GENERATOR_VERSION})
    out = tmp_path / "res"
    run_sweep("ablation", TINY, out=out, progress=False)
    spec = expand("ablation", TINY)[0]
    path = spec.path(out, "synthetic")
    assert valid_result(path, spec) == (True, "ok")
    rec = json.loads(path.read_text())
    rec["generator_version"] = GENERATOR_VERSION - 1
    path.write_text(json.dumps(rec))
    ok, reason = valid_result(path, spec)
    assert not ok and f"generator version {GENERATOR_VERSION - 1}" in reason
    with pytest.warns(UserWarning, match="1 unusable result file"):
        rep = run_sweep("ablation", TINY, out=out, progress=False)
    assert rep.skipped == 5 and len(rep.done) == 1
    assert json.loads(path.read_text())["generator_version"] == GENERATOR_VERSION
    rec = json.loads(path.read_text())
    del rec["generator_version"]                    # files from before the field: version 1
    path.write_text(json.dumps(rec))
    assert "generator version 1" in valid_result(path, spec)[1]
    rec["data"] = "real"                            # real data has no generator to compare
    path.write_text(json.dumps(rec))
    assert valid_result(path, spec) == (True, "ok")


def test_result_of_another_training_recipe_is_rerun(tmp_path):
    """A STIENet result trained with another recipe of its preset (e.g. before the presets
    moved to bn="domain") is run again; a field the spec sets itself (an ablation) is not stale."""
    from stienet.train import PRESETS

    for spec in (expand("ablation", TINY)[0],
                 next(s for s in expand("open-ablation", TINY) if s.tag == "open_no-domain-bn")):
        preset = dict(spec.params).get("preset", "paper")
        hp = {"preset": preset, **PRESETS[preset], **{k: v for k, v in dict(spec.params).items()
                                                      if k in PRESETS[preset]}}
        rec = {"metrics": {"OS": 0.5}, "spec": json.loads(json.dumps(spec.to_dict())),
               "data": "real", "hyperparameters": hp}
        path = tmp_path / f"{spec.tag}.json"
        path.write_text(json.dumps(rec))
        assert valid_result(path, spec) == (True, "ok"), spec.tag
        stale = "joint" if hp["bn"] == "domain" else "domain"
        if "bn" not in dict(spec.params):
            rec["hyperparameters"] = {**hp, "bn": stale}
            path.write_text(json.dumps(rec))
            ok, reason = valid_result(path, spec)
            assert not ok and f"bn={stale!r}" in reason and "recipe" in reason


def _fixture(out, sweep, method, src, tgt, seed, metrics, tag=""):
    rec = {"method": method, "source": src, "target": tgt, "seed": seed, "data": "synthetic",
           "sweep": sweep, "tag": tag, "epochs": 3, "wall_time_s": 1.0, "metrics": metrics}
    name = f"{src}_{tgt}_seed{seed}" + (f"_{tag}" if tag else "")
    save_result(rec, out / "synthetic" / sweep / method / f"{name}.json")


def test_report_tables_from_fixture_files(tmp_path):
    out = tmp_path / "res"
    for seed, os_ in enumerate([0.4, 0.6]):
        _fixture(out, "pairs", "STIENet", "B", "C", seed,
                 {"OS": os_, "OS*": 0.5, "UNK": 0.0, "H": 0.0})
    (out / "synthetic" / "pairs" / "STIENet" / "broken.json").write_text("{")
    with pytest.warns(UserWarning, match="1 unreadable result file"):
        df = load_results(out, "synthetic", "pairs")
    table = pairs_table(df)
    row = table.loc["B → C"]
    assert row[("this project (synthetic, mean ± std of 2 seeds, %)", "OS")] == "50.0\u00a0±\u00a014.1"
    assert row[("this project (max of 2 seeds, %)", "OS")] == "60.0"
    assert row[("paper (real corpora, best of 10 seeds, %)", "OS")] == "46.33"    # STIENet Table 2
    assert row[("paper (real corpora, best of 10 seeds, %)", "OS*")] == "60.56"
    for seed in (0, 1):
        _fixture(out, "satnmf", "SATNMF", "B", "C", seed, {"UAR": 0.3, "WAR": 0.4}, "B2C")
    st = satnmf_table(load_results(out, "synthetic", "satnmf"))
    assert st.loc[("B2C", "SATNMF"), ("paper (real corpora, %)", "UAR")] == "42.30"     # SATNMF Table 3
    assert st.loc[("B2C", "SATNMF"), ("this project (synthetic, mean ± std of 2 seeds, %)", "UAR")] == "30.0\u00a0±\u00a00.0"
    with pytest.warns(UserWarning):
        made = write_report(out, "synthetic")
    assert {p.name for p in made} == {"pairs.csv", "pairs.md", "satnmf.csv", "satnmf.md"}
    assert "paper (real corpora, best of 10 seeds, %)" in (out / "synthetic/report/pairs.md").read_text()


def test_paper_numbers_are_complete():
    p = paper_numbers()
    assert len(p[p.paper == "STIENet"]) == 7 * 12 * 2 and len(p[p.paper == "SATNMF"]) == 7 * 4 * 2
    s = p[(p.method == "SATNMF+SVM") & (p.metric == "UAR")]
    assert s["percent"].mean() == pytest.approx(43.74, abs=0.01)      # SATNMF Table 3 "Average"
    assert isinstance(p, pd.DataFrame)


def test_papermill_path_runs_each_pair_once(tmp_path, monkeypatch):
    import papermill

    from stienet.experiments import run_papermill

    calls = []

    def fake_execute(src, dst, progress_bar, parameters, kernel_manager_class):
        assert kernel_manager_class.transport.default_value in ("ipc", "tcp")
        calls.append(parameters)
        open(dst, "w").write("{}")
    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    settings = Settings(seeds=(0,), presets=("open",), epochs=2, scale=0.1)
    made = run_papermill(settings, runs_dir=tmp_path / "runs", progress=False)
    assert len(made) == len(calls) == 12 and all(p.is_file() for p in made)
    assert calls[0]["epochs"] == 2 and calls[0]["synthetic_scale"] == 0.1
    assert calls[0]["preset"] == "open" and made[0].name.endswith("_seed0_open.ipynb")
    assert {(c["source"], c["target"]) for c in calls} == {(p.stem[0], p.stem[2]) for p in made}
    assert not list((tmp_path / "runs").glob(".*"))                   # no temporary files left
    assert len(run_papermill(settings, runs_dir=tmp_path / "runs", progress=False)) == 12
    assert len(calls) == 12                                           # second call: all kept
