"""Serving lines sized from the model and the GPU (issue 14): the plan, the engine, the loader, the CLI, the tornado,
break-even and self_host, each against figures computed here by hand or against NVIDIA's published measurements."""
import dataclasses
import json
import math

import numpy as np
import pytest

from gui import cli
from pricing import breakeven as be
from pricing import engine, planfile, report, scenarios, uncertainty
from pricing.catalog import Catalog
from pricing.load import loads, loads_checked
from pricing.models_catalog import load_models, load_serving
from pricing.plan import Precision
from pricing.serving import GpuPerf, size_replica

HOURS = 730.0


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def plan_text(line: str, *, provider: str = "aws", months: int = 3, extra: str = "") -> str:
    return (f"format: aicost-plan/1\nname: Serving\nstart: 2027-01\nmonths: {months}\nprovider: {provider}\n"
            f"compute:\n  inference:\n    - {line}\n{extra}")


def only(text: str, catalog) -> engine.LineItem:
    plan = loads_checked(text, catalog=catalog)
    return engine.project(plan, catalog).line_items[0]


def replica(catalog, family: str, precision: str, isl: float, osl: float, gpu: str = "H100-80GB", **kw):
    """The serving model's replica, called directly (what the line must agree with)."""
    return size_replica(load_models().spec(family), GpuPerf.from_spec(catalog.gpu_spec(gpu)), precision, isl, osl,
                        load_serving().params, **kw)


# -- the acceptance figures: NVIDIA's published throughputs ---------------------------------------------------------

# NVIDIA TensorRT-LLM perf overview (resources/catalog/serving.yaml measurements): Llama 3.3 70B in FP8 on two
# H100s serves 4,205 output tokens/s at 1,000/1,000 tokens and 898 at 5,000/500.
NVIDIA_1000_1000 = 4205 / 2   # output tokens/s per GPU
NVIDIA_5000_500 = 898 / 2


def gpus_for(catalog, isl: int, osl: int, requests: float) -> float:
    # RunPod bills H100 pods per GPU: the GPUs billed are the GPUs the replicas use (no instance to round up to)
    li = only(plan_text(f"{{name: S, gpu: H100-80GB, requests_per_month: {requests:.0f}, input_tokens: {isl}, "
                        f"output_tokens: {osl}, params: 70B, precision: fp8, utilization: 100%, min_gpus: 0}}",
                        provider="runpod"), catalog)
    return float(li.quantity("GPUs")[0])


def test_70b_fp8_on_h100_provisions_what_nvidias_figure_implies(catalog):
    # 64 GPUs' worth at NVIDIA's rate: 64 x 2,102.5 tok/s / 1,000 tokens = 134.56 requests/s
    #   x 3,600 x 730 h = 353,624,832 requests a month
    requests = 64 * NVIDIA_1000_1000 / 1000 * 3600 * HOURS
    gpus = gpus_for(catalog, 1000, 1000, requests)
    assert 64 * 0.7 <= gpus <= 64 * 1.3, gpus


def test_a_5000_500_workload_needs_more_gpus_per_output_token_as_published(catalog):
    requests_1k = 64 * NVIDIA_1000_1000 / 1000 * 3600 * HOURS
    requests_5k = 64 * NVIDIA_5000_500 / 500 * 3600 * HOURS  # also 64 GPUs at NVIDIA's rate
    per_token_1k = gpus_for(catalog, 1000, 1000, requests_1k) / (requests_1k * 1000)
    per_token_5k = gpus_for(catalog, 5000, 500, requests_5k) / (requests_5k * 500)
    published = NVIDIA_1000_1000 / NVIDIA_5000_500  # 2,102.5 / 449 = 4.68x the GPUs per output token
    assert per_token_5k / per_token_1k == pytest.approx(published, rel=0.20)


def test_report_json_quantities_include_gpus_per_month(tmp_path, capsys, catalog):
    p = tmp_path / "serve.yaml"
    p.write_text(plan_text("{name: S, gpu: H100-80GB, requests_per_month: 15M, input_tokens: 3000, output_tokens: "
                           "400, model_family: llama-3.1-8b, precision: fp8, utilization: 50%, min_replicas: 2}"))
    assert cli.main(["report", str(p), "--json"]) == 0
    q = json.loads(capsys.readouterr().out)["line_items"][0]["quantities"]
    # the model's replica: 12.485 requests/s -> x 3,600 x 730 x 50% = 16.4M a month > 15M: one, min_replicas 2
    assert q["GPUs"] == [2.0, 2.0, 2.0]
    for key in ("replicas", "TP size", "output tokens/s per GPU", "prefill share", "decode share",
                "memory per replica GB", "batch", "TTFT ms", "TPOT ms"):
        assert len(q[key]) == 3, key
    assert q["TP size"] == [1.0, 1.0, 1.0]
    assert q["prefill share"][0] + q["decode share"][0] == pytest.approx(1.0)


