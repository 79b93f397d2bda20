"""Experiment configuration: what to train, and a fingerprint that guards result folders."""

import dataclasses
import json
from dataclasses import dataclass, field

from sshn_keras.data.registry import DATASETS
from sshn_keras.experiments.tasks import EXPERIMENT_TASKS
from sshn_keras.models.methods import phi_conditioned_methods
from sshn_keras.priors import validate_phi

# `ExperimentConfig.lr_schedule` values.
LR_SCHEDULES = (None, "cosine")
# The method trained once per phi of `fixed_grid` (its Job has a phi).
FIXED = "fixed"
PAPER_GRID = tuple(round(0.05 * k, 2) for k in range(1, 11))


@dataclass(frozen=True)
class Job:
    """One model to train: a method, a seed, and for Fixed its phi."""

    method: str
    seed: int
    phi: float | None = None

    @property
    def key(self) -> str:
        return f"{self.method}_seed{self.seed}" if self.phi is None else f"{self.method}_phi{self.phi:.2f}_seed{self.seed}"


@dataclass
class ExperimentConfig:
    """Everything that determines an experiment's results.

    Args:
        dataset: a registered dataset (`sshn_keras.data.DATASETS`): `"wbc"`
            (real data), `"synthetic"` (embedded), ...
        data_root: dataset folder (None: the loader's default).
        image_size: side of the square images.
        seeds: `{method: [seeds]}` for the phi-conditioned methods
            (registered in `sshn_keras.models.METHODS`: sshn, stochastic, film, ...).
        fixed_grid: phi values of the Fixed grid.
        fixed_seeds: `{phi: [seeds]}`; a grid phi missing here gets `[0]`.
        filters, num_stages, convs_per_stage: the primary U-Net.
        prior: `(low, high)` of the training prior.
        batch_size, learning_rate, max_epochs, patience: Adam with early
            stopping on validation loss (best weights restored).
        global_clipnorm: gradient clipping of every method's Adam (None: off).
            Without it, our first WBC SSHN run diverged at epoch 66 (loss
            0.12 -> 4.7 in two epochs); 1.0 is applied to all methods alike.
        validation_phis: phi values at which phi-conditioned models (SSHN,
            Stochastic, FiLM) are validated during training; early stopping
            monitors the mean validation loss over them
            (`sshn_keras.callbacks.PhiGridValidation`). Empty: validate at
            the prior's mean only, Keras' default (our first WBC protocol:
            its SSHN peaked at phi 0.3 and fell behind Fixed at the ends).
        phi_patience, phi_max_epochs: early-stopping patience and epoch cap
            of phi-conditioned models (None: `patience`, `max_epochs`). One
            model learns the whole family, so it may train longer; the
            training time of every model is recorded and compared.
        head_rank: SSHN only: rank of compact hypernetwork heads (None: the
            paper's full heads, whatever `SSHNUNet`'s default; see
            `sshn_keras.layers.HyperConv`).
        lr_schedule: None (a constant `learning_rate`) or `"cosine"`: the
            learning rate decays along a cosine from `learning_rate` to 5% of
            it over each model's epoch cap (`max_epochs`, or `phi_max_epochs`
            for phi-conditioned models).
        sweep: `(start, stop, step)` of the phi sweep of phi-conditioned models.
        split_seed: seed of the 64/16/20 split.
        num_images: for the synthetic dataset.
        task: a registered task (`sshn_keras.experiments.EXPERIMENT_TASKS`):
            `"segmentation"` (default) or `"registration"`.
        task_options: the task's own settings (see its `options`, e.g.
            registration's `steps_per_epoch`, `lambda_weight`, `int_steps`,
            `test_pairs`); missing ones take the task's defaults.

    `to_dict` leaves out `task` and `task_options` at their defaults, so a
    segmentation experiment's `config.json` and `results.json` are those
    written before these fields existed.
    """

    dataset: str = "wbc"
    data_root: str | None = None
    image_size: int = 128
    seeds: dict = field(default_factory=lambda: {"sshn": [0, 1, 2], "stochastic": [0], "film": [0]})
    fixed_grid: tuple = PAPER_GRID
    fixed_seeds: dict = field(default_factory=lambda: {"0.5": [0, 1, 2]})
    filters: int | list = 32
    num_stages: int = 5
    convs_per_stage: int = 2
    prior: tuple = (0.0, 0.5)
    batch_size: int = 8
    learning_rate: float = 1e-3
    global_clipnorm: float | None = 1.0
    max_epochs: int = 100
    patience: int = 10
    validation_phis: tuple = ()
    phi_patience: int | None = None
    phi_max_epochs: int | None = None
    head_rank: int | None = None
    lr_schedule: str | None = None
    sweep: tuple = (0.01, 0.5, 0.01)
    split_seed: int = 0
    num_images: int = 320
    task: str = "segmentation"
    task_options: dict = field(default_factory=dict)

    def __post_init__(self):
        DATASETS.check(self.dataset, "dataset")
        self.task_options = EXPERIMENT_TASKS.get(EXPERIMENT_TASKS.check(self.task, "task")).check_options(self.task_options)
        allowed = phi_conditioned_methods()
        unknown = set(self.seeds) - set(allowed)
        if unknown:
            raise ValueError(f"`seeds` keys must be among the phi-conditioned methods {list(allowed)}. Received {sorted(unknown)}")
        self.fixed_grid = tuple(round(validate_phi(p, "fixed_grid entry"), 4) for p in self.fixed_grid)
        self.prior = tuple(self.prior)
        self.sweep = tuple(self.sweep)
        self.validation_phis = tuple(round(validate_phi(p, "validation_phis entry"), 4) for p in self.validation_phis)
        for name in ("patience", "max_epochs", "phi_patience", "phi_max_epochs", "head_rank"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"`{name}` must be a positive integer. Received {name}={value!r}")
        self.fixed_seeds = {f"{float(k):g}": list(v) for k, v in self.fixed_seeds.items()}
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"`lr_schedule` must be one of {list(LR_SCHEDULES)}. Received lr_schedule={self.lr_schedule!r}")

    def jobs(self) -> list:
        """Jobs in priority order: seed 0 of every method first, then extra seeds."""
        jobs = []
        max_seeds = max([len(v) for v in self.seeds.values()] + [len(v) for v in self.fixed_seeds.values()] + [1])
        for rank in range(max_seeds):
            for method in phi_conditioned_methods():
                seeds = self.seeds.get(method, [])
                if rank < len(seeds):
                    jobs.append(Job(method, seeds[rank]))
            for phi in sorted(self.fixed_grid, key=lambda p: (p != 0.5, -p)):
                seeds = self.fixed_seeds.get(f"{phi:g}", [0])
                if rank < len(seeds):
                    jobs.append(Job(FIXED, seeds[rank], phi))
        return jobs

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["fixed_grid"] = list(self.fixed_grid)
        d["prior"] = list(self.prior)
        d["sweep"] = list(self.sweep)
        d["validation_phis"] = list(self.validation_phis)
        if self.task == "segmentation" and not self.task_options:
            del d["task"], d["task_options"]
        if self.lr_schedule is None:
            del d["lr_schedule"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ExperimentConfig":
        return cls(**d)

    def differences(self, other: "ExperimentConfig") -> list:
        a, b = json.loads(json.dumps(self.to_dict())), json.loads(json.dumps(other.to_dict()))
        return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


# Three seeds of SSHN and of every Fixed U-Net of the grid (a Fixed U-Net costs
# about a fifth of an SSHN here), one of Stochastic and FiLM.
WBC_PAPER = ExperimentConfig(validation_phis=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5), phi_patience=20, phi_max_epochs=150,
                             fixed_seeds={f"{p:g}": [0, 1, 2] for p in PAPER_GRID})

