"""The paper's two analysis experiments: prior width and weight transfer.

* Prior width: SSHN trained with `Uniform(0.5 - r, 0.5 + r)` for r in
  {0, 0.01, ..., 0.05}, evaluated at phi = 0.5. r = 0 is a hypernetwork
  trained at phi = 0.5 only; a wider prior shows whether seeing nearby
  phi during training helps at phi = 0.5.
* Weight transfer: weights made for phi = 0.5 (predicted by an SSHN at 0.5,
  or a Fixed U-Net trained at 0.5) used unchanged at other phi. Against the
  SSHN's own weights at each phi, this shows that the hypernetwork really
  predicts phi-specific weights.
"""

import dataclasses
import json
import logging
import os

import keras

from sshn_keras.atomic import atomic_write_json
from sshn_keras.experiments.config import ExperimentConfig, Job
from sshn_keras.models import build_unet
from sshn_keras.models.phi_model import PhiConditionedModel
from sshn_keras.priors import validate_phi
from sshn_keras.sweep import sweep_fixed

logger = logging.getLogger(__name__)

PRIOR_RADII = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05)


def prior_width_experiment(config: ExperimentConfig, folder: str, radii=PRIOR_RADII, seeds=(0,), verbose=2) -> list:
    """Train SSHN with priors `U(0.5 - r, 0.5 + r)` and test each at phi = 0.5 (cached per model).

    Each model is cached in `<folder>/prior_width/r<r>_seed<s>.json` once
    tested, and trains resumably (`<folder>/backup/prior_width_r<r>_seed<s>/`,
    removed once its result is written): a rerun after a kill continues the
    interrupted model from its last finished epoch and skips finished ones.

    Returns:
        Rows `{"radius", "seed", "dice_mean", "dice_std", "train_seconds", "epochs", ...}`,
        also written to `<folder>/prior_width.json` and plotted in
        `<folder>/prior_width.png` (mean over seeds, +-1 std band).
    """
    from sshn_keras.experiments.runner import fit_job, job_architecture, load_splits
    from sshn_keras.plots import plot_prior_width
    from sshn_keras.resumable import remove_backup

    for r in radii:
        if not 0 <= r <= 0.5:
            raise ValueError(f"Prior radius must lie in [0, 0.5]. Received {r}")
    os.makedirs(os.path.join(folder, "prior_width"), exist_ok=True)
    splits = load_splits(config)
    x, y = splits["test"]
    rows = []
    for r in radii:
        for seed in seeds:
            name = f"r{r:.2f}_seed{seed}"
            path = os.path.join(folder, "prior_width", f"{name}.json")
            if not os.path.exists(path):
                logger.info("prior width %s: SSHN with prior U(%g, %g)", name, 0.5 - r, 0.5 + r)
                # validated at the prior's mean (0.5), where these models are tested
                cfg = dataclasses.replace(config, prior=(0.5 - r, min(1.0, 0.5 + r)), validation_phis=())
                backup_dir = os.path.join(folder, "backup", f"prior_width_{name}")
                fitted = fit_job(cfg, Job("sshn", seed), splits, verbose, backup_dir=backup_dir)
                model, seconds, epochs = fitted.model, fitted.seconds, fitted.epochs
                arch = job_architecture(cfg, x.shape[1:], len(splits["label_names"]))
                row = sweep_fixed(model.materialize(0.5), x, y, 0.5, arch, label_names=splits["label_names"])
                atomic_write_json(path, {"radius": r, "seed": seed, "train_seconds": seconds, "epochs": epochs, **row})
                remove_backup(backup_dir)  # only once the result is written
                keras.backend.clear_session()
            with open(path) as f:
                rows.append(json.load(f))
    atomic_write_json(os.path.join(folder, "prior_width.json"), rows)
    plot_prior_width(rows, os.path.join(folder, "prior_width.png"))
    return rows


def transfer_weights(model: keras.Model, phi: float, source_phi: float = 0.5, arch: dict | None = None) -> keras.Model:
    """A U-Net at `phi` holding the weights made for `source_phi`.

    Args:
        model: a phi-conditioned model (its weights at `source_phi` are
            materialised; its architecture is its own spec's) or a Fixed
            U-Net (its weights are used as they are; `source_phi` is then
            only a label).
        phi: the phi the returned U-Net rescales by.
        source_phi: the phi whose weights are transferred.
        arch: the `build_unet` arguments (without `phi`) a Fixed U-Net was
            built with, e.g. `job_architecture(config, ...)`; not used for a
            phi-conditioned model.

    Raises:
        ValueError: for phi outside (0, 1], or a Fixed U-Net without `arch`.
    """
    phi = validate_phi(phi)
    if isinstance(model, PhiConditionedModel):
        source = model.materialize(source_phi)
        arch = model.architecture()
    elif arch is None:
        raise ValueError(
            f"A Fixed U-Net ({model.name!r}) holds no architecture spec: give `arch`, the `build_unet` arguments it "
            "was built with. Received arch=None"
        )
    else:
        source = model
    target = build_unet(**arch, phi=phi, name=f"transfer_{source_phi:g}_to_{phi:g}")
    target.set_weights(source.get_weights())
    return target


def weight_transfer_experiment(models: dict, x, y, phis, arch: dict, label_names=None, source_phi: float = 0.5) -> dict:
    """Dice at each phi of weights made for `source_phi`, for each `{name: model}`.

    Returns `{"<name>, weights for phi=<source_phi>": rows, ...}`;
    phi-conditioned models also get a `"<name>, weights predicted at each phi"`
    curve, for comparison.
    """
    out = {}
    for name, model in models.items():
        out[f"{name}, weights for phi={source_phi:g}"] = [
            sweep_fixed(transfer_weights(model, p, source_phi, arch), x, y, p, arch, label_names=label_names)
            for p in phis
        ]
        if isinstance(model, PhiConditionedModel):
            out[f"{name}, weights predicted at each phi"] = [
                sweep_fixed(model.materialize(p), x, y, p, arch, label_names=label_names) for p in phis
            ]
    return out
