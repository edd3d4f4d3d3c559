"""Tests of the currency table and the dated ECB reference rates (pricing/fx.py)."""
from __future__ import annotations

import datetime
import textwrap

import numpy as np
import pytest

from pricing import fx
from pricing.errors import PlanError, UnknownNameError

D = datetime.date


@pytest.fixture(scope="module")
def table() -> fx.RateTable:
    return fx.RateTable.load()


def _write(tmp_path, body: str):
    path = tmp_path / "rates.csv"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


SMALL = """
    # source: test rates
    Date,USD,GBP,JPY
    2026-03-03,1.25,0.80,N/A
    2026-03-02,1.20,0.84,180
    2026-01-15,1.00,0.90,150
    2025-12-31,1.10,0.77,165
"""


# ---------------------------------------------------------------------------------------------
# The shipped snapshot: rates checked against the ECB rows of the file, computed by hand
# ---------------------------------------------------------------------------------------------


def test_snapshot_is_dated_sourced_and_covers_the_main_currencies(table):
    assert table.last == D(2026, 10, 30) and table.first == D(2025, 11, 3)
    assert "ECB" in table.source and "2026-10-30" in table.source
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "INR", "CNY", "CAD", "AUD"} <= set(table.currencies)
    assert len(table.dates) > 240  # a year of TARGET business days


def test_eur_rate_is_one_over_the_usd_reference_rate(table):
    # ECB 2026-10-30: 1 EUR = 1.1172 USD  ->  1 USD = 1 / 1.1172 = 0.895094880... EUR
    r = table.rate("EUR", D(2026, 10, 30))
    assert r.per_usd == pytest.approx(1 / 1.1172)
    assert r.date == D(2026, 10, 30) and not r.pinned
    assert "ECB" in r.source


def test_cross_rate_goes_through_the_euro(table):
    # ECB 2026-10-29: 1 EUR = 1.113 USD = 0.83578 GBP  ->  1 USD = 0.83578 / 1.113 = 0.750925... GBP
    r = table.rate("GBP", D(2026, 10, 29))
    assert r.per_usd == pytest.approx(0.83578 / 1.113)
    assert "GBP per EUR / USD per EUR" in r.source


def test_a_weekend_uses_the_last_rate_published_before_it(table):
    # 2026-10-31 is a Saturday: the Friday 2026-10-30 fixing applies (JPY 175.68 / USD 1.1172 = 157.2503)
    r = table.rate("JPY", D(2026, 10, 31))
    assert r.date == D(2026, 10, 30)
    assert r.per_usd == pytest.approx(175.68 / 1.1172)


def test_a_date_after_the_snapshot_gets_its_newest_rate_and_says_which_day(table):
    r = table.rate("EUR", D(2027, 6, 1))
    assert r.date == table.last  # the caller shows how old the rate is


def test_convert_works_on_arrays_and_returns_the_rate(table):
    amounts, rate = table.convert(np.array([100.0, 250.0]), "EUR", D(2026, 10, 30))
    np.testing.assert_allclose(amounts, [100 / 1.1172, 250 / 1.1172])
    assert rate.date == D(2026, 10, 30)


def test_usd_converts_at_one(table):
    r = table.rate("usd")
    assert r.per_usd == 1.0 and r.date is None


# ---------------------------------------------------------------------------------------------
# Pinned rates, ranges, errors (small inline snapshots)
# ---------------------------------------------------------------------------------------------


def test_a_plan_rate_is_pinned_when_the_plan_gives_fx_rate(tmp_path):
    t = fx.RateTable.load(_write(tmp_path, SMALL))
    assert fx.plan_rate("GBP", 0.79, table=t) == fx.FxRate("GBP", 0.79, None, "plan fx_rate (pinned by the plan)", True)
    # without fx_rate: the reference rate of the day (2026-03-02: 0.84 / 1.20 = 0.70)
    r = fx.plan_rate("GBP", None, D(2026, 3, 2), table=t)
    assert r.per_usd == pytest.approx(0.70) and r.date == D(2026, 3, 2) and r.source.startswith("test rates")


