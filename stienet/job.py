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
from pathlib import Path

from traitlets import CaselessStrEnum

#: The main job notebook (a jupytext pair with ``notebooks/train.py``).
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "train.ipynb"


def ipc_kernel_manager():
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        """A kernel manager whose kernels listen on IPC (Unix domain) sockets in jupyter's
        runtime folder, reachable by this user only, instead of TCP ports."""

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if os.name == "posix"
                                    else "tcp", config=True)

    return IPCKernelManager


def run_main_job(source: str, target: str, output=None, out_dir="runs", parameters=None,
                 notebook=NOTEBOOK, stream=None) -> int:
    """Execute the main job notebook for ``source -> target``; returns an exit code.

    ``output``: the executed notebook (default ``runs/<source>_<target>.ipynb``); ``out_dir``:
    root of the result JSON (``runs`` by default, git-ignored). ``parameters`` go to papermill
    (see the parameters cell of ``notebooks/train``). ``stream``: where the notebook's printed
    lines go (default ``sys.stdout``).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .data.specs import corpus_name

    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"the main job notebook {notebook} is missing (it ships with the "
                                "repository, not with the installed package)")
    output = Path(output or Path("runs") / f"{corpus_name(source)}_{corpus_name(target)}.ipynb")
    output.parent.mkdir(parents=True, exist_ok=True)
    stream = stream or sys.stdout
    params = dict(parameters or {}, source=source, target=target, out_dir=str(out_dir),
                  notebook_path=str(output))
    print(f"main job: {notebook.name} for {source} -> {target}; executed notebook -> {output}",
          file=stream, flush=True)
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


def _engine_base():
    from papermill.engines import NBClientEngine

    return NBClientEngine


class IPCEngine(_engine_base()):
    """papermill's default engine with the kernel on IPC sockets: ``papermill ... --engine
    stienet`` (after ``pip install -e .``, which registers the entry point)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs.setdefault("kernel_manager_class", ipc_kernel_manager())
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
