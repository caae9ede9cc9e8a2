"""Your own corpus from the command line: manifest CSVs as --source/--target in `train`,
`satnmf` and the main job (`notebook`), end to end on tiny generated corpora. The target has no
fear clips, which must be handled and said."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tone

TINY = ["--epochs", "1", "--batch-size", "4"]


def cli(*args, cwd=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "stienet", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def write_manifest(folder: Path, emotions: dict[str, int], seed: int) -> Path:
    """A manifest corpus of short tones: {emotion: clips}, two speakers."""
    lines = ["path,emotion,speaker"]
    k = 0
    for emotion, n in emotions.items():
        for i in range(n):
            name = f"{emotion}_{i}.wav"
            write_tone(folder / "wav" / name, seconds=0.6, freq=150 + 40 * k + 7 * seed)
            lines.append(f"wav/{name},{emotion},spk{i % 2}")
            k += 1
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n")
    return folder / "manifest.csv"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    root = tmp_path_factory.mktemp("mine")
    src = write_manifest(root / "actors", {"anger": 4, "fear": 4, "happiness": 4, "sadness": 2}, 0)
    tgt = write_manifest(root / "street", {"anger": 3, "happiness": 3, "sadness": 3,
                                           "neutral": 3}, 1)
    return src, tgt


def test_train_on_manifest_corpora_says_the_missing_class(corpora, tmp_path):
    src, tgt = corpora
    res = cli("train", "--source", src, "--target", tgt, *TINY, "--device", "cpu",
              "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    assert "warning: the target corpus street has no fear clips" in res.stderr
    assert "Traceback" not in res.stderr
    assert "epoch 1/1" in res.stdout and "H " in res.stdout
    assert "note: the target has no fear clips" in res.stdout
    path = tmp_path / "real" / "STIENet" / "actors_street_seed0_paper.json"
    assert f"result JSON: {path}" in res.stdout
    rec = json.loads(path.read_text())
    assert rec["source"] == "actors" and rec["target"] == "street" and rec["data"] == "real"
    assert str(src.parent) not in path.read_text()                    # no local path is stored
    assert rec["label_names"] == ["anger", "fear", "happiness", "unknown"]
    assert sum(rec["metrics"]["confusion"][1]) == 0          # no fear row in the target
    assert rec["n_target"] == 12


def test_satnmf_on_manifest_corpora(corpora, tmp_path):
    src, tgt = corpora
    res = cli("satnmf", "--source", src, "--target", tgt, "--method", "SVM", "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    rec = json.loads((tmp_path / "real" / "SVM" / "actors_street_seed0.json").read_text())
    assert rec["label_names"] == ["anger", "happiness", "sadness"]   # shared classes


@pytest.mark.slow   # over 10 s: an end-to-end run
def test_sweep_on_manifest_corpora(corpora, tmp_path):
    """`sweep pairs --corpora` runs every ordered pair of manifest corpora, files named by
    corpus; resumable (a second call runs nothing); `--pair` sets the ablation's pair."""
    src, tgt = corpora
    studio = write_manifest(tmp_path / "studio", {"anger": 3, "fear": 3, "happiness": 3,
                                                  "neutral": 2}, 2)
    args = ["sweep", "pairs", "--corpora", src, studio, "--presets", "open", "--seeds", "0",
            *TINY, "--device", "cpu", "--out", tmp_path]
    res = cli(*args)
    assert res.returncode == 0, res.stderr
    assert "2 runs, 0 already done, 2 run now" in res.stdout and "0 failed" in res.stdout
    for a, b in (("actors", "studio"), ("studio", "actors")):
        rec = json.loads((tmp_path / "real" / "pairs" / "STIENet" / f"{a}_{b}_seed0_open.json")
                         .read_text())
        assert rec["data"] == "real" and rec["preset"] == "open"
    assert "2 already done, 0 run now" in cli(*args).stdout
    dry = cli("sweep", "ablation", "--pair", tgt, src, "--presets", "open", "--seeds", "0",
              "--dry-run", "--out", tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "street_actors_seed0_open_all=1.json" in dry.stdout


@pytest.mark.parametrize("args, message", [
    (["sweep", "satnmf", "--corpora", "B", "C"], "--corpora chooses the corpora of the pairs sweep"),
    (["sweep", "pairs", "--corpora", "B"], "--corpora needs at least two corpora"),
    (["sweep", "pairs", "--corpora", "B", "B"], "a cross-corpus run needs two different corpora"),
    (["sweep", "pairs", "--corpora", "B", "nope.csv"], "manifest nope.csv does not exist"),
    (["sweep", "pairs", "--pair", "B", "C"], "--pair chooses the study pair"),
])
def test_sweep_corpora_errors(args, message):
    res = cli(*args)
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


@pytest.mark.slow   # over 10 s: an end-to-end run
def test_main_job_on_manifest_corpora_talks_to_the_terminal(corpora, tmp_path):
    """The main job command: one line per epoch and the summary on stdout, no kernel TCP
    warning, result JSON under --out, executed notebook at --output."""
    src, tgt = corpora
    nb = tmp_path / "runs" / "mine.ipynb"
    res = cli("notebook", "--source", src, "--target", tgt, "--epochs", "2", "--batch-size", "4",
              "--clip-seconds", "1", "--device", "cpu", "--tsne-points", "0", "--output", nb,
              "--out", tmp_path / "runs", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "TCP" not in res.stderr and "Traceback" not in res.stderr
    assert "epoch 1/2" in res.stdout and "epoch 2/2" in res.stdout
    for meaning in ("OS*", "UNK", "H ", "harmonic mean"):
        assert meaning in res.stdout
    assert "DEGENERATE" in res.stdout or "not degenerate" in res.stdout
    assert f"executed notebook: {nb}" in res.stdout
    assert (tmp_path / "runs" / "real" / "STIENet" / "actors_street_seed0_paper.json").is_file()
    cells = json.loads(nb.read_text())["cells"]
    outputs = [o for c in cells for o in c.get("outputs", [])]
    assert len(outputs) < 30        # no progress-bar outputs (issue #16: 582 of them)


def test_main_job_notebook_checks_its_parameters(tmp_path):
    """The notebook's first cell gives the command line's message for a bad parameter."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    nb = Path(__file__).parents[1] / "notebooks" / "train.ipynb"
    with pytest.raises(PapermillExecutionError) as info:
        pm.execute_notebook(str(nb), str(tmp_path / "bad.ipynb"), progress_bar=False,
                            parameters=dict(source="Q", target="C"), kernel_name="python3")
    assert info.value.ename == "UsageError"
    assert "parameter error: source 'Q' is neither a corpus code nor a manifest CSV" in \
        info.value.evalue
    assert info.value.exec_count <= 3          # the first cells, before any import of torch


ONE_CELL = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                       "outputs": [], "source": "print(6 * 7)"}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("engine, warned", [([], True), (["--engine", "stienet"], False)])
def test_papermill_engine_stienet_starts_the_kernel_on_ipc(tmp_path, engine, warned):
    """The real `papermill` command: jupyter's default TCP transport makes ipykernel warn; the
    `stienet` engine uses IPC sockets and has nothing to warn about. The engine is found the
    way an installed package is, through the entry point of pyproject.toml (here written into
    a dist-info folder on PYTHONPATH, as `pip install -e .` would)."""
    import os
    import tomllib

    meta = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    entry = meta["project"]["entry-points"]["papermill.engine"]["stienet"]
    site = tmp_path / "site" / "stienet_engine-0.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: stienet-engine\nVersion: 0\n")
    (site / "entry_points.txt").write_text(f"[papermill.engine]\nstienet = {entry}\n")
    nb = tmp_path / "one.ipynb"
    nb.write_text(json.dumps(ONE_CELL))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path / "site"), str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    res = subprocess.run([sys.executable, "-m", "papermill", str(nb), str(tmp_path / "out.ipynb"),
                          "--no-progress-bar", *engine], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    assert ("running over TCP" in res.stderr) is warned, res.stderr
    out = json.loads((tmp_path / "out.ipynb").read_text())
    assert "".join(out["cells"][0]["outputs"][0]["text"]) == "42\n"


def test_empty_manifest_label_exits_2_before_training(tmp_path):
    src = write_manifest(tmp_path / "actors", {"anger": 2, "fear": 2, "happiness": 2}, 0)
    bad = tmp_path / "street" / "manifest.csv"
    bad.parent.mkdir()
    bad.write_text(f"path,emotion,speaker\n{src.parent / 'wav' / 'anger_0.wav'},,spk0\n")
    res = cli("train", "--source", src, "--target", bad, *TINY, "--device", "cpu",
              "--out", tmp_path)
    assert res.returncode == 2 and "empty emotion label" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and "epoch" not in res.stdout


@pytest.mark.slow   # over 10 s: an end-to-end run
def test_two_concurrent_main_jobs_keep_both_notebooks_and_jsons(corpora, tmp_path):
    """Two `notebook` runs of one pair at once, differing in seed and in preset: each writes
    its notebook beside its own JSON (<S>_<T>_seed<k>_<preset>), nothing is overwritten."""
    src, tgt = corpora
    args = ["--source", src, "--target", tgt, "--epochs", "1", "--batch-size", "4",
            "--clip-seconds", "1", "--device", "cpu", "--tsne-points", "0", "--threads", "1",
            "--out", tmp_path / "runs"]
    runs = [["--seed", "0", "--preset", "paper"], ["--seed", "1", "--preset", "open"]]
    procs = [subprocess.Popen([sys.executable, "-m", "stienet", "notebook", *map(str, args), *r],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path) for r in runs]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, out + err
        assert out.startswith("data: real corpora actors (manifest), street (manifest)\n"), out
    folder = tmp_path / "runs" / "real" / "STIENet"
    assert sorted(p.name for p in folder.iterdir()) == [
        "actors_street_seed0_paper.ipynb", "actors_street_seed0_paper.json",
        "actors_street_seed1_open.ipynb", "actors_street_seed1_open.json"]
    assert json.loads((folder / "actors_street_seed1_open.json").read_text())["preset"] == "open"
