"""Cells of 02_oasis_registration.ipynb."""

from _cells import DATA_CHOICE, PHANTOM_NOTE, SETUP, code, md

NB02 = [
    md(
        """
# 02 - VoxelMorph-style registration with a Scale-Space HyperNetwork

Unsupervised deformable registration: a U-Net looks at a *moving* and a *fixed* brain slice and predicts a displacement field (in voxels, channel k moving axis k, `ij` indexing); a spatial transformer warps the moving image with it. Training minimises `MSE(moved, fixed) + lambda * Grad(flow)` (smoothness), exactly VoxelMorph's `VxmDense` recipe: inputs `[moving, fixed]`, outputs `[moved, flow]`, data as `([moving, fixed], [fixed, zeros])`.

With an SSHN, the U-Net's rescaling factor `phi` is an input, so one trained registration model gives the whole accuracy-versus-cost family. We train it, warp images and label maps, look at flow fields and deformation grids, and plot the Dice of warped labels against `phi` and GFLOPs.
"""
        + PHANTOM_NOTE
    ),
    code(
        """
import os
FAST = os.environ.get("SSHN_TUTORIAL_FAST", "0") == "1"
DATA_DIR = os.environ.get("SSHN_OASIS_DIR", "data/oasis")   # where the OASIS 2D release is, if you have it
LABELS = "seg4"
NUM_SUBJECTS = 100                    # simulated subjects (brain phantom only)
FILTERS = 8                           # features per convolution (the paper: 32; more is slower on CPU)
STEPS_PER_EPOCH, EPOCHS = (100, 10) if FAST else (100, 20)   # batches of 8 random pairs
PATIENCE = 4 if FAST else 6
LAMBDA = 0.07                         # weight of the smoothness loss (VoxelMorph's default for MSE is 0.01; 0.07 folds less)
OUT = "tutorial02_output"
"""
        + DATA_CHOICE,
        tags=("parameters",),
    ),
    SETUP,
    md(
        """
## 1. Data: pairs of subjects

The same data as tutorial 01 (the OASIS download, or the brain phantom). Training draws random moving / fixed pairs from the training subjects (`scan_to_scan`, as VoxelMorph); validation and evaluation use fixed random pairs of validation and *test* subjects with their label maps (`subject_pairs`; `load_oasis_pairs` does the same from an OASIS folder).
"""
    ),
    code(
        """
from sshn_keras.data import load_brain_phantom, load_oasis
from sshn_keras.registration import scan_to_scan, subject_pairs

if USE_OASIS:
    train, val, test = (load_oasis(DATA_DIR, split=s, labels=LABELS, progress=False) for s in ("train", "val", "test"))
else:
    train, val, test = (load_brain_phantom(split=s, num_subjects=NUM_SUBJECTS) for s in ("train", "val", "test"))
val_pairs = subject_pairs(val, num_pairs=16, seed=1, description=f"{DATA_NAME} validation pairs")
pairs = subject_pairs(test, num_pairs=32 if FAST else 100, seed=0, description=f"{DATA_NAME} test pairs")
before = float(np.nanmean(pairs.dice_before()))
print(train.summary()); print(f"{pairs.num_pairs} test pairs; Dice of the labels before registration: {before:.3f}")

COLOURS = plt.get_cmap("tab10", 10)
fig, axes = plt.subplots(1, 4, figsize=(12, 3.4))
for ax, img, title in zip(axes, (pairs.moving[0, ..., 0], pairs.fixed[0, ..., 0], pairs.moving_labels[0], pairs.fixed_labels[0]),
                          ("moving", "fixed", "moving labels", "fixed labels")):
    ax.imshow(img, **({"cmap": COLOURS, "vmin": 0, "vmax": 9} if "labels" in title else {"cmap": "gray"}), interpolation="nearest")
    ax.set_title(title); ax.axis("off")
fig.suptitle(f"A test pair ({DATA_NAME})"); plt.show()
"""
    ),
    md(
        """
## 2. Build and train the SSHN registration network

`SSHNVxmDense` has VoxelMorph's interface; `compile_registration` sets the losses `[MSE(), Grad("l2")]` with `loss_weights=[1, lambda]`, here with Adam, `global_clipnorm=1.0` and a cosine-decaying learning rate. The generator yields `((moving, fixed), (fixed, zeros))`, the zeros being the (ignored) target of the smoothness loss. Each step draws one `phi` from `Uniform(0, 0.5)`; given `validation_data`, `fit` validates at a grid of `phi` and reports their mean as `val_loss`, which early stopping watches.
"""
    ),
    code(
        """
from sshn_keras.registration import SSHNVxmDense, compile_registration

model = SSHNVxmDense(input_shape=train.image_shape, filters=FILTERS)
schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=STEPS_PER_EPOCH * EPOCHS, alpha=0.1)
compile_registration(model, optimizer=keras.optimizers.Adam(schedule, global_clipnorm=1.0), lambda_weight=LAMBDA)
zeros = np.zeros(val_pairs.moving.shape[:-1] + (2,), "float32")
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE, restore_best_weights=True)
start, cpu = time.time(), time.process_time()
report = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
    f"epoch {epoch + 1:2d}: loss {logs['loss']:.5f} | validation loss, mean over phi: {logs['val_loss']:.5f}"))
history = model.fit(scan_to_scan(train.images, batch_size=8, seed=0), steps_per_epoch=STEPS_PER_EPOCH, epochs=EPOCHS,
                    validation_data=((val_pairs.moving, val_pairs.fixed), (val_pairs.fixed, zeros)), callbacks=[report, stop], verbose=0)
train_seconds = time.time() - start
print(f"trained in {train_seconds:.0f} s ({time.process_time() - cpu:.0f} s of CPU time)")
plt.figure(figsize=(5, 3)); plt.plot(history.history["loss"], label="train"); plt.plot(history.history["val_loss"], label="validation (mean over phi)")
plt.xlabel("epoch"); plt.ylabel("MSE + lambda Grad"); plt.legend(); plt.title(f"Training ({DATA_NAME})", fontsize=9); plt.show()
"""
    ),
    md(
        """
## 3. Moved images, flow fields and deformation grids

`register` returns the displacement field `u`: the moved image at pixel `x` is the moving image at `x + u(x)` (a pull). The **arrows** go from `x` to `x + u(x)`, drawn longer than life (the title gives the factor) so that a few pixels of displacement are visible; on an image axis the row axis points down, and `quiver` with `angles="xy", scale_units="xy"` keeps that orientation. The **deformation grid** is a regular grid of the moving image as it appears after warping (the grid lines pulled through the same transform): where it bends, the moving image was stretched or squeezed.
"""
    ),
    code(
        """
from sshn_keras.layers import SpatialTransformer
from sshn_keras.registration.jacobian import nonpositive_jacobian_fraction
i, step, gain = 0, 8, 2
mov, fix = pairs.moving[i:i + 1], pairs.fixed[i:i + 1]
rows_, cols_ = mov.shape[1:3]
lines = np.zeros(mov.shape, "float32"); lines[:, 4::step] = 1; lines[:, :, 4::step] = 1
fig, axes = plt.subplots(3, 4, figsize=(14, 11))
for row, phi in enumerate((0.1, 0.25, 0.5)):
    disp = model.register(mov, fix, phi=phi)
    moved = SpatialTransformer()([mov, disp]).numpy()
    warped_lines = SpatialTransformer()([lines, disp]).numpy()
    axes[row, 0].imshow(moved[0, ..., 0], cmap="gray"); axes[row, 0].set_title(f"moved, phi = {phi}")
    axes[row, 1].imshow(np.abs(moved - fix)[0, ..., 0], cmap="magma", vmin=0, vmax=0.5)
    axes[row, 1].set_title(f"|moved - fixed| (before: {np.abs(mov - fix).mean():.3f}, after: {np.abs(moved - fix).mean():.3f})", fontsize=9)
    yy, xx = np.mgrid[step // 2:rows_:step, step // 2:cols_:step]
    u = disp[0, step // 2::step, step // 2::step]
    axes[row, 2].imshow(fix[0, ..., 0], cmap="gray")
    axes[row, 2].quiver(xx, yy, u[..., 1], u[..., 0], color="red", angles="xy", scale_units="xy", scale=1 / gain, width=0.004)
    axes[row, 2].set_title(f"flow x -> x + u(x), arrows {gain}x longer (max |u| {np.linalg.norm(disp, axis=-1).max():.1f} px)", fontsize=9)
    axes[row, 3].imshow(fix[0, ..., 0], cmap="gray", alpha=0.4); axes[row, 3].imshow(np.ma.masked_less(warped_lines[0, ..., 0], 0.3), cmap="autumn", vmin=0, vmax=1)
    axes[row, 3].set_title(f"deformation grid (folding {100 * float(nonpositive_jacobian_fraction(disp[0])):.2f}% of pixels)", fontsize=9)
for ax in axes.ravel(): ax.set_xticks([]); ax.set_yticks([])
fig.suptitle(f"SSHN registration of a test pair at several phi ({DATA_NAME})"); plt.tight_layout(); plt.show()
"""
    ),
    md(
        """
## 4. Dice of warped labels versus phi and GFLOPs

`sweep_registration_phi` warps every test pair's moving label map (nearest) with the predicted displacement, and reports Dice against the fixed labels (mean over structures and per structure), the percentage of folding pixels (non-positive Jacobian determinant) and the cost per pair.
"""
    ),
    code(
        """
from sshn_keras.registration import sweep_registration_phi
from sshn_keras.sweep import phi_grid
rows = sweep_registration_phi(model, pairs, phi_grid(0.05, 0.5, 0.05 if FAST else 0.025), progress=False)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, key, label in ((axes[0], "phi", "phi"), (axes[1], "gflops", "GFLOPs per pair")):
    ax.plot([r[key] for r in rows], [r["dice_mean"] for r in rows], marker="o", label="after registration (SSHN)")
    ax.axhline(before, color="gray", ls="--", label="before registration")
    ax.set_xlabel(label); ax.set_ylabel("Dice of warped labels (mean over tissues)"); ax.legend(); ax.grid(alpha=0.3)
fig.suptitle(f"Registration accuracy versus cost ({DATA_NAME})"); plt.show()
print(f"before registration: Dice {before:.3f}")
for r in rows[:: max(1, len(rows) // 6)]:
    print(f"phi={r['phi']:.2f}  Dice {r['dice_mean']:.3f}  folding {100 * r['nonpositive_jacobian']:.3f}% of pixels  {r['gflops']:.3f} GFLOPs")
"""
    ),
    md(
        """
## 5. Export at a chosen phi

As for segmentation, a materialised network at one `phi` is a plain Keras model (no hypernetwork); its SavedModel's `serving_default` takes `moving` and `fixed` and returns `moved` and `flow`.
"""
    ),
    code(
        """
import shutil
from sshn_keras.experiments import choose_phi
from sshn_keras.registration import export_registration_saved_model
chosen = choose_phi(rows, tolerance=0.01)
path = f"{OUT}/vxm_phi{chosen['phi']:g}"
shutil.rmtree(path, ignore_errors=True)
export_registration_saved_model(model, path, phi=chosen["phi"])
serve = tf.saved_model.load(path).signatures["serving_default"]
out = serve(moving=tf.constant(mov), fixed=tf.constant(fix))
print(f"chosen phi {chosen['phi']:.2f}: Dice {chosen['dice_mean']:.3f} (before {before:.3f}),",
      {k: tuple(v.shape) for k, v in out.items()})
"""
    ),
    md("""The last cell records this run's headline numbers (the test suite reads them from the fast run):"""),
    code(
        """
summary = {"data": DATA_NAME, "fast": FAST, "chosen_phi": round(chosen["phi"], 4), "dice_before": round(before, 4),
           "dice_after": round(chosen["dice_mean"], 4), "folding_percent": round(100 * chosen["nonpositive_jacobian"], 4),
           "train_seconds": round(train_seconds)}
print(json.dumps(summary))
"""
    ),
]
