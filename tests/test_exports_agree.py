"""The PDF, the CSV files and `aicost report --json` show the same totals, categories and months, to the cent.

They all read one report model (pricing/report_model.py). Each example plan is exported the way a
user does it (`aicost report --json`, `aicost report --csv --pdf`, File > Export CSV), and the
figures are read back from the files: the PDF's text with pypdf, its "Cost by category" tables
parsed cell by cell.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from gui import cli
from pricing import export_csv
from pricing.catalog import Catalog
from pricing.load import load_checked
from pricing.plan import Category

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text back (test extra)")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.yaml"))
CATEGORIES = [c.value for c in Category]
MONEY = re.compile(r"^-?\$[\d,]+\.\d\d$")


def cents(text: str) -> int:
    """``$1,234.56`` or ``1234.56`` -> 123456 (exactly: no float on the way)."""
    return int(Decimal(text.replace("$", "").replace(",", "")) * 100)


def pdf_lines(path: Path) -> list[str]:
    raw = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    text = re.sub(r"[ \t]+", " ", unicodedata.normalize("NFKC", raw))
    return [line.strip() for line in text.splitlines() if line.strip()]


def pdf_category_tables(lines: list[str], heading: str, stop: re.Pattern) -> dict[str, dict[str, int]]:
    """The tables after ``heading`` (up to a line matching ``stop``) as {column label: {row name: cents}}: each
    block is "Category", its column labels, then each row's name and one amount per column (page headers and
    footers between blocks are skipped)."""
    i = lines.index(heading) + 1
    end = next(j for j in range(i, len(lines)) if stop.match(lines[j]))
    out: dict[str, dict[str, int]] = defaultdict(dict)
    while i < end:
        if lines[i] != "Category":
            i += 1
            continue
        i += 1
        labels = []
        while not (lines[i] in CATEGORIES or lines[i] == "Total"):
            labels.append(lines[i])
            i += 1
        while i < end and (lines[i] in CATEGORIES or lines[i] == "Total"):
            name, values = lines[i], lines[i + 1:i + 1 + len(labels)]
            assert all(MONEY.match(v) for v in values), (name, values)
            for label, v in zip(labels, values):
                out[label][name] = cents(v)
            i += 1 + len(labels)
    return out


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


@pytest.mark.parametrize("plan_path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_pdf_csv_and_json_show_the_same_figures(plan_path, tmp_path, capsys, qapp, catalog):
    # JSON, as `aicost report --json` prints it
    assert cli.main(["report", str(plan_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    months = data["months"]
    j_total = round(data["total"] * 100)
    j_months = [round(v * 100) for v in data["monthly"]]
    j_cats = {c: [round(v * 100) for v in row] for c, row in data["categories"].items()}

    # the long-form CSV and the PDF, from one `aicost report --csv --pdf` run (with a small Monte Carlo)
    pdf, long_csv = tmp_path / "r.pdf", tmp_path / "r.csv"
    assert cli.main(["report", str(plan_path), "--csv", str(long_csv), "--pdf", str(pdf), "--samples", "300"]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(long_csv.read_text(encoding="utf-8"))))
    c_months, c_cats = defaultdict(int), defaultdict(lambda: defaultdict(int))
    for r in rows:
        c_months[r["month"]] += cents(r["amount"])
        c_cats[r["category"]][r["month"]] += cents(r["amount"])

    # the three files of File > Export CSV (the same report model, gathered by the export)
    plan = load_checked(plan_path, catalog)
    files = export_csv.export(plan, tmp_path / "costs.csv", catalog=catalog, samples=300).paths
    monthly_rows = list(csv.DictReader(io.StringIO(files[2].read_text(encoding="utf-8-sig"))))
    summary_rows = list(csv.DictReader(io.StringIO(files[1].read_text(encoding="utf-8-sig"))))

    # the PDF's "Cost by category" tables, read back cell by cell
    lines = pdf_lines(pdf)
    by_year = pdf_category_tables(lines, "By year", re.compile("^By month$"))
    by_month = pdf_category_tables(lines, "By month", re.compile(r"^\d+ (Notes on the figures|Assumptions)"))
    assert len(by_month) == len(months)

    # totals
    assert j_total == sum(c_months.values()) == by_year["Horizon"]["Total"]
    assert j_total == cents(next(r for r in summary_rows if r["level"] == "total"
                                 and r["scenario"] == "baseline")["horizon_total"])
    # months: the PDF's columns are in month order (Jan 2027, ...), the others keyed by YYYY-MM
    for k, (month, pdf_month) in enumerate(zip(months, by_month)):
        assert j_months[k] == c_months[month] == by_month[pdf_month]["Total"] \
            == cents(monthly_rows[k]["total"]), month
        for cat in CATEGORIES:
            shown = by_month[pdf_month].get(cat, 0)   # the PDF leaves out categories that cost nothing
            assert j_cats[cat][k] == c_cats[cat][month] == shown == cents(monthly_rows[k][cat.lower()]), (month, cat)
    # categories over the horizon
    for cat in CATEGORIES:
        assert sum(j_cats[cat]) == sum(c_cats[cat].values()) == by_year["Horizon"].get(cat, 0)
        row = next((r for r in summary_rows if r["level"] == "category" and r["scenario"] == "baseline"
                    and r["name"] == cat), None)
        assert sum(j_cats[cat]) == (cents(row["horizon_total"]) if row else 0)
