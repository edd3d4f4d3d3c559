"""Unit cost that means something (issue 15, item 9): the plan names its unit of work, the reports show the bill per
unit and say what is counted."""
from __future__ import annotations


import pytest

from pricing import engine, export_csv, fields, planfile, report, series
from pricing.errors import PlanFileError
from pricing.load import loads_checked

PLAN = """\
format: aicost-plan/1
name: Units
start: 2027-01
months: 2
{unit}services:
  apis:
    - {{name: Answers, provider: openai, model: gpt-4o, requests_per_month: 10k, input_tokens: 1000}}
    - {{name: Embeddings, provider: openai, model: text-embedding-3-small, requests_per_month: 30k, input_tokens: 100}}
people:
  - {{name: Ops, hours_per_month: 10, hourly_rate: 100}}
prices:
  api.openai.gpt-4o.input: 2.0
  api.openai.text-embedding-3-small.input: 0.02
"""
# a month: answers 10,000 x 1,000 x 2.0 / 1e6 = 20.00; embeddings 30,000 x 100 x 0.02 / 1e6 = 0.06; ops 1,000
# horizon (2 months): 2 x 1,020.06 = 2,040.12


def proj(unit: str = ""):
    return engine.project(loads_checked(PLAN.format(unit=unit), file="u.yaml"))


def test_per_ticket_counts_the_named_lines_requests():
    u = proj("unit: {name: ticket, line: Answers}\n").unit_cost()
    # 2,040.12 / 20,000 tickets (the Answers line's requests, not the embeddings') = 0.102006 a ticket
    assert (u.label, u.per, u.units) == ("Cost per ticket", 1, 20_000)
    assert u.value == pytest.approx(2040.12 / 20_000)
    assert u.counted == "requests of Answers"


def test_a_volume_a_month_with_growth():
    u = proj("unit: {name: user, per_month: 1000, growth: 10%}\n").unit_cost()
    # 1,000 + 1,100 users: 2,040.12 / 2,100 = 0.97148 a user
    assert u.value == pytest.approx(2040.12 / 2100) and u.label == "Cost per user"


def test_a_cheap_unit_is_shown_per_thousand():
    u = proj("unit: {name: page, per_month: 10M}\n").unit_cost()
    # 2,040.12 / 20M = 0.000102 a page: per 1k pages 0.102006
    assert (u.label, u.per) == ("Cost per 1k pages", 1000) and u.value == pytest.approx(0.102006)


def test_without_a_unit_it_says_what_is_counted():
    u = proj().unit_cost()
    # every API call counts, embeddings included: 2,040.12 / 80,000 requests x 1000 = 25.5015
    assert u.label == "Cost per 1k requests" and u.value == pytest.approx(25.5015)
    assert u.counted == "requests of every API and serving line (Answers, Embeddings)"


def test_reports_show_it_json_text_csv_headline():
    p = proj("unit: {name: ticket, line: Answers}\n")
    d = report.report_data(p)
    assert d["unit_cost"] == {"label": "Cost per ticket", "name": "ticket", "per": 1, "value": 0.102,
                              "units": 20_000, "counted": "requests of Answers"}
    assert "Cost per ticket      $0.10  (requests of Answers)" in report.text_report(p)
    rows = export_csv.summary_rows(p)
    row = next(r for r in rows if r[0] == "unit_cost")
    assert row[2] == "Cost per ticket (requests of Answers)" and row[7] == "0.10"
    h = series.headline(p)
    assert (h.unit_label, h.unit_cost, h.unit_caption) == ("Cost per ticket", 0.10, "requests of Answers")


def test_a_unit_naming_no_request_line_is_refused_where_it_is():
    with pytest.raises(PlanFileError, match="expected the name of an API or inference line") as err:
        loads_checked(PLAN.format(unit="unit: {name: ticket, line: Ops}\n"), file="u.yaml")
    assert err.value.problems[0].key_path == "unit.line"


def test_the_editor_text_reads_back_and_the_file_round_trips():
    spec = fields.SETTINGS.field("unit")
    for text in ("ticket: Answers", "user: 1000/month + 10%/month", "page: 10M/month"):
        assert spec.text(spec.read(text)) == text
    plan = loads_checked(PLAN.format(unit="unit: {name: user, per_month: 1000, growth: 10%}\n"))
    assert planfile.loads(planfile.dumps(plan)).unit == plan.unit
