"""Fit the serving model's efficiencies to the published throughputs in resources/catalog/serving.yaml.

    .venv/bin/python tools/fit_serving.py          # fit, rewrite the fitted block and the docs table
    .venv/bin/python tools/fit_serving.py --check  # fit and compare; exit 1 if the files are stale

Writes the block between the "fitted by tools/fit_serving.py" markers of resources/catalog/serving.yaml
(efficiencies with how they were fitted) and the calibration table between the markers of
docs/serving-model.md. Deterministic: the same inputs give the same files.
"""
from __future__ import annotations

import argparse
import datetime
import pathlib
import sys
from dataclasses import replace

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing.catalog import Catalog  # noqa: E402 - after the path set-up above
from pricing.models_catalog import load_models, load_serving  # noqa: E402
from pricing.serving import GpuPerf  # noqa: E402
from pricing.serving_fit import EFFICIENCY_FIELDS, calibration_rows, fit, table_markdown  # noqa: E402

SERVING_YAML = ROOT / "resources" / "catalog" / "serving.yaml"
DOC = ROOT / "docs" / "serving-model.md"
YAML_BEGIN = "# --- fitted by tools/fit_serving.py: begin ---"
YAML_END = "# --- fitted by tools/fit_serving.py: end ---"
DOC_BEGIN = "<!-- calibration table: written by tools/fit_serving.py -->"
DOC_END = "<!-- end of calibration table -->"

MEANING = {
    "prefill_fp8": "fraction of the dense peak reached by prefill GEMMs on FP8 and 16-bit tensor cores",
    "prefill_fp4": "fraction of the dense FP4 peak reached on Blackwell FP4 tensor cores",
    "decode_fp8": "fraction of memory bandwidth reached streaming 8/16-bit weights and the KV cache",
    "decode_fp4": "fraction of memory bandwidth reached streaming 4-bit weights",
    "moe": "multiplier on both for mixture-of-experts models",
    "tp_per_doubling": "multiplier on both per doubling of the tensor-parallel size",
}


def replace_between(text: str, begin: str, end: str, body: str, where: pathlib.Path) -> str:
    try:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise SystemExit(f"{where}: the markers {begin!r} ... {end!r} are missing") from None
    return f"{head}{begin}\n{body}{end}{tail}"


def fitted_block(result, n_points: int, sources: list[str], today: str) -> str:
    """The YAML between the markers (yaml.safe_dump quotes what needs quoting)."""
    efficiency = {f: {"value": round(getattr(result.efficiency, f), 4),
                      "source": f"fitted by tools/fit_serving.py to the {n_points} measurements marked use: fit below",
                      "as_of": today, "notes": MEANING[f]} for f in EFFICIENCY_FIELDS}
    m = result.worst.measurement
    fit_info = {"method": "Levenberg-Marquardt least squares on log(predicted / published); factors fitted in log "
                          "space, each starting at 0.5",
                "points": n_points,
                "rms_log_error": round(result.rms_log_error, 4),
                "worst": f"{m.model} {m.precision.value} {m.gpu} TP{m.tensor_parallel} "
                         f"{m.input_tokens:.0f}/{m.output_tokens:.0f}: {result.worst.error:+.1%}",
                "sources": sources,
                "date": today}
    return yaml.safe_dump({"efficiency": efficiency, "fit": fit_info}, sort_keys=False, width=120,
                          allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the written files differ")
    ap.add_argument("--date", help="date to stamp (default: keep the stamped date when the values are unchanged)")
    args = ap.parse_args(argv)
    data = load_serving(SERVING_YAML, require_fit=False)
    models = load_models()
    catalog = Catalog.load()
    gpus = {g: GpuPerf.from_spec(catalog.gpu_spec(g)) for g in {m.gpu for m in data.measurements}}
    result = fit(data.measurements, models, gpus, data.params)
    rows = calibration_rows(data.measurements, models, gpus, replace(data.params, efficiency=result.efficiency))
    used = [m for m in data.measurements if m.use == "fit"]
    sources = sorted({m.source for m in used})

    old_yaml = SERVING_YAML.read_text(encoding="utf-8")
    stamped = str(data.fit.get("date") or "")
    today = args.date or datetime.date.today().isoformat()

    def written(date: str) -> str:
        return replace_between(old_yaml, YAML_BEGIN, YAML_END, fitted_block(result, len(used), sources, date),
                               SERVING_YAML)

    new_yaml = written(stamped) if stamped and not args.date else written(today)
    if new_yaml != old_yaml and not args.date:  # the values moved: stamp today
        new_yaml = written(today)
    old_doc = DOC.read_text(encoding="utf-8")
    new_doc = replace_between(old_doc, DOC_BEGIN, DOC_END, table_markdown(rows, models) + "\n", DOC)

    print(f"fitted {len(used)} points: rms log error {result.rms_log_error:.3f}, worst {result.worst.error:+.1%}")
    for f in EFFICIENCY_FIELDS:
        print(f"  {f:16s} {getattr(result.efficiency, f):.4f}  {MEANING[f]}")
    stale = [p for p, old, new in ((SERVING_YAML, old_yaml, new_yaml), (DOC, old_doc, new_doc)) if old != new]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run tools/fit_serving.py)")
        return 1 if stale else 0
    for p, new in ((SERVING_YAML, new_yaml), (DOC, new_doc)):
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(p)
    for p in stale:
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
