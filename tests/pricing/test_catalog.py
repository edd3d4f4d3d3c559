"""Tests of the price catalog: integrity, faithfulness to the reference, names, gaps, overrides, tiers."""
from __future__ import annotations

import datetime
import math
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import yaml

from pricing.catalog import (CONFIDENCE_LEVELS, Catalog, CatalogEntry, MissingPriceError, PriceSource,
                             PricingNotOfferedError, oldest, parse_as_of)
from pricing.errors import CatalogError, UnknownNameError

REPO = pathlib.Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "data" / "reference" / "prices.yaml"
"""A copy of the project's reference prices (tests/data/README.md says where from and when)."""
ADDITIONS = REPO / "tests" / "data" / "catalog_additions.yaml"
"""Figures added after the reference was compiled, each with its date and the sources it must cite."""
TB = 1024  # GB per TB as the providers bill volume tiers (docs/catalog.md)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def reference() -> dict:
    return yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Integrity
# ---------------------------------------------------------------------------------------------


def test_every_priced_entry_is_sourced_dated_and_positive(cat):
    entries = cat.entries()
    assert len(entries) > 150
    for e in entries:
        if e.value is None:
            continue
        assert e.source.source.strip(), e.key
        assert e.source.as_of.strip(), e.key
        assert e.source.confidence in CONFIDENCE_LEVELS, (e.key, e.source.confidence)
        assert math.isfinite(e.value) and e.value > 0, e.key
        assert not e.gap, e.key
        for t in e.tiers:
            assert math.isfinite(t.price) and t.price >= 0, e.key
        if e.tiers:
            assert e.tiers[-1].upto is None, e.key
            assert e.value == next(t.price for t in e.tiers if t.price > 0), e.key


def test_every_gap_says_why_and_is_not_priced(cat):
    gaps = [e for e in cat.entries() if e.value is None]
    assert len(gaps) >= 20
    for e in gaps:
        assert e.gap.strip(), e.key
        assert e.source.confidence == "gap", e.key
        assert e.source.as_of, e.key


def test_keys_are_unique_and_sections_known(cat):
    entries = cat.entries()
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys))
    assert {e.section for e in entries} == {"gpus", "storage", "egress", "platforms", "annotation", "mlops", "levers"}


def test_spot_never_above_on_demand(cat):
    compared = 0
    for g in cat.gpu_keys():
        for p in cat.providers:
            try:
                spot = cat.gpu_price(g, p, "spot").value
                on_demand = cat.gpu_price(g, p, "on_demand").value
            except CatalogError:
                continue
            assert spot <= on_demand, (g, p, spot, on_demand)
            compared += 1
    assert compared >= 12


def test_every_gpu_has_specs(cat):
    expected = {"H100-80GB", "H200-141GB", "B200", "A100-80GB", "A100-40GB", "L40S", "L4", "A10G", "T4"}
    assert expected <= set(cat.gpu_keys())
    for g in cat.gpu_keys():
        spec = cat.gpu_spec(g)
        assert spec.key == g and spec.name
        assert spec.memory_gb > 0
        assert spec.source.source and spec.source.as_of
        assert spec.source.key == f"gpu.{g}.peak_tflops"
        if spec.peak_tflops is None:
            assert "peak" in spec.peak_note and f"gpu.{g}.peak_tflops" in spec.peak_note
        else:
            assert spec.peak_tflops > 0


def test_t4_peak_is_its_fp16_tensor_figure_with_a_note(cat):
    spec = cat.gpu_spec("T4")
    assert spec.peak_tflops == pytest.approx(65.13)
    assert "FP16" in spec.peak_note and "BF16" in spec.peak_note
    assert "FP16" in cat.gpu_peak("T4").unit


def test_a10g_peak_is_a_gap(cat):
    assert cat.gpu_spec("A10G").peak_tflops is None
    with pytest.raises(MissingPriceError) as err:
        cat.gpu_peak("A10G")
    assert err.value.key == "gpu.A10G.peak_tflops"


def test_peak_ordering_matches_gpu_generations(cat):
    peak = {g: cat.gpu_spec(g).peak_tflops for g in cat.gpu_keys()}
    assert peak["B200"] > peak["H100-80GB"] == peak["H200-141GB"] > peak["H100-NVL"] > peak["L40S"] > peak["A100-80GB"]
    assert peak["A100-80GB"] == peak["A100-40GB"] > peak["L4"] > peak["T4"]
    assert cat.gpu_spec("H200-141GB").memory_gb > cat.gpu_spec("H100-80GB").memory_gb


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure", "lambda", "nebius"])
def test_main_providers_price_an_h100_or_a100(cat, provider):
    assert provider in cat.providers
    priced = [g for g in ("H100-80GB", "A100-80GB", "A100-40GB") if provider in cat.gpu_providers(g)]
    assert priced, provider
    assert cat.gpu_price(priced[0], provider).value > 0


def test_gpu_providers_lists_only_priced_on_demand(cat):
    providers = cat.gpu_providers("A100-80GB")
    assert {"aws", "azure", "lambda", "runpod"} <= set(providers)
    assert "gcp" not in providers  # a known gap (inconsistent GCP catalog)
    for p in providers:
        assert cat.gpu_price("A100-80GB", p).value > 0