def test_the_line_is_the_model_replica_and_whole_replicas(catalog):
    r = replica(catalog, "llama-3.1-8b", "fp8", 3000, 400)
    rate = float(r.requests_per_s)
    capacity = rate * 3600 * HOURS * 0.5  # requests one replica serves a month at 50% utilization
    li = only(plan_text("{name: S, gpu: H100-80GB, requests_per_month: 40M, growth: 20%, input_tokens: 3000, "
                        "output_tokens: 400, model_family: llama-3.1-8b, precision: fp8, utilization: 50%}",
                        extra="prices:\n  gpu.H100-80GB.aws.on_demand: 4.0\n"), catalog)
    expected = [math.ceil(40e6 * 1.2 ** k / capacity) for k in range(3)]
    assert list(li.quantity("GPUs")) == expected
    # one-GPU replicas on p5.4xlarge (one H100) at the plan's price: GPUs x 730 h x $4
    assert li.monthly == pytest.approx(np.array(expected) * HOURS * 4.0)
    assert li.quantity("output tokens/s per GPU")[0] == pytest.approx(rate * 400)
    assert li.notes[0] == r.describe()
    assert any(n.startswith("throughput at full load; 50% utilization and peak-to-average 1") for n in li.notes)


def test_busy_hour_and_min_gpus_become_replicas(catalog):
    r = replica(catalog, "llama-3.3-70b", "fp8", 1000, 1000, tensor_parallel=2)
    capacity = float(r.requests_per_s) * 3600 * HOURS * 0.6
    line = ("{name: S, gpu: H100-80GB, requests_per_month: 20M, input_tokens: 1000, output_tokens: 1000, "
            "model_family: llama-3.3-70b, precision: fp8, tensor_parallel: 2, peak_to_average: 2, min_gpus: 5}")
    li = only(plan_text(line, provider="lambda"), catalog)
    replicas = max(math.ceil(20e6 * 2 / capacity), math.ceil(5 / 2))  # busy hour x2; 5 GPUs = 3 replicas of 2
    assert li.quantity("replicas")[0] == replicas
    # Lambda sells a 2-GPU H100 instance (gpu_2x_h100_sxm5, $8.38/h): one per replica, $4.19 per GPU-hour
    assert li.quantity("GPUs")[0] == replicas * 2
    assert li.monthly[0] == pytest.approx(replicas * 2 * HOURS * 8.38 / 2)


def test_replicas_are_packed_into_the_providers_instance_shape(catalog):
    # AWS sells H100s as p5.4xlarge (1 GPU) and p5.48xlarge (8): a replica of 2 GPUs needs the 8-GPU one, which holds
    # 4 replicas. 5 replicas -> 2 instances -> 16 GPUs billed.
    li = only(plan_text("{name: S, gpu: H100-80GB, requests_per_month: 1, input_tokens: 1000, output_tokens: 1000, "
                        "model_family: llama-3.3-70b, precision: fp8, tensor_parallel: 2, min_replicas: 5}",
                        extra="prices:\n  gpu.H100-80GB.aws.on_demand: 4.0\n"), catalog)
    assert li.quantity("replicas")[0] == 5 and li.quantity("GPUs")[0] == 16
    assert li.monthly[0] == pytest.approx(16 * HOURS * 4.0)
    assert any("2 GPUs take a whole 8-GPU instance" in n for n in li.notes)


def test_a_measured_throughput_wins_and_the_notes_say_so(catalog):
    line = ("{name: S, gpu: L4, requests_per_month: 10M, output_tokens: 200, tokens_per_second_per_gpu: 500, "
            "utilization: 50%, model_family: llama-3.1-8b, precision: fp8, min_gpus: 1}")
    li = only(plan_text(line, extra="prices:\n  gpu.L4.aws.on_demand: 1.0\n"), catalog)
    # 10M x 200 tokens / (500 x 3,600 x 730 x 50%) = 3.04 -> 4 GPUs, as before the serving model
    assert li.quantity("GPUs")[0] == 4 and li.monthly[0] == pytest.approx(4 * HOURS * 1.0)
    assert "measured 500 tok/s per GPU (output basis) used instead of the serving model" in li.notes


