"""What serving is sized from: the model, the GPU, the precision, fitted efficiencies and engine constants."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pricing.errors import PlanError
from pricing.plan import Precision


TP_SIZES = (1, 2, 4, 8)
"""Tensor-parallel sizes considered: one replica stays inside one 8-GPU server."""

SECONDS_PER_HOUR = 3600.0


class ServingError(PlanError):
    """A serving line cannot be sized as described (bad input, missing GPU figure)."""


def parse_precision(value: Any) -> Precision:
    """``Precision.parse`` (the plan's enum: ``pricing.plan.Precision``), refusing with a ServingError."""
    try:
        return Precision.parse(value)
    except ServingError:
        raise
    except PlanError as exc:
        raise ServingError(exc.problems[0].message) from None


class NoFitError(ServingError):
    """The model does not fit on any replica (1 to 8 GPUs) of the chosen GPU."""


class LatencyTargetError(ServingError):
    """A TTFT or TPOT target no replica of this GPU can meet for this workload."""


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """The parts of a transformer's architecture that size its serving."""

    key: str
    """Catalog key (``llama-3.1-70b``) or a name the user gave."""
    name: str
    """Display name."""
    params: float
    """Total parameters: what sits in GPU memory."""
    active_params: float
    """Parameters used per token (= params for a dense model): what costs FLOPs."""
    layers: int
    attention_heads: int
    """Query heads; attention FLOPs are attention_heads x head_dim wide."""
    head_dim: int
    kv_heads: int = 0
    """Grouped-query attention KV heads (0 with ``kv_latent_dim``)."""
    kv_latent_dim: int = 0
    """Multi-head latent attention: values cached per token and layer (K and V share them)."""
    experts: int = 0
    """Routed experts per MoE layer (0: dense)."""
    experts_per_token: int = 0
    sliding_window: int = 0
    """Tokens a sliding-window layer attends to (0: none)."""
    sliding_layers: int = 0
    """How many layers use the sliding window."""
    hidden_size: int = 0
    source: str = ""
    as_of: str = ""
    notes: str = ""

    @property
    def is_moe(self) -> bool:
        return self.experts > 0 and self.active_params < self.params

    @property
    def kv_values_per_token_layer(self) -> int:
        """Values one token adds to one layer's KV cache."""
        return self.kv_latent_dim if self.kv_latent_dim else 2 * self.kv_heads * self.head_dim

    def kv_values(self, tokens: Any) -> Any:
        """KV cache values one sequence of ``tokens`` tokens holds (sliding layers keep only the window)."""
        full = self.layers - self.sliding_layers
        held = tokens if not self.sliding_layers else np.minimum(tokens, self.sliding_window)
        return self.kv_values_per_token_layer * (full * tokens + self.sliding_layers * held)

    def prefill_flops(self, input_tokens: Any) -> Any:
        """FLOPs to prefill one request: 2 x active params per token + causal attention (QK and AV)."""
        width = self.attention_heads * self.head_dim
        keys_full = input_tokens * input_tokens / 2.0  # causal: position i attends to i keys
        keys = (self.layers - self.sliding_layers) * keys_full
        if self.sliding_layers:
            w = float(self.sliding_window)
            keys = keys + self.sliding_layers * np.where(input_tokens <= w, keys_full, input_tokens * w - w * w / 2)
        return 2.0 * self.active_params * input_tokens + 4.0 * width * keys

    def decode_flops(self, context: Any) -> Any:
        """FLOPs for one output token of a sequence holding ``context`` tokens."""
        width = self.attention_heads * self.head_dim
        full = self.layers - self.sliding_layers
        held = context if not self.sliding_layers else np.minimum(context, self.sliding_window)
        return 2.0 * self.active_params + 4.0 * width * (full * context + self.sliding_layers * held)

    def weight_params_read(self, batch: Any) -> Any:
        """Parameters a decode step reads from memory for a batch of ``batch`` sequences.

        Dense: all of them. MoE: the always-used part (attention, embeddings, shared experts,
        dense layers) plus the routed experts any of the batch's tokens picked. Assumption: tokens
        pick experts uniformly and independently, so a layer's expert is untouched by the whole
        batch with probability (1 - k/E)^batch; from a few dozen sequences on, every expert is read.
        """
        if not self.is_moe:
            return np.full(np.shape(batch), float(self.params))
        per_expert = (self.params - self.active_params) / (self.experts - self.experts_per_token)
        always = self.params - self.experts * per_expert
        touched = 1.0 - (1.0 - self.experts_per_token / self.experts) ** np.asarray(batch, dtype=float)
        return always + self.experts * per_expert * touched


@dataclass(frozen=True, slots=True)
class GpuPerf:
    """What serving needs from a GPU: memory, bandwidth and dense peaks per precision."""

    key: str
    name: str
    memory_gb: float
    bandwidth_tb_s: float | None
    peak16_tflops: float | None
    """Dense 16-bit tensor peak (BF16; FP16 on GPUs without BF16, the T4)."""
    peak16_label: str = "bf16"
    peaks: tuple[tuple[str, float], ...] = ()
    """Low-precision dense peaks: ``fp8``, ``fp4`` (TFLOP/s), ``int8`` (TOPS); absent = no such tensor cores."""

    @classmethod
    def from_spec(cls, spec: Any) -> "GpuPerf":
        """From a catalog ``GpuSpec`` (key, name, memory_gb, memory_bandwidth_tb_s, peak_tflops, peaks)."""
        # the catalog's 16-bit peak is BF16 except on GPUs without BF16 tensor cores (T4), which its note says
        label = "fp16" if "FP16" in (getattr(spec, "peak_note", "") or "") else "bf16"
        return cls(spec.key, spec.name, float(spec.memory_gb), spec.memory_bandwidth_tb_s, spec.peak_tflops,
                   label, tuple(getattr(spec, "peaks", ()) or ()))

    def peak(self, precision: str) -> float | None:
        return dict(self.peaks).get(precision)


@dataclass(frozen=True, slots=True)
class Efficiency:
    """Fitted fractions of peak the serving engine reaches (resources/catalog/serving.yaml)."""

    prefill_fp8: float
    """Fraction of the dense peak in prefill GEMMs on FP8 (and 16-bit) tensor cores."""
    prefill_fp4: float
    """Fraction of the dense FP4 peak (Blackwell FP4 tensor cores)."""
    decode_fp8: float
    """Fraction of memory bandwidth streaming 8- or 16-bit weights and the KV cache."""
    decode_fp4: float
    """Fraction of memory bandwidth streaming 4-bit weights (dequantized on the fly)."""
    moe: float
    """Multiplier on both for mixture-of-experts models (small per-expert batches, routing)."""
    tp_per_doubling: float
    """Multiplier on both per doubling of the tensor-parallel size (all-reduce traffic)."""


@dataclass(frozen=True, slots=True)
class ServingParams:
    """Engine constants and fitted efficiencies (resources/catalog/serving.yaml)."""

    efficiency: Efficiency | None
    """None only before tools/fit_serving.py first ran (models_catalog.load_serving refuses it then)."""
    bytes_per_param: tuple[tuple[str, float], ...]
    """Stored bytes per weight by precision (scales of the 4-bit formats included)."""
    kv_cache_fraction: float = 0.9
    """Share of the memory left after the weights that the engine gives the KV cache."""
    max_batch: int = 8192
    """Most sequences one replica runs together."""
    tp_tolerance: float = 0.10
    """The smallest TP within this share of the best modelled tokens/s per GPU is chosen."""
    source: str = ""

    def weight_bytes(self, precision: Precision) -> float:
        return dict(self.bytes_per_param)[precision.value]
