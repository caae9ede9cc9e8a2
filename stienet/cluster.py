"""Sweeps on a Dask cluster: ``sweep … --cluster ADDRESS`` (book page "Running sweeps on a
cluster").

The runs are those of :func:`stienet.experiments.expand`, and each is executed by the same
:func:`stienet.experiments.execute` as with ``--jobs``. What changes is where:

* ``ADDRESS`` is ``tcp://host:8786`` (a running scheduler: ``dask scheduler`` and
  ``dask worker``, or ``dask ssh`` over several workstations), ``local:N`` (a
  :class:`distributed.LocalCluster` of N single-threaded worker processes here) or ``slurm:N``
  (N workers through :class:`dask_jobqueue.SLURMCluster`, configured by dask's own
  ``jobqueue.yaml``).
* **The client owns the results.** A task returns its record; the client writes it atomically
  at the run's path, so the workers need no shared file system. Runs whose file is already
  valid are not submitted, so a restarted sweep submits only the rest.
* **Faults.** A run whose worker dies is rescheduled by the scheduler (at most
  ``distributed.scheduler.allowed-failures`` times: 2 here unless your dask configuration says
  otherwise). A run that raises is not retried: it would fail the same way; it is reported by
  name at the end and the others finish. Ctrl-C cancels what is pending and keeps what is
  written.
* **Same code everywhere.** Workers must run the client's package version and git commit; a
  mismatch is refused before anything is submitted, naming both.
* A worker's torch threads are its Dask threads (1 for ``local:N``); each result records the
  worker's host, address and device.
"""
from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import replace
from pathlib import Path

from .experiments import RunSpec, Settings, SweepReport, execute, pending_runs, run_identity
from .checks import UsageError
from .results import portable_record, portable_value, save_result

#: Rescheduling of a run whose worker died, unless the user's dask configuration sets it.
ALLOWED_FAILURES = 2
#: Environment of the workers. pyarrow's default jemalloc pool (pandas reads the cached corpora
#: through it) kept a worker process alive for 4 s at exit, in a ``jemalloc_bg_thd`` thread
#: (seen with gdb), until its nanny killed it; the system allocator exits at once (measured:
#: cluster close 4.3 s -> 2.5 s). Set for ``local:N``, and by each task before pyarrow loads.
WORKER_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system"}
#: Dask's nannies start workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (its
#: ``distributed.nanny.pre-spawn-environ``). Setting that variable switches off glibc's dynamic
#: mmap threshold, so every large tensor of a training step is mapped and unmapped afresh: one
#: epoch took 4.4 s instead of 1.7 s (stand-ins at scale 0.25, one thread; the same slowdown in
#: a plain process started with the variable). ``local:N`` unsets it; on other clusters
#: :func:`check_workers` warns when the workers have it.
MALLOC_VARIABLE = "MALLOC_TRIM_THRESHOLD_"


def identity() -> dict:
    """This process's package version and git commit (``-dirty`` for local changes)."""
    from . import __version__
    from .results import git_commit

    return {"package_version": __version__, "git_commit": git_commit()}


def _describe(ident: dict) -> str:
    return f"stienet {ident['package_version']} at commit {ident['git_commit'] or 'unknown'}"


# --- where the workers come from ---------------------------------------------------------------

def parse_cluster(address: str) -> tuple[str, int | str]:
    """``("local", N)``, ``("slurm", N)`` or ``("address", "tcp://…")``; a clear error otherwise."""
    address = str(address).strip()
    for kind in ("local", "slurm"):
        if address.startswith(kind + ":"):
            n = address[len(kind) + 1:]
            if not n.isdigit() or int(n) < 1:
                raise UsageError(f"--cluster {address}: expected {kind}:N with N >= 1 workers")
            return kind, int(n)
    if "://" in address and address.split("://", 1)[1]:
        return "address", address
    raise UsageError(f"--cluster {address!r}: expected a scheduler address (tcp://host:8786), "
                     "local:N or slurm:N")


def _user_sets(key: str) -> bool:
    """Whether the user's dask configuration (files or DASK_* variables) sets ``key``."""
    import dask.config

    node = dask.config.collect()
    for part in key.split("."):
        if not isinstance(node, dict):
            return False
        node = {k.replace("_", "-"): v for k, v in node.items()}
        if part not in node:
            return False
        node = node[part]
    return True


