"""Tasks: what a network is for (inputs, head, outputs, data checks), registered by name in `TASKS`.

* `segmentation` (`SegmentationTask(num_classes)`): `image` in, softmax
  probabilities out; Dice.
* `registration` (`RegistrationTask(int_steps, int_downsize, fill_value,
  flow_init_stddev)`): VoxelMorph's `[moving, fixed]` in, `[moved, flow]`
  out, with integration and a spatial transformer.

To add a task, subclass `Task` in its own module and register the class:
`TASKS.register("my_task", MyTask)`.

Example:
>>> get_task({"name": "segmentation", "num_classes": 3})
SegmentationTask(num_classes=3)
>>> get_task("detection")
Traceback (most recent call last):
...
ValueError: Unknown task `task`='detection'. Registered tasks: ['segmentation', 'registration']
"""

from __future__ import annotations

from sshn_keras.registry import Registry
from sshn_keras.tasks.base import Task
from sshn_keras.tasks.registration import RegistrationTask, check_pair_shapes
from sshn_keras.tasks.registration_model import RegistrationModel, as_tuples, tuples_for_fit
from sshn_keras.tasks.segmentation import SegmentationTask

TASKS = Registry("task")
TASKS.register("segmentation", SegmentationTask)
TASKS.register("registration", RegistrationTask)


def get_task(task) -> Task:
    """A `Task` from a task, a registered name (default arguments) or a `to_config()` dict.

    Raises:
        ValueError: for an unknown name (listing the registered ones).
        TypeError: for anything else.
    """
    if isinstance(task, Task):
        return task
    if isinstance(task, str):
        return TASKS.get(TASKS.check(task, "task"))()
    if isinstance(task, dict):
        return TASKS.get(TASKS.check(task.get("name"), "task")).from_config(task)
    raise TypeError(f"`task` must be a Task, a registered name or a config dict. Received task={task!r}")


__all__ = [
    "RegistrationModel",
    "RegistrationTask",
    "SegmentationTask",
    "TASKS",
    "Task",
    "as_tuples",
    "check_pair_shapes",
    "get_task",
    "tuples_for_fit",
]
