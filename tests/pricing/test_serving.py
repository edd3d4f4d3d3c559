"""The serving model: calibration against published throughputs, memory fit, MoE, latency, fleets, catalogs."""
import importlib.util
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pricing.catalog import Catalog
from pricing.errors import CatalogError, UnknownNameError
from pricing.models_catalog import load_models, load_serving, resolve_model
from pricing.serving import (GpuPerf, LatencyTargetError, NoFitError, Precision, ServingError,
                             choose_tp, compute_path, evaluate, fleet, size_replica)
from pricing.serving_fit import calibration_rows

ROOT = Path(__file__).resolve().parents[2]

# /work/shared/reference/serving-measurements.csv (NVIDIA TensorRT-LLM perf-overview, commit 00f37686):
# model, precision, GPU, TP, ISL, OSL, output tokens/s of the whole system. The reference calibration set.
REFERENCE = [
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 128, 128, 28312),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 128, 2048, 22714),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 128, 4096, 14325),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 500, 2000, 17660),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 1000, 1000, 15220),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 1000, 2000, 13899),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 2048, 128, 3450),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 2048, 2048, 9305),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 5000, 500, 3459),
    ("llama-3.1-8b", "fp8", "H100-80GB", 1, 20000, 2000, 1351),
    ("llama-3.1-8b", "fp8", "H200-141GB", 1, 128, 128, 27911),
    ("llama-3.1-8b", "fp8", "H200-141GB", 1, 128, 2048, 26221),
    ("llama-3.1-8b", "fp8", "H200-141GB", 1, 1000, 1000, 17744),
    ("llama-3.1-8b", "fp8", "H200-141GB", 1, 2048, 2048, 12194),
    ("llama-3.1-8b", "fp8", "H200-141GB", 1, 5000, 500, 3902),
    ("llama-3.1-8b", "fp8", "H200-141GB", 1, 20000, 2000, 1804),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 128, 128, 6378),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 128, 2048, 6651),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 128, 4096, 4199),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 500, 2000, 5222),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 1000, 1000, 4205),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 1000, 2000, 4146),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 2048, 128, 762),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 2048, 2048, 3082),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 5000, 500, 898),
    ("llama-3.3-70b", "fp8", "H100-80GB", 2, 20000, 2000, 437),
    ("llama-3.3-70b", "fp8", "H200-141GB", 1, 128, 2048, 4336),
    ("llama-3.3-70b", "fp8", "H200-141GB", 1, 1000, 1000, 2909),
    ("llama-3.3-70b", "fp8", "H200-141GB", 1, 2048, 2048, 2003),
    ("llama-3.3-70b", "fp8", "H200-141GB", 1, 5000, 500, 566),
    ("llama-3.3-70b", "fp4", "B200", 1, 128, 2048, 9922),
    ("llama-3.3-70b", "fp4", "B200", 1, 1000, 1000, 7007),
    ("llama-3.3-70b", "fp4", "B200", 1, 2048, 2048, 4783),
    ("llama-3.3-70b", "fp4", "B200", 1, 5000, 500, 1459),
    ("qwen3-30b-a3b", "fp4", "B200", 1, 128, 2048, 37844),
    ("qwen3-30b-a3b", "fp4", "B200", 1, 1000, 1000, 25828),
    ("qwen3-30b-a3b", "fp4", "B200", 1, 2048, 2048, 17554),
    ("qwen3-30b-a3b", "fp4", "B200", 1, 5000, 500, 6142),
]

# Fitted points the model is known to miss by more than 30% (docs/serving-model.md, "Limits"), with the
# bound a regression would cross: a tiny MoE model at the extremes of request length.
KNOWN_LIMITS = {("qwen3-30b-a3b", "B200", 128, 128): (0.0, 1.0), ("qwen3-30b-a3b", "B200", 20000, 2000): (-0.35, 0.0)}
# The one pair of reference workloads whose ratio the model misses by more than 20% (+21%): the same tiny
# MoE model, whose 2,048/2,048 figure it under-predicts by 16%.
KNOWN_RATIO_LIMITS = {("qwen3-30b-a3b", "B200", (1000, 1000), (2048, 2048)): 0.25}


