"""Cells of 01_oasis_segmentation.ipynb."""

from _cells import DATA_CHOICE, PHANTOM_NOTE, SETUP, code, md

NB01 = [
    md(
        """
# 01 - Brain MRI segmentation with a Scale-Space HyperNetwork

This tutorial goes from data to a deployable model:

1. load brain MRI slices with their tissue labels and look at them;
2. build an **SSHN**: a U-Net whose rescaling factor `phi` is an input, with every convolution predicted by a small hypernetwork from `phi`;
3. train it with plain `compile` / `fit`: every step draws one `phi` from `Uniform(0, 0.5)`, and early stopping watches the validation loss averaged over a grid of `phi`;
4. sweep `phi` and plot accuracy (Dice) against cost (GFLOPs);
5. look at segmentations of one slice at several `phi`, and the Dice of each tissue;
6. pick a `phi` and export a plain U-Net at that `phi` as a TensorFlow SavedModel.
"""
        + PHANTOM_NOTE
    ),
    md(
        """
## Parameters

`FAST` (also set by the environment variable `SSHN_TUTORIAL_FAST=1`, as CI does) trains for a few minutes and sweeps `phi` in steps of 0.05; the full run trains longer and sweeps in steps of 0.01. Both use a narrow U-Net (8 features per convolution, the paper's 32 is about 10x slower on a CPU); set `FILTERS = 32` on a GPU. The parameter cell's output says which run produced the outputs.
"""
    ),
    code(
        """
import os
FAST = os.environ.get("SSHN_TUTORIAL_FAST", "0") == "1"
DATA_DIR = os.environ.get("SSHN_OASIS_DIR", "data/oasis")   # where the OASIS 2D release is, if you have it
LABELS = "seg4"                       # OASIS: "seg4" (4 tissues) or "seg24" (24 structures); the phantom has seg4
NUM_SUBJECTS = 100                     # simulated subjects (brain phantom only)
FILTERS = 8                            # features per convolution (the paper: 32; more is slower on CPU)
BATCH_SIZE = 4                         # 16 steps per epoch on the 64 training slices
EPOCHS = 30 if FAST else 50            # at most; early stopping restores the best epoch
PATIENCE = 6 if FAST else 8
DICE_EPOCHS = 30 if FAST else 40       # soft-Dice fine-tuning after cross-entropy (the paper's schedule)
LEARNING_RATES = (2e-3, 1e-3)          # initial learning rate of the cross-entropy and the soft-Dice phase
OUT = "tutorial01_output"
"""
        + DATA_CHOICE,
        tags=("parameters",),
    ),
    SETUP,
    md(
        """
## 1. The data

**Real OASIS.** `python data_scripts/download_oasis.py --output data/oasis` downloads the 2D neurite-oasis release (24 MB tar, MD5 `c9ae5864f250c7e4b8d83a104e51ae8e`; it resumes an interrupted download and extracts without letting any path escape the target folder). Point `DATA_DIR` (or `$SSHN_OASIS_DIR`) at it and set `FAST = False`. `load_oasis` reads every subject folder with nibabel, takes the label names from the FreeSurfer colour table, and splits **by subject** into 64% / 16% / 20% train / validation / test with a fixed seed. Images are `slice_norm` (intensities in [0, 1], 160x192).

**Brain phantom.** Without OASIS, `load_brain_phantom` simulates the subjects once (into a cache folder; `python data_scripts/make_brain_phantom.py --output DIR` writes them where you like) in the same layout and reads them with `load_oasis`, split the same way.
"""
    ),
    code(
        """
from sshn_keras.data import load_brain_phantom, load_oasis

if USE_OASIS:
    train, val, test = (load_oasis(DATA_DIR, split=s, labels=LABELS, progress=False) for s in ("train", "val", "test"))
else:
    train, val, test = (load_brain_phantom(split=s, num_subjects=NUM_SUBJECTS) for s in ("train", "val", "test"))
print(train.summary()); print(val.summary()); print(test.summary())

COLOURS = plt.get_cmap("tab10", 10)
fig, axes = plt.subplots(2, 4, figsize=(12, 5.5))
for i in range(4):
    axes[0, i].imshow(train.images[i, ..., 0], cmap="gray"); axes[0, i].set_title(train.names[i], fontsize=9)
    axes[1, i].imshow(train.labels[i], cmap=COLOURS, vmin=0, vmax=9, interpolation="nearest")
for ax in axes.ravel(): ax.axis("off")
fig.suptitle(f"{DATA_NAME}: images (top), labels (bottom): " + ", ".join(f"{k} {n}" for k, n in enumerate(train.label_names) if k))
plt.show()
"""
    ),
    md(
        """
## 2. Build the SSHN

`SSHNUNet` is a `keras.Model`. Its primary network is the paper's U-Net (5 encoder stages, 4 decoder stages, 2 convolutions per stage, LeakyReLU, softmax head); between encoder stages feature maps are resized to `max(1, round(phi * size))`. One shared `HyperNetwork` maps `[phi, 1 - phi]` through Dense 10 and Dense 100 to an embedding, and each `HyperConv2D` turns that embedding into its kernel and bias. By default each head is compact: a learned base kernel plus a rank-8 part that depends on `phi`, with far fewer hypernetwork weights than the paper's full heads (11x fewer at 32 features; `SSHNUNet(..., head_rank=None)` gives full heads). On the real WBC data, three seeds with compact heads were at least as accurate as full heads at every validated `phi` (see RESULTS.md). The heads are initialised so that the predicted kernels start exactly at He scale, for every `phi`.
"""
    ),
    code(
        """
from sshn_keras.models import SSHNUNet

model = SSHNUNet(input_shape=train.image_shape, num_classes=train.num_classes, filters=FILTERS, seed=0)
print(model.prior, "| inference phi by default:", float(model.inference_phi))
print(f"{model.network.count_params():,} parameters (hypernetwork heads included)")
"""
    ),
    md(
        """
## 3. Train

The recipe: Adam with `global_clipnorm=1.0` (one bad step cannot throw the hypernetwork off) and a cosine-decaying learning rate, batches of 4 (on a few dozen training images, more updates per epoch do more in the same CPU time than larger batches), cross-entropy, and `EarlyStopping(monitor="val_loss", restore_best_weights=True)`. During training each step draws its own `phi`. Validation must cover the prior too: given `validation_data`, an SSHN's `fit` evaluates the validation set at a grid of `phi` (by default 0.05, 0.1, 0.2, 0.3, 0.4, 0.5) after every epoch and reports their mean as `val_loss` (each phi's value too, e.g. `val_loss_phi0.05`), so early stopping keeps the weights that are best *across* `phi`, not at one `phi`. A second `fit` fine-tunes with soft Dice, as in the paper; it lifts the small structures (subcortical grey matter, CSF) that cross-entropy neglects. Nothing else is special to SSHN: callbacks, `tf.data` and distribution strategies work as usual.
"""
    ),
    code(
        """
from sshn_keras.losses import SegmentationCrossEntropy, SoftDiceLoss
from sshn_keras.metrics import DiceScore

def train_phase(loss, epochs, learning_rate):
    steps = epochs * -(-train.num_samples // BATCH_SIZE)      # the learning rate decays along a cosine over the phase
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule, global_clipnorm=1.0), loss=loss, metrics=[DiceScore()])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE, restore_best_weights=True)
    report = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
        f"epoch {epoch + 1:2d}: loss {logs['loss']:.4f} | validation, mean over phi: loss {logs['val_loss']:.4f}, Dice {logs['val_dice']:.3f}"))
    return model.fit(train.images, train.labels, batch_size=BATCH_SIZE, epochs=epochs, validation_data=(val.images, val.labels),
                     callbacks=[report, stop], verbose=0).history

start, cpu = time.time(), time.process_time()
history = {"cross-entropy": train_phase(SegmentationCrossEntropy(), EPOCHS, LEARNING_RATES[0])}
if DICE_EPOCHS:
    history["soft Dice"] = train_phase(SoftDiceLoss(), DICE_EPOCHS, LEARNING_RATES[1])
train_seconds = time.time() - start
print(f"trained in {train_seconds:.0f} s ({time.process_time() - cpu:.0f} s of CPU time)")
fig, axes = plt.subplots(1, len(history), figsize=(5 * len(history), 3), squeeze=False)
for ax, (name, h) in zip(axes[0], history.items()):
    ax.plot(h["loss"], label="train"); ax.plot(h["val_loss"], label="validation (mean over phi)")
    ax.set_xlabel("epoch"); ax.set_ylabel(name); ax.legend()
fig.suptitle(f"Training on the {DATA_NAME}"); plt.show()
"""
    ),
    md(
        """
## 4. Sweep phi: the accuracy-versus-cost curve

One trained model gives every U-Net of the family. `sweep_phi` evaluates the test set at each `phi` (the model is not rebuilt: only a variable changes), and returns Dice (mean and std over images, per label), exact FLOPs of the primary network and the measured latency.
"""
    ),
    code(
        """
from IPython.display import Image, display
from sshn_keras.plots import plot_dice_vs_phi
from sshn_keras.sweep import phi_grid, sweep_phi

os.makedirs(OUT, exist_ok=True)
step = 0.05 if FAST else 0.01
rows = sweep_phi(model, test.images, test.labels, phi_grid(step, 0.5, step), label_names=test.label_names, progress=False)
display(Image(plot_dice_vs_phi(rows, f"{OUT}/dice_vs_phi.png", f"SSHN test Dice on the {DATA_NAME}")))
"""
    ),
    md(
        """
## 5. Segmentations of one slice at several phi, and Dice per tissue

Small `phi` shrinks the feature maps after the first stage, so the network sees coarser context and costs less; watch where the thin structures (cortex, CSF) start to suffer.
"""
    ),
    code(
        """
from sshn_keras.losses.registration import mean_label_map_dice
i = 0
phis = [0.05, 0.1, 0.25, 0.5]
fig, axes = plt.subplots(1, len(phis) + 2, figsize=(3 * (len(phis) + 2), 3.4))
axes[0].imshow(test.images[i, ..., 0], cmap="gray"); axes[0].set_title(test.names[i])
axes[1].imshow(test.labels[i], cmap=COLOURS, vmin=0, vmax=9, interpolation="nearest"); axes[1].set_title("ground truth")
structures = np.arange(1, test.num_classes)
for ax, phi in zip(axes[2:], phis):
    pred = model.predict(test.images[i:i + 1], phi=phi, verbose=0).argmax(-1)
    dice = float(mean_label_map_dice(test.labels[i:i + 1], pred, structures)[0])
    ax.imshow(pred[0], cmap=COLOURS, vmin=0, vmax=9, interpolation="nearest"); ax.set_title(f"phi = {phi}: Dice {dice:.3f}")
for ax in axes: ax.axis("off")
fig.suptitle(f"SSHN segmentations at several phi ({DATA_NAME})"); plt.show()

names = list(rows[0]["dice_per_label"])
print(f"{'phi':>5} {'Dice':>6} {'GFLOPs':>7} " + " ".join(f"{n[:12]:>12}" for n in names))
for r in rows[:: max(1, len(rows) // 10)]:
    print(f"{r['phi']:5.2f} {r['dice_mean']:6.3f} {r['gflops']:7.3f} " + " ".join(f"{r['dice_per_label'][n]:12.3f}" for n in names))
"""
    ),
    md(
        """
## 6. Choose phi and export

`choose_phi` picks the cheapest `phi` whose Dice is within a tolerance of the best (or the best Dice under a FLOPs or latency budget). `export_saved_model(model, path, phi=...)` materialises a plain U-Net at that `phi` (the hypernetwork is evaluated once and dropped) and writes a SavedModel whose `serving_default` signature TF Serving uses.
"""
    ),
    code(
        """
import shutil
from sshn_keras.experiments import choose_phi
from sshn_keras.export import export_saved_model

chosen = choose_phi(rows, tolerance=0.01)
best = max(rows, key=lambda r: r["dice_mean"])
print(f"chosen phi = {chosen['phi']:.2f}: Dice {chosen['dice_mean']:.3f} at {chosen['gflops']:.3f} GFLOPs; "
      f"the best phi ({best['phi']:.2f}) reaches {best['dice_mean']:.3f} at {best['gflops']:.3f} GFLOPs "
      f"({100 * (1 - chosen['gflops'] / best['gflops']):.0f}% fewer FLOPs for {best['dice_mean'] - chosen['dice_mean']:.3f} less Dice)")
path = f"{OUT}/unet_phi{chosen['phi']:g}"
shutil.rmtree(path, ignore_errors=True)
export_saved_model(model, path, phi=chosen["phi"])
serve = tf.saved_model.load(path).signatures["serving_default"]
out = serve(image=tf.constant(test.images[:2]))
print({k: tuple(v.shape) for k, v in out.items()})
"""
    ),
    md(
        """
That folder is what `tensorflow_model_server --model_base_path=...` serves (put it in a numbered version subfolder, e.g. `unet/1/`). Notebook 03 shows the request format and the export that takes `phi` with each request.

The last cell records this run's headline numbers (the test suite reads them from the fast run):
"""
    ),
    code(
        """
summary = {"data": DATA_NAME, "fast": FAST, "chosen_phi": round(chosen["phi"], 4), "dice_at_chosen_phi": round(chosen["dice_mean"], 4),
           "best_dice": round(best["dice_mean"], 4), "train_seconds": round(train_seconds)}
print(json.dumps(summary))
"""
    ),
]
