"""Counted words (pricing.wording) and what an MLOps quantity counts (catalog units), by hand."""
import pytest

from pricing import uncertainty, wording
from pricing.catalog import Catalog
from pricing.load import loads_checked


@pytest.mark.parametrize("count, noun, expected", [
    (1, "month", "1 month"), (0, "month", "0 months"), (2, "month", "2 months"), (1.5, "month", "1.5 months"),
    (1, "line", "1 line"), (12, "line", "12 lines"), (1, "problem", "1 problem"), (3, "problem", "3 problems"),
    (2, "batch", "2 batches"), (2, "address", "2 addresses"), (2, "gateway", "2 gateways"),
    (2, "strategy", "2 strategies"), (1200, "model", "1,200 models"), (2, "person", "2 people"),
])
def test_plural(count, noun, expected):
    assert wording.plural(count, noun) == expected


def test_verb_agrees_with_the_count():
    assert wording.verb_for(1, "stops", "stop") == "stops" and wording.verb_for(2, "stops", "stop") == "stop"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def test_what_an_mlops_quantity_counts(catalog):
    # resources/catalog/mlops.yaml units: "USD per cluster-month" (a cluster held a month: whole clusters),
    # "USD per GB ingested", "USD per runner-minute", "USD per GB-month stored"
    assert catalog.mlops_quantity_unit("k8s_control_plane") == "clusters" and catalog.mlops_counted("k8s_control_plane")
    assert catalog.mlops_quantity_unit("load_balancer") == "load balancers"
    assert catalog.mlops_quantity_unit("log_ingest_gb") == "GB ingested/month"
    assert not catalog.mlops_counted("log_ingest_gb") and not catalog.mlops_counted("ci_minutes")
    assert catalog.mlops_quantity_unit("ci_minutes") == "runner-minutes/month"
    assert catalog.mlops_quantity_unit("log_retention_gb") == "GB stored"
    assert catalog.mlops_quantity_unit("no_such_kind") is None and not catalog.mlops_counted("no_such_kind")


def test_tornado_swings_whole_clusters_and_says_what_it_counts(catalog):
    plan = loads_checked("""\
format: aicost-plan/1
name: Counts
start: 2027-01
months: 2
provider: aws
mlops:
  - {name: EKS, kind: k8s_control_plane, quantity: 3}
  - {name: One cluster, kind: k8s_control_plane, quantity: 1}
  - {name: Logs, kind: log_ingest_gb, quantity: 100}
""", file="t.yaml", catalog=catalog)
    inputs = {i.key_path: i for i in uncertainty.tornado_inputs(plan, catalog=catalog)}
    # 3 clusters +-20% = 2.4..3.6, whole clusters: 2..4
    eks = inputs["mlops[0].quantity"]
    assert (eks.label, eks.low, eks.high) == ("EKS: Quantity (clusters)", 2.0, 4.0)
    # 1 cluster +-20% = 0.8..1.2 rounds to 1..1: no swing, left out (never "0.8 .. 1.2 clusters")
    assert "mlops[1].quantity" not in inputs
    # 100 GB +-20% = 80..120 GB: an amount, not rounded
    logs = inputs["mlops[2].quantity"]
    assert (logs.label, logs.low, logs.high) == ("Logs: Quantity (GB ingested/month)", 80.0, 120.0)
    # the tornado the window draws reads the catalog too
    bars = {b.input.key_path: b for b in uncertainty.tornado(plan, catalog).bars}
    assert (bars["mlops[0].quantity"].input.low, bars["mlops[0].quantity"].input.high) == (2.0, 4.0)
