"""The task registry: what an experiment trains and how it scores it (segmentation, registration).

An `ExperimentTask` tells the experiment runner how to load an experiment's data,
build the model of a job, what to train it on (the arguments of
`sshn_keras.training.train_job`), and how to sweep it. `ExperimentConfig`
validates its `task` and `task_options` against `EXPERIMENT_TASKS`. To add a task,
write its functions and register it:

>>> EXPERIMENT_TASKS.register("my_task", ExperimentTask("my_task", load, build, training, evaluate))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sshn_keras.experiments import registration_task, segmentation_task
from sshn_keras.registry import Registry


@dataclass(frozen=True)
class ExperimentTask:
    """A registered experiment task.

    Args:
        name: the registry name (`ExperimentConfig.task`).
        load: `load(config) -> data`, everything the other functions need.
        build: `build(config, job, data) -> keras.Model`, the untrained model
            of one job (the runner seeds Keras with the job's seed first).
        training: `training(config, job, data) -> dict` of `train_job`
            arguments (`train`, `validation`, `epochs`, `patience`,
            `validation_phis`, `compile_model`, `steps_per_epoch`); the runner
            adds the config's batch size, learning rate, clipping, backups.
        evaluate: `evaluate(config, job, model, data, progress) -> rows`, the
            job's sweep (one row for a Fixed network).
        options: `{name: default}` of the task's own settings
            (`ExperimentConfig.task_options`).
        write_summary: optional `write_summary(folder, results)`, called
            after `results.json` is written (e.g. a README table).
    """

    name: str
    load: Callable
    build: Callable
    training: Callable
    evaluate: Callable
    options: dict = field(default_factory=dict)
    write_summary: Callable | None = None

    def check_options(self, options) -> dict:
        """`options` checked against the task's (`ValueError` for unknown names); missing ones stay missing."""
        if not isinstance(options, dict):
            raise TypeError(f"`task_options` must be a dict. Received {type(options).__name__}")
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ValueError(f"`task_options` of the {self.name} task must be among {sorted(self.options)}. "
                             f"Received {unknown}")
        return dict(options)



EXPERIMENT_TASKS = Registry("task")
EXPERIMENT_TASKS.register("segmentation", ExperimentTask(
    "segmentation", segmentation_task.load, segmentation_task.build, segmentation_task.training,
    segmentation_task.evaluate,
))
EXPERIMENT_TASKS.register("registration", ExperimentTask(
    "registration", registration_task.load, registration_task.build, registration_task.training,
    registration_task.evaluate, options=registration_task.OPTIONS, write_summary=registration_task.write_summary,
))