@pytest.fixture(scope="module")
def data():
    return load_serving()


@pytest.fixture(scope="module")
def models():
    return load_models()


@pytest.fixture(scope="module")
def gpus():
    catalog = Catalog.load()
    return {g: GpuPerf.from_spec(catalog.gpu_spec(g)) for g in catalog.gpu_keys()}


@pytest.fixture(scope="module")
def params(data):
    return data.params


@pytest.fixture(scope="module")
def rows(data, models, gpus):
    return calibration_rows(data.measurements, models, gpus, data.params)


def _row(rows, model, gpu, isl, osl):
    hits = [r for r in rows if (r.measurement.model, r.measurement.gpu, r.measurement.input_tokens,
                                r.measurement.output_tokens) == (model, gpu, isl, osl)]
    assert len(hits) == 1, (model, gpu, isl, osl)
    return hits[0]


# -- calibration ------------------------------------------------------------------------------


@pytest.mark.parametrize("model,precision,gpu,tp,isl,osl,published", REFERENCE)
def test_reference_point_within_30_percent(rows, model, precision, gpu, tp, isl, osl, published):
    row = _row(rows, model, gpu, isl, osl)
    m = row.measurement
    # the catalog holds the reference figure as published, for the same configuration
    assert (m.precision.value, m.tensor_parallel, m.output_tokens_per_s, m.use) == (precision, tp, published, "fit")
    assert abs(row.predicted / published - 1) <= 0.30, f"predicted {row.predicted:,.0f} vs {published:,}"


def test_every_fitted_point_within_30_percent_or_a_documented_limit(rows):
    fitted = [r for r in rows if r.measurement.use == "fit"]
    assert len(fitted) == 117
    for r in fitted:
        m = r.measurement
        key = (m.model, m.gpu, m.input_tokens, m.output_tokens)
        lo, hi = KNOWN_LIMITS.get(key, (-0.30, 0.30))
        assert lo <= r.error <= hi, f"{key}: {r.error:+.0%}"
    errors = np.log([r.predicted / r.measurement.output_tokens_per_s for r in fitted])
    assert math.sqrt(float(np.mean(errors ** 2))) < 0.12  # written to serving.yaml fit.rms_log_error (0.1134)


def _reference_pairs():
    sets = {}
    for model, _p, gpu, _tp, isl, osl, pub in REFERENCE:
        sets.setdefault((model, gpu), []).append((isl, osl, pub))
    for (model, gpu), pts in sets.items():
        for i, a in enumerate(pts):
            for b in pts[i + 1:]:
                yield model, gpu, a, b


@pytest.mark.parametrize("model,gpu,a,b", list(_reference_pairs()))
def test_ratio_between_workloads_within_20_percent(rows, model, gpu, a, b):
    """E.g. 1000/1000 against 5000/500, 128/2048 against 2048/128: every pair of one reference set."""
    published = a[2] / b[2]
    predicted = _row(rows, model, gpu, a[0], a[1]).predicted / _row(rows, model, gpu, b[0], b[1]).predicted
    bound = KNOWN_RATIO_LIMITS.get((model, gpu, a[:2], b[:2]), 0.20)
    assert abs(predicted / published - 1) <= bound, f"{a[:2]} / {b[:2]}: {predicted:.2f} vs published {published:.2f}"


def test_vllm_rows_are_checks_not_fitted(data, rows):
    checks = [r for r in rows if r.measurement.use == "check"]
    assert {r.measurement.engine for r in checks} == {"vLLM v0.5.4"} and len(checks) == 4
    # the old engine under a burst is slower than the model, never faster: the table shows a lower bound
    assert all(r.predicted > r.measurement.output_tokens_per_s for r in checks)


