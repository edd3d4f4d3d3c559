"""Export speed (issue 6): the PDF report with every chart, the CSV files, a comparison; in-process, after a warm-up."""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import EXAMPLES, median_ms, timings  # noqa: E402
from pricing.load import load_checked  # noqa: E402 - after the sys.path set-up above


def run() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pricing import compare, engine, export_csv, uncertainty
    from pricing.catalog import Catalog

    from gui.pdf import ensure_application, export_compare_pdf, export_pdf

    ensure_application()
    catalog = Catalog.load()
    path = os.path.join(EXAMPLES, "support-assistant.yaml")
    plan = load_checked(path, catalog)
    assert uncertainty.has_ranges(plan) and plan.scenarios  # every chart: band, tornado, scenarios
    with tempfile.TemporaryDirectory(prefix="aicost-bench-") as tmp:
        out = Path(tmp)
        pdf = timings(lambda: export_pdf(plan, out / "report.pdf", catalog=catalog), repeat=7, warmup=2)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", (out / "report.pdf").read_bytes()))
        letter = timings(lambda: export_pdf(plan, out / "letter.pdf", catalog=catalog, page_size="Letter"),
                         repeat=5, warmup=1)
        csv_all = timings(lambda: export_csv.export(plan, out / "costs.csv", catalog=catalog), repeat=15, warmup=3)
        proj = engine.project(plan, catalog)
        csv_long = timings(lambda: export_csv.write(proj, out / "long.csv"), repeat=30, warmup=3)
        entries = [compare.load_entry(path, catalog), compare.load_entry(path + "#Frugal", catalog),
                   compare.load_entry(path + "#Self-host answers", catalog)]
        cmp = compare.compare(entries)
        cmp_time = timings(lambda: compare.compare(entries), repeat=30, warmup=3)
        cmp_pdf = timings(lambda: export_compare_pdf(cmp, out / "compare.pdf"), repeat=5, warmup=1)
    return {
        "title": "Exports (issue 6)",
        "rows": [
            ("PDF report, support-assistant example (24 months, ranges: Monte Carlo 10,000 samples + tornado, "
             "2 scenarios), A4, median of 7", f"{median_ms(pdf):.0f} ms", "<= 1000 ms"),
            ("PDF report, same plan, US Letter, median of 5", f"{median_ms(letter):.0f} ms", "<= 1000 ms"),
            ("CSV export: long form + summary + monthly with P10/P50/P90 (scenarios and Monte Carlo included), "
             "median of 15", f"{median_ms(csv_all):.1f} ms", "<= 100 ms"),
            ("CSV long form only (`aicost report --csv`), median of 30", f"{median_ms(csv_long):.2f} ms", ""),
            ("compare() of 3 entries (plan and 2 scenarios), median of 30", f"{median_ms(cmp_time):.2f} ms", ""),
            ("comparison PDF of those 3 entries, median of 5", f"{median_ms(cmp_pdf):.0f} ms", ""),
        ],
        "notes": [f"The A4 report has {pages} pages; every chart is drawn as vector paths (QPainter on QPdfWriter)."],
    }


if __name__ == "__main__":
    result = run()
    print(result["title"])
    for row in result["rows"]:
        print(" | ".join(row))
    for note in result["notes"]:
        print(note)
