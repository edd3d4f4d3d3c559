"""Units as billed (issue 15, items 6 and 10): data sizes with units, binary GB, and volume tiers and free allowances
applied per provider account across lines, by hand against the catalog's own tiers."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from pricing import engine, fields, uncertainty
from pricing.catalog import Catalog
from pricing.errors import PlanError
from pricing.load import loads_checked
from pricing.quantities import parse_data_size

HEAD = """\
format: aicost-plan/1
name: Units
start: 2027-01
months: 3
provider: aws
"""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def project(body: str, catalog: Catalog):
    plan = loads_checked(HEAD + textwrap.dedent(body), file="t.yaml", catalog=catalog)
    return plan, engine.project(plan, catalog)


def by_name(proj):
    return {li.name: li for li in proj.line_items}


# -- sizes with units ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, tb", [
    ("800 GB", 0.8),                  # 800 x 10^9 bytes = 0.8 x 10^12
    ("10 TiB", 10.99511627776),       # 10 x 2^40 bytes = 10,995,116,277,760 bytes
    ("2 PB", 2000.0),                 # 2 x 10^15 bytes
    ("1_000 GiB", 1.073741824),       # 1000 x 2^30 bytes
    ("3 TB/month", 3.0),
    ("40", 40.0), (40, 40.0),         # a bare number stays decimal TB
])
def test_sizes_with_a_unit_are_converted_to_the_fields_decimal_tb(text, tb):
    assert fields.field("data.storage", "size_tb").read(text) == pytest.approx(tb, rel=1e-15)
    assert fields.field("data.egress", "tb_per_month").read(text) == pytest.approx(tb, rel=1e-15)


@pytest.mark.parametrize("text, message", [
    ("2 ZB", "expected a size such as 800 GB"),
    ("ten TB", "expected a size such as 800 GB"),
    ("-1 TB", "at least 0 TB"),
    ("2 EB", "at most 1M TB"),     # 2,000,000 TB: past the field's limit of an exabyte
])
def test_a_bad_size_says_what_is_expected(text, message):
    with pytest.raises(PlanError, match=message):
        fields.field("data.storage", "size_tb").read(text)


def test_a_size_in_the_plan_file_reports_file_line_and_key_path(catalog):
    from pricing.errors import PlanFileError
    with pytest.raises(PlanFileError) as err:
        loads_checked(HEAD + "data:\n  storage:\n    - {name: S, size_tb: 12 parsecs}\n", file="p.yaml",
                      catalog=catalog)
    (problem,) = err.value.problems
    assert (problem.file, problem.line, problem.key_path) == ("p.yaml", 8, "data.storage[0].size_tb")


def test_one_parser_for_the_file_and_the_editor():
    assert parse_data_size("10 TiB", unit_bytes=1e12) == fields.field("data.storage", "size_tb").read("10 TiB")


# -- binary GB -----------------------------------------------------------------------------------------------------


def test_storage_is_billed_per_binary_gb(catalog):
    _, proj = project("""\
    data:
      storage:
        - {name: S, size_tb: 1, tier: infrequent}
    """, catalog)
    # 1 TB = 10^12 bytes = 10^12 / 2^30 = 931.3225746 billed GB (S3 counts 2^30 bytes a GB) x 0.0125 USD (Standard-IA)
    li = proj.line_items[0]
    assert li.monthly == pytest.approx(np.full(3, 1e12 / 2**30 * 0.0125))
    assert li.quantity("GB-months")[0] == pytest.approx(931.3225746154785)
    assert "gb_bytes.aws" in [s.key for s in li.sources]


# -- account-wide tiers ----------------------------------------------------------------------------------------------


def test_free_egress_is_once_per_account_and_shared_by_volume(catalog):
    _, proj = project("""\
    data:
      egress:
        - {name: A, tb_per_month: 60 GiB}
        - {name: B, tb_per_month: 140 GiB}
    """, catalog)
    lines = by_name(proj)
    # The account moves 60 + 140 = 200 GB: the first 100 GB free, 100 GB at 0.09 = 9.00 a month, shared 60:140.
    # (Per line it was A: 60 GB all free = 0, B: 40 GB paid = 3.60.)
    assert lines["A"].monthly == pytest.approx(np.full(3, 9.00 * 60 / 200))   # 2.70
    assert lines["B"].monthly == pytest.approx(np.full(3, 9.00 * 140 / 200))  # 6.30
    assert any("egress.aws.internet" in n and "B" in n for n in lines["A"].notes)


def test_storage_volume_tiers_count_the_accounts_data_together(catalog):
    _, proj = project("""\
    data:
      storage:
        - {name: A, size_tb: 30 TiB}
        - {name: B, size_tb: 30 TiB}
    """, catalog)
    lines = by_name(proj)
    # 60 TiB = 61,440 GB of S3 Standard: the first 51,200 GB (50 TB tier) at 0.023 = 1,177.60, the next 10,240 at
    # 0.022 = 225.28; 1,402.88 in all, half each = 701.44 (alone, each would pay 30,720 x 0.023 = 706.56)
    assert lines["A"].monthly == pytest.approx(np.full(3, 701.44))
    assert lines["B"].monthly == pytest.approx(np.full(3, 701.44))
    assert proj.total == pytest.approx(3 * 1402.88)


def test_lines_at_other_providers_or_kinds_do_not_share_tiers(catalog):
    _, proj = project("""\
    data:
      egress:
        - {name: A, tb_per_month: 60 GiB}
        - {name: Region, tb_per_month: 140 GiB, kind: inter_region}
    """, catalog)
    lines = by_name(proj)
    assert lines["A"].monthly == pytest.approx(np.zeros(3))                  # 60 GB: within the free 100
    assert lines["Region"].monthly == pytest.approx(np.full(3, 140 * 0.02))  # flat 0.02 between regions


def test_gcp_log_ingestion_has_its_free_50_gib_per_account(catalog):
    _, proj = project("""\
    mlops:
      - {name: App logs, kind: log_ingest_gb, quantity: 30, provider: gcp}
      - {name: Job logs, kind: log_ingest_gb, quantity: 40, provider: gcp}
    """, catalog)
    lines = by_name(proj)
    # 70 GiB ingested: 50 free per billing account, 20 at 0.50 = 10.00 a month, shared 30:40 (was 15 + 20 = 35)
    assert lines["App logs"].monthly == pytest.approx(np.full(3, 10.0 * 30 / 70))
    assert lines["Job logs"].monthly == pytest.approx(np.full(3, 10.0 * 40 / 70))


def test_gcp_logs_under_the_allowance_cost_nothing_and_say_why(catalog):
    _, proj = project("""\
    mlops:
      - {name: Logs, kind: log_ingest_gb, quantity: 45, provider: gcp}
    """, catalog)
    li = proj.line_items[0]
    assert li.monthly == pytest.approx(np.zeros(3))
    assert any("first 50 GB ingested a month are free per account" in n for n in li.notes)


def test_the_account_pass_is_idempotent(catalog):
    plan, proj = project("""\
    data:
      egress:
        - {name: A, tb_per_month: 60 GiB}
        - {name: B, tb_per_month: 140 GiB}
    """, catalog)
    again = engine.with_account_tiers(list(proj.line_items))
    for a, b in zip(proj.line_items, again):
        assert a.monthly == pytest.approx(b.monthly)
        assert a.notes == b.notes


def test_tornado_moves_the_whole_account_group(catalog):
    plan, proj = project("""\
    data:
      egress:
        - {name: A, tb_per_month: 60 GiB}
        - {name: B, tb_per_month: 140 GiB}
    """, catalog)
    t = uncertainty.tornado(plan, catalog)
    bar = next(b for b in t.bars if b.input.key_path == "data.egress[0].tb_per_month")
    # A +-20%: 48 or 72 GB; the account then moves 188 or 212 GB: paid 88 or 112 GB x 0.09 a month for 3 months
    assert bar.total_low == pytest.approx(3 * 88 * 0.09)
    assert bar.total_high == pytest.approx(3 * 112 * 0.09)


def test_monte_carlo_prices_each_sample_on_the_accounts_volume(catalog):
    plan, proj = project("""\
    data:
      egress:
        - {name: A, tb_per_month: {low: 50 GiB, likely: 60 GiB, high: 70 GiB}}
        - {name: B, tb_per_month: 140 GiB}
    """, catalog)
    mc = uncertainty.monte_carlo(plan, catalog, samples=4_000, distribution="uniform")
    # A ~ U(50, 70) GB: the account pays (A + 140 - 100) x 0.09 a month, linear in A: the median is at A = 60
    assert mc.total_p50 == pytest.approx(3 * 100 * 0.09, rel=0.01)
    assert mc.total_p10 == pytest.approx(3 * (52 + 40) * 0.09, rel=0.01)   # A's 10th percentile: 52 GB
