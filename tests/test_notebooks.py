"""Every notebook is a jupytext pair whose .py and .ipynb hold the same cells, so an edited
script never ships with stale outputs (re-run ``jupytext --to ipynb --execute`` after editing)."""
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/*.py found"


@pytest.mark.parametrize("script", NOTEBOOKS, ids=lambda p: p.stem)
def test_pair_in_sync(script):
    twin = script.with_suffix(".ipynb")
    assert twin.is_file(), f"{twin.name} is missing: run jupytext --to ipynb --execute {script}"
    py, nb = jupytext.read(script), jupytext.read(twin)
    cells = lambda n: [(c.cell_type, c.source.strip()) for c in n.cells]  # noqa: E731
    assert cells(py) == cells(nb), f"{script.name} and {twin.name} differ: re-sync and re-execute"
    executed = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.get("execution_count") for c in executed), f"{twin.name} has unexecuted cells"
