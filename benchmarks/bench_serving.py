"""Serving model: its calibration against the published throughputs (the table of docs/serving-model.md, recomputed
from pricing.serving_fit with the fitted efficiencies) and the time to size a serving line (issue 14)."""
from __future__ import annotations

import os
import sys

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from benchmarks.common import EXAMPLES, median_ms, p95_ms, timings  # noqa: E402
from pricing import engine, uncertainty  # noqa: E402
from pricing.catalog import Catalog  # noqa: E402
from pricing.load import load_checked, loads_checked  # noqa: E402
from pricing.models_catalog import load_models, load_serving  # noqa: E402
from pricing.serving import GpuPerf  # noqa: E402
from pricing.serving_fit import calibration_rows, table_markdown  # noqa: E402


def calibration() -> tuple[list[tuple[str, str, str]], str]:
    """Summary rows and the full calibration table (every measurement: published vs predicted output tokens/s)."""
    catalog = Catalog.load()
    models, data = load_models(), load_serving()
    gpus = {g: GpuPerf.from_spec(catalog.gpu_spec(g)) for g in {m.gpu for m in data.measurements}}
    rows = calibration_rows(data.measurements, models, gpus, data.params)
    fitted = [r for r in rows if r.measurement.use == "fit"]
    errors = np.array([r.error for r in fitted])
    log = np.log1p(errors)
    worst = max(fitted, key=lambda r: abs(r.error))
    m = worst.measurement
    summary = [
        ("fitted measurements (NVIDIA TensorRT-LLM perf overview)", f"{len(fitted)}", ""),
        ("RMS log error", f"{float(np.sqrt(np.mean(log ** 2))):.1%}", ""),
        ("within +-30% of the published figure", f"{int(np.sum(np.abs(errors) <= 0.30))} of {len(fitted)}",
         "all but the documented limits (tests/pricing/test_serving.py)"),
        ("median absolute error", f"{float(np.median(np.abs(errors))):.1%}", ""),
        ("worst point", f"{models.spec(m.model).name} {m.precision.value} {m.gpu} TP{m.tensor_parallel} "
                        f"{m.input_tokens:,.0f}/{m.output_tokens:,.0f}: {worst.error:+.0%}", ""),
    ]
    return summary, table_markdown(rows, models)


def run() -> dict:
    summary, table = calibration()
    catalog = Catalog.load()
    plan = load_checked(os.path.join(EXAMPLES, "finetuned-open-model.yaml"), catalog)
    ctx = engine.context(plan, catalog)
    line = plan.compute.inference[0]
    one = timings(lambda: engine.price_line("compute.inference", 0, line, ctx), repeat=30)
    ranged = loads_checked(
        "format: aicost-plan/1\nname: R\nstart: 2027-01\nmonths: 24\nprovider: aws\ncompute:\n  inference:\n"
        "    - {name: S, gpu: H100-80GB, requests_per_month: 50M, input_tokens: {low: 1000, likely: 3000, high: 6000},"
        " output_tokens: 400, params: {low: 7B, likely: 8B, high: 9B}, model_family: llama-3.1-8b, precision: fp8}\n",
        catalog=catalog)
    mc = timings(lambda: uncertainty.monte_carlo(ranged, catalog, samples=2000), repeat=3, warmup=1)
    rows = summary + [
        ("size one serving line (the fine-tuned example's: 5 TP sizes tried, 24 months), median",
         f"{median_ms(one):.2f} ms", ""),
        ("same, p95", f"{p95_ms(one):.2f} ms", ""),
        ("Monte Carlo of a serving line with ranges on tokens and params, 2,000 samples (each sample's model "
         "sized apart)", f"{median_ms(mc):.0f} ms", ""),
    ]
    notes = ["Published and predicted output tokens/s of the whole system (all TP GPUs), with the fitted factors of "
             "resources/catalog/serving.yaml; \"fit\" rows are fitted, \"check\" rows are not "
             "(docs/serving-model.md says why).", "", table]
    return {"title": "Serving model calibration and sizing (issue 14)", "rows": rows, "notes": notes}


if __name__ == "__main__":
    from benchmarks.run_all import render
    print("\n".join(render(run())))