def test_a_pinned_rate_may_use_a_currency_outside_the_table():
    assert fx.plan_rate("THB", 33.0).per_usd == 33.0


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "0.9", True])
def test_a_bad_pinned_rate_is_refused_at_fx_rate(bad):
    with pytest.raises(PlanError) as err:
        fx.pinned("EUR", bad)
    assert err.value.problems[0].key_path == "fx_rate"


def test_a_day_the_currency_was_not_fixed_falls_back_to_the_day_before(tmp_path):
    t = fx.RateTable.load(_write(tmp_path, SMALL))
    r = t.rate("JPY", D(2026, 3, 3))  # JPY N/A on 2026-03-03: 2026-03-02 applies, 180 / 1.20 = 150
    assert r.date == D(2026, 3, 2) and r.per_usd == pytest.approx(150.0)


def test_rate_range_spans_the_window_and_takes_the_end_rate_as_likely(tmp_path):
    t = fx.RateTable.load(_write(tmp_path, SMALL))
    # window of 2 months before 2026-03-03: days after 2026-01-03 -> 2026-01-15, 03-02, 03-03
    # GBP per USD: 0.90/1.00 = 0.90, 0.84/1.20 = 0.70, 0.80/1.25 = 0.64
    rng = t.rate_range("GBP", D(2026, 3, 3), months=2)
    assert (rng.low, rng.likely, rng.high) == pytest.approx((0.64, 0.64, 0.90))
    assert (rng.start, rng.end, rng.observations) == (D(2026, 1, 15), D(2026, 3, 3), 3)
    # 3 months reaches back to 2025-12-31 too: 0.77 / 1.10 = 0.70 (inside the range already)
    assert t.rate_range("GBP", D(2026, 3, 3), months=3).observations == 4


def test_a_date_before_the_snapshot_is_a_clear_error(tmp_path):
    t = fx.RateTable.load(_write(tmp_path, SMALL))
    with pytest.raises(fx.FxError, match="on or before 2025-01-01.*covers 2025-12-31 to 2026-03-03.*fx_rate"):
        t.rate("GBP", D(2025, 1, 1))


def test_a_currency_missing_from_the_snapshot_says_which_it_has(tmp_path):
    t = fx.RateTable.load(_write(tmp_path, SMALL))
    with pytest.raises(fx.FxError, match="no ECB reference rate for CHF.*USD, EUR, GBP, JPY"):
        t.rate("CHF")
    with pytest.raises(UnknownNameError, match="unknown currency 'EUX'.*EUR"):
        t.rate("EUX")


@pytest.mark.parametrize("body, line, message", [
    ("Date,USD\n2026-01-02,abc\n", 2, "expected a rate above 0"),
    ("Date,USD\n2026-13-02,1.1\n", 2, "expected a date YYYY-MM-DD"),
    ("Date,USD,GBP\n2026-01-02,1.1\n", 2, "expected 3"),
    ("When,USD\n2026-01-02,1.1\n", 1, "expected a header line"),
])
def test_a_broken_snapshot_names_file_and_line(tmp_path, body, line, message):
    path = tmp_path / "broken.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(fx.FxError) as err:
        fx.RateTable.load(path)
    p = err.value.problems[0]
    assert p.line == line and p.file == str(path.resolve()) and message in p.message


# ---------------------------------------------------------------------------------------------
# The currency table
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code, symbol, decimals", [("USD", "$", 2), ("EUR", "€", 2), ("GBP", "£", 2),
                                                    ("JPY", "¥", 0), ("INR", "₹", 2), ("KRW", "₩", 0)])
def test_currency_table(code, symbol, decimals):
    c = fx.currency(code.lower())
    assert (c.code, c.symbol, c.decimals) == (code, symbol, decimals) and c.name


def test_every_snapshot_currency_is_in_the_table(table):
    assert set(table.currencies) <= set(fx.CURRENCIES)
