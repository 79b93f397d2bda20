import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Under `pytest -n N` the workers share the cores: one thread each for TensorFlow's ops
    # (set before TensorFlow starts; subprocesses and notebook kernels inherit it).
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

# --cpu-durations N: CPU seconds per test and per file; --dist loadgroup: files grouped, expensive work first
pytest_plugins = ("cpu_durations", "xdist_schedule")

if os.environ.get("PYTEST_XDIST_WORKER"):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(int(os.environ["TF_NUM_INTRAOP_THREADS"]))


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield
    # Without Keras' full `gc.collect()` (about 0.25 s of CPU per call once TensorFlow is loaded, over 200 s for the
    # suite); Python's own collector still frees what tests leave behind.
    keras.backend.clear_session(free_memory=False)


def _tiny_data():
    from sshn_keras.data import make_synthetic_segmentation

    data = make_synthetic_segmentation(48, size=32, seed=3)
    return data.images, data.labels


@pytest.fixture
def tiny_data():
    """32x32 synthetic images, 4 classes (fast to train on)."""
    return _tiny_data()


TINY = dict(input_shape=(32, 32, 1), num_classes=4, filters=4, num_stages=3)


@pytest.fixture
def tiny_arch():
    return dict(TINY)


@pytest.fixture(scope="session")
def shared_tiny():
    """`(arch, x, y)`: `tiny_arch` and `tiny_data` for module-scoped fixtures that train one model for many tests
    (building a training graph is most of a small fit's cost). The arrays are read-only."""
    x, y = _tiny_data()
    x.flags.writeable = y.flags.writeable = False
    return dict(TINY), x, y


@pytest.fixture(scope="session")
def phantom_cache(tmp_path_factory):
    """A data cache folder (`SSHN_CACHE_DIR`) for the tests that run the demo or a tutorial: the brain phantom is
    simulated once per test process, not once per test (a first run from an empty cache is
    `benchmarks/first_run.py`'s, and `tests/data/test_brain_phantom.py` tests the simulation)."""
    return tmp_path_factory.getbasetemp() / "sshn_cache"


def rms(x):
    return float(np.sqrt(np.mean(np.square(np.asarray(x, np.float64)))))
