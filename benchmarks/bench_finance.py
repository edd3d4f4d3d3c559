"""Finance (issue 21): the Excel export, XlsxWriter vs openpyxl on the same formulas, the commitment planner."""
from __future__ import annotations

import io
import os
import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import EXAMPLES, big_plan_text, median_ms, timings  # noqa: E402


def _xlsxwriter(lines: int, months: int) -> bytes:
    """``lines`` x ``months`` formulas over named inputs, money format, cached values (what the export writes)."""
    import xlsxwriter
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    inp, mon = wb.add_worksheet("Inputs"), wb.add_worksheet("Monthly")
    money = wb.add_format({"num_format": '"$"#,##0.00'})
    for i in range(lines):
        inp.write_number(i + 1, 1, 3.9 + i, money)
        inp.write_number(i + 1, 2, 100 + i)
        wb.define_name(f"price_{i}", f"=Inputs!$B${i + 2}")
        wb.define_name(f"qty_{i}", f"=Inputs!$C${i + 2}")
        for m in range(months):
            mon.write_formula(i + 1, m + 2, f"=price_{i}*qty_{i}*(1+0.05)^{m}", money,
                              (3.9 + i) * (100 + i) * 1.05 ** m)
    wb.close()
    return buf.getvalue()


def _openpyxl(lines: int, months: int) -> bytes:
    """The same workbook with openpyxl's write-only mode (it cannot store the formulas' values)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.workbook.defined_name import DefinedName
    wb = openpyxl.Workbook(write_only=True)
    inp, mon = wb.create_sheet("Inputs"), wb.create_sheet("Monthly")

    def cell(ws, v):
        c = WriteOnlyCell(ws, value=v)
        c.number_format = '"$"#,##0.00'
        return c
    for i in range(lines):
        inp.append([None, cell(inp, 3.9 + i), 100 + i])
        wb.defined_names[f"price_{i}"] = DefinedName(f"price_{i}", attr_text=f"Inputs!$B${i + 1}")
        wb.defined_names[f"qty_{i}"] = DefinedName(f"qty_{i}", attr_text=f"Inputs!$C${i + 1}")
    for i in range(lines):
        mon.append([None, None] + [cell(mon, f"=price_{i}*qty_{i}*(1+0.05)^{m}") for m in range(months)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run() -> dict:
    from pricing import commitments, engine, export_xlsx, planfile
    from pricing.load import load_checked
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    plan = load_checked(os.path.join(EXAMPLES, "support-assistant.yaml"), catalog)
    big = planfile.loads(big_plan_text(200, 60))
    big_proj = engine.project(big, catalog)
    rows = []
    with tempfile.TemporaryDirectory(prefix="aicost-bench-") as tmp:
        out = Path(tmp) / "plan.xlsx"
        full = timings(lambda: export_xlsx.export(plan, out, catalog=catalog), repeat=5, warmup=1)
        size = out.stat().st_size
        book = timings(lambda: export_xlsx.write_workbook(big_proj, io.BytesIO(), catalog=catalog), repeat=3, warmup=1)
        big_book = io.BytesIO()
        export_xlsx.write_workbook(big_proj, big_book, catalog=catalog)
        big_size = len(big_book.getvalue())
    rows += [
        ("Excel export of support-assistant (24 months, 2 scenarios, tornado; projection and scenarios included), "
         "median of 5", f"{median_ms(full):.0f} ms ({size / 1024:.0f} KB)", "<= 1000 ms"),
        ("workbook of a 200-line, 60-month plan (about 1,000 rows x 60 months of formulas), median of 3",
         f"{median_ms(book):.0f} ms ({big_size / 1024:.0f} KB)", "<= 5000 ms"),
    ]
    notes = []
    try:
        import openpyxl  # noqa: F401  (installed with the test extra, for `formulas`)
        for lines, months in ((60, 36), (400, 60)):
            xw = timings(partial(_xlsxwriter, lines, months), repeat=3, warmup=1)
            op = timings(partial(_openpyxl, lines, months), repeat=3, warmup=1)
            rows.append((f"library: {lines} x {months} formulas over named inputs, XlsxWriter vs openpyxl write-only, "
                         "median of 3", f"{median_ms(xw):.0f} ms ({len(_xlsxwriter(lines, months)) / 1024:.0f} KB) vs "
                         f"{median_ms(op):.0f} ms ({len(_openpyxl(lines, months)) / 1024:.0f} KB)", ""))
        notes.append("XlsxWriter's files are larger because they carry each formula's computed value (openpyxl "
                     "cannot write it); its time goes into checking each formula for newer Excel functions.")
    except ImportError:
        notes.append("openpyxl is not installed (pip install -e '.[test]'): library comparison skipped.")
    fine = load_checked(os.path.join(EXAMPLES, "finetuned-open-model.yaml"), catalog)
    plan_t = timings(lambda: commitments.plan_commitments(fine, catalog, samples=1000), repeat=5, warmup=1)
    rows.append(("commitment planner, finetuned-open-model (ranges: 1,000 usage samples; every offer, start month "
                 "and size), median of 5", f"{median_ms(plan_t):.0f} ms", "<= 2000 ms"))
    return {"title": "Finance: Excel export and commitments (issue 21)", "rows": rows, "notes": notes}


if __name__ == "__main__":
    result = run()
    print(result["title"])
    for row in result["rows"]:
        print(" | ".join(row))
    for note in result["notes"]:
        print(note)
