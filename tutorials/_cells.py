"""Cell helpers and the setup cell shared by the tutorial notebooks (see _build.py)."""

from nbformat.v4 import new_code_cell, new_markdown_cell


def md(text):
    return new_markdown_cell(text.strip())


def code(text, tags=()):
    cell = new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


SETUP = code(
    """
import os, sys, json, time, logging, subprocess
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # set before TensorFlow is imported: no C++ info logs
import numpy as np
import matplotlib.pyplot as plt
import keras
import tensorflow as tf
tf.get_logger().setLevel(logging.ERROR)            # no "Assets written to ..." lines when exporting
keras.utils.set_random_seed(0)
print("keras", keras.__version__, "| backend", keras.backend.backend())
"""
)

# The end of 01's and 02's parameter cell: the real neurite-oasis release if it is in DATA_DIR (the brain
# phantom's folders carry a SIMULATED.txt and are not taken for it), else the brain phantom.
DATA_CHOICE = """
def have_oasis(root):
    return (os.path.isdir(root) and not os.path.exists(os.path.join(root, "SIMULATED.txt"))
            and any(n.startswith("OASIS_OAS1_") for n in os.listdir(root)))

USE_OASIS = not FAST and have_oasis(DATA_DIR)
DATA_NAME = "OASIS" if USE_OASIS else "brain phantom (SIMULATED from the MNI template, not OASIS)"
print(f"FAST={FAST}: {'small model, short training' if FAST else 'full training'} on the {DATA_NAME}")
"""

PHANTOM_NOTE = """
**Which data the outputs below come from.** The notebook uses the real OASIS slices when they are in `DATA_DIR` (see section 1) and `FAST` is off. Otherwise, and in the committed outputs, it runs on the **brain phantom**: subjects *simulated* from one real brain, the MNI ICBM152 2009 template that `nilearn` ships (random smooth diffeomorphic deformations, small affine changes, per-tissue intensities, bias field, blur and noise; labels cortex, subcortical grey matter, white matter and CSF derived from the template's tissue maps: `sshn_keras/data/brain_template.py`). Its anatomy is real but its variability is simulated, so its numbers are **not OASIS results**; every figure title says which data it shows.
"""
