"""What `gpu_suite.py` measures beyond time: traces, XLA compilations, peak memory, a device's peak FLOP rate.

* Traces of a Keras training step: `count_step_traces(model)` wraps the
  model's `train_step` before Keras builds its train function. TensorFlow
  runs a `tf.function`'s Python body only while tracing it, so the counter
  moves once per trace (per replica under a `tf.distribute` strategy) and
  never on an executed step. `tf_function_traces(model)` adds TensorFlow's
  own count (`experimental_get_tracing_count`) of the `tf.function`s held by
  Keras' `train_function` (None if a Keras version hides them).
* XLA compilations: `XlaCompilations` points XLA's dump (`--xla_dump_to`,
  set in `XLA_FLAGS` before TensorFlow starts) at a temporary folder; XLA
  writes one `*.before_optimizations.txt` per module it compiles, so the
  number of those files is the number of compilations in this process.
* Peak memory: the device allocator's peak (`tf.config.experimental.
  get_memory_info`) on a GPU, reset before each measurement; on CPU the
  process' peak resident set size (`resource.getrusage`), which only grows.
"""

import atexit
import glob
import os
import resource
import shutil
import tempfile


class XlaCompilations:
    """Counts XLA compilations of this process through XLA's module dump.

    Create it before TensorFlow is imported (XLA reads `XLA_FLAGS` once).
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="sshn_xla_dump_")
        flags = os.environ.get("XLA_FLAGS", "")
        if "--xla_dump_to" in flags:
            raise ValueError(f"XLA_FLAGS already sets --xla_dump_to ({flags!r}); unset it to count compilations.")
        os.environ["XLA_FLAGS"] = f"{flags} --xla_dump_to={self.folder}".strip()
        atexit.register(self.close)

    def count(self) -> int:
        """Modules XLA compiled so far."""
        return len(glob.glob(os.path.join(self.folder, "*.before_optimizations.txt")))

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def count_step_traces(model):
    """Wrap `model.train_step`; returns a function giving the number of times it was traced.

    Call before the model's first `fit` (Keras binds `train_step` when it
    builds the train function).
    """
    count = [0]
    step = model.train_step

    def train_step(data):
        count[0] += 1
        return step(data)

    model.train_step = train_step
    return lambda: count[0]


def tf_function_traces(model):
    """Sum of `experimental_get_tracing_count()` over the `tf.function`s in Keras' train function, or None."""
    found, seen = [], set()

    def walk(obj, depth):
        if id(obj) in seen or depth > 3:
            return
        seen.add(id(obj))
        if hasattr(obj, "experimental_get_tracing_count"):
            found.append(obj)
            return
        for cell in getattr(obj, "__closure__", None) or ():
            try:
                walk(cell.cell_contents, depth + 1)
            except ValueError:  # an empty cell
                pass
        wrapped = getattr(obj, "__wrapped__", None)
        if wrapped is not None:
            walk(wrapped, depth + 1)

    walk(getattr(model, "train_function", None), 0)
    return sum(f.experimental_get_tracing_count() for f in found) if found else None


def reset_peak_memory(tf, gpu: bool) -> None:
    if gpu:
        tf.config.experimental.reset_memory_stats("GPU:0")


def peak_memory_mb(tf, gpu: bool) -> float:
    """Peak memory in MiB: GPU:0's allocator peak, or the process' peak RSS on CPU."""
    if gpu:
        return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# Dense (no sparsity) peak rates in TFLOP/s from the vendors' data sheets, SXM / PCIe as named.
# "fp32": CUDA cores; "tf32": tensor cores on float32 tensors (TensorFlow's default on
# Ampere and later); "bf16": tensor cores in bfloat16 / float16.
PEAK_TFLOPS = {
    "H200": {"fp32": 67.0, "tf32": 494.7, "bf16": 989.4},
    "H100 PCIe": {"fp32": 51.2, "tf32": 378.0, "bf16": 756.0},
    "H100": {"fp32": 67.0, "tf32": 494.7, "bf16": 989.4},
    "A100": {"fp32": 19.5, "tf32": 156.0, "bf16": 312.0},
    "L40S": {"fp32": 91.6, "tf32": 183.0, "bf16": 362.1},
    "L4": {"fp32": 30.3, "tf32": 60.0, "bf16": 121.0},
}


def peak_tflops(gpu_name: str | None, tf32: bool, override: float | None = None):
    """`(TFLOP/s, basis)` of the device's dense float32 rate, or `(None, reason)` if unknown."""
    if override is not None:
        return float(override), "--peak-tflops"
    if not gpu_name:
        return None, "CPU: pass --peak-tflops"
    for key in sorted(PEAK_TFLOPS, key=len, reverse=True):  # "H100 PCIe" before "H100"
        if all(word in gpu_name for word in key.split()):
            kind = "tf32" if tf32 else "fp32"
            return PEAK_TFLOPS[key][kind], f"{key} dense {kind}"
    return None, f"{gpu_name!r} not in the table: pass --peak-tflops"