def test_a_line_without_model_or_measurement_says_what_it_assumed(catalog):
    li = only(plan_text("{name: S, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: 2}"), catalog)
    assert li.quantity("GPUs")[0] == 2
    assert li.notes[0].startswith("no model described and no measured throughput: 1,000 output tokens/s per GPU "
                                  "assumed")


@pytest.mark.parametrize("change, key, words", [
    ("model_family: llama-3.1-8b", "model_family: llama-9", "unknown model family 'llama-9'"),
    ("precision: fp8", "precision: fp8\n      tensor_parallel: 1\n      params: 405B", "does not fit on 1x H100-80GB"),
    ("precision: fp8", "precision: fp8\n      ttft_ms: 1", "ttft_ms 1 cannot be met by llama-3.1-8b fp8"),
    ("precision: fp8", "precision: fp8\n      tpot_ms: 0.05", "tpot_ms 0.05 cannot be met"),
])
def test_what_cannot_be_served_is_a_problem_at_load_with_file_line_and_key(catalog, change, key, words):
    text = ("format: aicost-plan/1\nname: S\nstart: 2027-01\nmonths: 3\nprovider: aws\ncompute:\n  inference:\n"
            "    - name: S\n      gpu: H100-80GB\n      requests_per_month: 1M\n      input_tokens: 3000\n"
            "      output_tokens: 400\n      model_family: llama-3.1-8b\n      precision: fp8\n")
    plan, problems = loads(text.replace(change, key), file="serve.yaml", catalog=catalog)
    assert len(problems) == 1, problems
    p = problems[0]
    field = {"llama-9": "model_family", "405B": "tensor_parallel", "ttft": "ttft_ms", "tpot": "tpot_ms"}
    expected = next(v for k, v in field.items() if k in key)
    assert (p.file, p.key_path) == ("serve.yaml", f"compute.inference[0].{expected}")
    assert p.line == text.replace(change, key).splitlines().index(
        next(x for x in text.replace(change, key).splitlines() if x.strip().startswith(expected))) + 1
    assert words in p.message


def test_a_model_that_fits_no_replica_of_the_gpu_is_placed_at_the_gpu(catalog):
    # Llama 3.1 405B in BF16 is 812 GB of weights: no replica of up to 8 L4s (192 GB) holds it
    _, problems = loads(plan_text("{name: S, gpu: L4, requests_per_month: 1M, input_tokens: 1000, output_tokens: 100, "
                                  "model_family: llama-3.1-405b}"), file="p.yaml", catalog=catalog)
    assert [p.key_path for p in problems] == ["compute.inference[0].gpu"]
    assert "does not fit on 8x L4" in problems[0].message


def test_the_cli_exits_2_on_a_plan_the_model_cannot_serve(tmp_path, capsys):
    p = tmp_path / "bad.yaml"
    p.write_text(plan_text("{name: S, gpu: H100-80GB, requests_per_month: 1M, input_tokens: 3000, output_tokens: 400, "
                           "model_family: gpt-9000}"))
    assert cli.main(["report", str(p)]) == 2
    err = capsys.readouterr().err
    assert "compute.inference[0].model_family: unknown model family 'gpt-9000'" in err and "Traceback" not in err


def test_the_new_fields_go_through_the_plan_file_and_back():
    text = plan_text("{name: S, gpu: H100-80GB, requests_per_month: 1M, input_tokens: 3000, output_tokens: 400, "
                     "model_family: qwen3-235b-a22b, params: 235B, active_params: 22B, precision: fp4, "
                     "peak_to_average: 2.5, min_replicas: 1, ttft_ms: 800, tpot_ms: 60, tensor_parallel: 8, "
                     "instance_gpus: 8, kv_cache: fp8, layers: 94, kv_heads: 4}")
    plan = planfile.loads(text)
    line = plan.compute.inference[0]
    assert (line.precision, line.tensor_parallel, line.instance_gpus, line.kv_cache) == (Precision.FP4, 8, 8, "fp8")
    assert (line.active_params, line.peak_to_average, line.ttft_ms, line.layers) == (22e9, 2.5, 800.0, 94)
    assert planfile.loads(planfile.dumps(plan)) == plan


# -- arrays: Monte Carlo and the tornado --------------------------------------------------------------------------

