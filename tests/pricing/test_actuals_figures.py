"""What the window shows of actuals, computed in pricing: figures, headline, the rule form, the worker tasks."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pricing import engine, planfile
from pricing.actuals import tasks
from pricing.actuals.analysis import analyze
from pricing.actuals.figures import figures, plan_rule_rows
from pricing.actuals.mapping import line_reference, plan_lines
from pricing.actuals.store import ActualsStore, store_path_for
from pricing.actuals_config import Rule, rule_fields, rule_from_fields
from pricing.errors import PlanFileError

DATA = Path(__file__).resolve().parent.parent / "data" / "actuals"


@pytest.fixture(scope="module")
def fig():
    plan = planfile.load(DATA / "plan.yaml")
    proj = engine.project(plan)
    with ActualsStore() as store:
        store.import_files([str(DATA / "focus_ai_tokens.csv"), str(DATA / "focus_infra.csv")])
        return figures(analyze(proj, store, plan.actuals))


def test_variance_rows_are_the_json_documents_largest_first(fig):
    rows = {r.name: r for r in fig.variance}
    # Answer generation: plan Jan 45.00 + Feb 49.50 = 94.50, actual 105.00, +10.50 = +11.11%
    a = rows["Answer generation"]
    assert (a.plan, a.actual, a.variance, a.variance_pct, a.size) == (94.5, 105.0, 10.5, 11.11, 1050)
    assert [r.size for r in fig.variance] == sorted((r.size for r in fig.variance), reverse=True)
    assert rows["Unmapped"].unmapped and rows["Unmapped"].actual == 6.75
    for r in fig.variance:  # the same figures the command line prints
        doc = next(ln for ln in fig.doc["lines"] if ln["name"] == r.name)
        assert (r.plan, r.actual, r.variance) == (doc["plan"], doc["actual"], doc["variance"])


def test_chart_stacks_the_actuals_by_category_and_masks_unobserved_months(fig):
    c = fig.chart
    assert [ly.category for ly in c.layers] == ["Compute", "Data", "Services", "Unmapped"]
    # January: compute 550.40; data 23.00; services 25 + 20 (gpt-4o); unmapped 0.75 + 1.04
    assert [float(ly.top[0] - ly.bottom[0]) for ly in c.layers] == pytest.approx([550.40, 23.00, 45.00, 1.79])
    assert c.actual_total[:2] == pytest.approx([620.19, 90.26])
    assert not np.any(c.actual_total[2:])  # months without actuals: no bars
    assert list(c.observed) == [True, True, False, False, False, False]
    # the forecast starts at the last month with actuals (February), NaN before
    assert np.isnan(c.forecast[0]) and np.all(np.isfinite(c.forecast[1:]))
    # February is complete: its actual 90.26, plus Summaries' plan 52.50 (no billing row reaches that line, so
    # it keeps its plan, months to date included: its bill is most likely in an export not imported yet)
    assert c.forecast[1] == pytest.approx(90.26 + 52.50)
    assert np.all(c.p10[1:] <= c.forecast[1:] + 1e-9) and np.all(c.forecast[1:] <= c.p90[1:] + 1e-9)


def test_headline_is_the_last_month_against_its_plan(fig):
    h = fig.headline
    # February: 30 + 25 + 0 + 5 (tokens) + 25.30 + 4.96 (infra) = 90.26 against 49.50 + 52.50 + 23.00 = 125.00
    assert (h.month, h.to_date, h.actual, h.plan, h.variance, h.variance_pct) == (
        "Feb 2027", False, 90.26, 125.0, -34.74, -27.79)


@pytest.mark.parametrize("tax", [False, True])
def test_month_to_date_when_the_last_month_is_covered_in_part(tmp_path, tax):
    src = tmp_path / "mtd.csv"
    # usage charge periods up to 2027-02-15 00:00: February covered 14 of 28 days = 50%; a tax row (or a
    # recurring fee) spans the whole month on the day it is billed: it says nothing of how far the bill has got
    src.write_text("ServiceName,ServiceCategory,SkuId,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,"
                   "BillingCurrency,ChargeCategory\n"
                   "S3,Storage,s3,2027-01-01T00:00:00Z,2027-02-01T00:00:00Z,23.00,23.00,USD,Usage\n"
                   "S3,Storage,s3,2027-02-01T00:00:00Z,2027-02-15T00:00:00Z,12.00,12.00,USD,Usage\n"
                   + ("Tax,Other,,2027-02-01T00:00:00Z,2027-03-01T00:00:00Z,0.50,0.50,USD,Tax\n" if tax else ""))
    plan = planfile.load(DATA / "plan.yaml")
    with ActualsStore() as store:
        store.import_files([str(src)])
        h = figures(analyze(engine.project(plan), store, plan.actuals)).headline
    # plan to date: the whole plan for February (125.00) x 50% = 62.50; actual 12.00 (+ 0.50 tax)
    assert (h.month, h.to_date, h.covered, h.actual, h.plan) == ("Feb 2027", True, 0.5, 12.5 if tax else 12.0, 62.5)
    assert h.previous[0] == "Jan 2027" and h.previous[1] == 23.0


def test_the_only_egress_line_is_proposed_for_data_sent_out_not_load_balancer_hours(tmp_path):
    src = tmp_path / "net.csv"
    src.write_text("ServiceName,ServiceCategory,SkuId,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,"
                   "BillingCurrency,ConsumedQuantity,ConsumedUnit\n"
                   "AWS Data Transfer,Networking,DTO,2027-01-01T00:00:00Z,2027-02-01T00:00:00Z,90.00,90.00,USD,"
                   "1000,GB\n"
                   "Elastic Load Balancing,Networking,ALB,2027-01-01T00:00:00Z,2027-02-01T00:00:00Z,16.43,16.43,USD,"
                   "730,Hours\n")
    text = (DATA / "plan.yaml").read_text()
    assert "\nactuals:\n" in text  # the egress line goes at the end of the data section, just before actuals
    plan = planfile.loads(text.replace("\nactuals:\n", "\n  egress:\n    - {name: Partner exports, tb_per_month: 1}\n"
                                       "actuals:\n", 1))
    assert [ln.name for ln in plan.data.egress] == ["Partner exports"]
    with ActualsStore() as store:
        store.import_files([str(src)])
        a = analyze(engine.project(plan), store, plan.actuals)
    (proposal,) = [r for r in a.rules if r.origin == "proposed"]
    assert proposal.rule.match == (("service_category", ("Networking",)), ("unit", ("GB",)))
    assert (proposal.line, proposal.cents) == ("Partner exports", 9000)
    assert [(u.service_name, u.cents) for u in a.unmapped] == [("Elastic Load Balancing", 1643)]


def test_rule_rows_without_an_analysis_carry_the_rules_problem():
    from pricing.errors import Problem
    rules = (Rule((("model", ("gpt-4o",)),), (), "A"), Rule((("sku", ("x",)),), (), "Gone"))
    rows = plan_rule_rows(rules, (Problem("no plan line 'Gone'", "actuals.rules[1].line"),))
    assert [(r.index, r.text, r.reason, r.amount) for r in rows] == [
        (0, "model: gpt-4o", "", None), (1, "sku: x", "no plan line 'Gone'", None)]


# -- the rule form ----------------------------------------------------------------------------


def test_rule_form_reads_back_what_it_shows():
    rule = Rule((("model", ("gpt-4o",)), ("region", ("us-east-1", "eu-*"))), (("team", ("ml",)),
                                                                               ("env", ("prod", "staging"))), "X")
    match, tags = rule_fields(rule)
    assert match == {"model": "gpt-4o", "region": "us-east-1, eu-*"} and tags == "team=ml; env=prod, staging"
    assert rule_from_fields(match, tags, "X") == rule


@pytest.mark.parametrize("match, tags, line, key_path, needle", [
    ({"model": " "}, "", "X", "rule.match", "at least one thing"),
    ({"model": "a"}, "team", "X", "rule.match.tags", "tag=value"),
    ({"model": "a"}, "", "", "rule.line", "expected the plan line"),
])
def test_rule_form_refuses_what_the_file_refuses(match, tags, line, key_path, needle):
    with pytest.raises(PlanFileError) as err:
        rule_from_fields(match, tags, line)
    (p,) = err.value.problems
    assert p.key_path == key_path and needle in p.message


def test_a_rule_names_a_line_by_name_unless_the_name_is_shared():
    plan = planfile.loads("format: aicost-plan/1\nname: T\nstart: 2027-01\nmonths: 2\nmlops:\n"
                          "  - {name: Logs, kind: log_ingest_gb, quantity: 1, unit_price: 1}\n"
                          "  - {name: Logs, kind: log_ingest_gb, quantity: 2, unit_price: 1}\n"
                          "  - {name: CI, kind: ci_minutes, quantity: 2, unit_price: 1}\n")
    lines = plan_lines(engine.project(plan).line_items)
    assert [line_reference(lines, i) for i in range(3)] == ["mlops[0]", "mlops[1]", "CI"]


# -- the worker's tasks -----------------------------------------------------------------------


def test_tasks_import_then_analyse_then_forget(tmp_path):
    plan_path = tmp_path / "plan.yaml"
    shutil.copy(DATA / "plan.yaml", plan_path)
    plan = planfile.load(plan_path)
    proj = engine.project(plan)
    store = store_path_for(plan_path)
    assert tasks.analyse(store, proj, None, 100) is None and not store.exists()  # no store: none is made
    result = tasks.import_files(store, [str(DATA / "focus_infra.csv")])
    assert result.cancelled is None and [o.record.rows for o in result.outcomes] == [5]
    f = tasks.analyse(store, proj, None, 100)
    assert f.totals.imported == 604.70  # 550.40 + 23.00 + 1.04 + 25.30 + 4.96
    assert tasks.forget(store, "focus_infra.csv").rows == 5
    assert tasks.analyse(store, proj, None, 100) is None  # nothing imported any more


def test_a_cancelled_import_says_which_files_are_in(tmp_path):
    store = tmp_path / "p.yaml.actuals.duckdb"
    files = [str(DATA / "focus_infra.csv"), str(DATA / "focus_ai_tokens.csv"), str(DATA / "openai_costs.csv")]
    calls = []

    def cancel() -> bool:  # stop once the second file is being read (its SHA-256 checks first)
        calls.append(1)
        return any(o for o in seen if o >= 1)

    seen: list[int] = []
    size0 = Path(files[0]).stat().st_size
    result = tasks.import_files(store, files, progress=lambda d, t: seen.append(int(d > size0)), cancel=cancel)
    assert [Path(o.path).name for o in result.outcomes] == ["focus_infra.csv"]
    assert result.cancelled == files[1] and result.skipped == (files[2],)
    with ActualsStore(store, read_only=True) as s:
        assert [Path(f.path).name for f in s.files()] == ["focus_infra.csv"]


def test_copy_store_goes_with_save_as(tmp_path):
    src = tmp_path / "a.yaml.actuals.duckdb"
    tasks.import_files(src, [str(DATA / "focus_infra.csv")])
    dst = tmp_path / "b" / "b.yaml.actuals.duckdb"
    dst.parent.mkdir()
    tasks.copy_store(src, dst)
    with ActualsStore(dst, read_only=True) as s:
        assert [f.rows for f in s.files()] == [5]


def test_a_store_that_is_not_ours_is_a_problem_not_a_crash(tmp_path):
    import duckdb
    from pricing.actuals.store import StoreError
    other = tmp_path / "p.yaml.actuals.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    proj = engine.project(planfile.load(DATA / "plan.yaml"))
    with pytest.raises(StoreError) as err:  # the window's analysis opens the store read-only
        tasks.analyse(other, proj, None, 100)
    assert "schema none" in err.value.problems[0].message and err.value.problems[0].file == str(other)
    (tmp_path / "junk.duckdb").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        tasks.analyse(tmp_path / "junk.duckdb", proj, None, 100)


def test_the_forecast_says_when_unmapped_rows_may_be_a_kept_lines_bill(fig):
    # the infra export's tax and t3.micro rows are unmapped, and Summaries (whose bill is in no export
    # imported) keeps its plan: the two may be the same money, and the notes say so
    assert any("counted twice until a rule maps them" in n and "(Summaries)" in n for n in fig.notes)
