"""Engine invariants over generated plans: no negative cost, totals are sums, more never costs less."""
import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import engine, report, scenarios
from pricing import plan as P
from pricing.catalog import Catalog

CATALOG = Catalog.load()
MONTHS = 12
GPUS = ["H100-80GB", "A100-80GB", "L4", "A10G", "T4"]

pos = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
share = st.floats(min_value=0.0, max_value=0.95, allow_nan=False)
month = st.integers(min_value=1, max_value=MONTHS)

training = st.builds(P.TrainingRun, name=st.just("T"), gpu=st.sampled_from(GPUS), gpus=st.integers(1, 16),
                     hours=st.floats(0.1, 2000), runs=st.floats(1, 20), month=month,
                     every=st.one_of(st.none(), st.integers(1, 6)))
inference = st.builds(P.InferenceService, name=st.just("S"), gpu=st.sampled_from(GPUS), requests_per_month=pos,
                      input_tokens=st.floats(0, 4000), output_tokens=st.floats(1, 2000),
                      tokens_per_second_per_gpu=st.floats(50, 20000), utilization=st.floats(0.1, 1.0),
                      growth=st.floats(0, 0.3), min_gpus=st.integers(0, 4), start=month)
exploration = st.builds(P.ExplorationPool, name=st.just("E"), gpu=st.sampled_from(GPUS), people=st.integers(0, 20),
                        hours_per_week=st.floats(0, 80), idle_share=share)
storage = st.builds(P.StorageLine, name=st.just("D"), size_tb=st.floats(0, 500), growth_tb_per_month=st.floats(0, 50),
                    lifecycle=st.sampled_from([(), (P.LifecycleRule(90, "infrequent"),),
                                               (P.LifecycleRule(30, "infrequent"), P.LifecycleRule(180, "archive"))]))
egress = st.builds(P.EgressLine, name=st.just("X"), tb_per_month=st.floats(0, 500),
                   kind=st.sampled_from(list(P.EgressKind)), growth=st.floats(0, 0.2))
apis = st.builds(P.ApiLine, name=st.just("A"), provider=st.just("openai"),
                 model=st.sampled_from(["gpt-4o", "gpt-4o-mini", "gpt-4.1"]), requests_per_month=pos,
                 input_tokens=st.floats(0, 200_000), output_tokens=st.floats(0, 4000), cached_input_share=share,
                 growth=st.floats(0, 0.2), response_cache_hit_rate=share)
annotation = st.builds(P.AnnotationBatch, name=st.just("L"),
                       task=st.sampled_from(["bounding_box", "image_classification"]),
                       items=st.floats(0, 1e6), review_passes=st.floats(1, 3), month=month,
                       over_months=st.integers(1, 3), every=st.one_of(st.none(), st.integers(1, 6)))
mlops = st.builds(P.MlopsLine, name=st.just("M"),
                  kind=st.sampled_from(["k8s_control_plane", "log_ingest_gb", "ci_minutes"]),
                  quantity=st.floats(0, 1e5))
people = st.builds(P.PeopleLine, name=st.just("P"), hours_per_month=st.floats(0, 400), hourly_rate=st.floats(0, 300))


