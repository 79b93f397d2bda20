"""A VoxelMorph user's workflow, unchanged but for `import sshn_keras.vxm as vxm`.

Built from VoxelMorph's 2D tutorial (its own data generator of lists,
`VxmDense(vol_shape, nb_features, int_steps=0)`, `[MSE().loss, Grad('l2').loss]`)
and `scripts/tf/train.py` (`vxm.generators.scan_to_scan` on volume files,
`int_steps=7`, `int_resolution=2`, `[NCC().loss, Grad('l2', loss_mult=2).loss]`
with weights `[1, 0.01]`, `Adam(1e-4)`, `ModelCheckpoint`, `model.save`) and
`scripts/tf/register.py` (`VxmDense.load`, `register`, `apply_transform`).
Sizes are tiny so that each test trains in seconds.

The one change Keras 3 forces on the script is the checkpoint suffix:
`ModelCheckpoint` writes `.keras` files (VoxelMorph's scripts wrote `.h5`;
`model.save("final.h5")` still writes `.h5`).
"""

import numpy as np
import pytest
import tensorflow as tf

import sshn_keras.vxm as vxm  # the only line that differs from VoxelMorph's scripts


def blobs(n, shape, seed):
    """`n` smooth images in [0, 1] (sums of Gaussian blobs), no channel axis, as VoxelMorph's volumes."""
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*[np.arange(s, dtype=np.float32) for s in shape], indexing="ij")
    out = np.zeros((n, *shape), np.float32)
    for i in range(n):
        for _ in range(4):
            centre = [rng.uniform(0.25 * s, 0.75 * s) for s in shape]
            width = rng.uniform(2.0, max(shape) / 4)
            out[i] += np.exp(-sum((g - c) ** 2 for g, c in zip(grids, centre)) / (2 * width**2))
        out[i] /= out[i].max()
    return out


def vxm_data_generator(x_data, batch_size=4):
    """The generator of VoxelMorph's 2D tutorial: `([moving, fixed], [fixed, zeros])` lists."""
    vol_shape = x_data.shape[1:]
    ndims = len(vol_shape)
    zero_phi = np.zeros([batch_size, *vol_shape, ndims])
    while True:
        idx1 = np.random.randint(0, x_data.shape[0], size=batch_size)
        moving_images = x_data[idx1, ..., np.newaxis]
        idx2 = np.random.randint(0, x_data.shape[0], size=batch_size)
        fixed_images = x_data[idx2, ..., np.newaxis]
        inputs = [moving_images, fixed_images]
        outputs = [fixed_images, zero_phi]
        yield (inputs, outputs)


def test_2d_tutorial(tmp_path):
    np.random.seed(0)
    tf.keras.utils.set_random_seed(0)
    x_train = blobs(16, (32, 32), seed=0)

    vol_shape = x_train.shape[1:]
    nb_features = [[8, 16, 16], [16, 16, 16, 8]]
    vxm_model = vxm.networks.VxmDense(vol_shape, nb_features, int_steps=0)
    losses = [vxm.losses.MSE().loss, vxm.losses.Grad("l2").loss]
    loss_weights = [1, 0.05]
    vxm_model.compile(optimizer="Adam", loss=losses, loss_weights=loss_weights)

    # A fixed batch of training pairs, to measure what training did.
    val_input, _ = next(vxm_data_generator(x_train, batch_size=8))
    before = float(vxm.losses.MSE().loss(val_input[1], vxm_model.predict(val_input, verbose=0)[0]))
    train_generator = vxm_data_generator(x_train)
    hist = vxm_model.fit(train_generator, epochs=5, steps_per_epoch=10, verbose=0)
    val_pred = vxm_model.predict(val_input, verbose=0)
    after = float(vxm.losses.MSE().loss(val_input[1], val_pred[0]))
    print(f"2D tutorial: MSE of a fixed batch {before:.4f} -> {after:.4f}; history {sorted(hist.history)}")

    assert sorted(hist.history) == ["loss", "vxm_dense_flow_loss", "vxm_dense_transformer_loss"]
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert after < 0.9 * before  # the trained network registers: the moved images are closer
    # int_steps=0: the flow output is the warp, so register gives predict's flow.
    warp = vxm_model.register(val_input[0], val_input[1])
    np.testing.assert_allclose(warp, val_pred[1], atol=1e-6)
    assert np.abs(warp).max() > 0.1  # trained: the warp moves voxels
    # apply_transform warps another image (a label map) with that warp.
    labels = (val_input[0] > 0.5).astype("float32")
    warped = vxm_model.apply_transform(val_input[0], val_input[1], labels, interp_method="nearest")
    expected = vxm.layers.SpatialTransformer(interp_method="nearest")([labels, warp])
    np.testing.assert_array_equal(warped, np.asarray(expected))