def build_cluster(address: str, threads: int | None = None):
    """The cluster object for ``local:N`` / ``slurm:N`` (``None`` for a scheduler address),
    and the number of workers to ask for. Nothing is submitted to SLURM here: see
    :func:`open_client`, which scales it."""
    import dask.config

    kind, n = parse_cluster(address)
    if kind == "address":
        return None, None
    if not _user_sets("distributed.scheduler.allowed-failures"):
        dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES})
    if kind == "local":
        from distributed import LocalCluster

        if not _user_sets(f"distributed.nanny.pre-spawn-environ.{MALLOC_VARIABLE}"):
            dask.config.set({f"distributed.nanny.pre-spawn-environ.{MALLOC_VARIABLE}": None})

        return LocalCluster(n_workers=n, threads_per_worker=threads or 1, processes=True,
                            dashboard_address=":0", env=dict(WORKER_ENV)), n
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError as exc:  # pragma: no cover - pinned in requirements.txt
        raise UsageError("--cluster slurm:N needs dask-jobqueue (pip install -r "
                         "requirements.txt)") from exc
    return SLURMCluster(), n       # cores, memory, queue, job_extra…: jobqueue.yaml


def open_client(address: str, threads: int | None = None):
    """A connected :class:`distributed.Client` and the cluster it started (``None`` for a
    scheduler address, which is left running)."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - pinned in requirements.txt
        raise UsageError("--cluster needs dask's distributed (pip install -r requirements.txt)") from exc
    cluster, n = build_cluster(address, threads)
    if cluster is None:
        try:
            return Client(address, timeout=30), None
        except OSError as exc:
            raise UsageError(f"--cluster {address}: no scheduler answered ({exc})") from None
    if address.startswith("slurm:"):
        cluster.scale(n)
    return Client(cluster), cluster


def _malloc_setting() -> str | None:
    return os.environ.get(MALLOC_VARIABLE)


def check_workers(client, expected: dict | None = None, warn=print) -> dict:
    """Refuse workers that run another package version or commit than ``expected`` (the
    client's), and ``warn`` once about workers started with dask's ``MALLOC_TRIM_THRESHOLD_``
    (:data:`MALLOC_VARIABLE`); returns {worker address: identity}."""
    expected = expected or identity()
    malloc = {w: v for w, v in client.run(_malloc_setting).items() if v is not None}
    if malloc:
        warn(f"{len(malloc)} worker(s) run with {MALLOC_VARIABLE}={next(iter(malloc.values()))} "
             "(dask's default), which made STIENet training 2.6x slower on this project's "
             "machine: start them with the dask setting "
             f"distributed.nanny.pre-spawn-environ.{MALLOC_VARIABLE}: null (book page "
             "'Running sweeps on a cluster')")
    found = client.run(identity)
    wrong = {w: i for w, i in found.items() if i != expected}
    if wrong:
        worker, ident = next(iter(wrong.items()))
        raise UsageError(f"worker {worker} runs {_describe(ident)}, the client "
                         f"{_describe(expected)} ({len(wrong)} of {len(found)} workers differ); "
                         "install the same checkout on every worker")
    return found


# --- the corpora as the workers see them -------------------------------------------------------

def worker_settings(settings: Settings, worker_data_root: str | None) -> Settings:
    """``settings`` with the data root, and manifest CSVs below it, moved to
    ``worker_data_root`` (the same corpora at another path on the workers)."""
    if not worker_data_root:
        return settings
    if not settings.data_root:
        raise UsageError("--worker-data-root needs --data-root (the corpora's path here)")
    return replace(settings, data_root=str(worker_data_root),
                   corpora=tuple(_remap(c, settings.data_root, worker_data_root) for c in settings.corpora),
                   study_pair=tuple(_remap(c, settings.data_root, worker_data_root)
                                    for c in settings.study_pair))


def _remap(corpus: str, here: str, there: str) -> str:
    from .data.specs import manifest_path

    if manifest_path(corpus) is None:
        return corpus                                       # a corpus code: found below the root
    path = Path(corpus).expanduser().resolve()
    root = Path(here).expanduser().resolve()
    try:
        return str(Path(there) / path.relative_to(root))
    except ValueError:
        raise UsageError(f"manifest {corpus} is not below --data-root {here}: --worker-data-root "
                         "cannot say where the workers find it") from None


def _remap_spec(spec: RunSpec, here: Settings, there: Settings) -> RunSpec:
    if here is there:
        return spec
    move = dict(zip((*here.corpora, *here.study_pair), (*there.corpora, *there.study_pair)))
    return replace(spec, source=move.get(spec.source, spec.source), target=move.get(spec.target, spec.target))


# --- one run on a worker -----------------------------------------------------------------------

def run_on_worker(spec: RunSpec, settings: Settings, expected: dict) -> tuple[dict, float]:
    """The task: one run, its record made portable where the corpora are (provenance read on
    the worker), with the worker's host, address and device. Raises on a version mismatch."""
    from distributed import get_worker

    from .threads import configure_threads

    for key, value in WORKER_ENV.items():
        os.environ.setdefault(key, value)
    mine = identity()
    if mine != expected:
        raise RuntimeError(f"this worker runs {_describe(mine)}, the client {_describe(expected)}")
    worker = get_worker()
    threads = configure_threads(worker.state.nthreads, probe=False)
    start = time.perf_counter()
    record = portable_record(execute(spec, settings))
    record["worker"] = {"host": socket.gethostname(), "address": worker.address, "pid": os.getpid(),
                        "device": record.get("device"), "torch_threads": threads}
    return record, time.perf_counter() - start


# --- the sweep ---------------------------------------------------------------------------------

def run_sweep_on_cluster(sweep: str, settings: Settings, out="results", cluster: str = "local:2",
                         worker_data_root: str | None = None, threads: int | None = None,
                         progress: bool = True, client=None) -> SweepReport:
    """Every missing run of ``sweep`` on a Dask cluster (module docstring). ``client``: an
    already connected client (tests); else one is opened from ``cluster`` and closed at the
    end. ``report.submitted`` counts the runs sent to the cluster."""
    from tqdm import tqdm

    start = time.perf_counter()
    there = worker_settings(settings, worker_data_root)
    report, todo = pending_runs(sweep, settings, out)
    if not todo:
        report.wall_s = time.perf_counter() - start
        return report
    own = client is None
    local = None
    if own:
        client, local = open_client(cluster, threads)
    data = settings.data()
    futures = {}
    try:
        expected = identity()
        check_workers(client, expected)
        if progress and client.dashboard_link:
            print(f"dask dashboard: {client.dashboard_link}", flush=True)
        for spec in todo:
            key = f"stienet-{spec.sweep}-{spec.method}-{spec.path('', data).stem}-{uuid.uuid4().hex[:8]}"
            report.keys[str(spec.path(out, data))] = key
            fut = client.submit(run_on_worker, _remap_spec(spec, settings, there), there, expected,
                                key=key, pure=False, retries=0)
            futures[fut] = spec
        report.submitted = len(futures)
        _collect_results(report, futures, settings, out, data,
                         tqdm(total=len(futures), desc=f"sweep {sweep} on {cluster} "
                              f"({report.skipped} done before)", unit="run", disable=not progress))
    except KeyboardInterrupt:
        client.cancel([f for f in futures if not f.done()])
        raise
    finally:
        for tmp in (Path(out) / data / sweep).rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        if own:
            client.close()
            if local is not None:
                local.close()
    report.wall_s = time.perf_counter() - start
    return report


def _collect_results(report: SweepReport, futures: dict, settings: Settings, out, data, bar) -> None:
    """Write each finished run's record as it arrives (the client's spec and settings in it),
    and note each run that raised, once."""
    from distributed import as_completed

    for fut in as_completed(list(futures)):
        spec = futures[fut]
        if fut.status == "error":
            exc = fut.exception()
            report.failed.append((spec, f"{type(exc).__name__}: {exc}"))
        elif fut.status == "cancelled":
            report.failed.append((spec, "cancelled"))
        else:
            record, wall = fut.result()
            record.update(portable_value(run_identity(spec, settings), settings.data_root))
            path = save_result(record, spec.path(out, data))
            report.done.append((str(path), wall))
        fut.release()
        bar.update(1)
    bar.close()
