"""Tests of the provider comparison (pricing/providers.py): figures computed by hand on a small catalog."""
from __future__ import annotations

import json
import pathlib
import textwrap

import numpy as np
import pytest

from pricing import engine, providers
from pricing.load import load_checked, loads_checked
from pricing.catalog import Catalog

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "resources" / "examples"

# Three providers: aws prices everything; gcp has storage and egress but no X1 GPU (a gap);
# lambda has the cheapest GPU but no storage and no egress (gaps).
CATALOG = {
    "gpus.yaml": """\
        providers:
          aws: {name: AWS, pricing: [on_demand, spot, reserved]}
          gcp: {name: Google Cloud, pricing: [on_demand, spot, reserved]}
          lambda: {name: Lambda, pricing: [on_demand, reserved]}
        gpus:
          X1:
            name: Test GPU
            specs: {bf16_dense_tflops: 100, memory_gb: 80, source: datasheet, as_of: '2026-01',
                    confidence: verified_primary}
            prices:
              aws:
                on_demand: {value: 4.0, source: aws page, as_of: '2026-02', confidence: verified_primary}
              lambda:
                on_demand: {value: 1.5, source: lambda page, as_of: '2026-02', confidence: verified_primary}
        """,
    "storage.yaml": """\
        standard_tiers: [standard]
        billing_units:  # decimal GB keeps the hand arithmetic (the real catalog: 2^30 bytes)
          aws: {value: 1000000000, source: test catalog, as_of: '2026', confidence: verified_primary}
          gcp: {value: 1000000000, source: test catalog, as_of: '2026', confidence: verified_primary}
        storage:
          aws:
            standard: {name: S3, value: 0.02, source: s3 page, as_of: '2026', confidence: verified_primary}
          gcp:
            standard: {name: GCS, value: 0.01, source: gcs page, as_of: '2026', confidence: verified_primary}
        """,
    "egress.yaml": """\
        standard_kinds: [internet]
        egress:
          aws:
            internet: {name: Internet, value: 0.09, source: aws page, as_of: '2026', confidence: verified_primary}
          gcp:
            internet: {name: Internet, value: 0.12, source: gcp page, as_of: '2026', confidence: verified_primary}
        """,
    "platforms.yaml": "platforms: {}\n",
    "annotation.yaml": "tasks: {}\n",
    "mlops.yaml": "mlops: {}\n",
    "levers.yaml": "levers: {}\n",
}

PLAN = """\
    format: aicost-plan/1
    name: Small
    start: 2027-01
    months: 3
    provider: aws
    compute:
      training:
        - {name: Train, gpu: X1, gpus: 2, hours: 10, month: 1}
    data:
      storage:
        - {name: Dataset, size_tb: 1, tier: standard, kind: raw}
        - {name: Checkpoints, size_tb: 0.2, tier: standard, kind: checkpoints}
    people:
      - {name: Ops, hours_per_month: 10, hourly_rate: 100}
"""


