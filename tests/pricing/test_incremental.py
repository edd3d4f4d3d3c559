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

    real_init = attribution._SubsetCost.__init__

    def exact(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.exact = True  # every subset with engine.project

    for name in ("Frugal", "Self-host"):
        fast = scenarios.evaluate(PLAN, PLAN.scenario(name), CATALOG)
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


# ---------------------------------------------------------------------------------------------
# Account-wide tiers: a line's cost depends on the other lines of its account, reused or not
# ---------------------------------------------------------------------------------------------

SHARED_TEXT = """\
format: aicost-plan/1
name: Shared tiers
start: 2027-01
months: 12
provider: aws
data:
  storage:
    - {name: lake, size_tb: 30, growth_tb_per_month: 2}        # with features: past S3's 50 TB tier in month 3
    - {name: features, size_tb: 15}
    - {name: gcs copy, size_tb: 8, provider: gcp}
  egress:
    - {name: partner feed, tb_per_month: 60 GB}                  # alone under AWS's free 100 GB a month
    - {name: dashboards, tb_per_month: 50 GB}                    # together over it
    - {name: exports, tb_per_month: 6, growth: 10%}              # the account past the 10 TB tier from month 6
    - {name: gcp copy, tb_per_month: 500 GB, provider: gcp}
mlops:
  - {name: logs a, kind: log_ingest_gb, quantity: 30, provider: gcp}   # 30 + 40 GiB: 20 past GCP's free 50
  - {name: logs b, kind: log_ingest_gb, quantity: 40, provider: gcp}
  - {name: logs c, kind: log_ingest_gb, quantity: 10}
"""
SHARED = loads_checked(SHARED_TEXT, catalog=CATALOG)
_SHARED_FIELDS = {"data.storage": "size_tb", "data.egress": "tb_per_month", "mlops": "quantity"}


def _shared_edit(plan, r: random.Random):
    """An edit of a line under an account-wide tier: its volume, its provider (it leaves one account for another),
    a copy or removal of a line, or a rename (the others' notes name it)."""
    section = r.choice([s for s in _SHARED_FIELDS if plan.section(s)])
    lines = list(plan.section(section))
    i = r.randrange(len(lines))
    kind = r.random()
    if kind < 0.5:
        field = _SHARED_FIELDS[section]
        lines[i] = dataclasses.replace(lines[i], **{field: getattr(lines[i], field) * r.choice((0.1, 0.5, 1.1, 3.0))})
    elif kind < 0.6:
        lines[i] = dataclasses.replace(lines[i], provider="gcp" if lines[i].provider != "gcp" else "aws")
    elif kind < 0.7 and len(lines) > 1:
        del lines[i]
    elif kind < 0.9:
        lines.insert(r.randrange(len(lines) + 1), lines[i])
    else:
        lines[i] = dataclasses.replace(lines[i], name=lines[i].name + " (copy)")
    return plan.with_section(section, tuple(lines))


def test_the_shared_plan_bills_under_account_wide_tiers():
    """The plan below does test what it says: its lines share tiers, and the pass moves their costs."""
    p = engine.project(SHARED, CATALOG)
    groups = {}
    for li in p.priced:
        for u in li.account:
            groups.setdefault(u.key, []).append(li.name)
    assert groups["egress.aws.internet"] == ["partner feed", "dashboards", "exports"]
    assert groups["storage.aws.standard"] == ["lake", "features"]
    assert groups["mlops.gcp.log_ingest_gb"] == ["logs a", "logs b"]
    alone = {li.name: li.total for li in p.priced}
    passed = {li.name: li.total for li in p.line_items}
    # partner feed alone: 60 GB under the free 100 a month (0); with the others it carries its share of the bill
    assert alone["partner feed"] == 0 and passed["partner feed"] > 0
    # logs: 30 and 40 GiB are each free alone; together 20 GiB x 0.50 = 10 a month, shared 3:4
    assert alone["logs a"] == alone["logs b"] == 0
    assert passed["logs a"] == pytest.approx(12 * 10 * 3 / 7) and passed["logs b"] == pytest.approx(12 * 10 * 4 / 7)


def test_a_reused_line_follows_its_accounts_other_lines():
    """Only 'exports' changes; 'partner feed' is reused, and its share moves with the account's volume."""
    before = engine.project(SHARED, CATALOG)
    egress = SHARED.data.egress
    plan = SHARED.with_section("data.egress", (egress[0], egress[1], dataclasses.replace(egress[2], tb_per_month=0.01),
                                               egress[3]))
    after = engine.project(plan, CATALOG, previous=before)
    assert after.priced[3] is before.priced[3]             # partner feed (row 3): its own item reused...
    assert after.line_items[3] is not before.line_items[3]  # ...its share made again
    # 60 + 50 + 10 GB: 120 GB a month, 20 billed x 0.09, of which partner feed carries 60/120 (billed GB: x 1e9/2^30)
    gb = 1e9 / 2**30
    assert after.line_items[3].monthly[0] == pytest.approx((120 - 100 / gb) * gb * 0.09 * 60 / 120)
    _same_projection(after, engine.project(plan, CATALOG))
    # and an edit elsewhere keeps the account's items themselves (nothing of their groups moved)
    again = engine.project(plan.with_section("mlops", plan.mlops[:2]), CATALOG, previous=after)
    assert all(again.line_items[k] is after.line_items[k] for k in range(7))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), edits=st.integers(1, 12))
