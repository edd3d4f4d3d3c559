"""CSV export: long form, summary, monthly with percentiles, comparisons; sums to the cent, no formula injection."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from pricing import compare as C
from pricing import report_model as RM
from pricing import engine, export_csv as X, planfile, scenarios, uncertainty
from pricing.catalog import Catalog
from pricing.plan import Category
from pricing.report import report_data
from pricing.load import load_checked, loads_checked

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "resources" / "examples"

HOSTILE = """\
format: aicost-plan/1
name: '=HYPERLINK("x")'
start: 2027-01
months: 3
provider: aws
compute:
  training:
    - {name: "+Run", gpu: H100-80GB, gpus: 2, hours: 10, month: 1}
mlops:
  - {name: "-Logs", kind: log_ingest_gb, quantity: 100, unit_price: 0.5}
  - {name: "@SUM(A1)", kind: ci_minutes, quantity: 1000, unit_price: 0.01}
people:
  - {name: "\\tToil", hours_per_month: 10, hourly_rate: 100}
prices:
  gpu.H100-80GB.aws.on_demand: 4.0
scenarios:
  - name: "=cmd|' /C calc'!A0"
    strategies:
      spot: {applies_to: [training], interruption_overhead: 10%}
"""


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


@pytest.fixture(scope="module")
def support(catalog):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", catalog)
    proj = engine.project(plan, catalog)
    return plan, proj, scenarios.evaluate_all(plan, catalog)


def read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def cents(x: str) -> int:
    return int(Decimal(x) * 100)


@pytest.mark.parametrize("text, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-5% promo", "'-5% promo"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTab", "'\tTab"), ("\rCR", "'\rCR"), ("Chat serving", "Chat serving"), ("", ""), ("a=b", "a=b"),
])
def test_safe_cell(text, safe):
    assert X.safe_cell(text) == safe


@pytest.mark.parametrize("c, text", [(0, "0.00"), (5, "0.05"), (-5, "-0.05"), (123456, "1234.56"), (-100, "-1.00"),
                                     (10**12 + 1, "10000000000.01")])
def test_amount(c, text):
    assert X.amount(c) == text


def test_long_form_round_trips_and_sums_to_the_report(support):
    plan, proj, results = support
    buf = io.StringIO(newline="")
    X.write(proj, buf, results)
    text = buf.getvalue()
    assert "\r\n" in text and not text.startswith("\ufeff")  # `aicost report --csv`: CRLF, no BOM
    rows = read(text)
    assert tuple(rows[0]) == X.HEADER
    base = [r for r in rows if r["scenario"] == "baseline"]
    assert len(base) == len(proj.months) * len(proj.line_items)
    d = report_data(proj)
    assert sum(cents(r["amount"]) for r in base) == round(d["total"] * 100)
    for j, m in enumerate(d["months"]):
        assert sum(cents(r["amount"]) for r in base if r["month"] == m) == round(d["monthly"][j] * 100)
    assert {r["scenario"] for r in rows} == {"baseline", "Frugal", "Self-host answers"}
    # written again from what was read: the same text (the csv module round-trips every cell)
    again = io.StringIO(newline="")
    w = csv.writer(again, lineterminator="\r\n")
    w.writerow(X.HEADER)
    w.writerows([tuple(r.values()) for r in rows])
    assert again.getvalue() == text


def test_summary_totals_equal_the_sums_of_their_parts(support):
    plan, proj, results = support
    buf = io.StringIO(newline="")
    X.write_summary(proj, buf, results)
    text = buf.getvalue()
    assert text.startswith("\ufeff")
    rows = read(text.lstrip("\ufeff"))
    assert tuple(rows[0]) == X.SUMMARY_HEADER
    base_total = None
    for scen in ["baseline", "Frugal", "Self-host answers"]:
        mine = [r for r in rows if r["scenario"] == scen]
        lines = [r for r in mine if r["level"] == "line"]
        cats = [r for r in mine if r["level"] == "category"]
        total = next(r for r in mine if r["level"] == "total")
        for col in ("run_rate_first_month", "run_rate_last_month", "horizon_total"):
            assert sum(cents(r[col]) for r in lines) == sum(cents(r[col]) for r in cats) == cents(total[col])
            for c in cats:
                assert sum(cents(r[col]) for r in lines if r["category"] == c["name"]) == cents(c[col])
        if scen == "baseline":
            base_total = cents(total["horizon_total"])
            assert total["saving"] == ""
            assert base_total == round(report_data(proj)["total"] * 100)
        else:
            saving = cents(total["saving"])
            assert saving == base_total - cents(total["horizon_total"])
            strategies = [r for r in mine if r["level"] == "strategy"]
            assert strategies and sum(cents(r["saving"]) for r in strategies) == saving
            result = next(r for r in results if r.scenario.name == scen)
            assert saving == scenarios.attribution_cents(result).saving_total
    assert not [r for r in rows if r["level"] == "percentile"]


def test_monthly_rows_add_up_and_percentiles_come_with_ranges(support, catalog):
    plan, proj, _ = support
    mc = uncertainty.monte_carlo(plan, catalog, samples=500)
    u = RM.uncertainty_figures(mc)
    buf = io.StringIO(newline="")
    X.write_monthly(proj, buf, uncertainty=u)
    rows = read(buf.getvalue().lstrip("\ufeff"))
    assert tuple(rows[0]) == X.monthly_header(u)
    assert {"p10", "p50", "p90"} <= set(rows[0])
    cats = [c.value.lower() for c in Category]
    running = 0
    for r, m in zip(rows, report_data(proj)["monthly"]):
        assert sum(cents(r[c]) for c in cats) == cents(r["total"]) == round(m * 100)
        running += cents(r["total"])
        assert cents(r["cumulative"]) == running
        assert cents(r["p10"]) <= cents(r["p50"]) <= cents(r["p90"])
    no_ranges = io.StringIO(newline="")
    X.write_monthly(proj, no_ranges)
    assert "p10" not in read(no_ranges.getvalue().lstrip("\ufeff"))[0]
    summary = io.StringIO(newline="")
    X.write_summary(proj, summary, uncertainty=u)
    pct = [r for r in read(summary.getvalue().lstrip("\ufeff")) if r["level"] == "percentile"]
    assert [r["name"] for r in pct] == ["P10", "P50", "P90"]
    assert cents(pct[1]["horizon_total"]) == u.total_p50


def test_formula_like_names_are_neutralised_everywhere(catalog):
    plan = loads_checked(HOSTILE, catalog=catalog)
    proj = engine.project(plan, catalog)
    results = scenarios.evaluate_all(plan, catalog)
    texts = []
    for fn in (lambda b: X.write(proj, b, results), lambda b: X.write_summary(proj, b, results),
               lambda b: X.write_monthly(proj, b)):
        buf = io.StringIO(newline="")
        fn(buf)
        texts.append(buf.getvalue().lstrip("\ufeff"))
    other = C.entry_from_plan(plan, catalog, label="=EVIL()")
    buf = io.StringIO(newline="")
    X.write_compare(C.compare([C.entry_from_plan(plan, catalog, label="+a.yaml"), other]), buf)
    texts.append(buf.getvalue().lstrip("\ufeff"))
    for text in texts:
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (cell, row)
                assert not cell.startswith("-") or cell[1:2].isdigit(), (cell, row)  # negative amounts only
    long_rows = read(texts[0])
    assert {r["line_item"] for r in long_rows} >= {"'+Run", "'-Logs", "'@SUM(A1)", "Toil"}  # names are trimmed on load
    assert "'=cmd|' /C calc'!A0" in {r["scenario"] for r in long_rows}
    header = next(csv.reader(io.StringIO(texts[3])))
    assert "B: =EVIL()" in header  # the entry's letter comes first: nothing for a spreadsheet to run


def test_export_writes_four_files_with_bom_and_crlf(tmp_path, catalog):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", catalog)
    seen = []
    out = X.export(plan, tmp_path / "costs.csv", catalog=catalog, samples=300, progress=lambda d, t: seen.append(d))
    assert [p.name for p in out.paths] == ["costs.csv", "costs-summary.csv", "costs-monthly.csv", "costs-fiscal.csv"]
    for p in out.paths:
        raw = p.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
        assert raw.count(b"\xef\xbb\xbf") == 1
        rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
        assert len({len(r) for r in rows}) == 1  # rectangular
    assert "p50" in (tmp_path / "costs-monthly.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert seen == sorted(seen) and seen[-1] == 100
    assert sorted(x.name for x in tmp_path.iterdir()) == ["costs-fiscal.csv", "costs-monthly.csv", "costs-summary.csv",
                                                          "costs.csv"]
    again = X.export(plan, tmp_path / "again", catalog=catalog, samples=300)
    assert again.paths[0].name == "again.csv"
    assert again.paths[2].read_bytes() == out.paths[2].read_bytes()  # seeded: the same plan, the same file


def test_a_cancelled_export_leaves_no_file(tmp_path, catalog):
    plan = load_checked(EXAMPLES / "support-assistant.yaml", catalog)
    with pytest.raises(uncertainty.Cancelled):
        X.export(plan, tmp_path / "costs.csv", catalog=catalog, cancel=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_a_scenario_that_cannot_be_evaluated_is_left_out_and_said(tmp_path, catalog):
    text = HOSTILE.replace("spot: {applies_to: [training], interruption_overhead: 10%}",
                           "spot: {applies_to: [training], interruption_overhead: 10%}\n"
                           "  - name: Broken\n    strategies:\n      model_switch: {lines: [Nope], model: gpt-4o}")
    plan = planfile.loads(text)
    out = X.export(plan, tmp_path / "x.csv", catalog=catalog)
    assert len(out.skipped) == 1 and out.skipped[0].startswith("Broken:")
    assert "Broken" not in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")


def test_dash_writes_to_stdout(support, capsys):
    _, proj, _ = support
    X.write(proj, "-")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(X.HEADER)


def test_compare_csv_deltas_add_up(catalog):
    path = str(EXAMPLES / "support-assistant.yaml")
    cmp = C.compare([C.load_entry(path, catalog), C.load_entry(path + "#Self-host answers", catalog)])
    buf = io.StringIO(newline="")
    X.write_compare(cmp, buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue().lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["kind", "name", "section", "category"] and header[-1] == "currency"
    delta = header.index("B - A")
    total = next(r for r in body if r[0] == "figure" and r[1] == "Horizon total")
    lines = [r for r in body if r[0] == "line"]
    assert sum(cents(r[delta]) for r in lines) == cents(total[delta])
    assert sum(cents(r[4]) for r in lines if r[4]) == cents(total[4])
    cats = [r for r in body if r[0] == "category"]
    assert sum(cents(r[5]) for r in cats) == cents(total[5])
    months = [r for r in body if r[0] == "month"]
    assert len(months) == 24 and sum(cents(r[4]) for r in months) == cents(total[4])