def test_fit_script_reproduces_the_catalog_and_the_docs_table():
    """tools/fit_serving.py --check refits from 0.5 and compares with serving.yaml and docs/serving-model.md."""
    spec = importlib.util.spec_from_file_location("fit_serving", ROOT / "tools" / "fit_serving.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


# -- memory and tensor parallelism -------------------------------------------------------------


def test_70b_fp8_memory_by_hand_sets_tp2_on_h100(models, gpus, params):
    spec, h100 = models.spec("llama-3.3-70b"), gpus["H100-80GB"]
    # weights: 70.55e9 params x 1 byte (FP8) = 70.55 GB
    # KV cache per token: 2 (K and V) x 80 layers x 8 KV heads x 128 head_dim x 1 byte (FP8 KV) = 163,840 bytes
    # a 1,000 + 1,000-token sequence reserves 2,000 x 163,840 = 0.32768 GB
    one = evaluate(spec, h100, "fp8", 1000, 1000, params, tensor_parallel=1)
    assert one.weights_gb == pytest.approx(70.55)
    assert one.kv_gb_per_sequence == pytest.approx(0.32768)
    # TP1: KV room 0.9 x (80 - 70.55) = 8.505 GB -> floor(8.505 / 0.32768) = 25 sequences
    assert one.kv_cache_gb == pytest.approx(8.505)
    assert one.batch == 25 and one.batch_limit == "memory"
    # TP2: 0.9 x (160 - 70.55) = 80.505 GB -> floor(80.505 / 0.32768) = 245 sequences
    two = evaluate(spec, h100, "fp8", 1000, 1000, params, tensor_parallel=2)
    assert two.kv_cache_gb == pytest.approx(80.505) and two.batch == 245
    # memory per replica = weights + the batch's KV: 70.55 + 245 x 0.32768 = 150.83 GB, 75.4 GB per GPU
    assert two.memory_per_replica_gb == pytest.approx(70.55 + 245 * 0.32768)
    assert two.memory_per_gpu_gb == pytest.approx((70.55 + 245 * 0.32768) / 2)
    # ten times the sequences more than make up for the second GPU: the choice is TP2, as NVIDIA ran it
    assert two.output_tokens_per_s_per_gpu > 2 * one.output_tokens_per_s_per_gpu
    choice = choose_tp(spec, h100, "fp8", 1000, 1000, params)
    assert choice.tensor_parallel == 2
    assert [tp for tp, v, _ in choice.per_gpu] == [1, 2, 4, 8]


@pytest.mark.parametrize("model,precision,gpu,tp", [
    ("llama-3.1-8b", "fp8", "H100-80GB", 1), ("llama-3.1-8b", "fp8", "H200-141GB", 1),
    ("llama-3.3-70b", "fp8", "H200-141GB", 1), ("llama-3.3-70b", "fp4", "B200", 1), ("qwen3-30b-a3b", "fp4", "B200", 1),
    ("llama-3.1-405b", "fp8", "H100-80GB", 8),
])
def test_tp_choice_matches_nvidias_configuration(models, gpus, params, model, precision, gpu, tp):
    assert choose_tp(models.spec(model), gpus[gpu], precision, 1000, 1000, params).tensor_parallel == tp


def test_mla_and_sliding_window_kv_by_hand(models):
    # DeepSeek-V3: one 512 + 64 = 576-value latent per token and layer, 61 layers
    assert models.spec("deepseek-v3").kv_values(1) == 576 * 61
    # gpt-oss-120b: 2 x 8 KV heads x 64 = 1,024 values per token and layer; 18 full layers hold every token,
    # 18 sliding layers at most 128: 1,000 tokens -> 1,024 x (18 x 1,000 + 18 x 128)
    assert models.spec("gpt-oss-120b").kv_values(1000) == 1024 * (18 * 1000 + 18 * 128)
    # Llama 3.1 8B: 2 x 32 x 8 x 128 = 65,536 values per token
    assert models.spec("llama-3.1-8b").kv_values(1) == 65536


# -- mixture of experts --------------------------------------------------------------------------


def test_moe_uses_active_params_for_compute_and_total_for_memory(models, gpus, params):
    moe = models.spec("qwen3-235b-a22b")
    as_active = replace(moe, params=moe.active_params, experts=0, experts_per_token=0)  # same shape, 22B dense
    as_total = replace(moe, active_params=moe.params, experts=0, experts_per_token=0)  # same shape, 235B dense
    b200 = gpus["B200"]
    m = evaluate(moe, b200, "fp8", 2000, 500, params, tensor_parallel=8)
    # memory: the total, 235e9 x 1 byte = 235 GB; KV room 0.9 x (8 x 180 - 235) = 1,084.5 GB
    assert m.weights_gb == pytest.approx(235.0)
    assert m.kv_cache_gb == pytest.approx(0.9 * (8 * 180 - 235))
    assert m.weights_gb == evaluate(as_total, b200, "fp8", 2000, 500, params, tensor_parallel=8).weights_gb
    # compute: the active params, 2 x 22e9 x 2,000 tokens + attention -> the prefill of a 22B dense model,
    # slowed only by the fitted MoE factor
    dense_prefill = evaluate(as_active, b200, "fp8", 2000, 500, params, tensor_parallel=8).prefill_s
    assert m.prefill_s == pytest.approx(dense_prefill / params.efficiency.moe)
    assert moe.prefill_flops(2000) == pytest.approx(2 * 22e9 * 2000 + 4 * 64 * 128 * 94 * 2000 ** 2 / 2)


def test_moe_weights_read_per_step_by_hand(models):
    mix = models.spec("mixtral-8x7b")  # 46.7B total, 12.9B active, 8 experts, 2 per token
    per_expert = (46.7e9 - 12.9e9) / (8 - 2)  # 5.633B
    always = 46.7e9 - 8 * per_expert  # 1.633B: attention, embeddings, norms
    assert mix.weight_params_read(1) == pytest.approx(12.9e9)  # one token reads exactly its active params
    # two sequences: an expert is untouched with probability (6/8)^2 = 0.5625, so 43.75% of experts are read
    assert mix.weight_params_read(2) == pytest.approx(always + 8 * per_expert * 0.4375)
    assert mix.weight_params_read(200) == pytest.approx(46.7e9)  # a real batch reads every expert
    assert models.spec("llama-3.1-8b").weight_params_read(7) == pytest.approx(8.03e9)


# -- latency targets -----------------------------------------------------------------------------


def test_tpot_target_caps_the_batch(models, gpus, params):
    spec, h100 = models.spec("llama-3.1-8b"), gpus["H100-80GB"]
    free = evaluate(spec, h100, "fp8", 3000, 400, params, tensor_parallel=1)
    capped = evaluate(spec, h100, "fp8", 3000, 400, params, tensor_parallel=1, tpot_ms=30)
    assert free.tpot_ms > 30 and capped.tpot_ms <= 30 and capped.batch_limit == "tpot"
    assert capped.batch < free.batch and capped.output_tokens_per_s < free.output_tokens_per_s
    # the cap is the largest batch that meets it
    one_more = evaluate(spec, h100, "fp8", 3000, 400, replace(params, max_batch=int(capped.batch) + 1),
                        tensor_parallel=1)
    assert one_more.tpot_ms > 30
    # TPOT by Little's law: step time + batch x prefill time / output tokens
    assert capped.tpot_ms == pytest.approx((capped.decode_step_s + capped.batch * capped.prefill_s / 400) * 1e3)


def test_impossible_tpot_is_a_clear_error(models, gpus, params):
    with pytest.raises(LatencyTargetError) as err:
        evaluate(models.spec("llama-3.3-70b"), gpus["H100-80GB"], "fp8", 1000, 1000, params,
                 tensor_parallel=2, tpot_ms=1)
    msg = str(err.value)
    assert "tpot_ms 1 cannot be met by llama-3.3-70b fp8 on 2x H100-80GB" in msg and "one request at a time" in msg


def test_ttft_target_picks_more_tensor_parallelism_or_is_a_clear_error(models, gpus, params):
    # prefilling 3,000 tokens of the 8B model: 2 x 8.03e9 x 3,000 + attention 4 x 4,096 x 32 x 3,000^2 / 2
    # = 5.05e13 FLOPs; on one H100 (1,979 TFLOP/s FP8) that is 25.5 ms even at 100% of peak
    spec, h100 = models.spec("llama-3.1-8b"), gpus["H100-80GB"]
    assert spec.prefill_flops(3000) == pytest.approx(2 * 8.03e9 * 3000 + 4 * 4096 * 32 * 3000 ** 2 / 2)
    with pytest.raises(LatencyTargetError) as err:
        evaluate(spec, h100, "fp8", 3000, 400, params, tensor_parallel=1, ttft_ms=20)
    assert "prefilling 3,000 input tokens alone takes" in str(err.value)
    # more GPUs per replica prefill faster: the sizing picks the smallest replica that meets 20 ms
    perf = size_replica(spec, h100, "fp8", 3000, 400, params, ttft_ms=20)
    assert perf.tensor_parallel > 1 and perf.ttft_ms <= 20
    with pytest.raises(LatencyTargetError, match="ttft_ms 5 cannot be met by llama-3.1-8b fp8 on 8x H100-80GB"):
        size_replica(spec, h100, "fp8", 3000, 400, params, ttft_ms=5)


# -- no fit ----------------------------------------------------------------------------------------


def test_model_that_fits_no_replica_is_a_clear_error(models, gpus, params):
    # 405.85e9 params x 2 bytes = 811.7 GB of BF16 weights; 8 x L4 = 192 GB
    with pytest.raises(NoFitError) as err:
        choose_tp(models.spec("llama-3.1-405b"), gpus["L4"], "bf16", 1000, 1000, params)
    msg = str(err.value)
    assert "llama-3.1-405b in bf16 does not fit on 8x L4" in msg
    assert "weights 811.7 GB" in msg and "192 GB on the replica" in msg


def test_one_sequence_too_long_for_the_kv_room(models, gpus, params):
    # 8B FP8 on one L4 (24 GB): KV room 0.9 x (24 - 8.03) = 14.4 GB; 200,000 tokens x 65,536 B = 13.1 GB fits,
    # 250,000 tokens = 16.4 GB does not
    spec, l4 = models.spec("llama-3.1-8b"), gpus["L4"]
    assert evaluate(spec, l4, "fp8", 199_000, 1000, params, tensor_parallel=1).batch == 1
    with pytest.raises(NoFitError, match="one 250,000-token sequence"):
        evaluate(spec, l4, "fp8", 249_000, 1000, params, tensor_parallel=1)


# -- precision paths -----------------------------------------------------------------------------


def test_precision_runs_native_or_weight_only(gpus, params):
    h100, a100, b200, t4 = gpus["H100-80GB"], gpus["A100-80GB"], gpus["B200"], gpus["T4"]
    native = compute_path("fp8", h100, params)
    assert (native.peak_tflops, native.weight_only, native.kv_bytes, native.weight_bytes) == (1979, False, 1.0, 1.0)
    ampere = compute_path("fp8", a100, params)  # no FP8 tensor cores: W8A16 at the BF16 peak, 16-bit KV cache
    assert (ampere.peak_tflops, ampere.weight_only, ampere.kv_bytes) == (312, True, 2.0) and "A100-80GB" in ampere.note
    fp4 = compute_path("fp4", b200, params)
    assert (fp4.peak_tflops, fp4.prefill_eff, fp4.weight_bytes) == (9000, params.efficiency.prefill_fp4, 0.5625)
    assert compute_path("fp4", h100, params).weight_only  # Hopper has no FP4 tensor cores
    int4 = compute_path("int4", h100, params)
    assert (int4.peak_tflops, int4.weight_only, int4.decode_eff) == (989, True, params.efficiency.decode_fp4)
    assert compute_path("bf16", t4, params).peak_label == "fp16"  # Turing: FP16 tensor cores, no BF16


def test_gpu_without_verified_bandwidth_or_peak_is_refused(models, gpus, params):
    with pytest.raises(ServingError, match="16-bit peak TFLOP/s of A10G is not published"):
        evaluate(models.spec("llama-3.1-8b"), gpus["A10G"], "bf16", 100, 100, params, tensor_parallel=1)
    with pytest.raises(ServingError, match="memory bandwidth of H100-NVL is not verified"):
        evaluate(models.spec("llama-3.1-8b"), gpus["H100-NVL"], "bf16", 100, 100, params, tensor_parallel=1)


def test_bad_inputs_are_refused(models, gpus, params):
    spec, h100 = models.spec("llama-3.1-8b"), gpus["H100-80GB"]
    with pytest.raises(ServingError, match="unknown precision 'fp6'"):
        evaluate(spec, h100, "fp6", 100, 100, params, tensor_parallel=1)
    with pytest.raises(ServingError, match="input_tokens must be at least 1"):
        evaluate(spec, h100, "fp8", 0, 100, params, tensor_parallel=1)
    with pytest.raises(ServingError, match="tensor_parallel must be one of 1, 2, 4, 8"):
        evaluate(spec, h100, "fp8", 100, 100, params, tensor_parallel=3)
    assert Precision.parse("FP16") is Precision.BF16 and Precision.parse("AWQ") is Precision.INT4


# -- arrays (Monte Carlo) --------------------------------------------------------------------------


def test_token_arrays_give_the_scalar_results(models, gpus, params):
    spec, h100 = models.spec("llama-3.1-8b"), gpus["H100-80GB"]
    isl, osl = np.array([500.0, 3000.0, 8000.0]), np.array([800.0, 400.0, 200.0])
    arr = evaluate(spec, h100, "fp8", isl, osl, params, tensor_parallel=1, tpot_ms=60)
    for i in range(3):
        one = evaluate(spec, h100, "fp8", isl[i], osl[i], params, tensor_parallel=1, tpot_ms=60)
        for f in ("batch", "requests_per_s", "prefill_s", "decode_step_s", "tpot_ms", "ttft_ms"):
            assert getattr(arr, f)[i] == pytest.approx(getattr(one, f)), f
        assert arr.batch_limit[i] == one.batch_limit
    assert arr.output_tokens_per_s_per_gpu.shape == (3,)


# -- fleets ----------------------------------------------------------------------------------------


def _perf(models, gpus, params, **kw):
    return size_replica(models.spec("llama-3.1-8b"), gpus["H100-80GB"], "fp8", 3000, 400, params, **kw)


def test_fleet_counts_whole_replicas_by_hand(models, gpus, params):
    perf = _perf(models, gpus, params)
    per_month = perf.requests_per_s * 3600 * 730  # one replica at full load
    req = np.array([0.0, 0.5, 1.0, 1.01, 3.2]) * per_month
    f = fleet(req, perf)
    assert list(f.replicas) == [0, 1, 1, 2, 4] and list(f.gpus) == [0, 1, 1, 2, 4]
    assert list(fleet(req, perf, utilization=0.5).replicas) == [0, 1, 2, 3, 7]  # ceil(x / 0.5)
    assert list(fleet(req, perf, peak_to_average=2).replicas) == [0, 1, 2, 3, 7]  # ceil(2x)
    assert list(fleet(req, perf, min_replicas=2).replicas) == [2, 2, 2, 2, 4]
    assert fleet(req, perf).busy_share[1] == pytest.approx(0.5)


def test_fleet_buys_instance_shapes(models, gpus, params):
    perf = size_replica(models.spec("llama-3.3-70b"), gpus["H100-80GB"], "fp8", 1000, 1000, params)
    assert perf.tensor_parallel == 2
    req = 5 * perf.requests_per_s * 3600 * 730  # 5 replicas of 2 GPUs
    f = fleet(req, perf, instance_gpus=8)  # an 8-GPU instance holds 4 replicas: 2 instances, 16 GPUs billed
    assert (f.replicas, f.gpus, f.instances, f.billed_gpus) == (5, 10, 2, 16)
    assert fleet(req, perf).billed_gpus == 10  # default: instances of the replica's size
    with pytest.raises(ServingError, match="a replica of 2 GPUs .* does not fit an instance of 1 GPUs"):
        fleet(req, perf, instance_gpus=1)


def test_fleet_broadcasts_samples_against_months(models, gpus, params):
    perf = size_replica(models.spec("llama-3.1-8b"), gpus["H100-80GB"], "fp8", np.array([1000.0, 4000.0]),
                        np.array([400.0, 400.0]), params, tensor_parallel=1)
    req = np.full((2, 3), 1e7)  # 2 samples x 3 months
    f = fleet(req, perf)
    expected = np.ceil(1e7 / (perf.requests_per_s[:, None] * 3600 * 730))
    assert np.array_equal(f.replicas, np.broadcast_to(expected, (2, 3)))


@pytest.mark.parametrize("kw,match", [({"utilization": 0}, "utilization"), ({"utilization": 1.5}, "utilization"),
                                      ({"peak_to_average": 0.5}, "peak_to_average"),
                                      ({"min_replicas": -1}, "min_replicas"), ({"instance_gpus": 3}, "instance_gpus")])
def test_fleet_refuses_bad_settings(models, gpus, params, kw, match):
    with pytest.raises(ServingError, match=match):
        fleet(1e6, _perf(models, gpus, params), **kw)


def test_finetuned_example_serving_line(models, gpus, params):
    """resources/examples/finetuned-open-model.yaml: 15M requests/month of 3,000 in / 400 out on H100s, growing
    6% a month from month 3 of 24, 50% utilization, at least 2 GPUs (the plan's min_gpus)."""
    perf = _perf(models, gpus, params)
    assert perf.tensor_parallel == 1 and perf.path.precision is Precision.FP8
    # NVIDIA's table for the same model and GPU brackets this workload in requests/s per GPU:
    # 2,048/128 -> 3,450 / 128 = 27.0 req/s; 5,000/500 -> 3,459 / 500 = 6.9 req/s
    assert 3459 / 500 < perf.requests_per_s < 3450 / 128
    months = np.arange(24)
    req = np.where(months >= 2, 15e6 * 1.06 ** np.maximum(months - 2, 0), 0.0)
    f = fleet(req, perf, utilization=0.5, min_replicas=2)
    # by hand: GPUs = max(2, ceil(requests / (requests/s per GPU x 3600 x 730 x 0.5)))
    by_hand = np.maximum(2, np.ceil(req / (perf.requests_per_s * 3600 * 730 * 0.5) - 1e-9))
    assert np.array_equal(f.gpus, by_hand)
    assert f.gpus[2] == 2 and f.gpus[-1] == 4  # 15M -> 51M requests a month


# -- catalogs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["llama-3.1-8b", "llama-3.1-70b", "llama-3.3-70b", "llama-3.1-405b", "qwen3-30b-a3b",
                                 "qwen3-235b-a22b", "mixtral-8x7b"])
