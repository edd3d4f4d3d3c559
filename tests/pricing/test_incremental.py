"""Work reused between edits gives the figures a fresh computation gives: projection, cents, rows, drivers, scenarios.

The window re-prices only the line an edit changed (``engine.project(previous=...)``), copies the cents
of the other lines, and reuses a scenario's split when nothing it depends on changed. Each is checked
here against computing everything again, after random edits of a generated plan.
"""
import dataclasses
import random
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import engine, scenarios, series
from pricing.catalog import Catalog
from pricing.load import loads_checked
from pricing.plan import SECTIONS
from pricing.rounding import rounded_matrix, to_cents
from tests.plangen import plan_text

CATALOG = Catalog.load()
PLAN = loads_checked(plan_text(60, 5), catalog=CATALOG)
_FIELDS = {"compute.training": "runs", "compute.fine_tuning": "runs", "compute.inference": "requests_per_month",
           "compute.exploration": "hours_per_week", "data.storage": "size_tb", "data.egress": "tb_per_month",
           "services.apis": "requests_per_month", "annotation": "items", "mlops": "quantity",
           "people": "hours_per_month"}
"""A field of each section an edit may change (kept positive, so every edited plan can be priced)."""


def _edit(plan, r: random.Random):
    """One edit as the window makes them: a value changed, a line removed, added or copied, or a rename."""
    section = r.choice([s for s, _ in SECTIONS if plan.section(s)])
    lines = list(plan.section(section))
    i = r.randrange(len(lines))
    kind = r.random()
    if kind < 0.55:
        field = _FIELDS[section]
        lines[i] = dataclasses.replace(lines[i], **{field: getattr(lines[i], field) * r.choice((0.5, 1.1, 3.0))})
    elif kind < 0.7 and len(lines) > 1:
        del lines[i]
    elif kind < 0.85:
        lines.insert(r.randrange(len(lines) + 1), lines[i])   # the same line object twice
    else:
        lines[i] = dataclasses.replace(lines[i], name=lines[i].name + " (copy)")
    return plan.with_section(section, tuple(lines))


def _same_projection(a, b):
    assert [li.key_path for li in a.line_items] == [li.key_path for li in b.line_items]
    assert [li.name for li in a.line_items] == [li.name for li in b.line_items]
    assert np.array_equal(a.matrix, b.matrix)  # bit for bit: the same figures, not close ones
    assert np.array_equal(a.requests, b.requests)
    assert all(np.array_equal(a.category_totals[c], b.category_totals[c]) for c in b.category_totals)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), edits=st.integers(1, 12))
def test_projection_after_random_edits_equals_a_full_projection(seed, edits):
    r = random.Random(seed)
    plan, projection = PLAN, engine.project(PLAN, CATALOG)
    for _ in range(edits):
        plan = _edit(plan, r)
        projection = engine.project(plan, CATALOG, previous=projection)
        full = engine.project(plan, CATALOG)
        _same_projection(projection, full)
        # and what the views read from it: cents, rows, drivers, headline
        assert np.array_equal(series.rounded_cells(projection), rounded_matrix(full))
        assert list(series.line_rows(projection)) == list(series.line_rows(full))
        assert projection.drivers() == full.drivers() and projection.drivers(3) == full.drivers()[:3]
        assert series.headline(projection) == series.headline(full)


def test_a_change_of_pricing_context_prices_everything_again():
    """Another horizon, provider, exchange rate or price override changes every line's price: nothing is reused."""
    before = engine.project(PLAN, CATALOG)
    for change in ({"months": 12}, {"prices": (("gpu.H100-80GB.aws.on_demand", 2.5),)}, {"fx_rate": 0.9}):
        plan = dataclasses.replace(PLAN, **change)
        again = engine.project(plan, CATALOG, previous=before)
        assert not set(map(id, again.line_items)) & set(map(id, before.line_items))
        _same_projection(again, engine.project(plan, CATALOG))


def test_unchanged_lines_keep_their_items():
    before = engine.project(PLAN, CATALOG)
    apis = PLAN.services.apis
    plan = PLAN.with_section("services.apis", (dataclasses.replace(apis[0], requests_per_month=1.0),) + apis[1:])
    after = engine.project(plan, CATALOG, previous=before)
    fresh = [a is not b for a, b in zip(after.line_items, before.line_items)]
    # the API line and the platform markup (it follows every marked line) only
    assert [li.key_path for li, f in zip(after.line_items, fresh) if f] == ["services.apis[0]", "services.platform"]


