"""One command for everything that differs on an accelerator; writes one JSON file and prints a table.

On whatever devices TensorFlow finds (CPU included):

* trains SSHN, Fixed (phi = 0.5; `jit_compile` True, "auto" and False),
  Stochastic and FiLM with `model.fit` for `--steps` steps after `--warmup`
  steps, at each `--batches` size: steps per second, new traces and XLA
  compilations after the warm-up (see `gpu_probes.py` for how both are
  counted), peak memory, the SSHN / Fixed step-time ratio, and the fraction
  of the device's dense float32 FLOP rate the Fixed U-Net reaches (3x the
  exact forward FLOPs of `sshn_keras.flops` per image and step; the peak
  from `gpu_probes.PEAK_TFLOPS` or `--peak-tflops`);
* trains SSHN under float32, mixed_float16 and mixed_bfloat16 from the same
  weights on the same batches and checks loss and Dice at phi = 0.25 against
  float32 (tolerances `LOSS_RTOL`, `DICE_ATOL`);
* trains SSHN under `MirroredStrategy` over every GPU (on a CPU-only host:
  two logical CPUs) and on one device, from the same weights, and compares
  the weights (`MIRRORED_RTOL`);
* times a 51-point phi sweep against its bare forward passes
  (`benchmarks/sweep.py`'s `time_sweep`);
* exports SSHN at one phi and with phi per request, and SSHN registration
  networks (2D and a small 3D) the same two ways; loads each SavedModel
  under `tf.device("/CPU:0")` and compares its outputs with the model's on
  the CPU (`EXPORT_ATOL`) and on the device (reported: TF32 and other
  device kernels round differently).

Exits with status 1 if a check fails (the JSON's `checks`).

    python benchmarks/gpu_suite.py [--json gpu_suite.json] [--size 160 192] [--batches 8 32] [--steps 200]
    python benchmarks/gpu_suite.py --tiny       # about two minutes on 2 CPU cores: the logic, not the timings
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gpu_probes import XlaCompilations  # noqa: E402  (must set XLA_FLAGS before TensorFlow starts)

XLA = XlaCompilations()

from common import device_name  # noqa: E402
from gpu_probes import count_step_traces, peak_memory_mb, peak_tflops, reset_peak_memory, tf_function_traces  # noqa: E402

import tensorflow as tf  # noqa: E402

PHI = 0.25  # where precision, export and registration outputs are compared
LOSS_RTOL = 0.05  # mixed precision vs float32, relative, after the same steps
DICE_ATOL = 0.05  # mixed precision vs float32, absolute mean foreground Dice
EXPORT_ATOL = 1e-5  # SavedModel on CPU vs the model on CPU
MIRRORED_RTOL = 1e-2  # max |w_mirrored - w_single| / max |w_single - w_initial|
SEGMENTATION = ("sshn", "fixed_xla", "fixed_auto", "fixed_noxla", "stochastic", "film")
JIT = {"fixed_xla": True, "fixed_auto": "auto", "fixed_noxla": False}
TINY = dict(size=[32, 32], batches=[4], steps=3, warmup=2, filters=4, stages=2, compare_steps=3, sweep_images=4,
            size3d=[16, 16, 16])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default="gpu_suite.json", help="output JSON file")
    parser.add_argument("--size", type=int, nargs=2, default=[160, 192], help="2D image size H W")
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--steps", type=int, default=200, help="timed training steps per model")
    parser.add_argument("--warmup", type=int, default=10, help="training steps before counting and timing")
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--stages", type=int, default=5)
    parser.add_argument("--compare-steps", type=int, default=50, help="steps of the precision and mirrored comparisons")
    parser.add_argument("--sweep-images", type=int, default=64)
    parser.add_argument("--size3d", type=int, nargs=3, default=[64, 64, 64], help="3D registration volume D H W")
    parser.add_argument("--peak-tflops", type=float, default=None, help="the device's dense float32 TFLOP/s")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes for a CPU smoke test: " + str(TINY))
    args = parser.parse_args(argv)
    if args.tiny:
        parser.set_defaults(**TINY)
        args = parser.parse_args(argv)
    for name in ("steps", "warmup", "filters", "stages", "compare_steps", "sweep_images"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1; received {getattr(args, name)}")
    if min(args.batches) < 1:
        parser.error(f"--batches must be >= 1; received {args.batches}")
    return args


def setup_devices() -> list:
    """The GPUs, or two logical CPUs on a CPU-only host (for MirroredStrategy); before TensorFlow starts."""
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    return gpus


GPUS = setup_devices()  # before anything starts TensorFlow's devices

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sshn_keras.data import make_synthetic_segmentation  # noqa: E402
from sshn_keras.export import export_saved_model, load_saved_model  # noqa: E402
from sshn_keras.flops import unet_flops  # noqa: E402
from sshn_keras.losses import SegmentationCrossEntropy  # noqa: E402
from sshn_keras.metrics.dice import hard_dice_per_label  # noqa: E402
from sshn_keras.models import METHODS, build_unet  # noqa: E402
from sshn_keras.registration import SSHNVxmDense, compile_registration, export_registration_saved_model  # noqa: E402
from sshn_keras.sweep import phi_grid  # noqa: E402
from sweep import time_sweep  # noqa: E402


# -- data and models -------------------------------------------------------------
def segmentation_data(n: int, size, seed: int):
    """`n` synthetic images and label maps of `size` (H, W), 4 classes."""
    data = make_synthetic_segmentation(n, size=max(16, *size), seed=seed)
    return data.images[:, : size[0], : size[1]], data.labels[:, : size[0], : size[1]]


def repeat_batches(x, y, batch: int):
    return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(batch, drop_remainder=True).prefetch(2)


def build_segmentation(name: str, arch: dict, seed: int = 0):
    """A compiled model of `SEGMENTATION`, weights drawn from `seed`."""
    keras.utils.set_random_seed(seed)
    method = "fixed" if name.startswith("fixed") else name
    model = build_unet(**arch, phi=0.5) if method == "fixed" else METHODS[method](**arch)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SegmentationCrossEntropy(), jit_compile=JIT.get(name, "auto"))
    return model


def train_run(model, data, steps: int, warmup: int, gpu: bool) -> dict:
    """Fit `warmup` steps, then time `steps` more; traces and XLA compilations counted around the timed part."""
    step_traces = count_step_traces(model)
    reset_peak_memory(tf, gpu)
    xla_start = XLA.count()
    model.fit(data, steps_per_epoch=warmup, epochs=1, shuffle=False, verbose=0)
    traces, tf_traces, compilations = step_traces(), tf_function_traces(model), XLA.count()
    start = time.perf_counter()
    history = model.fit(data, steps_per_epoch=steps, epochs=1, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    tf_after = tf_function_traces(model)
    return {
        "jit_compile": model.jit_compile,
        "steps_per_s": steps / seconds,
        "warmup_traces": traces,
        "new_traces": step_traces() - traces,
        "new_tf_function_traces": None if tf_traces is None else tf_after - tf_traces,
        "warmup_xla_compilations": compilations - xla_start,
        "new_xla_compilations": XLA.count() - compilations,
        "peak_memory_mb": peak_memory_mb(tf, gpu),
        "loss": float(history.history["loss"][-1]),
    }


def loss_and_dice(model, x, y) -> tuple:
    """Cross-entropy and mean foreground Dice of `model` at `PHI` (one `predict`)."""
    probs = model.predict(x, phi=PHI, batch_size=8, verbose=0)
    loss = float(SegmentationCrossEntropy()(y, probs))
    d = hard_dice_per_label(y, probs.argmax(-1), model.num_classes)[:, 1:]
    return loss, float(np.nanmean(d)) if np.isfinite(d).any() else float("nan")


# -- sections -----------------------------------------------------------------
def training_section(args, arch, x, y, gpu, gpu_name) -> dict:
    shape = arch["input_shape"]
    flops = unet_flops(shape, arch["num_classes"], 0.5, filters=arch["filters"], num_stages=arch["num_stages"])["total"]
    peak, basis = peak_tflops(gpu_name, tf.config.experimental.tensor_float_32_execution_enabled(), args.peak_tflops)
    out = {"forward_flops_per_image_fixed": flops, "peak_tflops": peak, "peak_basis": basis, "batches": {}}
    for batch in args.batches:
        runs = {}
        for name in SEGMENTATION:
            model = build_segmentation(name, arch)
            runs[name] = train_run(model, repeat_batches(x, y, batch), args.steps, args.warmup, gpu)
            if name.startswith("fixed"):
                achieved = 3 * flops * batch * runs[name]["steps_per_s"] / 1e12
                runs[name]["tflops"] = achieved
                runs[name]["peak_fraction"] = None if peak is None else achieved / peak
            del model
            keras.backend.clear_session()
        ratios = {f"sshn/{n}": runs[n]["steps_per_s"] / runs["sshn"]["steps_per_s"] for n in JIT}
        out["batches"][str(batch)] = {"runs": runs, "step_time_ratio": ratios}
    return out


def precision_section(args, arch, x, y, xv, yv, gpu) -> tuple:
    """SSHN under each policy from the same weights; returns `(result, float32 model, its initial weights, its run)`."""
    data = repeat_batches(x, y, args.batches[0])
    out, initial = {}, None
    for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
        keras.config.set_dtype_policy(policy)
        try:
            model = build_segmentation("sshn", arch)
            if initial is None:
                initial = model.get_weights()
            model.set_weights(initial)
            run = train_run(model, data, args.compare_steps, 1, gpu)
            loss, dice = loss_and_dice(model, xv, yv)
            out[policy] = {"loss": loss, "dice": dice, "steps_per_s": run["steps_per_s"], "new_traces": run["new_traces"]}
        finally:
            keras.config.set_dtype_policy("float32")
        if policy == "float32":
            trained, trained_run = model, run
    ref = out["float32"]
    for policy in ("mixed_float16", "mixed_bfloat16"):
        entry = out[policy]
        entry["loss_rel_diff"] = abs(entry["loss"] - ref["loss"]) / abs(ref["loss"])
        both_nan = math.isnan(entry["dice"]) and math.isnan(ref["dice"])
        entry["dice_abs_diff"] = 0.0 if both_nan else abs(entry["dice"] - ref["dice"])
        entry["within_tolerance"] = bool(entry["loss_rel_diff"] <= LOSS_RTOL and entry["dice_abs_diff"] <= DICE_ATOL)
    out["tolerance"] = {"loss_rtol": LOSS_RTOL, "dice_atol": DICE_ATOL, "steps": args.compare_steps, "phi": PHI}
    return out, trained, initial, trained_run


def mirrored_section(args, arch, x, y, single, initial, one) -> dict:
    """SSHN under `MirroredStrategy` vs `single`, the same model trained on one device from `initial` (run `one`)."""
    devices = [d.name for d in tf.config.list_logical_devices("GPU" if GPUS else "CPU")]
    strategy = tf.distribute.MirroredStrategy(devices)
    batch = args.batches[0]
    if batch % strategy.num_replicas_in_sync:
        raise ValueError(f"--batches[0]={batch} must be a multiple of the {strategy.num_replicas_in_sync} replicas.")
    with strategy.scope():
        mirrored = build_segmentation("sshn", arch)
    mirrored.set_weights(initial)
    many = train_run(mirrored, repeat_batches(x, y, batch), args.compare_steps, 1, bool(GPUS))
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(single.get_weights(), mirrored.get_weights()))
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(initial, single.get_weights()))
    return {
        "devices": devices,
        "replicas": strategy.num_replicas_in_sync,
        "batch": batch,
        "steps_per_s_single": one["steps_per_s"],
        "steps_per_s_mirrored": many["steps_per_s"],
        "new_traces_mirrored": many["new_traces"],
        "max_weight_diff": diff,
        "max_weight_change": moved,
        "loss_single": one["loss"],
        "loss_mirrored": many["loss"],
        "matches": bool(moved > 0 and diff <= MIRRORED_RTOL * moved),
        "tolerance": f"max weight diff <= {MIRRORED_RTOL} x max weight change",
    }


def sweep_section(model, x, y) -> dict:
    phis = phi_grid(0.01, 0.51, 0.01)
    pure, sweep = time_sweep(model, x, y, phis, batch=16, repeats=2)
    return {"points": len(phis), "images": len(x), "pure_s": pure, "sweep_s": sweep, "ratio": sweep / pure,
            "target": 1.3}


def compare_served(serve, inputs: dict, network, network_inputs: dict, keys: dict) -> dict:
    """Max abs differences of `serve(**inputs)` on CPU vs `network(network_inputs)` on CPU and on the device.

    `keys` maps each served output name to the network output it must equal.
    """
    with tf.device("/CPU:0"):
        served = {k: v.numpy() for k, v in serve(**inputs).items()}
        on_cpu = network(network_inputs, training=False)
    on_device = network(network_inputs, training=False)
    pick = (lambda out, k: out[k]) if isinstance(on_cpu, dict) else (lambda out, k: out)
    cpu_diff = max(float(np.max(np.abs(served[s] - np.asarray(pick(on_cpu, n))))) for s, n in keys.items())
    device_diff = max(float(np.max(np.abs(served[s] - np.asarray(pick(on_device, n))))) for s, n in keys.items())
    return {"max_abs_diff_cpu": cpu_diff, "max_abs_diff_device": device_diff, "equal": bool(cpu_diff <= EXPORT_ATOL)}


def load_on_cpu(path):
    with tf.device("/CPU:0"):
        return load_saved_model(path).signatures["serving_default"]


def export_section(model, x, folder) -> dict:
    image = tf.constant(x, tf.float32)
    inputs = {"image": image, "phi": tf.constant([[PHI]], tf.float32)}
    keys = {"probabilities": None}
    at_phi = load_on_cpu(export_saved_model(model, os.path.join(folder, "seg_at_phi"), phi=PHI))
    whole = load_on_cpu(export_saved_model(model, os.path.join(folder, "seg_phi_input")))
    return {
        "at_phi": compare_served(at_phi, {"image": image}, model.network, inputs, keys),
        "phi_per_request": compare_served(whole, {"image": image, "phi": tf.constant(PHI)}, model.network, inputs, keys),
        "phi": PHI,
        "atol": EXPORT_ATOL,
    }


def registration_section(args, shape, stages, batch, folder, gpu, tag) -> dict:
    keras.utils.set_random_seed(0)
    model = compile_registration(SSHNVxmDense(input_shape=shape, filters=args.filters, num_stages=stages))
    rng = np.random.default_rng(1)
    images = rng.random((batch + 1, *shape), dtype=np.float32)
    moving, fixed = images[:-1], images[1:]
    zeros = np.zeros((*moving.shape[:-1], len(shape) - 1), np.float32)
    data = tf.data.Dataset.from_tensor_slices(((moving, fixed), (fixed, zeros))).repeat().batch(batch).prefetch(2)
    out = {"shape": list(shape), "batch": batch, "num_stages": stages}
    out.update(train_run(model, data, args.steps, args.warmup, gpu))
    m, f = tf.constant(moving), tf.constant(fixed)
    inputs = {"moving": m, "fixed": f, "phi": tf.constant([[PHI]], tf.float32)}
    keys = {"moved": "moved", "flow": "displacement"}
    at_phi = load_on_cpu(export_registration_saved_model(model, os.path.join(folder, f"{tag}_at_phi"), phi=PHI))
    whole = load_on_cpu(export_registration_saved_model(model, os.path.join(folder, f"{tag}_phi_input")))
    out["export"] = {
        "at_phi": compare_served(at_phi, {"moving": m, "fixed": f}, model.network, inputs, keys),
        "phi_per_request": compare_served(whole, {"moving": m, "fixed": f, "phi": tf.constant(PHI)}, model.network,
                                          inputs, keys),
    }
    return out


def checks(result) -> dict:
    training = result["training"]["batches"].values()
    sshn = [b["runs"]["sshn"] for b in training] + [result["registration"][k] for k in ("2d", "3d")]
    exports = [result["export"][k] for k in ("at_phi", "phi_per_request")] + [
        result["registration"][d]["export"][k] for d in ("2d", "3d") for k in ("at_phi", "phi_per_request")
    ]
    return {
        "sshn_no_new_traces": all(r["new_traces"] == 0 and r["new_tf_function_traces"] in (0, None) for r in sshn),
        "sshn_no_new_xla_compilations": all(r["new_xla_compilations"] == 0 for r in sshn),
        "fixed_xla_compiles_once": all(
            b["runs"]["fixed_xla"]["warmup_xla_compilations"] > 0 and b["runs"]["fixed_xla"]["new_xla_compilations"] == 0
            for b in training
        ),
        "mixed_precision_within_tolerance": all(
            result["precision"][p]["within_tolerance"] for p in ("mixed_float16", "mixed_bfloat16")
        ),
        "mirrored_matches_one_device": result["mirrored"]["matches"],
        "saved_models_equal_on_cpu": all(e["equal"] for e in exports),
        "sweep_timed": math.isfinite(result["sweep"]["ratio"]),
    }


# -- report ---------------------------------------------------------------------
def fmt(v, spec=".3g"):
    return "n/a" if v is None else (format(v, spec) if isinstance(v, float) else str(v))


def print_table(r) -> None:
    t = r["training"]
    print(f"\nDevice: {r['device']}   TF {r['tensorflow']}, Keras {r['keras']}, TF32 {r['tf32']}")
    print(f"Training {r['config']['size'][0]}x{r['config']['size'][1]}, {r['config']['steps']} steps after "
          f"{r['config']['warmup']} warm-up; peak memory: {r['memory_kind']}")
    print(f"{'model':<12}{'batch':>6}{'jit':>7}{'steps/s':>10}{'traces':>8}{'+new':>6}{'+XLA':>6}{'MiB':>9}"
          f"{'TFLOP/s':>9}{'of peak':>9}")
    for batch, b in t["batches"].items():
        for name, run in b["runs"].items():
            print(f"{name:<12}{batch:>6}{str(run['jit_compile']):>7}{run['steps_per_s']:>10.2f}{run['warmup_traces']:>8}"
                  f"{run['new_traces']:>6}{run['new_xla_compilations']:>6}{run['peak_memory_mb']:>9.0f}"
                  f"{fmt(run.get('tflops')):>9}{fmt(run.get('peak_fraction'), '.1%') if 'tflops' in run else '':>9}")
        print("  SSHN/Fixed step time: " + ", ".join(f"{k} {v:.2f}" for k, v in b["step_time_ratio"].items()))
    print(f"  peak rate: {fmt(t['peak_tflops'])} TFLOP/s ({t['peak_basis']}); Fixed forward "
          f"{t['forward_flops_per_image_fixed'] / 1e9:.3f} GFLOPs/image, x3 per training step")
    p = r["precision"]
    print(f"\nMixed precision, SSHN, {p['tolerance']['steps']} steps, at phi {PHI} "
          f"(tolerance: loss {LOSS_RTOL:.0%} relative, Dice {DICE_ATOL} absolute)")
    for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
        e = p[policy]
        extra = "" if policy == "float32" else (f"  loss diff {e['loss_rel_diff']:.2%}, Dice diff {e['dice_abs_diff']:.4f}"
                                                f"  {'ok' if e['within_tolerance'] else 'OUT OF TOLERANCE'}")
        print(f"  {policy:<15} loss {e['loss']:.4f}  Dice {e['dice']:.4f}  {e['steps_per_s']:.2f} steps/s{extra}")
    m = r["mirrored"]
    print(f"\nMirroredStrategy over {m['replicas']} replicas ({', '.join(m['devices'])}), batch {m['batch']}: "
          f"{m['steps_per_s_mirrored']:.2f} vs one device {m['steps_per_s_single']:.2f} steps/s; max weight diff "
          f"{m['max_weight_diff']:.2e} (weights moved {m['max_weight_change']:.2e}) {'ok' if m['matches'] else 'MISMATCH'}")
    s = r["sweep"]
    print(f"\n{s['points']}-point phi sweep of {s['images']} images: {s['sweep_s']:.2f} s vs bare forward passes "
          f"{s['pure_s']:.2f} s, ratio {s['ratio']:.2f} (target <= {s['target']})")
    print("\nSavedModels served on CPU (max abs diff vs the model on CPU / on the device):")
    rows = [("segmentation", r["export"])] + [(f"registration {d}", r["registration"][d]["export"]) for d in ("2d", "3d")]
    for what, e in rows:
        for form in ("at_phi", "phi_per_request"):
            c = e[form]
            print(f"  {what:<16} {form:<16} {c['max_abs_diff_cpu']:.2e} / {c['max_abs_diff_device']:.2e}  "
                  f"{'equal' if c['equal'] else 'DIFFERENT'}")
    for d in ("2d", "3d"):
        g = r["registration"][d]
        print(f"registration {d} {'x'.join(map(str, g['shape'][:-1]))}, batch {g['batch']}: {g['steps_per_s']:.2f} "
              f"steps/s, new traces {g['new_traces']}, new XLA {g['new_xla_compilations']}, {g['peak_memory_mb']:.0f} MiB")
    print("seconds per section: " + ", ".join(f"{k} {v:.0f}" for k, v in r["seconds"].items()))
    failed = [k for k, ok in r["checks"].items() if not ok]
    print("\nChecks: " + ("all passed" if not failed else "FAILED: " + ", ".join(failed)))


def main(argv=None) -> int:
    args = parse_args(argv)
    gpu_name = tf.config.experimental.get_device_details(GPUS[0]).get("device_name") if GPUS else None
    gpu = bool(GPUS)
    arch = dict(input_shape=(*args.size, 1), num_classes=4, filters=args.filters, num_stages=args.stages)
    x, y = segmentation_data(4 * max(args.batches), args.size, seed=0)
    xv, yv = segmentation_data(args.sweep_images, args.size, seed=1)
    result = {
        "device": device_name(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "tf32": tf.config.experimental.tensor_float_32_execution_enabled(),
        "memory_kind": "GPU:0 allocator peak per run" if gpu else "process peak RSS (cumulative)",
        "config": vars(args),
        "counting": {
            "traces": "Python executions of train_step (once per trace and replica); tf_function traces via "
                      "experimental_get_tracing_count of the tf.functions in Keras' train_function",
            "xla_compilations": "modules dumped by XLA (--xla_dump_to) in this process",
        },
    }
    with tempfile.TemporaryDirectory(prefix="sshn_gpu_suite_") as folder:
        seconds = result["seconds"] = {}

        def section(name, fn):
            start = time.perf_counter()
            out = fn()
            seconds[name] = time.perf_counter() - start
            return out

        try:
            result["training"] = section("training", lambda: training_section(args, arch, x, y, gpu, gpu_name))
            result["precision"], trained, initial, run = section(
                "precision", lambda: precision_section(args, arch, x, y, xv, yv, gpu)
            )
            result["mirrored"] = section("mirrored", lambda: mirrored_section(args, arch, x, y, trained, initial, run))
            result["sweep"] = section("sweep", lambda: sweep_section(trained, xv, yv))
            result["export"] = section("export", lambda: export_section(trained, xv[:4], folder))
            result["registration"] = section("registration", lambda: {
                "2d": registration_section(args, (*args.size, 1), args.stages, args.batches[0], folder, gpu, "reg2d"),
                "3d": registration_section(args, (*args.size3d, 1), min(args.stages, 4), 2, folder, gpu, "reg3d"),
            })
        finally:
            XLA.close()
    result["checks"] = checks(result)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
    print_table(result)
    print(f"\nwrote {args.json}")
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
