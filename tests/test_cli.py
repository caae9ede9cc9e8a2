"""The command line as a newcomer meets it, through the real `python -m stienet` (subprocess):
one-line errors with exit code 2 that arrive before anything heavy is imported, useful --help,
corpora with any codes, report printing its tables, and files with normal permissions."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_tone

REPO = Path(__file__).parents[1]


def cli(*args, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "stienet", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def one_line_error(res, *needles):
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, res.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.mark.parametrize("args, needles", [
    (["train", "--source", "B", "--target", "B"], ["both 'B'", "two different corpora"]),
    (["train", "--source", "b", "--target", "C"], ["'b'", "did you mean 'B'"]),
    (["train", "--source", "Q", "--target", "C"], ["'Q'", "B = Berlin EmoDB"]),
    (["train", "--source", "B", "--target", "C", "--epochs", "0"], ["--epochs must be >= 1"]),
    (["train", "--source", "B", "--target", "C", "--lr", "-1"], ["--lr must be > 0"]),
    (["train", "--source", "B", "--target", "C", "--scale", "0"], ["--scale must be > 0"]),
    (["train", "--source", "B", "--target", "C", "--reject-dropout", "1"],
     ["--reject-dropout must be < 1"]),
    (["train", "--source", "B", "--target", "C", "--data-root", "/no/such/dir"],
     ["--data-root /no/such/dir does not exist"]),
    (["train", "--source", "missing.csv", "--target", "C"], ["manifest missing.csv does not exist"]),
    (["satnmf", "--source", "B", "--target", "B"], ["two different corpora"]),
    (["satnmf", "--source", "B", "--target", "C", "--method", "foo"], ["unknown --method 'foo'"]),
    (["satnmf", "--source", "B", "--target", "C", "--r", "0"], ["--r must be >= 1"]),
    (["corpora", "--codes", "B", "X"], ["'X'"]),
    (["corpora", "--source", "B", "--target", "B"], ["two different corpora"]),
    (["notebook", "--source", "B", "--target", "C", "--epochs", "-3"], ["--epochs must be >= 1"]),
    (["sweep", "pairs", "--jobs", "0"], ["--jobs must be >= 1"]),
    (["sweep", "ablation", "--via", "papermill"], ["pairs sweep only"]),
    (["report", "--out", "/no/such/dir"], ["no results below"]),
    (["sweep", "pairs", "--schemes", "B2C"], ["--schemes chooses the schemes of the satnmf"]),
    (["sweep", "satnmf", "--schemes", "X2Y"], ["unknown scheme(s) X2Y", "B2R"]),
    (["sweep", "satnmf", "--schemes", "R2C"], ["ravdess/manifest.csv", "give --data-root"]),
    (["sweep", "pairs", "--cluster", "local:0"], ["expected local:N with N >= 1"]),
    (["sweep", "pairs", "--cluster", "local:2", "--jobs", "2"], ["with --cluster give the workers"]),
    (["sweep", "pairs", "--worker-data-root", "/x"], ["it needs --cluster"]),
])
def test_bad_arguments_give_one_line_and_exit_2_before_heavy_imports(args, needles):
    start = time.perf_counter()
    res = cli(*args)
    elapsed = time.perf_counter() - start
    one_line_error(res, *needles)
    assert elapsed < 3.0, f"{elapsed:.1f} s"   # < 1 s when idle; bound left loose for load


@pytest.mark.parametrize("command", [["train", "--source", "B", "--target", "C"],
                                     ["satnmf", "--source", "B", "--target", "C"],
                                     ["sweep", "pairs", "--dry-run"]])
def test_an_output_folder_that_is_a_file_is_one_line(tmp_path, command):
    (tmp_path / "f").write_text("")
    one_line_error(cli(*command, "--out", tmp_path / "f"), "is a file")
    one_line_error(cli(*command, "--out", tmp_path / "f" / "sub"), "is a file")


def test_argument_checks_import_no_torch_and_no_data_stack():
    code = ("import sys; from stienet.__main__ import main\n"
            "rc = main(['train', '--source', 'B', '--target', 'B'])\n"
            "print(rc, sorted(m for m in ('torch', 'pandas', 'scipy', 'librosa', 'opensmile')"
            " if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.split("\n")[0] == "2 []", res.stdout + res.stderr


def _undecodable_emodb(root: Path) -> Path:
    (root / "emodb" / "wav").mkdir(parents=True)
    (root / "emodb" / "wav" / "03a01Wa.wav").write_bytes(b"")
    (root / "emodb" / "wav" / "03a01Fa.wav").write_bytes(os.urandom(2000))
    for emotion in ("angry", "fear", "happy"):           # a readable target: only B is broken
        write_tone(root / "casia" / "liuchanhg" / emotion / "201.wav")
    return root


def test_missing_corpus_folder_is_found_before_any_audio_is_decoded(tmp_path):
    """The file lists of every real corpus are read first: an absent target folder stops the
    command before the source's audio is decoded (here it would fail to decode)."""
    root = _undecodable_emodb(tmp_path)
    shutil.rmtree(root / "casia")
    start = time.perf_counter()
    res = cli("train", "--source", "B", "--target", "C", "--data-root", root)
    one_line_error(res, "no folder for corpus 'C'")
    assert res.stdout.startswith("data: real corpora B (Berlin EmoDB), C (CASIA) below --data-root")
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("args", [
    ["train", "--source", "B", "--target", "C", "--epochs", "1"],
    ["corpora", "--codes", "B"],
    ["satnmf", "--source", "B", "--target", "C", "--method", "SVM"],
])
def test_undecodable_audio_is_one_line(tmp_path, args):
    root = _undecodable_emodb(tmp_path)
    res = cli(*args, "--data-root", root)
    one_line_error(res, "none of the 2 files could be decoded")


