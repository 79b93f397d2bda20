"""How many weights an SSHN's hypernetwork holds, full or compact heads, without building it.

A full head holds `E + 1` weights per primary weight (E = 100, the
embedding width): fine for the paper's 32-feature U-Net (0.2M primary
weights), impractical for one whose widths double per stage (7.8M primary
weights, 0.79G head weights, 3.2 GB in float32 before Adam's two moments). `hypernetwork_size` counts
both designs from the primary U-Net's convolutions (built as a plain
`build_unet`, which is cheap), so the choice can be made before building.
"""

import math

import keras

from sshn_keras.models.unet import build_unet


def primary_convolutions(**architecture) -> list:
    """`[(kernel_shape, filters), ...]` of the primary U-Net's convolutions.

    Args:
        architecture: `build_unet` arguments (`input_shape`, `num_classes`,
            `filters`, `num_stages`, `convs_per_stage`, `kernel_size`).
    """
    unet = build_unet(**architecture, phi=0.5)
    return [
        (tuple(layer.kernel.shape), layer.filters)
        for layer in unet.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv3D))
    ]


def hypernetwork_size(head_rank: int | None = None, hyper_units=(10, 100), **architecture) -> dict:
    """Weights of an `SSHNUNet`'s hypernetwork and of its primary U-Net.

    Args:
        head_rank: None for full heads, else the rank of compact heads
            (see `sshn_keras.layers.HyperConv`).
        hyper_units: hidden widths of the hypernetwork (the last is E).
        architecture: `build_unet` arguments.

    Returns:
        `{"primary": int, "heads": int, "body": int, "total": int,
        "float32_bytes": int}`; `total` equals the SSHN's trainable weights.
    """
    if head_rank is not None and (isinstance(head_rank, bool) or not isinstance(head_rank, int) or head_rank <= 0):
        raise ValueError(f"`head_rank` must be a positive int or None. Received head_rank={head_rank!r}")
    units = [2] + [int(u) for u in hyper_units]  # input is [phi, 1 - phi]
    body = sum((a + 1) * b for a, b in zip(units[:-1], units[1:]))
    embed = units[-1]
    primary = heads = 0
    for kernel_shape, filters in primary_convolutions(**architecture):
        n = math.prod(kernel_shape)
        primary += n + filters
        bias_head = (embed + 1) * filters
        if head_rank is None:
            heads += (embed + 1) * n + bias_head
        else:
            heads += n + head_rank * (embed + n) + bias_head
    total = body + heads
    return {"primary": primary, "heads": heads, "body": body, "total": total, "float32_bytes": 4 * total}