def test_model_params_match_their_architecture(models, key):
    """Recount the parameters from the architecture (GQA attention, SwiGLU MLPs, untied embeddings, 2 norms)."""
    fam = models.family(key)
    s = fam.spec
    attn = s.hidden_size * s.attention_heads * s.head_dim * 2 + 2 * s.hidden_size * s.kv_heads * s.head_dim
    if s.experts:
        mlp_all = s.experts * 3 * s.hidden_size * fam.expert_intermediate_size + s.hidden_size * s.experts
        mlp_active = s.experts_per_token * 3 * s.hidden_size * fam.expert_intermediate_size + s.hidden_size * s.experts
    else:
        mlp_all = mlp_active = 3 * s.hidden_size * fam.intermediate_size
    base = 2 * fam.vocab_size * s.hidden_size + s.hidden_size
    total = base + s.layers * (attn + mlp_all + 2 * s.hidden_size)
    active = base + s.layers * (attn + mlp_active + 2 * s.hidden_size)
    assert s.params == pytest.approx(total, rel=0.01)
    assert s.active_params == pytest.approx(active, rel=0.03)  # Qwen's 3.3B/22B are rounded from 3.35B/22.19B


def test_unknown_family_suggests_the_close_ones(models):
    assert models.spec("Meta-Llama/Llama-3.1-8B-Instruct").key == "llama-3.1-8b"
    with pytest.raises(UnknownNameError) as err:
        models.spec("llama-3.1-7b")
    assert "llama-3.1-8b" in str(err.value) and "models.yaml" in str(err.value)


