"""People as people are budgeted (issue 15, item 8): headcount x FTE x loaded annual cost, or hours x rate."""
from __future__ import annotations

import numpy as np
import pytest

from pricing import engine, planfile
from pricing.errors import PlanFileError
from pricing.load import loads_checked

HEAD = "format: aicost-plan/1\nname: People\nstart: 2027-01\nmonths: 6\npeople:\n"


def project(lines: str):
    return engine.project(loads_checked(HEAD + lines, file="p.yaml"))


def test_headcount_fte_and_annual_cost():
    li = project("  - {name: MLOps engineer, headcount: 2, fte: 50%, annual_cost: 220k, start: 2, end: 5}\n"
                 ).line_items[0]
    # 2 people x 50% x 220,000 a year / 12 months = 18,333.33 a month, in months 2..5
    expected = np.array([0, 1, 1, 1, 1, 0]) * 2 * 0.5 * 220_000 / 12
    assert li.monthly == pytest.approx(expected)
    assert li.quantity("FTEs") == pytest.approx(np.array([0, 1, 1, 1, 1, 0]) * 1.0)


def test_hours_times_rate_as_before():
    li = project("  - {name: Toil, hours_per_month: 80, hourly_rate: 95}\n").line_items[0]
    assert li.monthly == pytest.approx(np.full(6, 80 * 95))   # 7,600 a month


def test_defaults_one_full_time_person():
    li = project("  - {name: SRE, annual_cost: 180k}\n").line_items[0]
    assert li.monthly == pytest.approx(np.full(6, 180_000 / 12))   # 15,000 a month


@pytest.mark.parametrize("line, message", [
    ("{name: X, hours_per_month: 10, hourly_rate: 90, headcount: 2}", "give either hours_per_month and hourly_rate"),
    ("{name: X, headcount: 2, fte: 50%}", "missing annual_cost"),
    ("{name: X, hours_per_month: 10}", "missing 'hourly_rate'"),
    ("{name: X, annual_cost: 220k, fte: 150%}", "at most 100%"),
])
def test_mixed_or_incomplete_forms_are_refused_where_they_are(line, message):
    with pytest.raises(PlanFileError, match=message) as err:
        loads_checked(HEAD + f"  - {line}\n", file="p.yaml")
    assert err.value.problems[0].line == 6


def test_the_budgeted_form_round_trips_through_the_file():
    plan = loads_checked(HEAD + "  - {name: MLOps engineer, headcount: 2, fte: 50%, annual_cost: 220k}\n")
    again = planfile.loads(planfile.dumps(plan))
    assert again.people == plan.people
    assert "hours_per_month" not in planfile.dumps(plan)


def test_tornado_swings_the_budgeted_fields():
    from pricing import uncertainty
    plan = loads_checked(HEAD + "  - {name: MLOps engineer, headcount: 2, fte: 50%, annual_cost: 220k}\n")
    bars = {b.input.key_path.rsplit(".", 1)[1]: b for b in uncertainty.tornado(plan).bars}
    # annual cost +-20%: 6 months x 2 x 50% x (176k or 264k) / 12
    assert bars["annual_cost"].total_low == pytest.approx(6 * 176_000 / 12)
    assert bars["annual_cost"].total_high == pytest.approx(6 * 264_000 / 12)
    assert "Annual cost" in bars["annual_cost"].input.label