@st.composite
def plans(draw):
    return P.Plan(
        name="Gen", start=P.YearMonth(2027, 1), months=MONTHS, provider="aws",
        compute=P.Compute(training=tuple(draw(st.lists(training, max_size=2))),
                          inference=tuple(draw(st.lists(inference, max_size=2))),
                          exploration=tuple(draw(st.lists(exploration, max_size=2)))),
        data=P.Data(storage=tuple(draw(st.lists(storage, max_size=2))),
                    egress=tuple(draw(st.lists(egress, max_size=2)))),
        services=P.Services(platform=draw(st.one_of(st.none(), st.just(P.Platform("sagemaker", 0.2)))),
                            apis=tuple(draw(st.lists(apis, max_size=2)))),
        annotation=tuple(draw(st.lists(annotation, max_size=2))), mlops=tuple(draw(st.lists(mlops, max_size=2))),
        people=tuple(draw(st.lists(people, max_size=2))),
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(plans())
def test_costs_never_negative_and_totals_are_sums(plan):
    proj = engine.project(plan, CATALOG)
    assert (proj.matrix >= 0).all() and np.isfinite(proj.matrix).all()
    assert proj.total == pytest.approx(sum(li.total for li in proj.line_items), rel=1e-9, abs=1e-6)
    assert proj.monthly == pytest.approx(sum(proj.category_totals.values()), rel=1e-9, abs=1e-6)
    assert proj.cumulative[-1] == pytest.approx(proj.total, rel=1e-9, abs=1e-6)
    d = report.report_data(proj)                 # presentation: every displayed total is the sum of its parts
    cents = lambda x: round(x * 100)  # noqa: E731
    assert cents(d["total"]) == sum(cents(li["total"]) for li in d["line_items"])
    assert cents(d["total"]) == sum(cents(v) for vs in d["categories"].values() for v in vs)


QUANTITIES = {
    "compute.training": ["gpus", "hours", "runs"],
    "compute.inference": ["requests_per_month", "input_tokens", "output_tokens", "growth", "min_gpus"],
    "compute.exploration": ["people", "hours_per_week"],
    "data.storage": ["size_tb", "growth_tb_per_month"],
    "data.egress": ["tb_per_month", "growth"],
    "services.apis": ["requests_per_month", "input_tokens", "output_tokens", "growth"],
    "annotation": ["items", "review_passes"],
    "mlops": ["quantity"],
    "people": ["hours_per_month", "hourly_rate"],
}


@SETTINGS
@given(plans(), st.data())
def test_more_of_any_quantity_never_lowers_the_cost(plan, data):
    lines = [(s, i, line) for s, i, line in plan.lines()]
    if not lines:
        return
    section, i, line = data.draw(st.sampled_from(lines))
    field = data.draw(st.sampled_from(QUANTITIES[section]))
    value = getattr(line, field)
    bigger = value + 1 if isinstance(value, int) else value * data.draw(st.floats(1.0, 3.0)) + 0.5
    more = dataclasses.replace(line, **{field: type(value)(bigger) if isinstance(value, int) else bigger})
    lines_of = list(plan.section(section))
    lines_of[i] = more
    before = engine.project(plan, CATALOG)
    after = engine.project(plan.with_section(section, tuple(lines_of)), CATALOG)
    assert (after.monthly >= before.monthly - 1e-9 * (1 + before.monthly)).all()


@SETTINGS
@given(plans(), st.floats(1.0, 3.0))
def test_higher_price_never_lowers_the_cost(plan, factor):
    proj = engine.project(plan, CATALOG)
    keys = {s.key: s for s in proj.sources() if not s.overridden and not s.key.startswith(("api.", "gpu.") ) or
            (s.key.startswith("gpu.") and s.key.count(".") == 3)}
    overrides = {}
    for key in keys:
        try:
            overrides[key] = CATALOG.price(key).value * factor
        except Exception:
            continue
    if not overrides:
        return
    dearer = engine.project(dataclasses.replace(plan, prices=tuple(overrides.items())), CATALOG)
    # overriding flattens volume tiers at the headline rate, which can only raise the cost
    assert (dearer.monthly >= proj.monthly - 1e-9 * (1 + proj.monthly)).all()


@SETTINGS
@given(plans())
def test_empty_scenario_equals_the_baseline(plan):
    result = scenarios.evaluate(plan, P.Scenario("Nothing"), CATALOG)
    assert result.saving_total == 0
    assert (result.projection.monthly == engine.project(plan, CATALOG).monthly).all()


@SETTINGS
@given(plans(), st.floats(0.05, 0.9), st.floats(0.05, 0.9))
def test_attribution_adds_up_to_the_cent(plan, hit, cut):
    strategies = []
    if plan.services.apis:
        strategies.append(P.StrategySpec("api_cache", (("hit_rate", hit),)))
    if any(x.idle_share for x in plan.compute.exploration):
        strategies.append(P.StrategySpec("auto_shutdown", (("idle_cut", cut),)))
    if plan.data.egress:
        strategies.append(P.StrategySpec("egress_reduction", (("share", cut),)))
    if plan.annotation and any(a.items for a in plan.annotation):
        strategies.append(P.StrategySpec("annotation_reduction", (("share", hit),)))
    if not strategies:
        return
    try:
        result = scenarios.evaluate(plan, P.Scenario("S", tuple(strategies)), CATALOG)
    except Exception as exc:  # a strategy that changes nothing is reported, not silently zero
        assert "changes nothing" in str(exc) or "no line" in str(exc) or "nothing" in str(exc), exc
        return
    total = sum(part for _, part in result.attribution)
    assert total == pytest.approx(result.saving_monthly, abs=1e-6)
    rounded = scenarios.attribution_cents(result)
    assert sum(c for _, c in rounded.part_totals) == int(rounded.saving_total)
    for k in range(plan.months):
        assert sum(int(p[k]) for _, p in rounded.parts) == int(rounded.saving_monthly[k])
