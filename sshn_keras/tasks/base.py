"""`Task`: what a network is for (its inputs, head, outputs and data checks), apart from its architecture.

A task is a small frozen dataclass. An architecture spec lays out the
backbone between `backbone_input(inputs)` and a linear head of
`out_channels(ndims)` channels; the task supplies the inputs, turns the
head into the outputs (a softmax; a warp) and wraps the result as a Keras
model. Every method of `sshn_keras.models.PhiModel` that depends on the task
asks it, so segmentation and registration share the rest.
"""

from __future__ import annotations

import dataclasses

import keras

from sshn_keras.registry import NamedConfig


@dataclasses.dataclass(frozen=True)
class Task(NamedConfig):
    """Base of the tasks; subclasses are frozen dataclasses registered in `TASKS`.

    Class attributes:
        name: the registry name.
        input_names: names of the image inputs (the phi input is `"phi"`).
        output_names: names Keras gives per-output losses and history keys
            (None: Keras' defaults).
    """

    name = ""
    input_names = ()
    output_names = None

    # -- graph ----------------------------------------------------------------
    @property
    def head_init_stddev(self) -> float | None:
        """Standard deviation of the head's initial kernels (None: He)."""
        return None

    def out_channels(self, ndims: int) -> int:
        """Channels of the backbone's linear head."""
        raise NotImplementedError

    def check(self, image_shape: tuple) -> None:
        """Raise `ValueError` if the task cannot run on images of `image_shape`."""

    def inputs(self, image_shape: tuple) -> dict:
        """`{name: keras.Input}` of the image inputs."""
        return {name: keras.Input(tuple(image_shape), name=name) for name in self.input_names}

    def backbone_input(self, inputs: dict):
        """The tensor the backbone starts from."""
        raise NotImplementedError

    def outputs(self, inputs: dict, head):
        """The network's outputs from its linear `head`."""
        raise NotImplementedError

    def fixed_model(self, inputs: dict, outputs, name: str) -> keras.Model:
        """The plain (Fixed / materialised) model from the functional tensors."""
        raise NotImplementedError

    # -- a phi-conditioned model's calls ---------------------------------------------
    def split_inputs(self, inputs) -> tuple:
        """`({name: images}, phi or None)` from what a model is called on."""
        raise NotImplementedError

    def checked_images(self, images: dict, image_shape: tuple, min_size: int) -> dict:
        """`images` with run-time checks attached (see `sshn_keras.ops.checks`)."""
        raise NotImplementedError

    def call_outputs(self, out):
        """What the model's `call` returns from its network's outputs."""
        return out

    def check_data(self, x, y, image_shape: tuple, num_stages: int, what: str = "x") -> None:
        """Check numpy data given to `fit` / `evaluate` / `predict` (clear ValueErrors)."""

    def prepare_fit(self, x, kwargs: dict) -> tuple:
        """`(x, kwargs)` of `fit`, adapted to the task's data conventions."""
        return x, kwargs

