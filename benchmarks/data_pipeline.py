"""Is the input pipeline ever the bottleneck? Batches/s of `make_dataset` vs SSHN training steps/s.

For WBC (the real data, 128x128 RGB, 3 classes) and OASIS-format data (the
neurite-oasis 2D layout, 160x192, seg4; written to a temporary folder with
seeded content, as the real release is not available offline), this times

* the pipeline: iterating `make_dataset(..., batch_size=8, augment=True)`
  (and without augmentation), after loading (decoding) the files once;
* an SSHN training step on the same machine: `SSHNUNet(input_shape=(H, W, C),
  num_classes=K)` (default architecture) compiled with Adam and
  `SegmentationCrossEntropy`, `train_on_batch` at batch 8;

and prints the ratio (pipeline batches/s over training steps/s), which must
be at least 5.

Usage:
    python benchmarks/data_pipeline.py [--wbc-root DIR] [--steps 5] [--batches 50]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

REQUIRED_RATIO = 5.0
BATCH_SIZE = 8


def write_oasis_format(root: Path, num_subjects: int = 64, seed: int = 0) -> Path:
    """Write `num_subjects` slices in the neurite-oasis 2D layout (160x192, seg4 + colour table)."""
    import nibabel

    rng = np.random.default_rng(seed)
    table = ["# FreeSurfer colour table", "0 Unknown 0 0 0 0", "1 Cortex 245 245 245 0",
             "2 Subcortical-GM 220 248 164 0", "3 White-Matter 120 18 134 0", "4 CSF 60 58 210 0"]
    (root / "seg4_labels.txt").write_text("\n".join(table) + "\n")
    rows, cols = np.mgrid[:160, :192]
    for i in range(num_subjects):
        folder = root / f"OASIS_OAS1_{i + 1:04d}_MR1"
        folder.mkdir(parents=True)
        radius = np.hypot((rows - 80) / 70.0, (cols - 96) / 85.0) + 0.05 * rng.standard_normal((160, 192))
        seg = np.digitize(radius, [0.3, 0.55, 0.8, 1.0])[..., None]
        seg = np.where(seg == 4, 0, seg + (seg > 0)).clip(0, 4).astype(np.uint8)
        norm = np.clip(seg / 4.0 + 0.05 * rng.standard_normal(seg.shape), 0, 1).astype(np.float32)
        nibabel.save(nibabel.Nifti1Image(norm, np.eye(4)), str(folder / "slice_norm.nii.gz"))
        nibabel.save(nibabel.Nifti1Image(seg, np.eye(4)), str(folder / "slice_seg4.nii.gz"))
    return root


def pipeline_rate(data, augment: bool, num_batches: int) -> float:
    """Batches per second of `make_dataset` (after a warm-up batch)."""
    from sshn_keras.data import make_dataset

    iterator = iter(make_dataset(data, batch_size=BATCH_SIZE, seed=0, augment=augment, repeat=True))
    next(iterator)
    start = time.perf_counter()
    for _ in range(num_batches):
        x, y = next(iterator)
    x.numpy(), y.numpy()
    return num_batches / (time.perf_counter() - start)


def training_rate(data, num_steps: int) -> float:
    """SSHN training steps per second at batch 8 (after two warm-up steps)."""
    from sshn_keras.losses import SegmentationCrossEntropy
    from sshn_keras.models import SSHNUNet

    model = SSHNUNet(input_shape=data.image_shape, num_classes=data.num_classes)
    model.compile(optimizer="adam", loss=SegmentationCrossEntropy())
    x, y = data.images[:BATCH_SIZE], data.labels[:BATCH_SIZE]
    for _ in range(2):
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(num_steps):
        model.train_on_batch(x, y)
    return num_steps / (time.perf_counter() - start)


def report(name: str, data, load_seconds: float, args) -> bool:
    augmented = pipeline_rate(data, True, args.batches)
    plain = pipeline_rate(data, False, args.batches)
    steps = training_rate(data, args.steps)
    ratio = augmented / steps
    ok = ratio >= REQUIRED_RATIO
    print(f"{name}: {data.summary()}")
    print(f"  decode once (loader): {load_seconds:.2f} s")
    print(f"  pipeline, augmented : {augmented:8.1f} batches/s ({1000 / augmented:7.2f} ms/batch)")
    print(f"  pipeline, plain     : {plain:8.1f} batches/s ({1000 / plain:7.2f} ms/batch)")
    print(f"  SSHN training step  : {steps:8.2f} steps/s   ({1000 / steps:7.1f} ms/step, batch {BATCH_SIZE})")
    print(f"  ratio (augmented pipeline / training): {ratio:.1f}x  -> {'OK' if ok else 'TOO SLOW'} (need >= {REQUIRED_RATIO:g}x)")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wbc-root", default=None, help="WBC folder (default: $SSHN_WBC_DIR or ../shared/data/wbc)")
    parser.add_argument("--steps", type=int, default=5, help="timed training steps")
    parser.add_argument("--batches", type=int, default=50, help="timed pipeline batches")
    args = parser.parse_args(argv)

    import tensorflow as tf

    from sshn_keras.data import load_oasis, load_wbc

    print(f"TensorFlow {tf.__version__}, devices: {[d.device_type for d in tf.config.list_physical_devices()]}, "
          f"CPU cores: {os.cpu_count()}")
    results = []
    try:
        start = time.perf_counter()
        wbc = load_wbc(args.wbc_root, split="train", progress=False)
        results.append(report("WBC", wbc, time.perf_counter() - start, args))
    except FileNotFoundError as error:
        print(f"WBC skipped: {error}")
    with tempfile.TemporaryDirectory() as folder:
        root = write_oasis_format(Path(folder))
        start = time.perf_counter()
        oasis = load_oasis(root, labels="seg4", progress=False)
        results.append(report("OASIS-format", oasis, time.perf_counter() - start, args))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
