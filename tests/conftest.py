import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Under `pytest -n N` the workers share the cores: one thread each for TensorFlow's ops
    # (set before TensorFlow starts; subprocesses and notebook kernels inherit it).
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest_plugins = ("cpu_durations",)  # --cpu-durations N: CPU seconds per test and per file

if os.environ.get("PYTEST_XDIST_WORKER"):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(int(os.environ["TF_NUM_INTRAOP_THREADS"]))


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield
    keras.backend.clear_session()


@pytest.fixture
def tiny_data():
    """32x32 synthetic images, 4 classes (fast to train on)."""
    from sshn_keras.data import make_synthetic_segmentation

    data = make_synthetic_segmentation(48, size=32, seed=3)
    return data.images, data.labels


TINY = dict(input_shape=(32, 32, 1), num_classes=4, filters=4, num_stages=3)


@pytest.fixture
def tiny_arch():
    return dict(TINY)


def rms(x):
    return float(np.sqrt(np.mean(np.square(np.asarray(x, np.float64)))))
