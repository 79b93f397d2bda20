"""Experiment configuration: what to train, and a fingerprint that guards result folders."""

import dataclasses
import json
from dataclasses import dataclass, field

from sshn_keras.priors import validate_phi

METHOD_NAMES = ("sshn", "stochastic", "film", "fixed")
PAPER_GRID = tuple(round(0.05 * k, 2) for k in range(1, 11))


@dataclass(frozen=True)
class Job:
    """One model to train: a method, a seed, and for Fixed its phi."""

    method: str
    seed: int
    phi: float | None = None

    @property
    def key(self) -> str:
        return f"{self.method}_phi{self.phi:.2f}_seed{self.seed}" if self.method == "fixed" else f"{self.method}_seed{self.seed}"


@dataclass
class ExperimentConfig:
    """Everything that determines an experiment's results.

    Args:
        dataset: `"wbc"` (real data) or `"synthetic"` (embedded).
        data_root: dataset folder (None: the loader's default).
        image_size: side of the square images.
        seeds: `{method: [seeds]}` for sshn, stochastic and film.
        fixed_grid: phi values of the Fixed grid.
        fixed_seeds: `{phi: [seeds]}`; a grid phi missing here gets `[0]`.
        filters, num_stages, convs_per_stage: the primary U-Net.
        prior: `(low, high)` of the training prior.
        batch_size, learning_rate, max_epochs, patience: Adam with early
            stopping on validation loss (best weights restored).
        global_clipnorm: gradient clipping of every method's Adam (None: off).
            Without it, our first WBC SSHN run diverged at epoch 66 (loss
            0.12 -> 4.7 in two epochs); 1.0 is applied to all methods alike.
        sweep: `(start, stop, step)` of the phi sweep of phi-conditioned models.
        split_seed: seed of the 64/16/20 split.
        num_images: for the synthetic dataset.
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
    sweep: tuple = (0.01, 0.5, 0.01)
    split_seed: int = 0
    num_images: int = 320

    def __post_init__(self):
        if self.dataset not in ("wbc", "synthetic"):
            raise ValueError(f"`dataset` must be 'wbc' or 'synthetic'. Received dataset={self.dataset!r}")
        unknown = set(self.seeds) - {"sshn", "stochastic", "film"}
        if unknown:
            raise ValueError(f"`seeds` keys must be among sshn, stochastic, film. Received {sorted(unknown)}")
        self.fixed_grid = tuple(round(validate_phi(p, "fixed_grid entry"), 4) for p in self.fixed_grid)
        self.prior = tuple(self.prior)
        self.sweep = tuple(self.sweep)
        self.fixed_seeds = {f"{float(k):g}": list(v) for k, v in self.fixed_seeds.items()}

    def jobs(self) -> list:
        """Jobs in priority order: seed 0 of every method first, then extra seeds."""
        jobs = []
        max_seeds = max([len(v) for v in self.seeds.values()] + [len(v) for v in self.fixed_seeds.values()] + [1])
        for rank in range(max_seeds):
            for method in ("sshn", "stochastic", "film"):
                seeds = self.seeds.get(method, [])
                if rank < len(seeds):
                    jobs.append(Job(method, seeds[rank]))
            for phi in sorted(self.fixed_grid, key=lambda p: (p != 0.5, -p)):
                seeds = self.fixed_seeds.get(f"{phi:g}", [0])
                if rank < len(seeds):
                    jobs.append(Job("fixed", seeds[rank], phi))
        return jobs

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["fixed_grid"] = list(self.fixed_grid)
        d["prior"] = list(self.prior)
        d["sweep"] = list(self.sweep)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ExperimentConfig":
        return cls(**d)

    def differences(self, other: "ExperimentConfig") -> list:
        a, b = json.loads(json.dumps(self.to_dict())), json.loads(json.dumps(other.to_dict()))
        return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


PRESETS = {
    "wbc_paper": ExperimentConfig(),
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
}
