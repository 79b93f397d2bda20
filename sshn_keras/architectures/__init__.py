"""Architecture specs: an architecture's arguments, its graph, its Fixed network and its FLOPs.

Registered by name in `ARCHITECTURES`:

* `unet` (`UNetSpec`): the SSHN paper's U-Net;
* `vxm_dense` (`VxmDenseSpec`): VoxelMorph's `VxmDense` U-Net.

A spec lays out its graph given a method's convolution and resize factories
(`build`), builds its Fixed counterpart at a phi (`build_fixed`), counts
its FLOPs exactly (`flops`) and round-trips through a JSON config
(`to_config` / `get_architecture`). To add an architecture, write a frozen
dataclass subclassing `ArchitectureSpec` in its own module and register it:
`ARCHITECTURES.register("my_net", MyNetSpec)`.

Example:
>>> get_architecture({"name": "unet", "input_shape": [32, 32, 1], "filters": 4, "num_stages": 2}).filters
4
>>> get_architecture({"name": "resnet"})
Traceback (most recent call last):
...
ValueError: Unknown architecture `architecture`='resnet'. Registered architectures: ['unet', 'vxm_dense']
"""

from __future__ import annotations

from sshn_keras.architectures.factories import (
    HEAD,
    constant_downsample,
    he_gain,
    head_gain,
    init_gain,
    plain_conv_factory,
    resize_downsample,
    resize_to_skip,
)
from sshn_keras.architectures.flops import count_flops
from sshn_keras.architectures.spec import ArchitectureSpec
from sshn_keras.architectures.unet import UNetSpec, check_input_shape
from sshn_keras.architectures.vxm import VxmDenseSpec, default_unet_features, unet_features, vxm_unet_graph
from sshn_keras.registry import Registry

ARCHITECTURES = Registry("architecture")
ARCHITECTURES.register("unet", UNetSpec)
ARCHITECTURES.register("vxm_dense", VxmDenseSpec)


def get_architecture(architecture) -> ArchitectureSpec:
    """A spec from a spec or a `to_config()` dict (`{"name": ..., **arguments}`).

    Raises:
        ValueError: for an unknown name (listing the registered ones) or bad arguments.
        TypeError: for anything else.
    """
    if isinstance(architecture, ArchitectureSpec):
        return architecture
    if isinstance(architecture, dict):
        cls = ARCHITECTURES.get(ARCHITECTURES.check(architecture.get("name"), "architecture"))
        return cls.from_config(architecture)
    if isinstance(architecture, str):
        ARCHITECTURES.check(architecture, "architecture")
        raise TypeError(
            f"`architecture` needs its arguments: pass a spec or a config dict such as "
            f"{{'name': {architecture!r}, ...}}. Received architecture={architecture!r}"
        )
    raise TypeError(f"`architecture` must be an ArchitectureSpec or a config dict. Received {architecture!r}")


__all__ = [
    "ARCHITECTURES",
    "ArchitectureSpec",
    "HEAD",
    "UNetSpec",
    "VxmDenseSpec",
    "check_input_shape",
    "constant_downsample",
    "count_flops",
    "default_unet_features",
    "get_architecture",
    "he_gain",
    "head_gain",
    "init_gain",
    "plain_conv_factory",
    "resize_downsample",
    "resize_to_skip",
    "unet_features",
    "vxm_unet_graph",
]
