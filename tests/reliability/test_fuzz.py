"""Seeded fuzzing of the model API: random shapes, dtypes, phis, label values and input forms.

Every case goes through `predict`, `evaluate`, `fit` or one of the two
SavedModels (at a phi, phi per request), as a numpy array, a tensor, a
`tf.data` dataset or an `{"image", "phi"}` dict. An oracle says whether the
case is valid; a valid case must give finite outputs equal to the numpy path's
answer, an invalid one a clear error (`ValueError`, `TypeError` or
`InvalidArgumentError`) whose message names the argument. The cases are drawn
from a fixed seed, so the test is deterministic.
"""

import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.export import export_saved_model, load_saved_model
from sshn_keras.losses import SegmentationCrossEntropy
from sshn_keras.models import SSHNUNet

SIZE, CLASSES, NUM_CASES = 8, 3, 40
PATHS = ("predict", "evaluate", "fit", "served_whole", "served_at_phi")
FORMS = ("numpy", "tensor", "dataset", "dict")
SERVED_PHI = 0.3
CLEAR = (ValueError, TypeError, tf.errors.InvalidArgumentError)
NAMES = re.compile(r"`(x|y|image|phi|validation_data)`|name='(image|phi)'|labels|Labels")


def make_case(rng) -> dict:
    path = PATHS[rng.integers(len(PATHS))]
    case = {"path": path, "form": "tensor" if path.startswith("served") else FORMS[rng.integers(len(FORMS))]}
    size = SIZE if rng.random() < 0.7 else int(rng.choice([1, 12]))
    channels = 1 if rng.random() < 0.85 else 3
    case["dtype"] = str(rng.choice(["float32", "float32", "float32", "float64", "float16", "uint8", "int32"]))
    if path.startswith("served"):
        # The signatures take float32; TensorFlow refuses another dtype before the graph runs, naming the
        # input by position ("input #0 ... expected to be a float tensor"), which no check of ours can reword.
        case["dtype"] = "float32"
    batch = int(rng.integers(1, 5))
    x = rng.uniform(0, 1, (batch, size, size, channels))
    if case["dtype"] in ("uint8", "int32"):
        x = np.round(x * 255)
    case["corrupt"] = str(rng.choice(["none"] * 6 + ["nan", "inf"])) if "float" in case["dtype"] else "none"
    if case["corrupt"] != "none":
        x.flat[int(rng.integers(x.size))] = np.nan if case["corrupt"] == "nan" else np.inf
    case["x"] = x.astype(case["dtype"])
    phi_kind = str(rng.choice(["valid"] * 5 + ["zero", "negative", "above", "nan", "differ"]))
    case["phi_kind"] = phi_kind
    case["phi"] = {
        "valid": float(np.float32(rng.uniform(0.05, 1.0))), "zero": 0.0, "negative": -0.5, "above": 1.5,
        "nan": float("nan"), "differ": np.linspace(0.2, 0.8, batch).astype("float32"),
    }[phi_kind]
    if path == "served_at_phi":
        case["phi_kind"], case["phi"] = "valid", SERVED_PHI
    if (case["phi_kind"] == "differ" and batch == 1) or (path == "fit" and case["form"] != "dict"):
        case["phi_kind"], case["phi"] = "valid", 0.2  # fit draws its own phi unless the input brings one
    label_kind = str(rng.choice(["ints"] * 5 + ["one_hot", "out_of_range", "negative", "nan", "bad_one_hot"]))
    case["label_kind"] = label_kind
    labels = rng.integers(0, CLASSES, (batch, size, size))
    case["y"] = {
        "ints": labels.astype("int32"),
        "one_hot": np.eye(CLASSES, dtype="float32")[labels],
        "out_of_range": np.where(labels > 0, 255, 0).astype("int32"),
        "negative": (labels - 1).astype("int32"),
        "nan": np.where(labels > 0, np.nan, 0).astype("float32"),
        "bad_one_hot": np.full((batch, size, size, CLASSES), 7.0, "float32"),
    }[label_kind]
    return case


def is_valid(case) -> bool:
    x = case["x"]
    valid = x.shape[1:] == (SIZE, SIZE, 1) and case["corrupt"] == "none" and case["phi_kind"] == "valid"
    if case["path"] in ("evaluate", "fit"):
        valid = valid and case["label_kind"] in ("ints", "one_hot")
    return valid


