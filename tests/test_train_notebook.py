"""The papermill main job (`notebooks/train.ipynb`), run with tiny parameters.

The full-size notebook is excluded from nbval (pyproject addopts); this test covers it."""
import json

import papermill as pm
import pytest
from pathlib import Path

NB = Path(__file__).parents[1] / "notebooks" / "train.ipynb"


@pytest.mark.slow   # a notebook re-execution (17 s)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_train_notebook_runs_with_papermill(tmp_path):
    out = tmp_path / "B_C.ipynb"
    pm.execute_notebook(str(NB), str(out), kernel_name="python3", progress_bar=False,
                        parameters=dict(source="B", target="C", epochs=2, synthetic_scale=0.04,
                                        clip_seconds=1.0, batch_size=8, device="cpu",
                                        tsne_points=20, out_dir=str(tmp_path / "results")))
    result = json.loads((tmp_path / "results" / "synthetic" / "STIENet" / "B_C_seed0_paper.json").read_text())
    assert result["epochs"] == 2 and result["data"] == "synthetic"
    nb = json.loads(out.read_text())
    images = sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
    assert images == 4  # curves, confusion matrix, p(unknown) histogram, t-SNE
