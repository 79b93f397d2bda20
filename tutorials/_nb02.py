"""Cells of 02_oasis_registration.ipynb."""

from _cells import DATA_CHOICE, PHANTOM_NOTE, SETUP, code, md

NB02 = [
    md(
        """
# 02 - VoxelMorph registration with a Scale-Space HyperNetwork

Unsupervised deformable registration: VoxelMorph's `VxmDense` U-Net looks at a *moving* and a *fixed* brain slice and predicts a velocity field, integrated by scaling and squaring into a diffeomorphic displacement (in voxels, channel k moving axis k, `ij` indexing); a spatial transformer warps the moving image with it. Training minimises `MSE(moved, fixed) + lambda * Grad(flow)` (smoothness), exactly VoxelMorph's recipe: inputs `[moving, fixed]`, outputs `[moved, flow]`, data as `([moving, fixed], [fixed, zeros])`.

The code is VoxelMorph's: `import sshn_keras.vxm as vxm` stands where `import voxelmorph as vxm` would, and `vxm.networks`, `vxm.losses`, `vxm.layers` and `vxm.generators` take VoxelMorph's arguments. The one new thing is the network, `vxm.networks.SSHNVxmDense`: VoxelMorph's `VxmDense` (same constructor, same defaults) whose pooling is a resize by a factor `phi` that is an input, every kernel predicted from `phi` by a hypernetwork. One trained registration model gives the whole accuracy-versus-cost family. We train it, warp images and label maps, look at flow fields and deformation grids, and plot the Dice of warped labels against `phi` and GFLOPs.
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
NB_FEATURES = [[8, 16, 16, 16], [16, 16, 16, 16, 16, 8, 8]]   # VoxelMorph's U-Net at half its default width (None: the default, slower on CPU)
INT_STEPS, INT_DOWNSIZE = 7, 2        # VoxelMorph's defaults: diffeomorphic, integrated at half resolution
STEPS_PER_EPOCH, EPOCHS = (100, 7) if FAST else (100, 20)    # batches of 8 random pairs
PATIENCE = 4 if FAST else 6
LAMBDA = 0.05                         # weight of the smoothness loss (VoxelMorph's default for MSE is 0.01)
OUT = "tutorial02_output"
"""
        + DATA_CHOICE,
        tags=("parameters",),
    ),
    SETUP,
    md(
        """
## 1. Data: pairs of subjects

The same data as tutorial 01 (the OASIS download, or the brain phantom). Training draws random moving / fixed pairs from the training subjects (VoxelMorph's `vxm.generators.scan_to_scan`); validation and evaluation use fixed random pairs of validation and *test* subjects with their label maps (`subject_pairs`; `load_oasis_pairs` does the same from an OASIS folder).
"""
    ),
    code(
        """
from sshn_keras.data import load_brain_phantom, load_oasis
from sshn_keras.registration import subject_pairs

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

As in VoxelMorph's `train.py`: the network from `inshape` and `nb_unet_features` (`int_steps=7`, `int_downsize=2`), the losses `[vxm.losses.MSE().loss, vxm.losses.Grad("l2", loss_mult=int_downsize).loss]` with `loss_weights=[1, lambda]`, here with Adam, `global_clipnorm=1.0` and a cosine-decaying learning rate. `vxm.generators.scan_to_scan` yields `([moving, fixed], [fixed, zeros])`, the zeros being the (ignored) target of the smoothness loss. Each step draws one `phi` from `Uniform(0, 0.5)`; given `validation_data`, `fit` validates at a grid of `phi` and reports their mean as `val_loss`, which early stopping watches. (`vxm.networks.build_vxm_dense(..., phi=...)`, `StochasticVxmDense` and `FiLMVxmDense` take the same arguments: the Fixed network at one `phi` and the two baselines.)
"""
    ),
    code(
        """
import sshn_keras.vxm as vxm   # VoxelMorph's API (`import voxelmorph as vxm`)

inshape = train.image_shape[:-1]
model = vxm.networks.SSHNVxmDense(inshape=inshape, nb_unet_features=NB_FEATURES, int_steps=INT_STEPS, int_downsize=INT_DOWNSIZE)
losses = [vxm.losses.MSE().loss, vxm.losses.Grad("l2", loss_mult=INT_DOWNSIZE).loss]
schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=STEPS_PER_EPOCH * EPOCHS, alpha=0.1)
model.compile(optimizer=keras.optimizers.Adam(schedule, global_clipnorm=1.0), loss=losses, loss_weights=[1, LAMBDA])
zeros = np.zeros(val_pairs.moving.shape[:-1] + (2,), "float32")
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE, restore_best_weights=True)
start, cpu = time.time(), time.process_time()
report = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
    f"epoch {epoch + 1:2d}: loss {logs['loss']:.5f} | validation loss, mean over phi: {logs['val_loss']:.5f}"))
generator = vxm.generators.scan_to_scan(list(train.images), batch_size=8, add_feat_axis=False)   # images already have their channel
history = model.fit(generator, steps_per_epoch=STEPS_PER_EPOCH, epochs=EPOCHS,
                    validation_data=((val_pairs.moving, val_pairs.fixed), (val_pairs.fixed, zeros)), callbacks=[report, stop], verbose=0)
train_seconds = time.time() - start
print(f"trained in {train_seconds:.0f} s ({time.process_time() - cpu:.0f} s of CPU time); history keys {sorted(history.history)}")
plt.figure(figsize=(5, 3)); plt.plot(history.history["loss"], label="train"); plt.plot(history.history["val_loss"], label="validation (mean over phi)")
plt.xlabel("epoch"); plt.ylabel("MSE + lambda Grad"); plt.legend(); plt.title(f"Training ({DATA_NAME})", fontsize=9); plt.show()
"""
    ),
    md(
        """
## 3. Moved images, flow fields and deformation grids

`register` returns the displacement field `u` (the integrated velocity, at full resolution): the moved image at pixel `x` is the moving image at `x + u(x)` (a pull), which `vxm.layers.SpatialTransformer` computes. The **arrows** go from `x` to `x + u(x)`, drawn longer than life (the title gives the factor) so that a few pixels of displacement are visible; on an image axis the row axis points down, and `quiver` with `angles="xy", scale_units="xy"` keeps that orientation. The **deformation grid** is a regular grid of the moving image as it appears after warping (the grid lines pulled through the same transform): where it bends, the moving image was stretched or squeezed.
"""
    ),
    code(
        """
from sshn_keras.registration.jacobian import nonpositive_jacobian_fraction
warp = vxm.layers.SpatialTransformer(interp_method="linear")
i, step, gain = 0, 8, 2
mov, fix = pairs.moving[i:i + 1], pairs.fixed[i:i + 1]
rows_, cols_ = mov.shape[1:3]
lines = np.zeros(mov.shape, "float32"); lines[:, 4::step] = 1; lines[:, :, 4::step] = 1
fig, axes = plt.subplots(3, 4, figsize=(14, 11))
for row, phi in enumerate((0.1, 0.25, 0.5)):
    disp = model.register(mov, fix, phi=phi)
    moved = np.asarray(warp([mov, disp]))
    warped_lines = np.asarray(warp([lines, disp]))
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