def test_empty_corpus_folder_is_one_line(tmp_path):
    (tmp_path / "emodb").mkdir()
    one_line_error(cli("corpora", "--codes", "B", "--data-root", tmp_path), "no Berlin EmoDB files")


def test_corpora_with_one_code_and_sample_rates(tmp_path):
    res = cli("corpora", "--codes", "B", "--scale", "0.05")
    assert res.returncode == 0, res.stderr
    assert "file Hz" in res.stdout and "16000" in res.stdout
    assert "open-set split" not in res.stdout       # one corpus: no pair to split
    res = cli("corpora", "--codes", "B", "--target", "C", "--source", "B", "--scale", "0.05")
    assert res.returncode == 0, res.stderr
    assert "open-set split B -> C" in res.stdout and "unknown" in res.stdout


def test_help_shows_a_line_and_default_for_every_option():
    import argparse

    from stienet.__main__ import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == {"corpora", "train", "notebook", "closed-set", "satnmf",
                                     "sweep", "report", "download"}
    for name, sub in commands.choices.items():
        text = " ".join(sub.format_help().split())      # argparse wraps lines
        assert "``" not in text
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, (name, action.dest)
            if action.default not in (None, False, argparse.SUPPRESS) and not action.required:
                default = " ".join(map(str, action.default)) if isinstance(action.default, list) \
                    else str(action.default)
                assert f"(default: {default})" in text.replace("[", "").replace("]", "").replace(
                    ",", "").replace("'", ""), (name, action.dest)
    res = cli("train", "--help")                            # and the real command shows it
    assert res.returncode == 0 and "(default: 30)" in res.stdout and "harmonic mean" in res.stdout
    top = cli("--help").stdout
    assert "``" not in top and "download" in top and "notebook" in top


def test_report_prints_the_tables(tmp_path):
    shutil.copytree(REPO / "results" / "synthetic" / "pairs", tmp_path / "synthetic" / "pairs")
    res = cli("report", "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    assert "| " in res.stdout and "pairs_paper (synthetic)" in res.stdout
    assert "written: " in res.stdout and (tmp_path / "synthetic" / "report" / "pairs_paper.md").is_file()


def test_result_files_get_normal_permissions(tmp_path):
    from stienet.results import save_result

    path = save_result({"a": 1}, tmp_path / "x" / "r.json")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_closed_set_method_names_match():
    from stienet.checks import CLOSED_SET_METHODS
    from stienet.closed_set import SLUGS

    assert tuple(SLUGS.values()) == CLOSED_SET_METHODS


def test_python_floor_is_3_11():
    import tomllib

    meta = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert meta["project"]["requires-python"] == ">=3.11"


def test_corpora_lists_the_corpora_a_partial_data_root_has(tmp_path):
    """A data root with only some corpora: those present are summarised, the absent ones named."""
    root = _undecodable_emodb(tmp_path)
    shutil.rmtree(root / "emodb")
    for emotion in ("angry", "fear", "happy"):
        write_tone(root / "savee" / "DC" / f"{emotion[0]}01.wav", sr=44100)
    res = cli("corpora", "--data-root", root)
    assert res.returncode == 0, res.stderr
    assert "not in " in res.stderr and "B (Berlin EmoDB" in res.stderr and "e (eNTERFACE" in res.stderr
    assert "C (real)" in res.stdout and "S (real)" in res.stdout and "B (real)" not in res.stdout
    assert "open-set split C -> S" in res.stdout
    (root / "casia").rename(root / "elsewhere")
    shutil.rmtree(root / "savee")
    one_line_error(cli("corpora", "--data-root", root), "none of B, C, e, S is in")


@pytest.mark.parametrize("command", [
    ["train", "--source", "B", "--target", "C"],
    ["notebook", "--source", "B", "--target", "C"],
    ["sweep", "pairs", "--dry-run"],
])
def test_absent_device_is_one_line_before_any_corpus_loads(command, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    start = time.perf_counter()
    res = cli(*command, "--device", "cuda", "--out", tmp_path, cwd=tmp_path)
    one_line_error(res, "--device cuda: no CUDA device is available", "use --device cpu")
    assert "data:" not in res.stdout and time.perf_counter() - start < 8   # torch import only


@pytest.mark.slow   # over 10 s: an end-to-end run
def test_threads_option_sets_torch_threads(tmp_path):
    res = cli("train", "--source", "B", "--target", "C", "--epochs", "1", "--scale", "0.02",
              "--threads", "1", "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    import json
    rec = json.loads((tmp_path / "synthetic" / "STIENet" / "B_C_seed0_paper.json").read_text())
    assert rec["torch_threads"] == 1
    one_line_error(cli("train", "--source", "B", "--target", "C", "--threads", "0"),
                   "--threads must be >= 1")