def test_monte_carlo_samples_size_each_replica(catalog):
    text = plan_text("{name: S, gpu: H100-80GB, requests_per_month: 300M, input_tokens: {low: 1000, likely: 3000, "
                     "high: 6000}, output_tokens: 400, model_family: llama-3.1-8b, precision: fp8}")
    plan = loads_checked(text, catalog=catalog)
    mc = uncertainty.monte_carlo(plan, catalog, samples=400)
    base = engine.project(plan, catalog).total
    assert mc.total_p10 < base < mc.total_p90  # longer prompts, more prefill, more GPUs: the tokens move the cost


def test_the_tornado_moves_input_tokens_model_size_and_precision_of_a_serving_line(catalog):
    plan = loads_checked(plan_text("{name: S, gpu: H100-80GB, requests_per_month: 400M, input_tokens: 3000, "
                                   "output_tokens: 400, model_family: llama-3.1-8b, precision: fp8}",
                                   provider="runpod", months=12), catalog=catalog)
    t = uncertainty.tornado(plan, catalog)
    bars = {b.input.key_path.rsplit(".", 1)[1]: b for b in t.bars}
    assert bars["input_tokens"].swing > 0          # prefill: no longer a $0 bar
    assert bars["params"].input.likely == load_models().spec("llama-3.1-8b").params  # the family's size, +-20%
    assert bars["params"].total_high > t.baseline_total > bars["params"].total_low
    p = bars["precision"]
    assert (report.input_value(p.input.key_path, p.input.low), report.input_value(p.input.key_path, p.input.high)) \
        == ("fp4", "bf16")                          # the neighbours in bytes per weight
    assert p.total_high > t.baseline_total          # bf16: twice the bytes of FP8, fewer requests per GPU


def test_all_moved_inputs_priced_at_once_agree_with_one_at_a_time(catalog):
    # The tornado may price every moved input of a line in one call, each a row of (rows, 1) arrays with the other
    # fields at their values (precision then arrives as floats, float(Precision) its place; an empty params as NaN).
    plan = loads_checked(plan_text("{name: S, gpu: H100-80GB, requests_per_month: 50M, input_tokens: 1000, "
                                   "output_tokens: 1000, model_family: llama-3.3-70b, precision: fp8, "
                                   "utilization: 70%}", months=12), catalog=catalog)
    line, ctx = plan.compute.inference[0], engine.context(plan, catalog)
    inputs = uncertainty.tornado_inputs(plan)
    names = [i.key_path.rpartition(".")[2] for i in inputs]
    arrays = {f: np.full(2 * len(inputs), getattr(line, f), dtype=float) for f in names}
    for j, (f, i) in enumerate(zip(names, inputs)):
        arrays[f][2 * j:2 * j + 2] = (i.low, i.high)
    together = engine.price_line("compute.inference", 0, dataclasses.replace(
        line, **{f: a[:, None] for f, a in arrays.items()}), ctx).monthly.sum(axis=1)
    for j, (f, i) in enumerate(zip(names, inputs)):
        alone = engine.price_line("compute.inference", 0, dataclasses.replace(
            line, **{f: np.array([i.low, i.high])[:, None]}), ctx).monthly.sum(axis=1)
        assert together[2 * j:2 * j + 2] == pytest.approx(alone), f


# -- break-even and self_host -------------------------------------------------------------------------------------

SUPPORT = ("format: aicost-plan/1\nname: B\nstart: 2027-01\nmonths: 12\nprovider: runpod\nservices:\n  apis:\n"
           "    - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 1M, input_tokens: 1000, "
           "output_tokens: 1000}\nprices:\n  gpu.H100-80GB.runpod.on_demand: 2.0\n")


def test_breakeven_sizes_the_gpus_from_the_model(catalog):
    plan = loads_checked(SUPPORT, catalog=catalog)
    r = be.breakeven(plan, "Answers", "H100-80GB", model_family="llama-3.3-70b", precision="fp8", utilization=0.5,
                     catalog=catalog)
    perf = replica(catalog, "llama-3.3-70b", "fp8", 1000, 1000)
    # a unit is one replica of tp GPUs (RunPod bills per GPU): requests per GPU-month = rate x 3,600 x 730 x 50% / tp
    tp = perf.tensor_parallel
    assert (r.tensor_parallel, r.gpus_per_unit, r.measured) == (tp, tp, False)
    assert r.requests_per_gpu == pytest.approx(float(perf.requests_per_s) * 3600 * HOURS * 0.5 / tp)
    assert r.gpu_month == pytest.approx(2.0 * HOURS)
    assert r.min_gpus == tp and r.gpus_at(1) == tp
    # the crossing in replicas: c = tp x $1,460, a = the API's cost per request
    assert r.breakeven == pytest.approx(tp * 2.0 * HOURS / r.cost_per_request)
    assert any(n.startswith("llama-3.3-70b fp8 on") for n in r.notes)


