"""Run by test_distributed.py in a fresh interpreter: two logical CPUs, MirroredStrategy vs one device.

TensorFlow's logical devices must be configured before TF initialises them,
so this cannot run inside the pytest process. Prints one JSON line.
"""

import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.data import make_synthetic_segmentation  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402
from sshn_keras.models import METHODS, build_unet  # noqa: E402
from sshn_keras.resumable import fit_resumable  # noqa: E402

ARCH = dict(input_shape=(32, 32, 1), num_classes=4, filters=4, num_stages=3)


def build(method):
    if method == "fixed":
        return build_unet(**ARCH, phi=0.5)
    return METHODS[method](**ARCH, seed=11)


def train(method, strategy, x, y, weights, folder):
    with strategy.scope():
        model = build(method)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    if weights is not None:
        model.set_weights(weights)
    history = fit_resumable(model, x, y, backup_dir=folder, epochs=1, batch_size=8, seed=0, verbose=0)
    return model, history.history["loss"]


def main(methods):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    data = make_synthetic_segmentation(16, size=32, seed=3)
    x, y = data.images, data.labels
    out = {"replicas": strategy.num_replicas_in_sync, "methods": {}}
    for method in methods:
        keras.utils.set_random_seed(0)
        with tempfile.TemporaryDirectory() as tmp:
            single, single_loss = train(method, tf.distribute.get_strategy(), x, y, None, os.path.join(tmp, "a"))
            keras.utils.set_random_seed(0)
            initial = build(method).get_weights()  # same seed: `single`'s initial weights
            mirrored, mirrored_loss = train(method, strategy, x, y, initial, os.path.join(tmp, "b"))
        diff = max(float(np.max(np.abs(a - b))) for a, b in zip(single.get_weights(), mirrored.get_weights()))
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(initial, single.get_weights()))
        entry = {"max_weight_diff": diff, "max_weight_change": moved, "loss_single": single_loss, "loss_mirrored": mirrored_loss}
        if method != "fixed":
            # the phi of a step, computed on every replica
            phis = []
            for step in (0, 5, 123):
                mirrored.optimizer.iterations.assign(step)
                per_replica = strategy.run(tf.function(mirrored.sample_phi))
                phis.append([float(v) for v in strategy.experimental_local_results(per_replica)])
            entry["replica_phis"] = phis
            entry["expected_phis"] = [float(mirrored.prior.sample((mirrored.seed, s))) for s in (0, 5, 123)]
        out["methods"][method] = entry
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:] or ["sshn", "stochastic", "film", "fixed"])