@pytest.mark.slow  # 3D, integration, checkpoints, .h5 and .keras round trips: about 30 s on 2 cores
def test_train_and_register_scripts_3d(tmp_path):
    np.random.seed(0)
    tf.keras.utils.set_random_seed(0)
    volumes = blobs(6, (16, 16, 16), seed=2)
    train_files = []
    for i, vol in enumerate(volumes):
        np.savez_compressed(tmp_path / f"scan{i}.npz", vol=vol)
        train_files.append(str(tmp_path / f"scan{i}.npz"))

    # scripts/tf/train.py
    generator = vxm.generators.scan_to_scan(train_files, batch_size=2, bidir=False, add_feat_axis=True)
    sample_shape = next(generator)[0][0].shape
    inshape = sample_shape[1:-1]
    nfeats = sample_shape[-1]
    enc_nf = [8, 8]
    dec_nf = [8, 8, 8, 8]
    model = vxm.networks.VxmDense(
        inshape=inshape, nb_unet_features=[enc_nf, dec_nf], bidir=False, use_probs=False, int_steps=7,
        int_resolution=2, src_feats=nfeats, trg_feats=nfeats,
    )
    losses = [vxm.losses.NCC().loss, vxm.losses.Grad("l2", loss_mult=2).loss]
    weights = [1, 0.01]
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-4), loss=losses, loss_weights=weights)
    initial_warp = np.abs(model.register(*next(generator)[0])).max()
    steps_per_epoch = 3
    save_filename = str(tmp_path / "{epoch:04d}.keras")
    save_callback = tf.keras.callbacks.ModelCheckpoint(save_filename, save_freq=steps_per_epoch)
    hist = model.fit(generator, initial_epoch=0, epochs=2, steps_per_epoch=steps_per_epoch,
                     callbacks=[save_callback], verbose=0)
    model.save(str(tmp_path / "final.h5"))
    print(f"3D train.py: loss per epoch {np.round(hist.history['loss'], 4).tolist()}")
    assert sorted(hist.history) == ["loss", "vxm_dense_flow_resize_loss", "vxm_dense_transformer_loss"]
    assert (tmp_path / "0002.keras").is_file()

    # scripts/tf/register.py
    moving = vxm.py.utils.load_volfile(train_files[0], add_batch_axis=True, add_feat_axis=True)
    fixed = vxm.py.utils.load_volfile(train_files[1], add_batch_axis=True, add_feat_axis=True)
    loaded = vxm.networks.VxmDense.load(str(tmp_path / "final.h5"))
    warp = loaded.register(moving, fixed)
    moved = loaded.apply_transform(moving, fixed, moving)
    np.testing.assert_allclose(warp, model.register(moving, fixed), atol=1e-6)
    moved_pred, flow = model.predict([moving, fixed], verbose=0)
    np.testing.assert_allclose(moved, moved_pred, atol=1e-5)
    # The warp is the integrated, upsampled velocity output.
    integrated = vxm.layers.RescaleTransform(2)(vxm.layers.VecInt(method="ss", int_steps=7)(flow))
    np.testing.assert_allclose(warp, np.asarray(integrated), atol=1e-5)
    # Six Adam(1e-4) steps move the flow head off its RandomNormal(0, 1e-5) start.
    assert np.abs(warp).max() > 100 * initial_warp
    # The last checkpoint reloads as the trained model.
    checkpoint = tf.keras.models.load_model(str(tmp_path / "0002.keras"), compile=False)
    np.testing.assert_allclose(checkpoint.register(moving, fixed), warp, atol=1e-6)
