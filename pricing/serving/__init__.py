"""Self-hosted LLM serving sized from the model and the GPU: memory fit, prefill, decode, replicas.

The physics (docs/serving-model.md has the equations, sources and limits):

* A replica is ``tp`` GPUs (tensor parallelism 1, 2, 4 or 8) holding the weights once and a KV
  cache in the rest of their memory. Requests reserve the KV cache of their whole sequence
  (input + output tokens), so memory caps how many run together (the batch).
* Prefill is compute-bound: 2 x active params x input tokens FLOPs (+ attention) at the GPU's
  dense peak for the precision x a prefill efficiency.
* Decode runs one step per output token for the whole batch. A step reads the weights once
  (for a mixture-of-experts model, the experts the batch's tokens were routed to) and the KV
  cache of every sequence in the batch, at the memory bandwidth x a decode efficiency, and does
  2 x active params FLOPs per sequence; the two times add (no overlap: the form that fits the
  published measurements best).
* Continuous batching: a replica's GPU time per request = its prefill + output tokens x step time
  / batch. Requests per second follow, and GPUs per month from a month's requests.

The efficiency factors are fitted to NVIDIA's published TensorRT-LLM throughput tables by
tools/fit_serving.py and read from resources/catalog/serving.yaml (pricing.models_catalog).
Everything here is pure numpy: token counts may be arrays (Monte Carlo samples).

The package: ``inputs`` (precision, model, GPU, fitted efficiencies, engine constants, errors) and
``sizing`` (compute path, one replica, tensor-parallel choice, a month's fleet).
"""
from pricing.serving.inputs import (SECONDS_PER_HOUR, TP_SIZES, Efficiency, GpuPerf, LatencyTargetError, ModelSpec,
                                    NoFitError, Precision, ServingError, ServingParams, parse_precision)
from pricing.serving.sizing import (ComputePath, Fleet, ReplicaPerf, TpChoice, choose_tp, compute_path, evaluate, fleet,
                                    size_replica)

__all__ = ["SECONDS_PER_HOUR", "TP_SIZES", "ComputePath", "Efficiency", "Fleet", "GpuPerf", "LatencyTargetError",
           "ModelSpec", "NoFitError", "Precision", "ReplicaPerf", "ServingError", "ServingParams", "TpChoice",
           "choose_tp", "compute_path", "evaluate", "fleet", "parse_precision", "size_replica"]
