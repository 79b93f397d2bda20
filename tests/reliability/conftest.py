import keras
import pytest


@pytest.fixture(autouse=True)
def _seed():
    """Overrides the suite's fixture: seed every test, but clear the Keras session once per module.

    Most tests here only check that an error is raised; a `clear_session`
    (with its garbage collection) after each of the corpus' ~160 cases would
    cost more than the cases themselves.
    """
    keras.utils.set_random_seed(1234)
    yield


@pytest.fixture(autouse=True, scope="module")
def _clear_session_per_module():
    yield
    keras.backend.clear_session()