PRESETS = {
    "wbc_paper": WBC_PAPER,
    # The paper's literal SSHN with compact (rank-8) hypernetwork heads, trained
    # exactly as wbc_paper's SSHN: compare its sweep with wbc_paper's sshn_seed0.
    "wbc_compact_head": dataclasses.replace(WBC_PAPER, head_rank=8, seeds={"sshn": [0]}, fixed_grid=(), fixed_seeds={}),
    # The recommended recipe: compact (rank-8) heads, phi-grid validation, clipping, and
    # a fixed budget of 150 epochs with the best weights restored (patience = budget,
    # so no seed can stop on a plateau); three seeds, compared with wbc_paper's Fixed grid.
    "wbc_recipe": dataclasses.replace(WBC_PAPER, head_rank=8, seeds={"sshn": [0, 1, 2]}, fixed_grid=(),
                                      fixed_seeds={}, phi_patience=WBC_PAPER.phi_max_epochs),
    # A training-cost lever: the recipe with a cosine learning-rate decay over 60 epochs, the largest round budget
    # that meets both cost targets at the recipe's measured epoch cost (three seeds, as the recipe).
    "wbc_recipe_cosine": dataclasses.replace(WBC_PAPER, head_rank=8, seeds={"sshn": [0, 1, 2]}, fixed_grid=(), fixed_seeds={},
                                             lr_schedule="cosine", phi_max_epochs=60, phi_patience=60),
    # Fairness check of wbc_paper: Fixed 0.5 trained with the SSHN's early stopping
    # (phi_patience, phi_max_epochs) instead of patience 10 / 100 epochs.
    "wbc_fixed_long": dataclasses.replace(WBC_PAPER, seeds={}, fixed_grid=(0.5,), fixed_seeds={},
                                          patience=WBC_PAPER.phi_patience, max_epochs=WBC_PAPER.phi_max_epochs,
                                          validation_phis=(), phi_patience=None, phi_max_epochs=None),
    "synthetic_smoke": ExperimentConfig(
        dataset="synthetic",
        image_size=32,
        seeds={"sshn": [0], "stochastic": [0], "film": [0]},
        fixed_grid=(0.25, 0.5),
        fixed_seeds={},
        filters=4,
        num_stages=3,
        max_epochs=2,
        patience=1,
        sweep=(0.05, 0.5, 0.05),
        num_images=40,
    ),
    # Registration on 48 synthetic stand-in subjects in the OASIS 2D layout
    # (`oasis_standin`: NOT MRI; these numbers test the pipeline): VxmDense
    # networks, 500 steps of 4 random training pairs (MSE + 0.01 Grad("l2")),
    # evaluated on 32 random pairs of test subjects (warped seg4 labels).
    # Trained without gradient clipping, as when its results were first made.
    "registration_oasis_standin": ExperimentConfig(
        dataset="oasis_standin",
        task="registration",
        task_options={"steps_per_epoch": 500, "lambda_weight": 0.01, "int_steps": 0, "test_pairs": 32},
        image_size=160,
        num_images=48,
        seeds={"sshn": [0], "stochastic": [0], "film": [0]},
        fixed_grid=(0.25, 0.5),
        fixed_seeds={},
        filters=8,
        num_stages=5,
        batch_size=4,
        learning_rate=3e-3,
        global_clipnorm=None,
        max_epochs=1,
        sweep=(0.05, 0.5, 0.05),
    ),
}
