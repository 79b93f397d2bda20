import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from sshn_keras.export import export_saved_model
from sshn_keras.models import SSHNUNet, build_unet


def test_export_at_phi_serves_like_the_materialized_model(tmp_path, tiny_data, tiny_arch):
    x, _ = tiny_data
    model = SSHNUNet(**tiny_arch)
    path = export_saved_model(model, tmp_path / "unet_phi0.3", phi=0.3)
    loaded = tf.saved_model.load(path)
    serve = loaded.signatures["serving_default"]
    out = serve(image=tf.constant(x[:3]))
    expected = model.predict(x[:3], phi=0.3, verbose=0)
    np.testing.assert_allclose(out["probabilities"].numpy(), expected, atol=1e-5)
    np.testing.assert_array_equal(out["segmentation"].numpy(), expected.argmax(-1))
    # the hypernetwork is dropped: no variable of the SavedModel is a hypernetwork head
    assert not any("head" in v.name and "kernel_head" in v.name for v in loaded.variables)


def test_export_whole_sshn_takes_phi_per_request(tmp_path, tiny_data, tiny_arch):
    x, _ = tiny_data
    model = SSHNUNet(**tiny_arch)
    serve = tf.saved_model.load(export_saved_model(model, tmp_path / "sshn")).signatures["serving_default"]
    for phi in (0.1, 0.45):
        out = serve(image=tf.constant(x[:2]), phi=tf.constant(phi))
        np.testing.assert_allclose(out["probabilities"].numpy(), model.predict(x[:2], phi=phi, verbose=0), atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`phi` must be a finite number in \(0, 1\]"):
        serve(image=tf.constant(x[:2]), phi=tf.constant(1.5))


def test_export_fixed_unet_and_saved_model_cli(tmp_path, tiny_arch):
    unet = build_unet(**tiny_arch, phi=0.5)
    path = export_saved_model(unet, tmp_path / "fixed")
    cli = subprocess.run(
        [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir", str(path), "--tag_set", "serve", "--signature_def", "serving_default"],
        capture_output=True, text=True, timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "inputs['image']" in cli.stdout and "outputs['segmentation']" in cli.stdout


def test_export_refuses_bad_requests(tmp_path, tiny_arch):
    unet = build_unet(**tiny_arch, phi=0.5)
    with pytest.raises(ValueError, match="only for phi-conditioned"):
        export_saved_model(unet, tmp_path / "a", phi=0.3)
    with pytest.raises(ValueError, match="phi"):
        export_saved_model(SSHNUNet(**tiny_arch), tmp_path / "b", phi=1.5)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "keep.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        export_saved_model(unet, tmp_path / "c")