def test_breakeven_needs_a_model_or_a_measurement(catalog):
    plan = loads_checked(SUPPORT, catalog=catalog)
    with pytest.raises(Exception, match="say what is self-hosted"):
        be.breakeven(plan, "Answers", "H100-80GB", catalog=catalog)


def test_self_host_serves_the_model_it_names(catalog):
    text = SUPPORT + ("scenarios:\n  - name: Own\n    strategies:\n      self_host: {api: Answers, gpu: H100-80GB, "
                      "model_family: llama-3.3-70b, precision: fp8, utilization: 50%}\n")
    plan = loads_checked(text, catalog=catalog)
    new = scenarios.apply(plan, plan.scenarios[0], catalog)
    line = new.compute.inference[0]
    assert (line.model_family, line.precision, line.tokens_per_second_per_gpu) == ("llama-3.3-70b", Precision.FP8, None)
    li = engine.project(new, catalog).line_items[0]
    perf = replica(catalog, "llama-3.3-70b", "fp8", 1000, 1000)
    assert li.quantity("replicas")[0] == math.ceil(1e6 / (float(perf.requests_per_s) * 3600 * HOURS * 0.5))


def test_self_host_without_model_or_throughput_is_a_problem(catalog):
    text = SUPPORT + "scenarios:\n  - name: Own\n    strategies:\n      self_host: {api: Answers, gpu: H100-80GB}\n"
    _, problems = loads(text, catalog=catalog)
    assert any("say what is served" in p.message and p.key_path == "scenarios[0].strategies.self_host"
               for p in problems)


def test_quantization_moves_a_modelled_line_down_where_the_gpu_gains(catalog):
    base = ("{name: S, gpu: H100-80GB, requests_per_month: 50M, input_tokens: 1000, output_tokens: 1000, "
            "model_family: llama-3.3-70b, precision: PRECISION}")
    strategy = "scenarios:\n  - name: Q\n    strategies:\n      quantization: {}\n"
    bf16 = loads_checked(plan_text(base.replace("PRECISION", "bf16"), extra=strategy), catalog=catalog)
    assert scenarios.apply(bf16, bf16.scenarios[0], catalog).compute.inference[0].precision is Precision.FP8
    # FP8 -> FP4 on an H100 runs weight-only at the 16-bit peak: fewer requests per GPU, so the line is left, and a
    # scenario whose quantization changes nothing is said to
    fp8_text = plan_text(base.replace("PRECISION", "fp8"), extra=strategy)
    _, problems = loads(fp8_text, catalog=catalog)
    assert any("quantization changes nothing" in p.message for p in problems)


def test_aicost_breakeven_sizes_from_the_model_named_on_the_command_line(tmp_path, capsys, catalog):
    p = tmp_path / "b.yaml"
    p.write_text(SUPPORT)
    code = cli.main(["breakeven", str(p), "--api", "Answers", "--gpu", "H100-80GB", "--model-family", "llama-3.3-70b",
                     "--precision", "fp8", "--utilization", "50%", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    expected = be.breakeven(loads_checked(SUPPORT, catalog=catalog), "Answers", "H100-80GB",
                            model_family="llama-3.3-70b", precision="fp8", utilization=0.5, catalog=catalog)
    assert (d["sized_by"], d["tokens_per_second_per_gpu"], d["tensor_parallel"]) == ("serving model", None, 2)
    assert d["breakeven_volume"] == pytest.approx(expected.breakeven, rel=1e-6)
    assert cli.main(["breakeven", str(p), "--api", "Answers", "--gpu", "H100-80GB"]) == 2
    assert "--model-family (or --params, or a measured --tokens-per-second)" in capsys.readouterr().err


def test_a_measured_line_has_no_precision_bar(catalog):
    plan = loads_checked(plan_text("{name: S, gpu: L4, requests_per_month: 10M, output_tokens: 200, "
                                   "tokens_per_second_per_gpu: 500, model_family: llama-3.1-8b}"), catalog=catalog)
    keys = {i.key_path.rsplit(".", 1)[1] for i in uncertainty.tornado_inputs(plan)}
    assert "precision" not in keys and "params" not in keys and "tokens_per_second_per_gpu" in keys