def test_category_of_each_line_is_its_sections():
    """The category totals are summed by section: every driver puts its lines in its section's category."""
    projection = engine.project(PLAN, CATALOG)
    category = dict(SECTIONS)
    assert all(li.category is category[li.section] for li in projection.line_items if li.section in category)


# ---------------------------------------------------------------------------------------------
# Scenarios: the split reused when nothing it depends on changed, re-split to the same cents otherwise
# ---------------------------------------------------------------------------------------------


def _same_split(a, b):
    assert a.method == b.method and [n for n, _ in a.attribution] == [n for n, _ in b.attribution]
    for (_, x), (_, y) in zip(a.attribution, b.attribution):
        assert x == pytest.approx(y, rel=1e-9, abs=1e-6)
    assert scenarios.summary_data(a) == scenarios.summary_data(b)  # the cents shown: identical


@pytest.mark.parametrize("name", ["Frugal", "Self-host", "Cheaper models"])
def test_scenario_after_edits_equals_a_fresh_evaluation(name):
    r = random.Random(name)
    plan = PLAN
    result = scenarios.evaluate(plan, plan.scenario(name), CATALOG)
    for _ in range(6):
        plan = _edit(plan, r)
        baseline = engine.project(plan, CATALOG)
        again = scenarios.evaluate(plan, plan.scenario(name), CATALOG, baseline, previous=result)
        fresh = scenarios.evaluate(plan, plan.scenario(name), CATALOG, baseline)
        _same_projection(again.projection, fresh.projection)
        _same_split(again, fresh)
        result = again


def test_split_is_reused_when_the_edit_is_in_a_section_no_strategy_touches():
    frugal = PLAN.scenario("Frugal")  # touches compute, storage, APIs and annotation: not egress, MLOps, people
    first = scenarios.evaluate(PLAN, frugal, CATALOG)
    people = PLAN.people
    plan = PLAN.with_section("people", (dataclasses.replace(people[0], hourly_rate=500),) + people[1:])
    second = scenarios.evaluate(plan, frugal, CATALOG, previous=first)
    assert second.raw is first.raw                         # not split again
    _same_split(second, scenarios.evaluate(plan, frugal, CATALOG))
    apis = PLAN.services.apis
    plan = PLAN.with_section("services.apis", (dataclasses.replace(apis[0], requests_per_month=1e6),) + apis[1:])
    third = scenarios.evaluate(plan, frugal, CATALOG, previous=first)
    assert third.raw is not first.raw                      # an API line: api_cache and prompt_caching change it
    _same_split(third, scenarios.evaluate(plan, frugal, CATALOG))


def test_subset_sums_equal_projecting_every_subset():
    """The Shapley split sums each subset from the lines its strategies changed; projecting every subset in full
    (the engine's own way) gives the same parts."""
    from pricing.scenarios import attribution

    for name in ("Frugal", "Self-host"):
        fast = scenarios.evaluate(PLAN, PLAN.scenario(name), CATALOG)
        real_init = attribution._SubsetCost.__init__

        def exact(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            self.exact = True  # every subset with engine.project
        attribution._SubsetCost.__init__ = exact
        try:
            slow = scenarios.evaluate(PLAN, PLAN.scenario(name), CATALOG)
        finally:
            attribution._SubsetCost.__init__ = real_init
        _same_split(fast, slow)


def test_a_cancelled_split_stops_between_subsets():
    from pricing.errors import Cancelled
    asked = []
    with pytest.raises(Cancelled):
        scenarios.evaluate(PLAN, PLAN.scenario("Frugal"), CATALOG, cancel=lambda: asked.append(1) or len(asked) > 3)
    assert len(asked) == 4  # 2 between the stages, then the first subsets: far fewer than the 256 subsets


# ---------------------------------------------------------------------------------------------
# Cents: the fast rounding path is the decimal one
# ---------------------------------------------------------------------------------------------


def _decimal_cents(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) * 100)


@settings(max_examples=200, deadline=None)
@given(cents=st.integers(0, 10**14), offset=st.sampled_from([-1, 0, 1]), digits=st.sampled_from([0, 1, 3, 4]))
def test_to_cents_equals_rounding_the_decimal_form(cents, offset, digits):
    """Half cents written in decimal (x.xx5), their float neighbours, and amounts with more digits."""
    x = float(f"{cents}.5") / 100 if digits == 0 else float(f"{cents / 100:.{digits + 2}f}")
    x = float(np.nextafter(x, np.inf if offset > 0 else 0)) if offset else x
    assert int(to_cents(x)[0]) == _decimal_cents(x)
