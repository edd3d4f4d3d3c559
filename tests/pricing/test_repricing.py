"""A saved plan reopened under a changed catalog: the difference, and Keep old prices / Reprice both right."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pricing import engine, planfile, repricing
from pricing.catalog import CATALOG_FILES, Catalog, default_directory
from pricing.load import loads_checked

PLAN = """\
format: aicost-plan/1
name: Reprice me
start: 2027-01
months: 2
provider: aws
compute:
  training:
    - {name: Fine-tune, gpu: H100-80GB, gpus: 8, hours: 100, month: 1}
people:
  - {name: Ops, hours_per_month: 10, hourly_rate: 100}
"""
OLD_H100 = 6.88
"""gpus.yaml: H100-80GB at aws, on_demand value (the figure the test catalog changes)."""


def catalog_copy(tmp_path, name, h100=None):
    d = tmp_path / name
    d.mkdir()
    for f in CATALOG_FILES:
        shutil.copy(default_directory() / f, d / f)
    if h100 is not None:
        text = (d / "gpus.yaml").read_text(encoding="utf-8")
        assert text.count(f"value: {OLD_H100}\n") == 1  # the aws on-demand row, and only it
        (d / "gpus.yaml").write_text(text.replace(f"value: {OLD_H100}\n", f"value: {h100}\n"), encoding="utf-8")
    return Catalog.load(d)


@pytest.fixture
def saved(tmp_path):
    """The plan saved with the shipped catalog's figures, and a catalog where the H100 costs 10% more."""
    old = catalog_copy(tmp_path, "old")
    new = catalog_copy(tmp_path, "new", h100=7.568)  # 6.88 x 1.10
    plan = repricing.stamped(loads_checked(PLAN, catalog=old), old)
    text = planfile.dumps(plan)
    return text, old, new


def test_a_save_records_what_the_plan_was_priced_with(saved):
    text, old, _ = saved
    assert "priced_with:" in text
    rec = planfile.loads(text).priced_with
    date, digest = repricing.catalog_identity(old)
    assert (rec.catalog, rec.catalog_hash) == (date, digest) and digest.startswith("sha256:")
    # Fine-tune 8 x 100 h x 6.88 = 5,504.00; Ops 10 h x 100 x 2 months = 2,000.00
    assert rec.total == 7504.00
    assert dict(rec.figures) == {"gpu.H100-80GB.aws.on_demand": OLD_H100}  # the people rate is the plan's own
    assert rec.genai_prices == "" and rec.fx_date == ""  # no API line, a USD plan


def test_reopened_under_a_changed_catalog_it_reports_the_difference(saved):
    text, _, new = saved
    plan = loads_checked(text, catalog=new)
    drift = repricing.check(plan, new)
    assert [(f.key, f.old, f.new) for f in drift.figures] == [("gpu.H100-80GB.aws.on_demand", 6.88, 7.568)]
    # old 7,504.00; new 8 x 100 x 7.568 + 2,000 = 8,054.40; +550.40 / 7,504 = +7.33%
    assert drift.old_total == pytest.approx(7504.0) and drift.new_total == pytest.approx(8054.4)
    assert drift.relative == pytest.approx(550.4 / 7504)
    assert drift.message().endswith("catalog; today's prices change the total by +7.3%")
    assert drift.message().startswith(f"priced with the {plan.priced_with.catalog[:7]} catalog")
    lines = {ln.key_path: (ln.old, ln.new) for ln in drift.lines}
    assert lines["compute.training[0]"] == pytest.approx((5504.0, 6054.4))
    assert lines["people[0]"] == pytest.approx((2000.0, 2000.0))
    details = drift.details("USD")
    assert "price gpu.H100-80GB.aws.on_demand: 6.88 -> 7.568 (+10.0%)" in details
    assert "line Fine-tune: $5,504.00 -> $6,054.40 (+550.40)" in details


def test_keep_old_prices_gives_the_old_total_in_the_file_and_reprice_the_new_one(saved):
    text, _, new = saved
    plan = loads_checked(text, catalog=new)
    drift = repricing.check(plan, new)
    kept = repricing.keep_old(plan, drift, new)
    assert dict(kept.prices) == {"gpu.H100-80GB.aws.on_demand": 6.88}  # explicit: the held figure in prices:
    assert engine.project(kept, new).total == pytest.approx(7504.0) == plan.priced_with.total
    again = loads_checked(planfile.dumps(kept), catalog=new)
    assert repricing.check(again, new) is None  # saved and reopened: nothing to ask any more
    assert engine.project(again, new).total == pytest.approx(7504.0)

    repriced = repricing.reprice(plan, new)
    assert repriced.prices == () and engine.project(repriced, new).total == pytest.approx(8054.4)
    assert dict(repriced.priced_with.figures) == {"gpu.H100-80GB.aws.on_demand": 7.568}
    assert repricing.check(loads_checked(planfile.dumps(repriced), catalog=new), new) is None


def test_the_same_prices_ask_nothing(saved):
    text, old, _ = saved
    assert repricing.check(loads_checked(text, catalog=old), old) is None
    assert repricing.check(loads_checked(PLAN, catalog=old), old) is None  # no record: nothing to compare


def test_a_dated_rate_that_moved_is_held_by_pinning_it(tmp_path):
    old = catalog_copy(tmp_path, "old")
    eur = PLAN.replace("provider: aws\n", "provider: aws\ncurrency: EUR\n")
    plan = repricing.stamped(loads_checked(eur, catalog=old), old)
    rec = plan.priced_with
    assert rec.fx_date == "2026-10-30" and rec.fx_rate == pytest.approx(1 / 1.1172)  # start 2027-01: newest row
    # pretend it was saved when the rate was 0.9 EUR per USD
    import dataclasses
    moved = dataclasses.replace(plan, priced_with=dataclasses.replace(rec, fx_rate=0.9, fx_date="2026-06-30"))
    drift = repricing.check(moved, old)
    assert drift.figures == () and drift.fx_change == (0.9, pytest.approx(1 / 1.1172))
    kept = repricing.keep_old(moved, drift, old)
    assert kept.fx_rate == 0.9  # pinned: 5,504 x 0.9 + 2,000 (own currency) = 6,953.60
    assert engine.project(kept, old).total == pytest.approx(5504 * 0.9 + 2000)


def test_validate_and_report_say_so(saved, tmp_path):
    text, _, new = saved
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    # the command line uses the installed catalog: install the changed one for these runs
    from pricing import price_update
    import os
    env = dict(os.environ, AICOST_DATA_DIR=str(tmp_path / "data"))
    os.environ["AICOST_DATA_DIR"], saved_env = str(tmp_path / "data"), os.environ["AICOST_DATA_DIR"]
    try:
        price_update.install(price_update.inspect(new.directory))
    finally:
        os.environ["AICOST_DATA_DIR"] = saved_env
    run = lambda *a: subprocess.run([sys.executable, "-m", "gui", *a], capture_output=True, text=True, env=env)  # noqa: E731
    v = run("validate", str(f))
    assert v.returncode == 0 and "ok" in v.stdout
    assert "today's prices change the total by +7.3%" in v.stderr
    assert "price gpu.H100-80GB.aws.on_demand: 6.88 -> 7.568 (+10.0%)" in v.stderr
    r = run("report", str(f))
    assert r.returncode == 0 and "+7.3%" in r.stderr and "$8,054.40" in r.stdout