def test_data_quality_caveats_are_kept(cat):
    gcp_h100 = cat.gpu_price("H100-80GB", "gcp")
    assert gcp_h100.source.confidence == "suspect_catalog"
    assert "SUSPECT" in gcp_h100.source.notes
    assert "GPU COMPONENT ONLY" in cat.gpu_price("L4", "gcp").source.notes
    assert cat.storage_price("azure", "hot").source.confidence == "LOW_CONFIDENCE"
    assert cat.storage_price("azure", "archive").source.confidence == "LOW_CONFIDENCE"
    assert "thin" in cat.gpu_price("B200", "aws", "spot").source.notes
    # RunPod serverless is a different pricing model, kept apart from the pod price
    assert cat.gpu_price("A100-80GB", "runpod").value < cat.gpu_price("A100-80GB", "runpod", "serverless").value
    assert "not a pod price" in cat.gpu_price("H100", "runpod", "serverless").source.notes


def test_a10_and_a10g_are_distinct_gpus(cat):
    assert cat.resolve_gpu("a10") == "A10"
    assert cat.resolve_gpu("a10g") == "A10G"
    assert cat.gpu_providers("A10") == ("azure", "lambda")
    assert cat.gpu_providers("A10G") == ("aws",)
    with pytest.raises(MissingPriceError, match="AWS-only"):
        cat.gpu_price("A10G", "azure")