def test_projection_with_shared_tiers_after_random_edits_equals_a_full_projection(seed, edits):
    """The incremental projection reuses lines as priced alone and runs the account pass over reused and re-priced
    lines together: bit for bit the full projection, and the cents the views show."""
    r = random.Random(seed)
    plan, projection = SHARED, engine.project(SHARED, CATALOG)
    for _ in range(edits):
        plan = _shared_edit(plan, r)
        projection = engine.project(plan, CATALOG, previous=projection)
        full = engine.project(plan, CATALOG)
        _same_projection(projection, full)
        assert [li.notes for li in projection.line_items] == [li.notes for li in full.line_items]
        assert np.array_equal(series.rounded_cells(projection), rounded_matrix(full))
        assert list(series.line_rows(projection)) == list(series.line_rows(full))


def test_scenario_subsets_on_shared_tiers_are_summed_not_projected():
    """The split's fast sums add the account pass on each subset's volumes: they agree with the real projections (no
    fallback to projecting every subset) and give the parts projecting every subset gives."""
    from pricing.scenarios import attribution
    plan = loads_checked(SHARED_TEXT + """\
scenarios:
  - name: Leaner data
    strategies:
      compression: {share: 50%, egress: true}
      egress_reduction: {share: 30%}
      lifecycle: {after_days: 30, tier: infrequent}
""", catalog=CATALOG)
    scenario = plan.scenario("Leaner data")
    seen = []
    real_init = attribution._SubsetCost.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen.append(self.exact)
    attribution._SubsetCost.__init__ = spy
    try:
        fast = scenarios.evaluate(plan, scenario, CATALOG)
    finally:
        attribution._SubsetCost.__init__ = real_init
    assert seen == [False]  # the sums matched the baseline and the full scenario

    def exact(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.exact = True
    attribution._SubsetCost.__init__ = exact
    try:
        slow = scenarios.evaluate(plan, scenario, CATALOG)
    finally:
        attribution._SubsetCost.__init__ = real_init
    _same_split(fast, slow)


# ---------------------------------------------------------------------------------------------
# Dated API prices: a reused API line was priced for its months; moving the horizon prices it again
# ---------------------------------------------------------------------------------------------

DATED_TEXT = """\
format: aicost-plan/1
name: Dated prices
start: 2026-10
months: 3
services:
  apis:
    - {name: Flash, provider: google, model: gemini-3.8-flash, requests_per_month: 1M, input_tokens: 800,
       output_tokens: 200}
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
"""


def test_a_reused_projection_follows_the_dated_prices_of_a_moved_horizon():
    """gemini-3.8-flash doubles its prices from 2027-01-01 (0.75 -> 1.50 input, 3.75 -> 7.50 output per million,
    tests/pricing/test_api_billing.py checks them against genai-prices). 2026-10..12 is all at the old price; moving
    the start or lengthening the horizon into 2027 must price the line again, never reuse the old months."""
    plan = loads_checked(DATED_TEXT, catalog=CATALOG)
    before = engine.project(plan, CATALOG)
    # 1M requests x (800 x 0.75 + 200 x 3.75) / 1e6 = 1M x 0.00135 = 1,350 a month
    assert before.line_items[0].monthly == pytest.approx([1350] * 3)
    # an edit of another line reuses the API line's item as it was priced
    toil = dataclasses.replace(plan.people[0], hours_per_month=20)
    edited = engine.project(plan.with_section("people", (toil,)), CATALOG, previous=before)
    assert edited.priced[0] is before.priced[0]
    for moved in (dataclasses.replace(plan, start=plan.start.plus(2)), dataclasses.replace(plan, months=5)):
        after = engine.project(moved, CATALOG, previous=before)
        _same_projection(after, engine.project(moved, CATALOG))
        # from 2027-01: 1M x (800 x 1.50 + 200 x 7.50) / 1e6 = 2,700 a month
        assert after.line_items[0].monthly[-1] == pytest.approx(2700)
        assert any("price change from 2027-01" in n for n in after.line_items[0].notes)
