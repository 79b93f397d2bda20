"""Write the tutorial notebooks from their cell lists (run: python tutorials/_build.py).

Keeping the notebooks' source in `_nb01.py`, `_nb02.py` and `_nb03.py` makes
them reviewable as code; the committed .ipynb files are then executed
(`tutorials/execute.py`, tests/tutorials/test_tutorials.py) so that they carry real
outputs.
"""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from _nb01 import NB01  # noqa: E402
from _nb02 import NB02  # noqa: E402
from _nb03 import NB03  # noqa: E402


def write(name, cells):
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, HERE / name)
    print("wrote", HERE / name)


if __name__ == "__main__":
    write("01_oasis_segmentation.ipynb", NB01)
    write("02_oasis_registration.ipynb", NB02)
    write("03_pareto_and_serving.ipynb", NB03)
