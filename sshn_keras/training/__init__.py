"""Training: one `train_job` for every entry point, and the paper's two-phase schedule.

* `train_job` (`sshn_keras.training.job`): compile with clipped Adam, fit
  with phi-grid validation, early stopping, resumable backups and atomic
  writes. The experiment runner, `sshn-keras train`, `fit_ce_then_dice`
  (and so the demo) and registration experiments all train through it.
* `fit_ce_then_dice` (`sshn_keras.training.two_phase`): cross-entropy, then
  soft Dice, as two `train_job` phases (the demo uses it).
"""

from sshn_keras.training.job import TrainedJob, compile_segmentation, train_job
from sshn_keras.training.two_phase import fit_ce_then_dice, phase_optimizer

__all__ = ["TrainedJob", "compile_segmentation", "fit_ce_then_dice", "phase_optimizer", "train_job"]
