"""Importing sshn_keras.plots keeps matplotlib's backend: figures still show in a notebook."""

import pytest

nbformat = pytest.importorskip("nbformat", reason="install the test extra: pip install -e '.[test]'")
from nbclient import NotebookClient  # noqa: E402
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402


def image_outputs(cell) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


@pytest.mark.slow
def test_figures_show_after_importing_sshn_keras_plots(tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebook's own (inline) backend
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    nb = new_notebook(cells=[
        new_code_cell("import matplotlib.pyplot as plt\nimport sshn_keras.plots\nimport matplotlib\nprint(matplotlib.get_backend())"),
        new_code_cell("plt.plot([0, 1], [1, 0]); plt.title('a line'); plt.show()"),
        new_code_cell("rows = [{'phi': p, 'dice_mean': 0.5 + p, 'dice_std': 0.1, 'gflops': p} for p in (0.1, 0.2)]\n"
                      f"sshn_keras.plots.plot_dice_vs_phi(rows, {str(tmp_path / 'p.png')!r})\n"
                      "fig, ax = plt.subplots(); ax.imshow([[0, 1], [1, 0]]); plt.show()"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    backend = nb.cells[0].outputs[0]["text"].strip()
    assert "inline" in backend, backend
    assert image_outputs(nb.cells[1]) == 1 and image_outputs(nb.cells[2]) == 1