def test_pricing_does_not_import_qt():
    code = ("import sys, pricing.catalog; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'gui')]; print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


# ---------------------------------------------------------------------------------------------
# Faithful to the reference price data (tests/data/reference/prices.yaml)
# ---------------------------------------------------------------------------------------------

_REF_GPU = {"h100": "H100-80GB", "h100_sxm": "H100-80GB", "h200": "H200-141GB", "b200": "B200",
            "a100_80gb": "A100-80GB", "a100_80gb_pcie": "A100-80GB", "a100_40gb": "A100-40GB", "l40s": "L40S",
            "l4": "L4", "a10g": "A10G", "t4": "T4", "a10": "A10", "h100_nvl": "H100-NVL"}
_REF_PRICING = {"on_demand": "on_demand", "spot": "spot", "serverless_flex": "serverless"}


def _reference_gpu_prices(reference: dict) -> dict[str, dict]:
    out = {}
    for e in reference["gpu_compute"]:
        gpu = _REF_GPU[e["id"].split(".")[1]]
        out[f"gpu.{gpu}.{e['provider']}.{_REF_PRICING[e['pricing']]}"] = e
    return out


def test_every_reference_gpu_price_is_in_the_catalog_unchanged(cat, reference):
    ref = _reference_gpu_prices(reference)
    assert len(ref) > 40
    for key, e in ref.items():
        _, gpu, provider, pricing = key.split(".")
        price = cat.gpu_price(gpu, provider, pricing)
        assert price.value == e["value"], key
        assert price.source.source == e["source"], key
        assert price.source.confidence == e["verification"], key
        assert price.source.as_of == str(e["as_of"]), key


def _additions() -> dict[str, dict]:
    return {f["key"]: f for f in yaml.safe_load(ADDITIONS.read_text(encoding="utf-8"))["figures"]}


def test_every_catalog_gpu_price_comes_from_the_reference_or_the_dated_additions(cat, reference):
    ref = _reference_gpu_prices(reference)
    stated_in_reference_notes = {"gpu.A10.azure.spot"}  # 'Spot 0.8/h' in azure.a10.on_demand's notes
    added = _additions()
    for e in cat.entries("gpus"):
        if e.value is None or e.key.endswith((".peak_tflops", ".reserved")) or e.key.endswith("gpu"):
            continue  # instance sizes (.<N>gpu) are checked against their own list below
        assert e.key in ref or e.key in stated_in_reference_notes or e.key in added, e.key
    assert not set(added) & set(ref), "an addition may not silently replace a reference figure"


def _shapes() -> dict[str, dict]:
    return {f["key"]: f for f in yaml.safe_load(ADDITIONS.read_text(encoding="utf-8"))["shapes"]}


def test_every_instance_size_price_is_listed_and_read_beside_a_reference_figure(cat):
    # A price of another instance size is the instance price / its GPUs, e.g. g5.12xlarge 5.672 / 4 = 1.418
    # per GPU-hour, from the same source (and so the same date) as a figure already in the catalog.
    shapes = _shapes()
    priced = {e.key for e in cat.entries("gpus") if e.key.endswith("gpu") and e.value is not None}
    assert priced == set(shapes)
    for key, f in shapes.items():
        price, beside = cat.price(key), cat.price(f["beside"])
        assert price.value == pytest.approx(f["instance_price"] / f["gpus"], rel=1e-12), key
        assert f"{f['instance_price']:g} USD/h / {f['gpus']} GPUs" in price.source.notes, key
        assert (price.source.source, price.source.as_of) == (beside.source.source, beside.source.as_of), key


def test_every_gpu_price_not_in_the_reference_is_a_listed_dated_addition(cat):
    # Runs without the reference too: every figure of a provider the reference never had (coreweave)
    # and every figure listed as added must be in tests/data/catalog_additions.yaml, dated.
    added = _additions()
    for e in cat.entries("gpus"):
        if e.provider == "coreweave" and e.value is not None:
            assert e.key in added, e.key
    assert len(added) >= 10


@pytest.mark.parametrize("key", sorted(_additions()))
def test_added_figures_are_in_the_catalog_as_listed_with_date_and_sources(cat, key):
    f = _additions()[key]
    price = cat.price(key)
    assert price.value == f["value"]
    if "per_node" in f:  # per GPU = node price / GPUs in the node, e.g. 49.24 / 8 = 6.155
        assert price.value == pytest.approx(f["per_node"] / f["gpus"], abs=5e-4)
    if "ratio_of" in f:  # a markup: 63.296 / 55.04 - 1 = 0.15
        a, b = f["ratio_of"]
        assert price.value == pytest.approx(a / b - 1, abs=5e-4)
    assert price.source.as_of == str(f["as_of"])
    assert price.source.as_of_date is not None  # every added figure is dated
    assert price.source.confidence == f["confidence"]
    for cite in f["cites"]:
        assert cite in price.source.source, (key, cite)


_REF_STORAGE = {"s3.standard.storage": ("aws", "standard"), "s3.standard_ia.storage": ("aws", "infrequent"),
                "s3.one_zone_ia.storage": ("aws", "one_zone_ia"), "s3.glacier_instant.storage": ("aws", "cold"),
                "s3.glacier_flexible.storage": ("aws", "glacier_flexible"),
                "s3.glacier_deep_archive.storage": ("aws", "archive"), "gcs.standard.storage": ("gcp", "standard"),
                "gcs.nearline.storage": ("gcp", "infrequent"), "gcs.coldline.storage": ("gcp", "cold"),
                "gcs.archive.storage": ("gcp", "archive"), "azure_blob.hot.storage_approx": ("azure", "standard"),
                "azure_blob.archive.storage_approx": ("azure", "archive")}


@pytest.mark.parametrize("ref_id, where", _REF_STORAGE.items())
def test_storage_rates_match_the_reference(cat, reference, ref_id, where):
    e = next(x for x in reference["object_storage"] if x["id"] == ref_id)
    price = cat.storage_price(*where)
    assert price.value == e["value"]
    assert price.source.confidence == e["verification"]


@pytest.mark.parametrize("task", ["image_classification", "bounding_box", "semantic_segmentation",
                                  "instance_segmentation", "text_classification"])
def test_ground_truth_annotation_rates_match_the_reference(cat, reference, task):
    e = next(x for x in reference["human_annotation"] if x["id"] == f"gt.mturk.{task}")
    assert cat.annotation_price(task).value == e["value"]
    assert cat.annotation_price(task).source.as_of_date == datetime.date(2026, 3, 15)


def test_platform_markups_are_the_reference_ratios_minus_one(cat, reference):
    ratios = {e["id"]: e["value"] for e in reference["managed_ml_platforms"]}
    sagemaker = ratios["aws.sagemaker_markup.summary"]
    assert cat.platform_markup("sagemaker").value == pytest.approx(sagemaker["2xlarge_and_larger"] - 1)
    assert cat.platform_markup("sagemaker_xlarge").value == pytest.approx(sagemaker["xlarge_sizes"] - 1)
    assert cat.platform_markup("vertex").value == pytest.approx(ratios["gcp.vertex_training_markup.a100x8_derived"] - 1)
    listed = {"sagemaker", "sagemaker_xlarge", "vertex", "azure_ml"} | {k.split(".", 1)[1] for k in _additions()
                                                                       if k.startswith("platform.")}
    assert set(cat.platform_names()) == listed  # every platform is from the reference or a listed addition


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, key", [
    ("H100-80GB", "H100-80GB"), ("h100", "H100-80GB"), ("H100", "H100-80GB"), ("h100-sxm", "H100-80GB"),
    ("H100 80GB", "H100-80GB"), ("h100_80gb", "H100-80GB"), ("H100SXM", "H100-80GB"),
    ("h200", "H200-141GB"), ("b200", "B200"), ("a100", "A100-80GB"), ("A100 80GB PCIe", "A100-80GB"),
    ("a100-40gb", "A100-40GB"), ("A100 40GB", "A100-40GB"), ("l40s", "L40S"), ("l4", "L4"),
    ("a10g", "A10G"), ("t4", "T4"), ("Tesla T4", "T4"), ("a10", "A10"), ("H100 NVL", "H100-NVL"),
])
def test_gpu_aliases(cat, name, key):
    assert cat.resolve_gpu(name) == key


@pytest.mark.parametrize("provider, tier, canonical", [
    ("aws", "standard", "standard"), ("aws", "standard_ia", "infrequent"), ("aws", "Standard-IA", "infrequent"),
    ("aws", "glacier_instant", "cold"), ("aws", "deep_archive", "archive"), ("aws", "glacier", "glacier_flexible"),
    ("aws", "one_zone_ia", "one_zone_ia"), ("gcp", "nearline", "infrequent"), ("gcp", "Coldline", "cold"),
    ("gcp", "archive", "archive"), ("azure", "hot", "standard"), ("AWS", "STANDARD", "standard"),
])
def test_storage_tier_aliases(cat, provider, tier, canonical):
    assert cat.storage_price(provider, tier).source.key == f"storage.{provider.lower()}.{canonical}"


