"""``sweep --cluster``: the pairs sweep on a Dask LocalCluster of 2 single-threaded worker
processes gives the same result files as ``--jobs 1 --threads 1``, survives a killed worker,
reports a run that raises once, resumes without resubmitting, and stops cleanly on Ctrl-C
(stienet/cluster.py; book page "Running sweeps on a cluster")."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from stienet.checks import UsageError
from stienet.cluster import (build_cluster, check_workers, parse_cluster, run_sweep_on_cluster,
                             worker_settings)
from stienet.experiments import Settings, expand, run_sweep, valid_result

#: STIENet (1 epoch, paper preset) and OSNN on two stand-ins at scale 0.02: 4 runs.
SETTINGS = Settings(seeds=(0,), presets=("paper",), methods=("STIENet", "OSNN"), epochs=1,
                    scale=0.02, corpora=("B", "C"))


def _results(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): json.loads(p.read_text()) for p in out.rglob("*.json")}


def _leftovers(out: Path) -> list:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]


# --- no cluster needed ------------------------------------------------------------------------

@pytest.mark.parametrize("address, parsed", [("local:2", ("local", 2)), ("slurm:8", ("slurm", 8)),
                                             ("tcp://10.0.0.5:8786", ("address", "tcp://10.0.0.5:8786"))])
def test_cluster_addresses(address, parsed):
    assert parse_cluster(address) == parsed


@pytest.mark.parametrize("address", ["local:0", "local:x", "slurm:", "10.0.0.5", "tcp://"])
def test_bad_cluster_address_says_what_was_expected(address):
    with pytest.raises(UsageError, match="expected"):
        parse_cluster(address)


def test_worker_data_root_moves_the_root_and_manifests_below_it(tmp_path):
    here = tmp_path / "data"
    s = Settings(data_root=str(here), corpora=("B", str(here / "ravdess" / "manifest.csv")))
    moved = worker_settings(s, "/scratch/corpora")
    assert moved.data_root == "/scratch/corpora"
    assert moved.corpora == ("B", "/scratch/corpora/ravdess/manifest.csv")
    assert worker_settings(s, None) is s
    with pytest.raises(UsageError, match="not below --data-root"):
        worker_settings(replace(s, corpora=("B", str(tmp_path / "elsewhere.csv"))), "/scratch")
    with pytest.raises(UsageError, match="needs --data-root"):
        worker_settings(Settings(), "/scratch")


def test_slurm_job_script_comes_from_jobqueue_yaml_and_submits_nothing(tmp_path):
    """``slurm:N`` builds a dask-jobqueue SLURMCluster from dask's own configuration files
    (here a test ``jobqueue.yaml`` for a GPU partition); only ``open_client`` scales it."""
    import dask.config

    (tmp_path / "jobqueue.yaml").write_text(
        "jobqueue:\n  slurm:\n    cores: 1\n    processes: 1\n    memory: 16GB\n"
        "    queue: gpu\n    walltime: '04:00:00'\n"
        "    job-extra-directives: ['--gres=gpu:1']\n")
    dask.config.refresh(paths=[str(tmp_path)])
    try:
        cluster, n = build_cluster("slurm:3")
        try:
            script = cluster.job_script()
            assert n == 3 and not cluster.workers           # nothing submitted
            assert "#SBATCH -p gpu" in script and "#SBATCH --gres=gpu:1" in script
            assert "#SBATCH -t 04:00:00" in script and "--nthreads 1" in script
        finally:
            cluster.close()
    finally:
        dask.config.refresh()


# --- on a LocalCluster of 2 worker processes --------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    """``build_cluster("local:2")``: 2 single-threaded worker processes (allowed-failures 2)."""
    from distributed import Client

    local, n = build_cluster("local:2")
    client = Client(local)
    client.wait_for_workers(n)
    yield local, client
    client.close()
    local.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same sweep through ``--jobs 1 --threads 1`` (in this process)."""
    import torch

    before = torch.get_num_threads()
    out = tmp_path_factory.mktemp("jobs")
    rep = run_sweep("pairs", SETTINGS, out=out, jobs=1, threads=1, progress=False)
    torch.set_num_threads(before)
    assert not rep.failed and len(rep.done) == 4
    return _results(out)


