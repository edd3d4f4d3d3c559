"""Tests of the catalog diff (added, removed, changed with dates), bundles (folder or .zip) and repricing a plan."""
from __future__ import annotations

import json
import textwrap
import zipfile

import pytest

from gui import cli
from pricing import catalog_diff
from pricing.load import loads_checked
from pricing.catalog import Catalog
from pricing.errors import CatalogError

BASE = {
    "gpus.yaml": """\
        providers:
          aws: {name: AWS, pricing: [on_demand, spot, reserved]}
        gpus:
          X1:
            name: Test GPU
            specs: {bf16_dense_tflops: 100, memory_gb: 10, source: datasheet, as_of: '2026-01',
                    confidence: verified_primary}
            prices:
              aws:
                on_demand: {value: 2.0, source: page A, as_of: '2026-02', confidence: verified_primary}
                spot: {value: 1.0, source: page A, as_of: '2026-02', confidence: verified_primary}
        """,
    "storage.yaml": """\
        standard_tiers: [standard]
        billing_units:  # decimal GB keeps the hand arithmetic (the real catalog: 2^30 bytes)
          aws: {value: 1000000000, source: test catalog, as_of: '2026', confidence: verified_primary}
        storage:
          aws:
            standard: {name: S3, value: 0.02, source: s3 page, as_of: '2026', confidence: verified_primary}
        """,
    "egress.yaml": "standard_kinds: [internet]\negress: {}\n",
    "platforms.yaml": "platforms: {}\n",
    "annotation.yaml": "tasks: {}\n",
    "mlops.yaml": "mlops: {}\n",
    "levers.yaml": "levers: {}\n",
}

# The new bundle: on-demand 2.0 -> 2.5 re-dated, spot removed, storage re-dated only, a cold tier added.
NEW_GPUS = BASE["gpus.yaml"].replace(
    "on_demand: {value: 2.0, source: page A, as_of: '2026-02', confidence: verified_primary}\n"
    "                spot: {value: 1.0, source: page A, as_of: '2026-02', confidence: verified_primary}\n",
    "on_demand: {value: 2.5, source: page B, as_of: '2026-11-16', confidence: verified_primary}\n")
NEW_STORAGE = """\
    standard_tiers: [standard, cold]
    billing_units:  # decimal GB keeps the hand arithmetic (the real catalog: 2^30 bytes)
      aws: {value: 1000000000, source: test catalog, as_of: '2026', confidence: verified_primary}
    storage:
      aws:
        standard: {name: S3, value: 0.02, source: s3 page, as_of: '2026-10', confidence: verified_primary}
        cold: {name: Glacier IR, value: 0.004, source: s3 page, as_of: '2026-10', confidence: verified_primary}
    """

PLAN = """\
    format: aicost-plan/1
    name: Small
    start: 2027-01
    months: 2
    provider: aws
    compute:
      training:
        - {name: Train, gpu: X1, gpus: 4, hours: 10, month: 1}
    data:
      storage:
        - {name: Dataset, size_tb: 2, tier: standard}
"""


def _write(d, files):
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return d


@pytest.fixture()
def cats(tmp_path):
    old = _write(tmp_path / "old", BASE)
    new = _write(tmp_path / "new", {**BASE, "gpus.yaml": NEW_GPUS, "storage.yaml": NEW_STORAGE})
    return old, new


def test_diff_lists_added_removed_and_changed_with_dates(cats):
    old, new = (Catalog.load(d) for d in cats)
    d = catalog_diff.diff(old, new)
    kinds = {c.key: c.kind for c in d.changes}
    assert kinds == {"gpu.X1.aws.on_demand": "changed", "gpu.X1.aws.spot": "removed",
                     "storage.aws.standard": "changed", "storage.aws.cold": "added"}
    od = next(c for c in d.changes if c.key == "gpu.X1.aws.on_demand")
    assert od.what == ("value", "as_of", "source")
    assert od.relative == pytest.approx(0.25)  # 2.5 / 2.0 - 1
    assert od.new.source.as_of == "2026-11-16"
    st = next(c for c in d.changes if c.key == "storage.aws.standard")
    assert st.what == ("as_of",) and st.relative == 0.0  # re-dated only: same price
    assert catalog_diff.diff(old, old).empty


