"""Run by test_determinism.py in a fresh interpreter (op determinism is process-wide).

Trains the same SSHN twice with `make_deterministic`, records the phi each
training step really used (read back from the graph), prints one JSON line.
"""

import hashlib
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.data import make_synthetic_segmentation  # noqa: E402
from sshn_keras.determinism import make_deterministic  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402
from sshn_keras.models import SSHNUNet  # noqa: E402


class RecordingSSHN(SSHNUNet):
    """Stores the phi drawn inside the training step in a variable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.used_phi = self.add_weight(name="used_phi", shape=(), initializer="zeros", trainable=False)

    def sample_phi(self):
        phi = super().sample_phi()
        self.used_phi.assign(phi)
        return phi


class PhiLog(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.used, self.expected = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.expected.append(float(self.model.prior.sample((self.model.seed, int(self.model.optimizer.iterations)))))

    def on_train_batch_end(self, batch, logs=None):
        self.used.append(float(self.model.used_phi))


def run(model_seed: int) -> dict:
    keras.utils.set_random_seed(0)
    data = make_synthetic_segmentation(24, size=32, seed=3)
    model = RecordingSSHN(input_shape=(32, 32, 1), num_classes=4, filters=4, num_stages=3, seed=model_seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy())
    log = PhiLog()
    model.fit(data.images, data.labels, batch_size=8, epochs=2, shuffle=True, callbacks=[log], verbose=0)
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in model.get_weights())).hexdigest()
    return {"weights_sha256": digest, "used_phi": log.used, "expected_phi": log.expected}


if __name__ == "__main__":
    make_deterministic(0)
    print("RESULT " + json.dumps({"a": run(7), "b": run(7), "other_seed": run(8)}))
