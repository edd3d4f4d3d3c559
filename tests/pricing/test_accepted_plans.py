"""Any plan the loader accepts yields finite, non-negative totals within the largest amount, equal to the sum of their
parts (issue 17): plan files generated from the schema's own limits, from the smallest to the largest value of every
field, with and without ranges, over 1 to 240 months."""
import json
import math

import numpy as np
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pricing import engine, fields, report, uncertainty
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.load import loads_checked
from pricing.rounding import to_cents

CATALOG = Catalog.load()
FILE = "generated.yaml"

TEMPLATES = {
    "compute.training": {"name": "Train", "gpu": "H100-80GB", "hours": 100, "gpus": 8, "runs": 1},
    "compute.inference": {"name": "Serve", "gpu": "L4", "requests_per_month": 1e6, "input_tokens": 500,
                          "output_tokens": 200, "tokens_per_second_per_gpu": 1500, "utilization": 0.6, "growth": 0.05,
                          "min_gpus": 1},
    "compute.exploration": {"name": "Notebooks", "gpu": "A10G", "people": 4, "hours_per_week": 20, "idle_share": 0.3},
    "data.storage": {"name": "Raw", "size_tb": 10, "growth_tb_per_month": 1, "tier": "standard"},
    "data.egress": {"name": "Out", "tb_per_month": 1, "kind": "internet", "growth": 0.05},
    "services.apis": {"name": "Chat", "provider": "openai", "model": "gpt-4o", "requests_per_month": 1e5,
                      "input_tokens": 800, "output_tokens": 200, "growth": 0.05, "cached_input_share": 0.2},
    "annotation": {"name": "Boxes", "task": "bounding_box", "items": 1e4, "review_passes": 1.2},
    "mlops": {"name": "Logs", "kind": "log_ingest_gb", "quantity": 500},
    "people": {"name": "Toil", "hours_per_month": 40, "hourly_rate": 95},
}
"""A valid line of each section; the generator moves its numbers anywhere within the schema's limits."""


def values(spec):
    """Numbers for a field: its limits, its typical range, and anything in between (log-uniform over the span)."""
    lo = spec.limits.minimum if spec.limits.minimum is not None else 0.0
    hi = spec.maximum if spec.maximum is not None else 1e12
    options = [st.just(float(lo)), st.just(float(hi)), st.floats(lo, hi)]
    low_end = max(lo, 1e-9)
    if hi > low_end:
        options.append(st.floats(math.log10(low_end), math.log10(hi)).map(lambda e: min(max(10.0 ** e, lo), hi)))
    if spec.typical is not None:
        options.append(st.floats(max(lo, spec.typical.low), min(hi, spec.typical.high)))
    out = st.one_of(options)
    return out.map(round) if spec.integer else out


@st.composite
def lines(draw, section):
    line = dict(TEMPLATES[section])
    for key in list(line):
        spec = fields.field(section, key)
        if not spec.numeric or not draw(st.booleans()):
            continue
        value = draw(values(spec))
        if spec.rangeable and draw(st.integers(0, 3)) == 0:  # a range now and then: low <= likely <= high
            low, likely, high = sorted([value, draw(values(spec)), draw(values(spec))])
            line[key] = {"low": low, "likely": likely, "high": high}
        else:
            line[key] = value
    return line


@st.composite
def plan_texts(draw):
    months = draw(st.one_of(st.integers(1, 240), st.just(240)))
    doc: dict = {"format": "aicost-plan/1", "name": "Generated", "start": "2027-01", "months": months,
                 "provider": "aws"}
    for section in draw(st.lists(st.sampled_from(sorted(TEMPLATES)), min_size=1, max_size=4, unique=True)):
        head, _, tail = section.partition(".")
        items = draw(st.lists(lines(section), min_size=1, max_size=2))
        if tail:
            doc.setdefault(head, {})[tail] = items
        else:
            doc[head] = items
    return yaml.safe_dump(doc, sort_keys=False)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(plan_texts())
def test_an_accepted_plan_has_finite_non_negative_totals_that_are_the_sums_of_their_parts(text):
    try:
        plan = loads_checked(text, file=FILE, catalog=CATALOG)
    except PlanError as exc:  # refused: every problem says where, on one line
        n_lines = text.count("\n") + 1
        assert all(p.file == FILE and p.line is not None and 1 <= p.line <= n_lines and "\n" not in p.message
                   for p in exc.problems), exc.problems
        assume(False)
        return
    proj = engine.project(plan, CATALOG)
    m = proj.matrix
    assert np.isfinite(m).all() and (m >= 0).all()
    assert 0 <= proj.total <= engine.MAX_AMOUNT
    assert np.isfinite(proj.requests).all()
    # in cents, every total is exactly the sum of its parts: lines, months, categories
    cents = to_cents(m) if len(m) else np.zeros((0, plan.months), dtype=np.int64)
    d = report.report_data(proj)
    json.dumps(d, allow_nan=False)  # strict JSON: no NaN, no Infinity
    total = round(d["total"] * 100)
    assert total == int(cents.sum())
    assert total == sum(round(li["total"] * 100) for li in d["line_items"])
    assert total == sum(round(x * 100) for x in d["monthly"])
    assert total == sum(round(x * 100) for xs in d["categories"].values() for x in xs)
    assert all(round(x * 100) >= 0 for x in d["monthly"])
    if uncertainty.has_ranges(plan):  # the samples stay within what the check let through
        mc = uncertainty.monte_carlo(plan, CATALOG, samples=64, seed=5)
        for x in (mc.total_p10, mc.total_p50, mc.total_p90, mc.total_mean):
            assert math.isfinite(x) and 0 <= x <= engine.MAX_AMOUNT
        assert np.isfinite(mc.monthly_p90).all()