@pytest.mark.parametrize("provider, key", [("AWS", "aws"), ("google", "gcp"), ("Microsoft", "azure"),
                                           ("lambda_labs", "lambda"), ("Nebius", "nebius"), ("RunPod", "runpod"),
                                           ("CoreWeave", "coreweave")])
def test_provider_aliases(cat, provider, key):
    assert cat.resolve_provider(provider) == key


@pytest.mark.parametrize("lookup, expected", [
    (lambda c: c.resolve_gpu("H10"), "H100-80GB"),
    (lambda c: c.resolve_gpu("a100-80"), "A100-80GB"),
    (lambda c: c.resolve_gpu("L4S"), "L40S"),
    (lambda c: c.gpu_price("H100-80GB", "awz"), "aws"),
    (lambda c: c.gpu_price("H100-80GB", "aws", "spott"), "spot"),
    (lambda c: c.storage_price("aws", "standrd"), "standard"),
    (lambda c: c.storage_price("gcp", "neraline"), "infrequent"),  # suggests the canonical tier
    (lambda c: c.egress_price("aws", "internt"), "internet"),
    (lambda c: c.egress_price("aws", "inter-regoin"), "inter_region"),
    (lambda c: c.platform_markup("sagemkr"), "sagemaker"),
    (lambda c: c.annotation_price("bounding_boxes"), "bounding_box"),
    (lambda c: c.mlops_price("aws", "k8s_controlplane"), "k8s_control_plane"),
    (lambda c: c.lever("quantization.fp8"), "lever.quantization.fp8_throughput"),
])
def test_unknown_names_suggest_close_ones(cat, lookup, expected):
    with pytest.raises(UnknownNameError) as err:
        lookup(cat)
    assert expected in err.value.suggestions, err.value.suggestions
    assert "did you mean" in str(err.value)


def test_unknown_name_without_close_match_still_says_what(cat):
    with pytest.raises(UnknownNameError, match="unknown GPU 'rtx-pro-9999'"):
        cat.resolve_gpu("rtx-pro-9999")


# ---------------------------------------------------------------------------------------------
# Gaps
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lookup, key", [
    (lambda c: c.gpu_price("L4", "aws", "spot"), "gpu.L4.aws.spot"),
    (lambda c: c.gpu_price("L40S", "aws", "spot"), "gpu.L40S.aws.spot"),
    (lambda c: c.gpu_price("T4", "gcp"), "gpu.T4.gcp.on_demand"),
    (lambda c: c.gpu_price("h200", "azure"), "gpu.H200-141GB.azure.on_demand"),
    (lambda c: c.gpu_price("B200", "gcp"), "gpu.B200.gcp.on_demand"),
    (lambda c: c.gpu_price("L4", "runpod"), "gpu.L4.runpod.on_demand"),
    (lambda c: c.gpu_price("B200", "coreweave"), "gpu.B200.coreweave.on_demand"),
    (lambda c: c.gpu_price("H100", "coreweave", "spot"), "gpu.H100-80GB.coreweave.spot"),
    (lambda c: c.gpu_price("H100", "azure", "spot"), "gpu.H100-80GB.azure.spot"),
    (lambda c: c.gpu_price("H100", "aws", "reserved"), "reserved_discount.aws"),
    (lambda c: c.gpu_peak("A10G"), "gpu.A10G.peak_tflops"),
    (lambda c: c.egress_price("gcp", "inter_az"), "egress.gcp.inter_az"),
    (lambda c: c.egress_price("azure", "inter_region"), "egress.azure.inter_region"),
    (lambda c: c.platform_markup("azure_ml"), "platform.azure_ml"),
    (lambda c: c.mlops_price("aws", "load_balancer_lcu"), "mlops.aws.load_balancer_lcu"),
    (lambda c: c.mlops_price("azure", "k8s_control_plane_premium"), "mlops.azure.k8s_control_plane_premium"),
    (lambda c: c.lever("annotation.qc_overhead"), "lever.annotation.qc_overhead"),
    (lambda c: c.lever("mfu.palm_540b"), "lever.mfu.palm_540b"),
    (lambda c: c.price("annotation.fee.ground_truth_service"), "annotation.fee.ground_truth_service"),
])
def test_known_gaps_raise_naming_the_override_key(cat, lookup, key):
    with pytest.raises(MissingPriceError) as err:
        lookup(cat)
    e = err.value
    assert isinstance(e, CatalogError)
    assert e.key == key and e.known_gap
    assert "known gap in the reference" in str(e)
    assert f"prices: {{{key}: " in str(e)


def test_every_listed_gap_raises_when_looked_up_by_key(cat):
    for e in cat.entries():
        if e.value is None:
            with pytest.raises(MissingPriceError) as err:
                cat.price(e.key)
            assert err.value.key == e.key