def test_a_zip_bundle_loads_from_a_folder_inside_it_and_never_writes_member_paths(cats, tmp_path):
    _, new = cats
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for f in new.iterdir():
            zf.write(f, f"catalog-2026-12/{f.name}")
        zf.writestr("../../evil.txt", "not a catalog file: ignored")
    with catalog_diff.opened(bundle) as cat:
        assert cat.gpu_price("X1", "aws").value == 2.5
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_bundle_missing_files_or_not_a_zip_is_a_clear_error(tmp_path):
    partial = tmp_path / "partial.zip"
    with zipfile.ZipFile(partial, "w") as zf:
        zf.writestr("gpus.yaml", textwrap.dedent(BASE["gpus.yaml"]))
    with pytest.raises(CatalogError, match="lacks storage.yaml, egress.yaml"), catalog_diff.opened(partial):
        pass
    text = tmp_path / "plan.yaml"
    text.write_text("name: x\n")
    with pytest.raises(CatalogError, match="expected a catalog folder or a .zip"), catalog_diff.opened(text):
        pass


def test_reprice_moves_each_line_by_hand(cats):
    old, new = (Catalog.load(d) for d in cats)
    plan = loads_checked(textwrap.dedent(PLAN), catalog=old)
    rp = catalog_diff.reprice(plan, old, new)
    train = next(x for x in rp.lines if x.key_path == "compute.training[0]")
    # 4 GPUs x 10 h = 40 GPU-hours: 40 x 2.0 = 80 -> 40 x 2.5 = 100
    assert (train.old, train.new, train.delta) == pytest.approx((80.0, 100.0, 20.0))
    data = next(x for x in rp.lines if x.key_path == "data.storage[0]")
    # 2 TB = 2,000 GB x 0.02 x 2 months = 80 with both catalogs
    assert (data.old, data.new) == pytest.approx((80.0, 80.0))
    assert rp.old_total == pytest.approx(160.0) and rp.new_total == pytest.approx(180.0)
    assert rp.relative == pytest.approx(180 / 160 - 1) and rp.gaps == 0


def test_reprice_shows_a_line_the_new_catalog_cannot_price_as_a_gap(cats):
    old, new = (Catalog.load(d) for d in cats)
    spot = textwrap.dedent(PLAN).replace("month: 1}", "month: 1, pricing: spot}")
    plan = loads_checked(spot, catalog=old)
    rp = catalog_diff.reprice(plan, old, new)
    train = next(x for x in rp.lines if x.key_path == "compute.training[0]")
    assert train.old == pytest.approx(40.0) and train.new is None  # 40 GPU-hours x 1.0 spot, then no spot price
    assert "gpu.X1.aws.spot" in train.new_gap and rp.gaps == 1
    assert rp.relative == pytest.approx(0.0)  # over the lines both price: storage 80 -> 80


def test_cli_prices_diff_json_against_the_shipped_catalog(tmp_path, capsys):
    from pricing.catalog import default_directory
    bundle = tmp_path / "cat"
    bundle.mkdir()
    for f in default_directory().glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "gpus.yaml":
            assert "          value: 6.88\n" in text
            text = text.replace("          value: 6.88\n", "          value: 7.224\n", 1)  # H100 at aws, +5%
        (bundle / f.name).write_text(text, encoding="utf-8")
    assert cli.main(["prices", "diff", "--from", str(bundle), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["key"] for c in doc["changes"]] == ["gpu.H100-80GB.aws.on_demand"]
    c = doc["changes"][0]
    assert c["kind"] == "changed" and c["old"]["value"] == 6.88 and c["new"]["value"] == 7.224
    assert c["relative"] == pytest.approx(0.05)
    assert cli.main(["prices", "diff", "--from", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