def run_case(model, served, case):
    """The case's outputs through its path and form (probabilities or a loss)."""
    x, y, phi, form, path = case["x"], case["y"], case["phi"], case["form"], case["path"]
    if path.startswith("served"):
        whole, at_phi = served
        if path == "served_at_phi":
            return at_phi(image=tf.constant(x))["probabilities"].numpy()
        return whole(image=tf.constant(x), phi=tf.constant(phi, tf.float32))["probabilities"].numpy()
    per_sample = np.broadcast_to(np.reshape(phi, (-1, 1)), (len(x), 1)).astype("float32")
    kwargs = {} if form == "dict" else {"phi": phi}
    if form == "dict":
        inputs = {"image": x, "phi": per_sample}
    elif form == "tensor":
        inputs = tf.constant(x)
    else:
        inputs = x
    if path == "predict":
        if form == "dataset":
            inputs = tf.data.Dataset.from_tensor_slices(x).batch(2)
        return model.predict(inputs, verbose=0, **kwargs)
    labels = tf.constant(y) if form == "tensor" else y
    data = (inputs, labels)
    if form == "dataset":
        data = (tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x)), None)
    if path == "evaluate":
        return np.asarray(model.evaluate(*data, verbose=0, **kwargs))
    fit_kwargs = {} if form == "dataset" else {"batch_size": len(x)}
    return np.asarray(model.fit(*data, epochs=1, shuffle=False, verbose=0, **fit_kwargs).history["loss"][0])


def reference(model, case):
    """The numpy-path answer for a valid case."""
    x = case["x"].astype("float32")
    if case["path"] in ("predict", "served_whole", "served_at_phi"):
        return model.predict(x, phi=case["phi"], verbose=0)
    y = case["y"]
    if case["path"] == "evaluate":
        return np.asarray(model.evaluate(x, y, phi=case["phi"], verbose=0))
    inputs = {"image": x, "phi": np.full((len(x), 1), case["phi"], "float32")} if case["form"] == "dict" else x
    return np.asarray(model.fit(inputs, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0).history["loss"][0])


def snapshot(model):
    return [v.numpy() for v in model.variables + model.optimizer.variables]


def restore(model, state):
    for v, value in zip(model.variables + model.optimizer.variables, state):
        v.assign(value)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    keras.utils.set_random_seed(7)
    model = SSHNUNet(input_shape=(SIZE, SIZE, 1), num_classes=CLASSES, filters=2, num_stages=2, inference_phi=0.25)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    model.fit(np.zeros((1, SIZE, SIZE, 1), "float32"), np.zeros((1, SIZE, SIZE), "int32"), verbose=0)  # build the optimizer
    folder = tmp_path_factory.mktemp("fuzz")
    whole = load_saved_model(export_saved_model(model, folder / "whole")).signatures["serving_default"]
    at_phi = load_saved_model(export_saved_model(model, folder / "at_phi", phi=SERVED_PHI)).signatures["serving_default"]
    return model, (whole, at_phi)


@pytest.mark.slow
def test_fuzz_the_model_api(setup):
    model, served = setup
    rng = np.random.default_rng(20261201)
    outcomes = {"valid": 0, "refused": 0}
    for i in range(NUM_CASES):
        case = make_case(rng)
        valid = is_valid(case)
        label = {k: v for k, v in case.items() if k not in ("x", "y", "phi")} | {"shape": case["x"].shape,
                                                                                "phi": case["phi"]}
        state = snapshot(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # integer images warn
            if valid:
                expected = reference(model, case)
                restore(model, state)
                got = run_case(model, served, case)
                assert np.all(np.isfinite(got)), label
                np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5, err_msg=str(label))
                outcomes["valid"] += 1
            else:
                with pytest.raises(CLEAR) as info:
                    run_case(model, served, case)
                assert NAMES.search(str(info.value)), (label, str(info.value)[-400:])
                outcomes["refused"] += 1
        restore(model, state)
        assert float(model.inference_phi.numpy()) == pytest.approx(0.25), label  # no phi ever sticks
    assert outcomes["valid"] >= 8 and outcomes["refused"] >= 15, outcomes