def test_figures_never_collected_raise_too(cat):
    with pytest.raises(MissingPriceError) as err:
        cat.gpu_price("L4", "nebius")
    assert err.value.key == "gpu.L4.nebius.on_demand" and not err.value.known_gap
    assert "aws" in str(err.value)  # says who does have it
    with pytest.raises(MissingPriceError) as err:
        cat.storage_price("lambda", "standard")
    assert err.value.key == "storage.lambda.standard"
    with pytest.raises(MissingPriceError) as err:
        cat.mlops_price("nebius", "k8s_control_plane")
    assert err.value.key == "mlops.nebius.k8s_control_plane"


def test_lambda_spot_is_an_error_not_a_gap(cat):
    with pytest.raises(PricingNotOfferedError, match="no spot tier") as err:
        cat.gpu_price("H100-80GB", "lambda", "spot")
    assert not isinstance(err.value, MissingPriceError)
    with pytest.raises(UnknownNameError, match="lambda sells only"):
        cat.with_overrides({"gpu.H100-80GB.lambda.spot": 2.0})


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------


def test_override_replaces_value_and_marks_source(cat):
    base = cat.gpu_price("H100-80GB", "aws")
    priced = cat.with_overrides({"gpu.h100.AWS.on_demand": 3.90})
    p = priced.gpu_price("H100", "aws")
    assert p.value == 3.90 and p.unit == base.unit
    assert p.source.overridden and p.source.source == "plan override"
    assert p.source.confidence == "override" and p.source.as_of == "plan" and p.source.as_of_date is None
    assert f"replaces the catalog's {base.value:g}" in p.source.notes
    assert priced.overrides == {"gpu.H100-80GB.aws.on_demand": 3.90}
    assert cat.gpu_price("H100-80GB", "aws") == base  # the original catalog is unchanged
    assert cat.overrides == {}


def test_override_of_a_tiered_price_is_flat(cat):
    p = cat.with_overrides({"egress.aws.internet": 0.05}).egress_price("aws", "internet")
    assert p.tiers == ()
    assert p.cost(12 * TB) == pytest.approx(12 * TB * 0.05)


def test_override_fills_gaps_and_missing_figures(cat):
    priced = cat.with_overrides({"gpu.L4.aws.spot": 0.35, "gpu.L4.nebius.on_demand": 0.9,
                                 "storage.azure.cool": 0.01, "gpu.A10G.peak_tflops": 70})
    assert priced.gpu_price("L4", "aws", "spot").value == 0.35
    assert "known gap" in priced.gpu_price("L4", "aws", "spot").source.notes
    assert "nebius" in priced.gpu_providers("L4")
    assert priced.storage_price("azure", "cool").value == 0.01
    spec = priced.gpu_spec("A10G")
    assert spec.peak_tflops == 70 and spec.source.overridden
    rows = {e.key: e for e in priced.entries()}
    assert rows["gpu.L4.nebius.on_demand"].value == 0.9 and rows["gpu.L4.nebius.on_demand"].source.overridden
    assert rows["storage.azure.infrequent"].gap == "" and rows["storage.azure.infrequent"].value == 0.01


def test_override_values_accept_percentages_and_text(cat):
    priced = cat.with_overrides({"reserved_discount.aws": "30%", "platform.sagemaker": "0.2", "mlops.aws.eks": 80})
    assert priced.lever("reserved_discount.aws").value == pytest.approx(0.30)
    assert priced.platform_markup("sagemaker").value == pytest.approx(0.2)
    assert priced.mlops_price("aws", "k8s_control_plane").value == 80
    od = cat.gpu_price("H100-80GB", "aws").value
    assert priced.gpu_price("H100-80GB", "aws", "reserved").value == pytest.approx(od * 0.70)


def test_api_override_keys_are_kept_as_given(cat):
    priced = cat.with_overrides({"api.openai.gpt-4o.input": 2.5})
    assert priced.overrides["api.openai.gpt-4o.input"] == 2.5
    assert not any(e.key.startswith("api.") for e in priced.entries())


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), True, "cheap", None])
def test_override_values_must_be_finite_and_not_negative(cat, value):
    with pytest.raises(CatalogError) as err:
        cat.with_overrides({"gpu.H100-80GB.aws.on_demand": value})
    assert err.value.problems[0].key_path == "prices.gpu.H100-80GB.aws.on_demand"


def test_override_discount_must_be_below_one(cat):
    with pytest.raises(CatalogError, match="below 1"):
        cat.with_overrides({"reserved_discount.gcp": 1.0})


@pytest.mark.parametrize("key, suggestion", [
    ("gpu.H100.aws.ondemandd", "gpu.H100-80GB.aws.on_demand"),
    ("gpu.H100-80GB.aws", "gpu.H100-80GB.aws.spot"),
    ("egres.aws.internet", "egress.aws.internet"),
    ("storage.aws.standrd", "storage.aws.standard"),
    ("platform.sagemakr", "platform.sagemaker"),
    ("lever.quantization.fp8", "lever.quantization.fp8_throughput"),
    ("reserved_discount.gcp.5yr", "reserved_discount.gcp.3yr"),
])
def test_unknown_override_keys_raise_with_suggestions(cat, key, suggestion):
    with pytest.raises(UnknownNameError) as err:
        cat.with_overrides({key: 1.0})
    assert err.value.name == key
    assert suggestion in err.value.suggestions, err.value.suggestions
    assert err.value.problems[0].key_path == f"prices.{key}"