@pytest.fixture(scope="module")
def cat(tmp_path_factory) -> Catalog:
    d = tmp_path_factory.mktemp("catalog")
    for name, text in CATALOG.items():
        (d / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return Catalog.load(d)


@pytest.fixture(scope="module")
def cmp(cat) -> providers.ProviderComparison:
    plan = loads_checked(textwrap.dedent(PLAN), catalog=cat)
    return providers.compare(plan, cat)


def _line(cmp, key):
    return next(lc for lc in cmp.lines if lc.key_path == key)


def test_each_line_is_priced_at_each_provider_by_hand(cmp):
    train = _line(cmp, "compute.training[0]")
    # 2 GPUs x 10 h = 20 GPU-hours in month 1: aws 20 x 4.0 = 80, lambda 20 x 1.5 = 30, gcp has no X1 price
    assert train.cells["aws"].total == pytest.approx(80.0)
    assert train.cells["lambda"].total == pytest.approx(30.0)
    assert train.cells["gcp"].monthly is None and train.cells["gcp"].total is None
    assert train.cheapest == "lambda"
    data = _line(cmp, "data.storage[0]")
    # 1 TB = 1,000 GB held 3 months: aws 1000 x 0.02 x 3 = 60, gcp 1000 x 0.01 x 3 = 30, lambda: no storage
    assert data.cells["aws"].total == pytest.approx(60.0)
    assert data.cells["gcp"].total == pytest.approx(30.0)
    assert data.cells["lambda"].monthly is None
    assert data.cheapest == "gcp"
    ops = _line(cmp, "people[0]")
    # 10 h x $100 x 3 months, the same wherever the GPUs run
    assert not ops.movable and {c.total for c in ops.cells.values()} == {3000.0}


def test_a_gap_is_a_gap_with_the_key_to_set_never_zero(cmp):
    cell = _line(cmp, "compute.training[0]").cells["gcp"]
    assert cell.missing_key == "gpu.X1.gcp.on_demand"
    assert "gpu.X1.gcp.on_demand" in cell.gap and "prices:" in cell.gap
    lam = _line(cmp, "data.storage[0]").cells["lambda"]
    assert lam.missing_key == "storage.lambda.standard"


def test_provider_totals_leave_gaps_out_and_say_so(cmp):
    # aws: 80 + 60 + 200 x 0.02 x 3 (= 12) + 3000 = 3152, complete
    assert cmp.totals["aws"].priced == pytest.approx(3152.0) and cmp.totals["aws"].complete
    assert cmp.totals["aws"].runs_compute
    # gcp: 30 + 200 x 0.01 x 3 (= 6) + 3000 = 3036, and the training line is a gap
    assert cmp.totals["gcp"].priced == pytest.approx(3036.0) and cmp.totals["gcp"].gaps == 1
    assert not cmp.totals["gcp"].runs_compute
    # lambda: 30 + 3000 = 3030, both storage lines are gaps
    assert cmp.totals["lambda"].priced == pytest.approx(3030.0) and cmp.totals["lambda"].gaps == 2
    assert cmp.as_planned == pytest.approx(3152.0)


def test_the_cheapest_placement_adds_the_egress_leg_it_implies(cmp):
    pl = cmp.placement
    assert dict(pl.providers) == {"compute.training[0]": "lambda", "data.storage[0]": "gcp", "data.storage[1]": "gcp"}
    legs = {leg.storage_key_path: leg for leg in pl.legs}
    data = legs["data.storage[0]"]
    # the dataset (1,000 GB) is copied to the GPUs once, in month 1 (the run's month), at gcp's internet egress
    assert (data.from_provider, data.to_provider) == ("gcp", "lambda")
    np.testing.assert_allclose(data.gb, [1000.0, 0.0, 0.0])
    assert data.cell.total == pytest.approx(1000 * 0.12)  # = 120
    ckpt = legs["data.storage[1]"]
    # checkpoints flow from the GPUs to storage: lambda's internet egress, which the catalog lacks -> a gap
    assert (ckpt.from_provider, ckpt.to_provider) == ("lambda", "gcp")
    assert ckpt.cell.monthly is None and ckpt.cell.missing_key == "egress.lambda.internet"
    # 30 (train at lambda) + 30 + 6 (storage at gcp) + 3000 (people) + 120 (leg) = 3186, plus one gap
    assert pl.priced == pytest.approx(3186.0)
    assert pl.egress == pytest.approx(120.0)
    assert pl.gaps == 1


def test_keeping_data_with_the_gpus_needs_no_leg(cat):
    plan = loads_checked(textwrap.dedent(PLAN), catalog=cat)
    cmp = providers.compare(plan, cat, ("aws",))
    assert cmp.placement.legs == () and cmp.placement.priced == pytest.approx(3152.0)


def test_json_is_keyed_by_provider_and_totals_are_sums_of_shown_cents(cmp):
    doc = providers.comparison_data(cmp)
    assert list(doc["providers"]) == ["aws", "gcp", "lambda"]
    aws = doc["providers"]["aws"]
    assert aws["complete"] and aws["total"] == 3152.0 and aws["priced_total"] == 3152.0
    gcp = doc["providers"]["gcp"]
    assert gcp["total"] is None and gcp["priced_total"] == 3036.0 and gcp["gaps"] == 1
    train = next(r for r in gcp["lines"] if r["key_path"] == "compute.training[0]")
    assert train["total"] is None and train["missing_key"] == "gpu.X1.gcp.on_demand"
    assert doc["placement"]["priced_total"] == 3186.0 and doc["placement"]["total"] is None
    assert doc["placement"]["egress"][0]["gb"] == 1000.0
    assert doc["as_planned_total"] == 3152.0
    json.dumps(doc)  # serialisable as is


def test_text_marks_cheapest_and_gaps(cmp):
    text = providers.comparison_text(cmp)
    assert "GAP" in text and "$30.00*" in text
    assert "gpu.X1.gcp.on_demand" in text and "transfer Dataset: gcp -> lambda" in text


def test_unknown_provider_is_refused_with_suggestions(cat):
    from pricing.errors import UnknownNameError
    plan = loads_checked(textwrap.dedent(PLAN), catalog=cat)
    with pytest.raises(UnknownNameError, match="did you mean 'lambda'"):
        providers.compare(plan, cat, ("lamda",))


# ---------------------------------------------------------------------------------------------
# The shipped examples: the home column is the engine's own projection
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_home_provider_column_equals_the_projection_line_by_line(example):
    cat = Catalog.load()
    plan = load_checked(EXAMPLES / example, cat)
    cmp = providers.compare(plan, cat)
    proj = engine.project(plan, cat)
    for li in proj.line_items:
        lc = next(x for x in cmp.lines if x.key_path == li.key_path)
        home = lc.home or plan.provider
        np.testing.assert_allclose(lc.cells[home].monthly, li.monthly, err_msg=li.key_path)
    assert cmp.totals[plan.provider].priced == pytest.approx(proj.total)
    assert set(cmp.providers) == set(cat.providers)


def test_a_provider_that_prices_nothing_shows_no_total_not_zero(cat):
    only_gpu = "\n".join(line for line in textwrap.dedent(PLAN).splitlines()
                         if not line.lstrip().startswith(("- {name: Dataset", "- {name: Checkpoints", "- {name: Ops",
                                                          "data:", "storage:", "people:")))
    plan = loads_checked(only_gpu + "\n", catalog=cat)
    cmp = providers.compare(plan, cat, ("gcp",))
    assert cmp.totals["gcp"].gaps == 1 and cmp.totals["gcp"].priced == 0.0
    total_row = next(r for r in providers.comparison_text(cmp).splitlines() if r.startswith("priced total"))
    assert total_row.split()[-1] == "GAP"
    assert providers.comparison_data(cmp)["providers"]["gcp"]["total"] is None
