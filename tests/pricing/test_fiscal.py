"""Fiscal years and quarters: the plan's fiscal_year_start, the roll-ups of the report model, and every output
that reads them (JSON, text, CSV, PDF, Excel) computed by hand."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from pricing import engine, export_csv, export_xlsx, planfile, report, report_model
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.plan import YearMonth
from pricing.report_figures import fiscal_quarter, fiscal_year, quarter_periods, year_periods

# 14 months from January 2027 with the fiscal year starting in April:
#   Toil       10 h x $100       = $1,000 every month              (People)
#   Contractor 20 h x $50        = $1,000 in months 4-6 (Apr-Jun 2027)  (People)
#   Logs       100 GB x $0.50    = $50 every month                 (MLOps)
FISCAL_PLAN = """\
format: aicost-plan/1
name: Fiscal
start: 2027-01
months: 14
fiscal_year_start: 4
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
  - {name: Contractor, hours_per_month: 20, hourly_rate: 50, start: 4, end: 6}
mlops:
  - {name: Logs, kind: log_ingest_gb, quantity: 100, unit_price: 0.5}
"""

# By hand, in cents (the months: Jan 2027 .. Feb 2028):
#   FY2027 Q4       Jan-Mar 2027  3 x (1,000 + 50)            =  3,150.00
#   FY2028 Q1       Apr-Jun 2027  3 x (1,000 + 1,000 + 50)    =  6,150.00
#   FY2028 Q2       Jul-Sep 2027  3 x 1,050                   =  3,150.00
#   FY2028 Q3       Oct-Dec 2027  3 x 1,050                   =  3,150.00
#   FY2028 Q4       Jan-Feb 2028  2 x 1,050 (2 of 3 months)   =  2,100.00
#   FY2027 (3 mo)   = Q4 of FY2027                            =  3,150.00
#   FY2028 (11 mo)  = 6,150 + 3,150 + 3,150 + 2,100           = 14,550.00
#   horizon         = 14 x 1,050 + 3 x 1,000                  = 17,700.00
QUARTERS = [("FY2027 Q4", 315_000), ("FY2028 Q1", 615_000), ("FY2028 Q2", 315_000), ("FY2028 Q3", 315_000),
            ("FY2028 Q4 (2 mo)", 210_000)]
YEARS = [("FY2027 (3 mo)", 315_000), ("FY2028 (11 mo)", 1_455_000)]
TOTAL = 1_770_000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def fiscal(catalog):
    return report_model.gather(planfile.loads(FISCAL_PLAN), catalog, scenarios=False, monte_carlo=False,
                               tornado=False, texts=False)


@pytest.mark.parametrize("year, month, first, expected", [
    # April start (UK government, Japan, India): FY2028 runs April 2027 to March 2028
    (2027, 1, 4, (2027, 4)), (2027, 3, 4, (2027, 4)), (2027, 4, 4, (2028, 1)), (2027, 6, 4, (2028, 1)),
    (2027, 7, 4, (2028, 2)), (2027, 12, 4, (2028, 3)), (2028, 1, 4, (2028, 4)),
    # October start (US federal government): FY2027 began on 1 October 2026
    (2026, 10, 10, (2027, 1)), (2026, 12, 10, (2027, 1)), (2027, 1, 10, (2027, 2)), (2027, 9, 10, (2027, 4)),
    # July start (Australia; Microsoft): FY2028 is July 2027 to June 2028
    (2027, 6, 7, (2027, 4)), (2027, 7, 7, (2028, 1)),
    # the calendar year
    (2027, 1, 1, (2027, 1)), (2027, 5, 1, (2027, 2)), (2027, 12, 1, (2027, 4)),
])
def test_fiscal_year_and_quarter_of_a_month(year, month, first, expected):
    assert fiscal_quarter(year, month, first) == expected
    assert fiscal_year(year, month, first) == expected[0]


def test_the_excel_workbook_uses_the_same_rule():
    for first in range(1, 13):
        for m in range(1, 13):
            assert export_xlsx.fiscal_year(2027, m, first) == fiscal_year(2027, m, first)


def test_an_impossible_first_month_is_refused():
    with pytest.raises(ValueError, match="1..12"):
        fiscal_year(2027, 1, 13)


def test_periods_cover_the_months_once_and_say_when_partial():
    months = [YearMonth(2027, 1).plus(k) for k in range(14)]
    q = quarter_periods(months, 4)
    assert [(p.label, p.start, p.stop) for p in q] == [
        ("FY2027 Q4", 0, 3), ("FY2028 Q1", 3, 6), ("FY2028 Q2", 6, 9), ("FY2028 Q3", 9, 12),
        ("FY2028 Q4 (2 mo)", 12, 14)]
    assert [(p.label, p.start, p.stop) for p in year_periods(months, 4)] == [("FY2027 (3 mo)", 0, 3),
                                                                             ("FY2028 (11 mo)", 3, 14)]
    # calendar quarters are labelled plainly; a plan starting mid-quarter opens with a partial one
    feb = [YearMonth(2027, 2).plus(k) for k in range(5)]
    assert [p.label for p in quarter_periods(feb)] == ["2027 Q1 (2 mo)", "2027 Q2"]


def test_the_setting_is_read_written_and_checked():
    plan = planfile.loads(FISCAL_PLAN)
    assert plan.fiscal_year_start == 4
    assert "fiscal_year_start: 4" in planfile.dumps(plan)
    assert planfile.loads(planfile.dumps(plan)) == plan
    calendar = planfile.loads(FISCAL_PLAN.replace("fiscal_year_start: 4\n", ""))
    assert calendar.fiscal_year_start == 1 and "fiscal_year_start" not in planfile.dumps(calendar)
    with pytest.raises(PlanError) as err:
        planfile.loads(FISCAL_PLAN.replace("fiscal_year_start: 4", "fiscal_year_start: 13"), file="f.yaml")
    p = err.value.problems[0]
    assert (p.line, p.key_path) == (5, "fiscal_year_start") and "expected one of 1, 2" in p.message


def test_roll_ups_by_hand(fiscal):
    for table, expected in ((fiscal.fiscal_quarters(), QUARTERS), (fiscal.fiscal_years(), YEARS)):
        assert [(p.label, int(c)) for p, c in zip(table.periods, table.column_totals)] == expected
        assert table.total == TOTAL == fiscal.summary.total
    rows = dict(fiscal.fiscal_quarters().rows)
    from pricing.plan import Category
    assert [int(c) for c in rows[Category.PEOPLE]] == [300_000, 600_000, 300_000, 300_000, 200_000]
    assert [int(c) for c in rows[Category.MLOPS]] == [15_000, 15_000, 15_000, 15_000, 10_000]


def test_json_and_text_report(fiscal):
    d = report.report_data(fiscal)
    assert d["fiscal_year_start"] == 4
    assert [(q["label"], q["first_month"], q["last_month"], q["months"], q["total"]) for q in d["fiscal_quarters"]] == [
        ("FY2027 Q4", "2027-01", "2027-03", 3, 3150.0), ("FY2028 Q1", "2027-04", "2027-06", 3, 6150.0),
        ("FY2028 Q2", "2027-07", "2027-09", 3, 3150.0), ("FY2028 Q3", "2027-10", "2027-12", 3, 3150.0),
        ("FY2028 Q4 (2 mo)", "2028-01", "2028-02", 2, 2100.0)]
    assert d["fiscal_quarters"][1]["categories"] == {"MLOps": 150.0, "People": 6000.0}
    assert [(y["label"], y["total"]) for y in d["fiscal_years"]] == [("FY2027 (3 mo)", 3150.0),
                                                                     ("FY2028 (11 mo)", 14550.0)]
    text = report.text_report(fiscal)  # 14 months: a column per fiscal year
    header = text.splitlines()[2]
    assert "FY2027 (3 mo)" in header and "FY2028 (11 mo)" in header
    total_row = next(line for line in text.splitlines() if line.startswith("Total "))
    assert total_row.split()[1:] == ["3,150", "14,550", "17,700"]


def test_csv_fiscal_file(fiscal, tmp_path):
    paths = export_csv.write_report(fiscal, tmp_path / "costs.csv")
    assert paths[3].name == "costs-fiscal.csv"
    rows = list(csv.DictReader(io.StringIO(paths[3].read_text(encoding="utf-8-sig"))))
    got = [(r["period"], r["label"], r["fiscal_year"], r["quarter"], r["first_month"], r["months"], r["total"])
           for r in rows]
    assert got == [("quarter", "FY2027 Q4", "2027", "4", "2027-01", "3", "3150.00"),
                   ("quarter", "FY2028 Q1", "2028", "1", "2027-04", "3", "6150.00"),
                   ("quarter", "FY2028 Q2", "2028", "2", "2027-07", "3", "3150.00"),
                   ("quarter", "FY2028 Q3", "2028", "3", "2027-10", "3", "3150.00"),
                   ("quarter", "FY2028 Q4 (2 mo)", "2028", "4", "2028-01", "2", "2100.00"),
                   ("year", "FY2027 (3 mo)", "2027", "", "2027-01", "3", "3150.00"),
                   ("year", "FY2028 (11 mo)", "2028", "", "2027-04", "11", "14550.00")]
    assert rows[1]["people"] == "6000.00" and rows[1]["mlops"] == "150.00" and rows[1]["compute"] == "0.00"


def test_excel_takes_the_plans_fiscal_year(fiscal, catalog, tmp_path):
    out = tmp_path / "fiscal.xlsx"
    export_xlsx.export(fiscal.plan, out, catalog=catalog, with_tornado=False)
    ws = openpyxl.load_workbook(out)["Summary"]
    assert [ws.cell(2, c).value for c in (2, 3)] == ["FY2027 (2027-01..2027-03, 3 months)",
                                                      "FY2028 (2027-04..2028-02, 11 months)"]
    calendar = tmp_path / "calendar.xlsx"  # an explicit first month still wins
    export_xlsx.export(fiscal.plan, calendar, catalog=catalog, with_tornado=False, first_fiscal_month=1)
    ws = openpyxl.load_workbook(calendar)["Summary"]
    assert ws.cell(2, 2).value.startswith("2027 ")


def test_a_projection_of_another_horizon_rolls_up_its_own_months(catalog):
    proj = engine.project(planfile.loads(FISCAL_PLAN), catalog, months=3)
    s = report_model.summarize(proj)
    assert [p.label for p in s.fiscal_quarters().periods] == ["FY2027 Q4"]