def test_overrides_accumulate(cat):
    priced = cat.with_overrides({"egress.aws.internet": 0.05}).with_overrides({"egress.aws.inter_az": 0.02})
    assert set(priced.overrides) == {"egress.aws.internet", "egress.aws.inter_az"}


# ---------------------------------------------------------------------------------------------
# Tiers and cost()
# ---------------------------------------------------------------------------------------------


def _aws_internet_by_hand(gb: float) -> float:
    """AWS internet egress from its published tiers: 100 GB free, 0.09 up to 10 TB, 0.085 next 40 TB,
    0.07 next 100 TB, 0.05 above 150 TB (per month)."""
    bands = [(0, 100, 0.0), (100, 10 * TB, 0.09), (10 * TB, 50 * TB, 0.085), (50 * TB, 150 * TB, 0.07),
             (150 * TB, math.inf, 0.05)]
    return sum(max(0.0, min(gb, hi) - lo) * rate for lo, hi, rate in bands)


def test_aws_internet_egress_of_12_tb(cat):
    price = cat.egress_price("aws", "internet")
    expected = (10 * TB - 100) * 0.09 + (12 * TB - 10 * TB) * 0.085  # = 912.60 + 174.08
    assert expected == pytest.approx(1086.68)
    assert price.cost(12 * TB) == pytest.approx(expected)
    assert price.value == 0.09  # headline = first paid tier


def test_tiered_cost_is_vectorised(cat):
    price = cat.egress_price("aws", "internet")
    gb = np.array([0.0, 50.0, 100.0, 5_000.0, 12 * TB, 60 * TB, 200 * TB])
    got = price.cost(gb)
    assert isinstance(got, np.ndarray) and got.shape == gb.shape
    assert got == pytest.approx([_aws_internet_by_hand(x) for x in gb])
    grid = price.cost(gb.reshape(1, -1).repeat(3, axis=0))
    assert grid.shape == (3, gb.size) and grid[2] == pytest.approx(got)


def test_s3_standard_volume_tiers(cat):
    price = cat.storage_price("aws", "standard")
    expected = 50 * TB * 0.023 + 450 * TB * 0.022 + 100 * TB * 0.021
    assert price.cost(600 * TB) == pytest.approx(expected)
    assert price.cost(10 * TB) == pytest.approx(10 * TB * 0.023)


def test_free_allowance_tiers(cat):
    logs = cat.mlops_price("gcp", "log_ingest_gb")
    assert logs.cost(30) == 0.0
    assert logs.cost(150) == pytest.approx(100 * 0.5)
    azure = cat.egress_price("azure", "internet")
    assert azure.cost(1_100) == pytest.approx(1_000 * 0.087)


def test_flat_cost_keeps_scalars_and_arrays(cat):
    price = cat.storage_price("gcp", "standard")
    assert price.cost(1000.0) == pytest.approx(1000 * price.value)
    months = np.arange(1.0, 25.0) * 1000
    assert price.cost(months) == pytest.approx(months * price.value)


# ---------------------------------------------------------------------------------------------
# Reserved, MLOps, levers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("gpu", ["A100-40GB", "L4", "H100-80GB"])
def test_gcp_reserved_is_on_demand_less_the_committed_use_discount(cat, gpu):
    od = cat.gpu_price(gpu, "gcp")
    discount = cat.lever("reserved_discount.gcp")
    assert discount.value == 0.28  # the 1-year term is the default
    r = cat.gpu_price(gpu, "gcp", "reserved")
    assert r.value == pytest.approx(od.value * (1 - discount.value))
    assert r.source.key == f"gpu.{gpu}.gcp.reserved"
    assert od.source.source in r.source.source and discount.source.source in r.source.source
    assert r.source.as_of_date == datetime.date(2026, 3, 1)  # the discount's date; the on-demand is undated
    expected_conf = "suspect_catalog" if od.source.confidence == "suspect_catalog" else "derived"
    assert r.source.confidence == expected_conf


def test_three_year_commitment_via_override(cat):
    three = cat.lever("reserved_discount.gcp.3yr").value
    assert three > cat.lever("reserved_discount.gcp").value
    priced = cat.with_overrides({"reserved_discount.gcp": three})
    od = cat.gpu_price("A100-40GB", "gcp").value
    r = priced.gpu_price("A100-40GB", "gcp", "reserved")
    assert r.value == pytest.approx(od * (1 - three)) and r.source.overridden


def test_reserved_follows_an_on_demand_override_and_can_be_set_directly(cat):
    priced = cat.with_overrides({"gpu.A100-40GB.gcp.on_demand": 3.0})
    assert priced.gpu_price("A100-40GB", "gcp", "reserved").value == pytest.approx(3.0 * 0.72)
    assert priced.gpu_price("A100-40GB", "gcp", "reserved").source.overridden
    direct = cat.with_overrides({"gpu.H100-80GB.aws.reserved": 4.1})
    assert direct.gpu_price("H100-80GB", "aws", "reserved").value == 4.1


