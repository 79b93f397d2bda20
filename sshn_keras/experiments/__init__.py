"""Experiments: train every method over seeds, sweep phi, cache, resume, plot."""

from sshn_keras.experiments.config import ExperimentConfig, Job
from sshn_keras.experiments.runner import run_experiment
from sshn_keras.experiments.selection import choose_phi
from sshn_keras.experiments.tasks import EXPERIMENT_TASKS, ExperimentTask

__all__ = ["ExperimentConfig", "Job", "EXPERIMENT_TASKS", "ExperimentTask", "choose_phi", "run_experiment"]
