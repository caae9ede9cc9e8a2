"""The main job: ``notebooks/train.ipynb`` executed by papermill, talking to the terminal.

``python -m stienet notebook --source B --target C`` calls :func:`run_main_job`. Compared with
the bare ``papermill`` command it

* starts the kernel on **IPC sockets** (:class:`IPCKernelManager`) instead of jupyter's default
  unencrypted TCP ports on localhost, so the kernel has nothing to warn about;
* streams what the notebook prints (one line per epoch, then the summary of
  :func:`stienet.summary.run_summary`) to the terminal as it happens, and nothing else;
* turns a failing cell into one line naming the cell and the error, not two tracebacks.

The bare ``papermill`` command gets the IPC kernel with ``--engine stienet`` (the
:class:`IPCEngine`, registered as a ``papermill.engine`` entry point in ``pyproject.toml``).
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

from traitlets import CaselessStrEnum

#: The main job notebook (a jupytext pair with ``notebooks/train.py``).
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "train.ipynb"


def ipc_kernel_manager():
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        """A kernel manager whose kernels listen on IPC (Unix domain) sockets in jupyter's
        runtime folder, reachable by this user only, instead of TCP ports.

        Each kernel's socket prefix is unique (process id and a random part): jupyter_client's
        own default, ``kernel-ipc`` in the working folder, let two main jobs started at once in
        one folder pick the same socket files, and the second kernel never answered."""

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if os.name == "posix"
                                    else "tcp", config=True)

        @default("ip")
        def _unique_ip(self):
            if self.transport != "ipc":
                return super()._ip_default()
            folder = jupyter_runtime_dir()
            os.makedirs(folder, exist_ok=True)
            return os.path.join(folder, f"stienet-{os.getpid()}-{uuid.uuid4().hex[:8]}-ipc")

    return IPCKernelManager


def run_main_job(source: str, target: str, output=None, out_dir="runs", parameters=None,
                 notebook=NOTEBOOK, stream=None) -> int:
    """Execute the main job notebook for ``source -> target``; returns an exit code.

    ``out_dir``: root of the result JSON (``runs`` by default, git-ignored); ``output``: the
    executed notebook, by default beside its JSON,
    ``<out_dir>/<data>/STIENet/<source>_<target>_seed<k>_<preset>.ipynb`` — so two runs that
    differ in seed or preset keep both notebooks and both JSONs. ``parameters`` go to papermill
    (see the parameters cell of ``notebooks/train``). ``stream``: where the notebook's printed
    lines go (default ``sys.stdout``).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .checks import data_kind, data_line
    from .data.specs import corpus_name
    from .results import result_path

    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"the main job notebook {notebook} is missing (it ships with the "
                                "repository, not with the installed package)")
    parameters = dict(parameters or {})
    data_root = parameters.get("data_root")
    if output is None:
        output = result_path(out_dir, "STIENet", data_kind([source, target], data_root), source,
                             target, parameters.get("seed", 0),
                             parameters.get("preset", "paper")).with_suffix(".ipynb")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    stream = stream or sys.stdout
    params = dict(parameters, source=source, target=target, out_dir=str(out_dir),
                  notebook_path=str(output))
    print(data_line([source, target], data_root), file=stream, flush=True)
    print(f"main job: {notebook.name} for {corpus_name(source)} -> {corpus_name(target)}; "
          f"executed notebook -> {output}", file=stream, flush=True)
    try:
        pm.execute_notebook(str(notebook), str(output), parameters=params, progress_bar=False,
                            log_output=False, stdout_file=stream, stderr_file=sys.stderr,
                            kernel_name="python3", cwd=os.getcwd(),
                            kernel_manager_class=ipc_kernel_manager())
    except PapermillExecutionError as exc:
        message = exc.evalue.strip().splitlines()[-1] if exc.evalue.strip() else exc.ename
        print(f"error: {message}\n  ({exc.ename} in cell {exc.exec_count} of the main job; the "
              f"partly executed notebook is {output})", file=sys.stderr, flush=True)
        return 2 if exc.ename in ("UsageError", "ValueError", "FileNotFoundError",
                                  "UnreadableAudio", "LayoutError", "UnknownLabelError") else 1
    return 0


_ENGINE = None


def __getattr__(name: str):
    """``IPCEngine`` is built on first access, not at import: papermill loads its entry points
    while it is itself being imported, so a module-level ``from papermill.engines import …`` here
    would import this module half-way and fail (whichever of the two is imported first)."""
    global _ENGINE
    if name != "IPCEngine":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _ENGINE is None:
        from papermill.engines import NBClientEngine

        class IPCEngine(NBClientEngine):
            """papermill's default engine with the kernel on IPC sockets: ``papermill ...
            --engine stienet`` (after ``pip install -e .``, which registers the entry point)."""

            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
                kwargs.setdefault("kernel_manager_class", ipc_kernel_manager())
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

        _ENGINE = IPCEngine
    return _ENGINE
