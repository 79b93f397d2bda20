"""Tasks: argument checks, config round trips, the inputs a task accepts and its data checks."""

import numpy as np
import pytest

from sshn_keras.architectures import VxmDenseSpec
from sshn_keras.tasks import RegistrationTask, SegmentationTask, get_task
from sshn_keras.tasks.validation import check_labels


def test_task_arguments_are_checked():
    with pytest.raises(ValueError, match=r"num_classes.*>= 2"):
        SegmentationTask(1)
    with pytest.raises(ValueError, match="int_downsize"):
        RegistrationTask(int_downsize=0)
    with pytest.raises(ValueError, match="flow_init_stddev"):
        RegistrationTask(flow_init_stddev=-1.0)
    with pytest.raises(ValueError, match=r"divisible by int_downsize=2"):
        VxmDenseSpec(inshape=(17, 32)).build_fixed(0.5, RegistrationTask())


@pytest.mark.parametrize("task", [SegmentationTask(5), RegistrationTask(int_steps=3, int_downsize=1)], ids=["seg", "reg"])
def test_config_round_trip_through_the_registry(task):
    assert get_task(task.to_config()) == task and get_task(task) is task
    with pytest.raises(TypeError, match="`task` must be a Task"):
        get_task(3)


def test_segmentation_inputs_and_labels():
    task = SegmentationTask(3)
    images = np.zeros((2, 16, 16, 1), "float32")
    assert task.split_inputs({"image": images, "phi": 0.3}) == ({"image": images}, 0.3)
    with pytest.raises(ValueError, match=r"unknown keys \['moving'\]"):
        task.split_inputs({"image": images, "moving": images})
    task.check_data(images, np.ones((2, 16, 16), "int32"), (16, 16, 1), num_stages=2)
    with pytest.raises(ValueError, match=r"\[0, 2\] for num_classes=3"):
        task.check_data(images, np.full((2, 16, 16), 3), (16, 16, 1), num_stages=2)
    with pytest.raises(ValueError, match="sum"):  # one-hot maps must be distributions
        check_labels(np.full((2, 16, 16, 3), 0.5), 3, images.shape)