@pytest.fixture(scope="module")
def cluster_run(cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("cluster")
    rep = run_sweep_on_cluster("pairs", SETTINGS, out=out, client=cluster[1], progress=False)
    return out, rep


def _same_metrics(found: dict, reference: dict) -> None:
    assert sorted(found) == sorted(reference)
    for name, rec in found.items():
        assert rec["metrics"] == reference[name]["metrics"], name
        assert rec["spec"] == reference[name]["spec"] and rec["settings"] == reference[name]["settings"]
        if "target_log_probs" in rec:
            assert rec["target_log_probs"] == reference[name]["target_log_probs"], name


@pytest.mark.slow   # over 10 s: a cluster starts
def test_cluster_results_equal_the_jobs_results(cluster_run, reference):
    out, rep = cluster_run
    assert rep.submitted == 4 and len(rep.done) == 4 and not rep.failed
    found = _results(out)
    _same_metrics(found, reference)
    for rec in found.values():
        assert rec["worker"]["torch_threads"] == 1 and rec["worker"]["device"] == "cpu"
        assert rec["worker"]["host"] and rec["worker"]["address"].startswith("tcp://")
    assert not _leftovers(out)


@pytest.mark.slow
def test_restarted_sweep_submits_nothing_when_all_runs_are_done(cluster_run, cluster):
    out, _ = cluster_run
    rep = run_sweep_on_cluster("pairs", SETTINGS, out=out, client=cluster[1], progress=False)
    assert rep.submitted == 0 and rep.skipped == 4 and not rep.done


@pytest.mark.slow
def test_workers_with_another_commit_are_refused(cluster):
    with pytest.raises(UsageError, match=r"runs stienet .* the client stienet 0\.0\.0 at commit abc"):
        check_workers(cluster[1], {"package_version": "0.0.0", "git_commit": "abc"})


@pytest.mark.slow
def test_local_workers_keep_glibcs_own_malloc_trimming(cluster):
    """dask's MALLOC_TRIM_THRESHOLD_ (2.6x slower training, stienet.cluster.MALLOC_VARIABLE) is
    unset on local:N workers, so check_workers has nothing to warn about."""
    import os

    from stienet.cluster import MALLOC_VARIABLE

    env = cluster[1].run(lambda: os.environ.get(MALLOC_VARIABLE))
    assert list(env.values()) == [None] * len(env)
    warnings = []
    check_workers(cluster[1], warn=warnings.append)
    assert warnings == []


@pytest.mark.slow
def test_workers_with_dasks_malloc_setting_are_warned_about():
    """Workers started with dask's default pre-spawn environment get one warning naming the fix."""
    import dask.config
    from distributed import Client, LocalCluster

    import os

    saved = dict(os.environ)      # the nanny writes its pre-spawn variables into this process's
    try:                          # environment, and later children would inherit them
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 65536}):
            with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as local, Client(local) as client:
                warnings = []
                check_workers(client, warn=warnings.append)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert len(warnings) == 1 and "MALLOC_TRIM_THRESHOLD_=65536" in warnings[0]
    assert "pre-spawn-environ.MALLOC_TRIM_THRESHOLD_: null" in warnings[0]


@pytest.mark.slow
def test_a_killed_worker_reschedules_its_run_and_nothing_is_lost(cluster, reference, tmp_path):
    """SIGKILL the worker process that the scheduler shows running a STIENet run: the nanny
    restarts it, the scheduler reschedules the run, every result is written exactly once."""
    local, client = cluster
    box = {}
    sweep = threading.Thread(target=lambda: box.update(rep=run_sweep_on_cluster(
        "pairs", SETTINGS, out=tmp_path, client=client, progress=False)))
    sweep.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and sweep.is_alive():
        for worker, keys in client.processing().items():
            running = [k for k in keys if str(k).startswith("stienet-pairs-STIENet-")]
            if running:
                pid = client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, signal.SIGKILL)
                killed = running[0]
                break
        time.sleep(0.05)
    sweep.join(timeout=300)
    assert killed is not None, "no STIENet run was seen running"
    rep = box["rep"]
    assert not rep.failed and len(rep.done) == 4
    starts = [t for t in local.scheduler.story(killed) if t[2] == "processing"]
    assert len(starts) >= 2, starts                      # it was run again after the kill
    _same_metrics(_results(tmp_path), reference)
    for spec in expand("pairs", SETTINGS):
        assert valid_result(spec.path(tmp_path, "synthetic"), spec)[0]
    assert not _leftovers(tmp_path)
    client.wait_for_workers(2, timeout=120)               # the nanny brought it back


@pytest.mark.slow
def test_a_run_that_raises_is_reported_once_and_the_rest_are_written(cluster, tmp_path):
    """A corpus whose audio cannot be decoded makes its runs raise on the worker: each is
    reported once (no retry), and the runs of the other pair are written."""
    local, client = cluster
    broken = tmp_path / "broken"
    broken.mkdir()
    rows = ["path,emotion,speaker"]
    for i, emotion in enumerate(["anger", "fear", "happiness", "sadness"]):
        (broken / f"{i}.wav").write_bytes(os.urandom(1000))
        rows.append(f"{i}.wav,{emotion},s{i % 2}")
    (broken / "manifest.csv").write_text("\n".join(rows) + "\n")
    settings = replace(SETTINGS, methods=("OSNN",), corpora=("B", "C", str(broken / "manifest.csv")))
    out = tmp_path / "out"
    rep = run_sweep_on_cluster("pairs", settings, out=out, client=client, progress=False)
    assert rep.submitted == 6 and len(rep.done) == 2 and len(rep.failed) == 4
    assert len({(s.source, s.target) for s, _ in rep.failed}) == 4
    assert all("broken" in (s.source + s.target) for s, _ in rep.failed)
    for spec, _ in rep.failed:
        key = rep.keys[str(spec.path(out, settings.data()))]
        starts = [t for t in local.scheduler.story(key) if t[2] == "processing"]
        assert len(starts) == 1, (key, starts)           # not retried
    assert len(_results(out)) == 2 and not _leftovers(out)


@pytest.mark.slow
def test_ctrl_c_keeps_finished_results_leaves_no_tmp_and_exits_130(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "stienet", "sweep", "pairs", "--cluster", "local:2",
           "--methods", "STIENet", "OSNN", "--presets", "paper", "--epochs", "1", "--scale", "0.02",
           "--corpora", "B", "C", "--seeds", "0", "1", "2", "3", "4", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not list(out.rglob("*.json")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    found = _results(out)
    assert 1 <= len(found) < 20, len(found)
    specs = {str(s.path(out, "synthetic")): s for s in expand("pairs", replace(SETTINGS, seeds=(0, 1, 2, 3, 4)))}
    for path in out.rglob("*.json"):
        assert valid_result(path, specs[str(path)])[0], path
    assert not _leftovers(out)