def test_derived_reserved_rows_are_listed(cat):
    rows = {e.key: e for e in cat.entries("gpus", "gcp")}
    reserved = cat.gpu_price("A100-40GB", "gcp", "reserved").value
    assert rows["gpu.A100-40GB.gcp.reserved"].value == pytest.approx(reserved)
    assert not any(k.endswith(".reserved") for k in (e.key for e in cat.entries("gpus", "aws")))


def test_monthly_mlops_rates_are_hourly_times_730(cat):
    eks = cat.mlops_price("aws", "k8s_control_plane")
    assert eks.unit == "USD per cluster-month"
    assert eks.value == pytest.approx(0.10 * 730)  # EKS publishes 0.10 USD per cluster-hour
    alb = cat.mlops_price("aws", "load_balancer")
    assert alb.value == pytest.approx(0.0225 * 730)
    assert "LCU" in alb.source.notes and "gap" in alb.source.notes


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure", "lambda", "any", "AWS"])
def test_ci_minutes_fall_back_to_any(cat, provider):
    p = cat.mlops_price(provider, "ci_minutes")
    assert p.source.key == "mlops.any.ci_minutes" and p.unit == "USD per runner-minute"
    assert "ci_minutes_gpu" in cat.mlops_kinds(provider)


def test_provider_specific_mlops_override_beats_any(cat):
    priced = cat.with_overrides({"mlops.gcp.ci_minutes": 0.001})
    assert priced.mlops_price("gcp", "ci_minutes").value == 0.001
    assert priced.mlops_price("aws", "ci_minutes").value == cat.mlops_price("any", "ci_minutes").value


def test_levers_by_key_with_or_without_prefix(cat):
    fp8 = cat.lever("lever.quantization.fp8_throughput")
    assert fp8 == cat.lever("quantization.fp8_throughput")
    assert fp8.value == 1.6
    assert cat.lever("annotation.active_learning_max").value == 0.7
    lo, hi = cat.lever("annotation.consensus_workers.min"), cat.lever("annotation.consensus_workers.max")
    assert (lo.value, hi.value) == (3, 5)
    for base in ("quantization.int4_throughput", "mfu.llama3_405b", "spot.multi_cloud_discount"):
        assert cat.lever(f"{base}.min").value <= cat.lever(f"{base}.max").value


def test_throughput_figures_are_consistent(cat):
    figures = cat.throughput_figures()
    assert len(figures) >= 10
    for f in figures:
        assert f.value_per_gpu == pytest.approx(f.value / f.gpus, rel=1e-3), f.key
        assert cat.lever(f.key).value == f.value_per_gpu
        assert f.model and f.precision and f.workload
    assert {f.gpu for f in cat.throughput_figures("h100")} == {"H100-80GB"}


def test_every_entry_is_reachable_by_its_key(cat):
    for e in cat.entries():
        if e.value is not None:
            assert cat.price(e.key).value == pytest.approx(e.value), e.key


def test_entries_filters(cat):
    assert all(e.section == "storage" for e in cat.entries("storage"))
    aws = cat.entries(provider="aws")
    assert aws and all(e.provider in ("aws", "any") for e in aws)
    with pytest.raises(UnknownNameError):
        cat.entries("gpu")
    assert isinstance(cat.entries()[0], CatalogEntry)


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, date", [
    ("2026-03", datetime.date(2026, 3, 1)),
    ("2026", datetime.date(2026, 1, 1)),
    ("2022-12-30", datetime.date(2022, 12, 30)),
    ("2022-12-30 (rate unchanged in later copy)", datetime.date(2022, 12, 30)),
    ("2026-01-01 (effective)", datetime.date(2026, 1, 1)),
    ("early 2026", datetime.date(2026, 1, 1)),
    ("NVIDIA H200 page via secondary sources (2024-2026)", datetime.date(2024, 1, 1)),
    ("undated catalog snapshot (commit pinned in source URL); collected 2026-11-28 from a copy", None),
    ("undated (2025-2026)", None),
    ("n/a", None),
    ("NVIDIA A100 datasheet (r4)", None),
])
def test_parse_as_of(text, date):
    assert parse_as_of(text) == date


def _src(key: str, as_of: str) -> PriceSource:
    return PriceSource(key, "s", as_of, parse_as_of(as_of), "verified_primary")


def test_oldest_ignores_undated_sources():
    a, b, c = _src("a", "2026-03"), _src("b", "2022-12-30"), _src("c", "undated snapshot")
    assert oldest([a, b, c]) is b
    assert oldest([c]) is None
    assert oldest([]) is None
    assert oldest(iter([a])) is a


def test_oldest_over_catalog_prices(cat):
    used = [cat.gpu_price("H100", "aws").source, cat.storage_price("gcp", "standard").source,
            cat.egress_price("aws", "internet").source]
    assert used[0].as_of_date is None  # undated SkyPilot snapshot
    assert oldest(used) is used[1]  # GCS rates of 2022-12-30


# ---------------------------------------------------------------------------------------------
# Loading: a broken catalog names the file and the key path
# ---------------------------------------------------------------------------------------------

