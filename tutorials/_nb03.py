"""Cells of 03_pareto_and_serving.ipynb."""

from _cells import SETUP, code, md

NB03 = [
    md(
        """
# 03 - Pareto frontier on real data, choosing phi, and serving

On the real **WBC** microscopy data (400 images with expert masks of nucleus and cytoplasm), we compare one SSHN against the paper's baselines with the same U-Net:

* **Fixed**: one ordinary U-Net per `phi` of a grid;
* **Stochastic**: one ordinary U-Net trained with a random `phi` each step;
* **FiLM**: a U-Net with FiLM layers after every convolution, conditioned on `phi`.

Then we choose `phi` under a FLOPs or a latency budget, export a SavedModel at that `phi`, inspect it with `saved_model_cli`, call it as TF Serving would, and export the whole SSHN so that each request can pick its own `phi`.

**What the full run is** (`FAST = False`): the committed experiment `experiments/wbc_paper`, made by `sshn-keras experiment --preset wbc_paper --folder experiments/wbc_paper` (the paper's protocol on the real WBC data, 128x128, every method, early stopping; hours on CPU, resumable). Its `results.json` and plots are committed, its model files are not (`models/` is git-ignored): on a fresh clone this notebook reads the committed results, never rewrites them, and trains the one model it serves (`sshn_seed0`) when its file is missing, or, with `TRAIN_MISSING_MODELS = False`, prints the command that makes it. Section 1 prints the numbers of the committed run, computed from `results.json`.

**Which run produced the outputs below:** the parameter cell's output says it. CI runs the notebook with `FAST = True`: a small experiment (64x64 images, 1 epoch per model) trained from scratch, whose numbers mean nothing.
"""
    ),
    code(
        """
import os
FAST = os.environ.get("SSHN_TUTORIAL_FAST", "0") == "1"
WBC_DIR = os.environ.get("SSHN_WBC_DIR")          # None: the loader's default (../shared/data/wbc, $SSHN_DATA_DIR/wbc)
EXPERIMENT = "tutorial03_fast" if FAST else "../experiments/wbc_paper"   # the full run reads the committed experiment
# jobs of the experiment still to train now: 0 reads what EXPERIMENT holds (default in full mode), None trains all missing
MAX_NEW_MODELS = (None if FAST else 0) if os.environ.get("SSHN_TUTORIAL_MAX_NEW_MODELS") is None else int(os.environ["SSHN_TUTORIAL_MAX_NEW_MODELS"])
TRAIN_MISSING_MODELS = os.environ.get("SSHN_TUTORIAL_TRAIN_MISSING_MODELS", "1") == "1"   # retrain a model file absent from a clone
OUT = "tutorial03_output"
print(f"FAST={FAST}: " + ("64x64 images, 1 epoch per model (numbers NOT meaningful)" if FAST else
                           f"the committed experiment {EXPERIMENT} (real WBC data, the paper's protocol)"))
""",
        tags=("parameters",),
    ),
    SETUP,
    md(
        """
## 1. Train every method (resumable), or read the committed experiment

`run_experiment` trains each model of the configuration, caches each finished one, and on a rerun skips what is done, so an interrupted comparison resumes; it writes `results.json` and the plots when a model finishes (and leaves them alone otherwise). The full configuration is the preset `wbc_paper`.
"""
    ),
    code(
        """
from sshn_keras.experiments import ExperimentConfig, run_experiment
from sshn_keras.experiments.config import PRESETS

from sshn_keras.data import load_wbc
try:
    load_wbc(WBC_DIR, split="test", target_size=(32, 32), progress=False)
    DATASET = "wbc"
except FileNotFoundError as err:
    if not FAST:
        raise
    print(err, "\\n-> using the embedded SYNTHETIC stand-in dataset instead (numbers NOT meaningful)")
    DATASET = "synthetic"
if FAST:
    config = ExperimentConfig(dataset=DATASET, data_root=WBC_DIR, image_size=64, seeds={"sshn": [0], "stochastic": [0], "film": [0]},
                              fixed_grid=(0.25, 0.5), fixed_seeds={}, filters=8, max_epochs=1, patience=1,
                              sweep=(0.05, 0.5, 0.05), num_images=64)
else:
    config = PRESETS["wbc_paper"]
from sshn_keras.experiments.runner import load_splits
splits = load_splits(config)   # the experiment's train / val / test images (also served in section 4)
results = run_experiment(config, EXPERIMENT, verbose=0, max_jobs=MAX_NEW_MODELS)

def at_phi(method, phi):
    \"\"\"Test Dice of every seed of `method` at `phi` (rows of the sweep).\"\"\"
    return [row["dice_mean"] for job in results["jobs"].values() if job["method"] == method
            for row in job["rows"] if abs(row["phi"] - phi) < 1e-6]

print(f"{len(results['jobs'])} trained models in {EXPERIMENT}; {len(results['missing'])} of the configuration not trained"
      + (f" ({', '.join(results['missing'][:3])}, ...)" if results["missing"] else ""))
for phi in (0.1, 0.25, 0.5):
    line = [f"phi={phi:g}:"]
    for method in ("sshn", "fixed", "stochastic", "film"):
        values = at_phi(method, phi)
        if values:
            line.append(f"{method} {100 * np.mean(values):.1f}" + (f" +- {100 * np.std(values):.1f} ({len(values)} seeds)" if len(values) > 1 else ""))
    print("  ".join(line), "(test Dice, %)")
hours = {m: sum(v.values()) / 3600 for m, v in results["summary"]["train_seconds_per_seed"].items()}
print("training time, hours (all seeds):", ", ".join(f"{m} {h:.1f}" for m, h in hours.items()))
"""
    ),
    md(
        """
## 2. The Pareto plots

Dice against `phi` and against GFLOPs, for every method (mean over seeds, shaded +-1 std), like the paper's Figures 3 and 7. Fixed models are points: each exists only at its own `phi`.
"""
    ),
    code(
        """
from IPython.display import Image, display
display(Image(f"{EXPERIMENT}/dice_vs_phi.png")); display(Image(f"{EXPERIMENT}/dice_vs_gflops.png"))
"""
    ),
    md(
        """
## 3. Choose phi under a budget

With the SSHN's sweep, `choose_phi` answers the deployment questions directly: the best Dice under a FLOPs budget, under a latency budget (measured on this machine), or the cheapest model within a tolerance of the best.
"""
    ),
    code(
        """
from sshn_keras.experiments import choose_phi
sweep = results["jobs"]["sshn_seed0"]["rows"]
budget = sorted(r["gflops"] for r in sweep)[len(sweep) // 3]
by_flops = choose_phi(sweep, max_gflops=budget)
by_latency = choose_phi(sweep, max_latency_ms=sorted(r["latency_ms"] for r in sweep)[len(sweep) // 2])
by_tol = choose_phi(sweep, tolerance=0.01)
for name, r in (("FLOPs budget %.3f G" % budget, by_flops), ("latency budget", by_latency), ("within 0.01 of best", by_tol)):
    print(f"{name:>22}: phi={r['phi']:.2f}  Dice={r['dice_mean']:.3f}  {r['gflops']:.3f} GFLOPs  {r['latency_ms']:.1f} ms/batch")
"""
    ),
    md(
        """
## 4. Export at that phi and inspect the SavedModel

The exported U-Net has no hypernetwork left: it is a plain stack of convolutions at the chosen `phi`. `saved_model_cli show` lists the `serving_default` signature TF Serving will use.
"""
    ),
    code(
        """
import shutil, keras, tensorflow as tf
from sshn_keras.export import export_saved_model
from sshn_keras.experiments.runner import load_job_model
try:  # models/ is not committed: train the served model when its file is missing (about half an hour on CPU)
    sshn = load_job_model(config, EXPERIMENT, "sshn_seed0", train_if_missing=TRAIN_MISSING_MODELS, verbose=0)
except FileNotFoundError as missing:
    print(missing)
    raise
os.makedirs(OUT, exist_ok=True)
path = f"{OUT}/wbc_unet/1"          # TF Serving expects a numbered version folder
shutil.rmtree(path, ignore_errors=True)
export_saved_model(sshn, path, phi=by_flops["phi"])
cli = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir", path,
                      "--tag_set", "serve", "--signature_def", "serving_default"], capture_output=True, text=True)
print(cli.stdout)
"""
    ),
    md("""Call the signature exactly as TF Serving does (by name, with named inputs), and compare with the SSHN itself:"""),
    code(
        """
from types import SimpleNamespace
test = SimpleNamespace(**dict(zip(("images", "labels"), splits["test"])))
serve = tf.saved_model.load(path).signatures["serving_default"]
out = serve(image=tf.constant(test.images[:4]))
ref = sshn.predict(test.images[:4], phi=by_flops["phi"], verbose=0)
print("max |SavedModel - SSHN| =", float(np.abs(out["probabilities"].numpy() - ref).max()))
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
axes[0].imshow(test.images[0].squeeze(), cmap="gray" if test.images.shape[-1] == 1 else None); axes[1].imshow(test.labels[0]); axes[2].imshow(out["segmentation"][0])
for ax, t in zip(axes, ("image", "expert mask", f"served, phi={by_flops['phi']}")): ax.set_title(t); ax.axis("off")
plt.show()
"""
    ),
    md(
        """
## 5. The REST request a `tensorflow_model_server` deployment accepts

Start the server with `tensorflow_model_server --rest_api_port=8501 --model_name=wbc_unet --model_base_path=$PWD/tutorial03_output/wbc_unet` and POST the body below to `http://localhost:8501/v1/models/wbc_unet:predict` (row format: one `instances` entry per image).
"""
    ),
    code(
        """
# float64 before rounding: float32 values such as 0.663 would print as 0.6629999876022339
body = {"signature_name": "serving_default", "instances": [{"image": test.images[0].astype(np.float64).round(3).tolist()}]}
text = json.dumps(body)
print(f"{len(text):,} characters; the start of it:\\n{text[:300]} ...")
"""
    ),
    md(
        """
## 6. Going beyond the paper: one deployment, phi per request

Exporting the whole SSHN (no `phi` given) keeps the hypernetwork: the signature takes `image` and a scalar `phi`, so a server under load can answer cheaper requests with a smaller `phi`. Since `phi` is a scalar for the whole request, use the columnar `inputs` format of the REST API.
"""
    ),
    code(
        """
path_all = f"{OUT}/wbc_sshn/1"
shutil.rmtree(path_all, ignore_errors=True)
export_saved_model(sshn, path_all)
serve_all = tf.saved_model.load(path_all).signatures["serving_default"]
for phi in (0.1, 0.3, 0.5):
    seg = serve_all(image=tf.constant(test.images[:4]), phi=tf.constant(phi))["segmentation"].numpy()
    print(f"phi={phi}: pixels of label 2 (nucleus on WBC): {(seg == 2).sum()}")
print(json.dumps({"signature_name": "serving_default", "inputs": {"image": "<batch of images>", "phi": 0.3}}))
"""
    ),
]