def test_broken_model_entry_names_file_and_key_path(tmp_path):
    path = tmp_path / "models.yaml"
    path.write_text("models:\n  bad:\n    name: Bad\n    params: 7B\n    active_params: 9B\n    attention_heads: 32\n"
                    "    head_dim: 128\n    kv_heads: 8\n    layerz: 32\n    source: x\n    as_of: '2026-12-03'\n")
    with pytest.raises(CatalogError) as err:
        load_models(path)
    msg = str(err.value)
    # each problem with its line: the entry "bad:" is on line 2 (a missing field is reported at its entry),
    # active_params on line 5
    assert f"{path}:2: models.bad: unknown field(s) layerz" in msg
    assert f"{path}:2: models.bad.layers: missing layers" in msg
    assert f"{path}:5: models.bad.active_params: active_params 9e+09 exceeds params 7e+09" in msg


def test_broken_serving_file_names_file_and_key_path(tmp_path):
    text = (ROOT / "resources" / "catalog" / "serving.yaml").read_text(encoding="utf-8")
    path = tmp_path / "serving.yaml"
    broken = text.replace("    value: 0.4738", "    value: lots", 1)
    path.write_text(broken, encoding="utf-8")
    line = broken[:broken.index("value: lots")].count("\n") + 1  # the problem names the line of the bad value
    with pytest.raises(CatalogError, match=rf"serving\.yaml:{line}: efficiency\.moe\.value: found 'lots'"):
        load_serving(path)
    path.write_text(text.replace("  - {model: llama-3.1-8b, precision: fp8,",
                                 "  - {model: llama-3.1-8b, precision: fp9,", 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"measurements\[0\]\.precision: unknown precision 'fp9'"):
        load_serving(path)


def test_serving_catalog_sources(data, gpus):
    assert data.peak_to_average == 1.0
    assert data.params.kv_cache_fraction == 0.9 and data.params.max_batch == 8192
    for m in data.measurements:
        assert m.source.startswith("https://github.com/")
    # the GPU peaks the serving model uses carry a source and the date they were read
    for g in ("H100-80GB", "H200-141GB", "B200", "A100-80GB", "A100-40GB", "L40S", "L4", "T4"):
        spec = Catalog.load().gpu_spec(g)
        assert spec.peaks and spec.peaks_source.startswith("https://") and "(read 2026-12-03)" in spec.peaks_source
    assert dict(gpus["B200"].peaks) == {"fp8": 4500, "fp4": 9000, "int8": 4500}


def test_a_plans_model_from_family_sizes_or_nearest_family(models):
    spec, note = resolve_model(models, family="llama-3.1-70b")
    assert spec == models.spec("llama-3.1-70b") and note.startswith("architecture of llama-3.1-70b (https://")
    # a dense model given by size only borrows the shape of the nearest family in active parameters, and says so
    spec, note = resolve_model(models, params=65e9)
    assert (spec.params, spec.layers, spec.kv_heads, spec.head_dim) == (65e9, 80, 8, 128) and not spec.is_moe
    assert note.startswith("layers, attention_heads, head_dim, kv_heads taken from llama-3.1-70b")
    # an MoE one borrows from the nearest MoE family (12B active: Mixtral's 12.9B), experts included
    spec, note = resolve_model(models, params=100e9, active_params=12e9)
    assert spec.is_moe and (spec.experts, spec.experts_per_token) == (8, 2) and "mixtral-8x7b" in note
    # given shapes win; nothing borrowed, nothing to say
    spec, note = resolve_model(models, params=8e9, layers=30, attention_heads=32, head_dim=128, kv_heads=4, name="mine")
    assert (spec.key, spec.layers, spec.kv_heads, note) == ("mine", 30, 4, "architecture as given")
    with pytest.raises(ServingError, match="give model_family, or params"):
        resolve_model(models)
    with pytest.raises(ServingError, match="active_params 9e\\+09 exceeds params 8e\\+09"):
        resolve_model(models, params=8e9, active_params=9e9)