MINIMAL = {
    "gpus.yaml": """\
        providers:
          aws: {name: AWS, pricing: [on_demand, spot, reserved]}
        gpus:
          X1:
            name: Test GPU
            aliases: [x-one]
            specs: {bf16_dense_tflops: 100, memory_gb: 10, source: datasheet, as_of: '2026-01', confidence: verified_primary}
            prices:
              aws:
                on_demand: {value: 2.0, source: catalog, as_of: '2026-02', confidence: verified_catalog}
                spot: {value: 1.0, source: catalog, as_of: '2026-02', confidence: verified_catalog}
        """,  # noqa: E501 - a catalog entry on one line, as the catalog writes them
    "storage.yaml": """\
        standard_tiers: [standard]
        billing_units:  # decimal GB keeps the hand arithmetic (the real catalog: 2^30 bytes)
          aws: {value: 1000000000, source: test catalog, as_of: '2026', confidence: verified_primary}
        storage:
          aws:
            standard: {name: S3, tiers: [{upto: 10, price: 0.5}, {upto: null, price: 0.25}], source: page, as_of: '2026', confidence: verified_secondary}
        """,  # noqa: E501 - a catalog entry on one line, as the catalog writes them
    "egress.yaml": "standard_kinds: [internet]\negress: {}\n",
    "platforms.yaml": "platforms: {}\n",
    "annotation.yaml": "tasks: {}\n",
    "mlops.yaml": "mlops: {}\n",
    "levers.yaml": "levers: {}\n",
}


def write_catalog(directory: pathlib.Path, **changed: str) -> pathlib.Path:
    for name, text in {**MINIMAL, **changed}.items():
        if text is not None:
            (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def test_minimal_catalog_loads(tmp_path):
    c = Catalog.load(write_catalog(tmp_path))
    assert c.gpu_keys() == ("X1",) and c.resolve_gpu("X ONE") == "X1"
    assert c.storage_price("aws", "standard").cost(30) == pytest.approx(10 * 0.5 + 20 * 0.25)
    assert Catalog.load(tmp_path) is c  # parsed once per directory


def test_changed_file_is_read_again(tmp_path):
    first = Catalog.load(write_catalog(tmp_path))
    gpus = tmp_path / "gpus.yaml"
    gpus.write_text(gpus.read_text().replace("value: 2.0", "value: 2.5"))
    second = Catalog.load(tmp_path)
    assert first.gpu_price("X1", "aws").value == 2.0 and second.gpu_price("X1", "aws").value == 2.5


_BAD_GPU_PRICE = "on_demand: {value: 2.0, source: catalog, as_of: '2026-02', confidence: verified_catalog}"


@pytest.mark.parametrize("file, old, new, key_path, words", [
    ("gpus.yaml", "spot: {value: 1.0", "spot: {value: 3.0", "gpus.X1.prices.aws.spot", "above on-demand"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: -2.0, source: c, as_of: '2026', confidence: verified_catalog}",
     "gpus.X1.prices.aws.on_demand.value", "above 0"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: .nan, source: c, as_of: '2026', confidence: verified_catalog}",
     "gpus.X1.prices.aws.on_demand.value", "finite"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: 2.0, as_of: '2026', confidence: verified_catalog}",
     "gpus.X1.prices.aws.on_demand.source", "missing source"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: 2.0, source: c, confidence: verified_catalog}",
     "gpus.X1.prices.aws.on_demand.as_of", "missing as_of"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: 2.0, source: c, as_of: '2026', confidence: sure}",
     "gpus.X1.prices.aws.on_demand.confidence", "expected one of"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: null, source: c, as_of: n/a}",
     "gpus.X1.prices.aws.on_demand", "gap: <why>"),
    ("gpus.yaml", _BAD_GPU_PRICE, "on_demand: {value: 2.0, prize: 1, source: c, as_of: '2026', confidence: derived}",
     "gpus.X1.prices.aws.on_demand", "unknown field"),
    ("gpus.yaml", "aws:\n        on_demand", "gcp:\n        on_demand", "gpus.X1.prices.gcp", "unknown provider"),
    ("storage.yaml", "{upto: 10, price: 0.5}, {upto: null", "{upto: null, price: 0.5}, {upto: null",
     "storage.aws.standard.tiers[0].upto", "last tier"),
])
def test_broken_entry_names_file_and_key_path(tmp_path, file, old, new, key_path, words):
    text = textwrap.dedent(MINIMAL[file])
    assert old in text
    write_catalog(tmp_path, **{file: text.replace(old, new, 1)})
    with pytest.raises(CatalogError) as err:
        Catalog.load(tmp_path)
    problems = err.value.problems
    assert any(p.file and p.file.endswith(file) and p.key_path == key_path and words in p.message
               for p in problems), [str(p) for p in problems]


def test_invalid_yaml_names_file_and_line(tmp_path):
    write_catalog(tmp_path, **{"egress.yaml": "standard_kinds: [internet\negress: {}\n"})
    with pytest.raises(CatalogError) as err:
        Catalog.load(tmp_path)
    p = err.value.problems[0]
    assert p.file.endswith("egress.yaml") and p.line is not None
    assert "egress.yaml" in str(err.value) and "not valid YAML" in str(err.value)


def test_missing_file_is_named(tmp_path):
    write_catalog(tmp_path)
    (tmp_path / "levers.yaml").unlink()
    with pytest.raises(CatalogError, match=r"levers\.yaml.*missing"):
        Catalog.load(tmp_path)
