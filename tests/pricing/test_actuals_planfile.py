"""The plan file's ``actuals:`` section is part of the plan: read with lines, saved back, validated, compared."""
from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from pricing import planfile
from pricing.actuals_config import ActualsConfig, CostColumn, ForecastMethod, Rate, Rule
from pricing.errors import PlanFileError
from pricing.load import load_checked

DATA = Path(__file__).resolve().parent.parent / "data" / "actuals"

FULL = textwrap.dedent("""\
    format: aicost-plan/1
    name: Round trip
    start: 2027-01
    months: 6
    provider: aws
    actuals:
      sources:
        - exports/focus-2027-q1.csv.gz
        - {file: openai-costs.json}
      cost: billed
      rates:
        - {from: EUR, rate: 1.08, as_of: 2027-03-31}
      rules:
        - match: {tags: {team: ml, env: [prod, staging]}, instance_type: "p5.*"}
          line: compute.training[0]
        - match: {model: gpt-4o, region: [us-east-1, eu-*]}
          line: Answer generation
      forecast: {method: rebase, window: 2}
    compute:
      training:
        - {name: Fine-tune, gpu: H100-80GB, gpus: 8, hours: 10, month: 1}
    services:
      apis:
        - {name: Answer generation, provider: openai, model: gpt-4o, requests_per_month: 10k, input_tokens: 1000}
    """)

EXPECTED = ActualsConfig(
    sources=("exports/focus-2027-q1.csv.gz", "openai-costs.json"),
    cost=CostColumn.BILLED,
    rates=(Rate("EUR", 1.08, dt.date(2027, 3, 31)),),
    rules=(Rule((("instance_type", ("p5.*",)),), (("team", ("ml",)), ("env", ("prod", "staging"))),
                "compute.training[0]"),
           Rule((("model", ("gpt-4o",)), ("region", ("us-east-1", "eu-*"))), (), "Answer generation")),
    forecast=ForecastMethod.REBASE, window=2)


def test_the_section_is_read_into_the_plan():
    plan = planfile.loads(FULL, file="plan.yaml")
    assert plan.actuals == EXPECTED


def test_load_save_load_keeps_every_rule(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(FULL)
    first = load_checked(path)
    planfile.save(first, path)
    again = load_checked(path)
    assert again.actuals == EXPECTED
    assert again == first
    # the user's place for the section is kept (after provider, before compute)
    keys = [line.split(":")[0] for line in path.read_text().splitlines() if line and not line[0].isspace()]
    assert keys.index("actuals") == keys.index("provider") + 1 and keys.index("compute") == keys.index("actuals") + 1


def test_an_edited_rule_is_saved_and_read_back(tmp_path):
    path = tmp_path / "plan.yaml"
    plan = planfile.loads(FULL)
    rule = Rule((("sku", ("gpt-4o-input", "gpt-4o-output")),), (), "Answer generation")
    rules = plan.actuals.rules[::-1] + (rule,)
    edited = dataclasses.replace(plan, actuals=dataclasses.replace(plan.actuals, rules=rules))
    assert edited != plan  # a rule edit is a change of plan (the window's undo stack sees it)
    planfile.save(edited, path)
    assert planfile.load(path).actuals.rules == (EXPECTED.rules[1], EXPECTED.rules[0], rule)


def test_a_plan_without_actuals_writes_no_section():
    plan = planfile.loads(FULL)
    bare = dataclasses.replace(plan, actuals=ActualsConfig())
    assert "actuals" not in planfile.to_data(bare)
    assert "actuals:" not in planfile.dumps(bare)


def test_the_test_plan_validates_and_keeps_its_rules(capsys):
    from gui.cli import main
    assert main(["validate", str(DATA / "plan.yaml")]) == 0, capsys.readouterr().err
    plan = load_checked(DATA / "plan.yaml")
    assert [r.line for r in plan.actuals.rules] == ["compute.training[0]", "Summaries"]


@pytest.mark.parametrize("key_path, old, new, needle", [
    ("actuals.forecast.window", "  forecast: {method: rebase, window: 2}", "  forecast: {method: rebase, window: 40}",
     "from 1 to 24"),
    ("actuals.cost", "  cost: billed", "  cost: invoice", "expected effective"),
    ("actuals.rules[1].match.regoin", "    - match: {model: gpt-4o, region: [us-east-1, eu-*]}",
     "    - match: {model: gpt-4o, regoin: us-east-1}", "did you mean 'region'"),
    # an integer past the float range is a located problem, not an OverflowError
    ("actuals.rates[0].rate", "    - {from: EUR, rate: 1.08, as_of: 2027-03-31}",
     "    - {from: EUR, rate: " + "9" * 400 + ", as_of: 2027-03-31}", "positive number"),
])
def test_problems_in_the_section_have_file_line_and_key_path(key_path, old, new, needle):
    line = FULL.splitlines().index(old) + 1
    with pytest.raises(PlanFileError) as err:
        planfile.loads(FULL.replace(old, new), file="plan.yaml")
    (p,) = [p for p in err.value.problems if p.key_path == key_path]
    assert needle in p.message and p.file == "plan.yaml"
    assert p.line == line


def test_the_section_and_the_other_sections_report_together():
    text = FULL.replace("months: 6", "months: 0").replace("cost: billed", "cost: invoice")
    with pytest.raises(PlanFileError) as err:
        planfile.loads(text, file="plan.yaml")
    assert {"months", "actuals.cost"} <= {p.key_path for p in err.value.problems}
