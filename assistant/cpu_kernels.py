"""oneDNN kernels for a BERT encoder on the CPU: packed weights and fused epilogues.

PyTorch runs each ``nn.Linear`` of a BERT layer as a plain matrix product, then the GELU and the
residual addition as separate passes over memory. oneDNN (bundled with PyTorch) can keep each
weight in the layout its matrix kernels want and apply the GELU or the residual addition inside
the product. On these CPUs (AMX, bfloat16) that measured 13-15 % off a batch encode and about a
quarter off a one-question encode, with vectors unchanged to within bfloat16 rounding.

Only the exact layout of Hugging Face's ``BertLayer`` (all-MiniLM-L6-v2 and its relatives) is
rewritten; :func:`fuse_bert` leaves any other model alone, and the caller keeps the fused copy
only when its vectors match the original's on a probe text.
"""

from __future__ import annotations

import types
from typing import Any

import torch
from torch import nn

PACK_ROWS_HINT = 4096  # rows (tokens) per product the weights are laid out for; any size still works


def available() -> bool:
    """True when this PyTorch build has oneDNN's fused linear kernels."""
    try:
        return torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_linear_pointwise")
    except (AttributeError, RuntimeError):
        return False


class PackedLinear(nn.Module):
    """``nn.Linear`` (optionally followed by exact GELU) as one oneDNN call on a packed weight."""

    def __init__(self, linear: nn.Linear, activation: str = "none") -> None:
        super().__init__()
        weight = linear.weight.detach()
        self.packed = torch.ops.mkldnn._reorder_linear_weight(weight, PACK_ROWS_HINT)
        self.bias = None if linear.bias is None else linear.bias.detach()
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._linear_pointwise(x, self.packed, self.bias, self.activation, [], "none")

    def plus(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        """``linear(x) + residual`` with the addition done in the product's epilogue."""
        return torch.ops.mkldnn._linear_pointwise.binary(x, residual, self.packed, self.bias, "add")


def _output_forward(self: Any, hidden_states: torch.Tensor, input_tensor: torch.Tensor) -> torch.Tensor:
    """BertSelfOutput / BertOutput at inference: dense, (no dropout), LayerNorm of the residual sum."""
    return self.LayerNorm(self.dense.plus(hidden_states, input_tensor))


def _is_exact_gelu(fn: Any) -> bool:
    from transformers.activations import GELUActivation

    return isinstance(fn, GELUActivation) and getattr(fn, "act", None) is nn.functional.gelu


def fuse_bert(model: nn.Module) -> int:
    """Rewrite, in place, every BERT encoder layer inside ``model``; returns how many were.

    A layer is rewritten only if it has the expected parts (query/key/value, two output blocks
    with LayerNorm, an intermediate block with exact GELU); anything else is left as it is.
    """
    if not available():
        return 0
    from transformers.models.bert.modeling_bert import BertLayer

    fused = 0
    for layer in model.modules():
        if not isinstance(layer, BertLayer) or layer.add_cross_attention or layer.training:
            continue
        attention, intermediate, output = layer.attention.self, layer.intermediate, layer.output
        if not _is_exact_gelu(intermediate.intermediate_act_fn):
            continue
        for name in ("query", "key", "value"):
            setattr(attention, name, PackedLinear(getattr(attention, name)))
        intermediate.dense = PackedLinear(intermediate.dense, "gelu")  # type: ignore[assignment]
        intermediate.intermediate_act_fn = nn.Identity()
        for block in (layer.attention.output, output):
            block.dense = PackedLinear(block.dense)  # type: ignore[assignment]
            block.forward = types.MethodType(_output_forward, block)  # type: ignore[method-assign]
        fused += 1
    return fused
