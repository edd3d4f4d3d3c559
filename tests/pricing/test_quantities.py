"""Quantities as users write them: numbers, suffixes, underscores, percentages."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.errors import QuantityError
from pricing.quantities import TINY, format_share, parse_number, parse_share


@pytest.mark.parametrize("text, expected", [
    (120, 120.0), (2.5, 2.5), ("2.5e6", 2.5e6), ("2e6", 2e6), ("2_000_000", 2e6), ("2M", 2e6),
    ("7B", 7e9), ("1.5k", 1500.0), ("3T", 3e12), ("0.5 M", 5e5), (" 42 ", 42.0), ("$1.5k", 1500.0),
    (".5", 0.5), ("1E3", 1000.0), ("60k", 60_000.0),
])
def test_numbers(text, expected):
    assert parse_number(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text, expected", [
    ("35%", 0.35), (0.35, 0.35), ("0.35", 0.35), ("100%", 1.0), (0, 0.0), ("0%", 0.0), ("12.5%", 0.125), (1, 1.0),
])
def test_shares(text, expected):
    assert parse_share(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("bad", ["abc", "2MM", "1__0", "_1", "1_", "nan", "inf", "-inf", "1e400", "", "M", "5%k",
                                 None, True, [1], {"a": 1}, "1.2.3", "--1"])
def test_bad_numbers_say_what_is_expected(bad):
    with pytest.raises(QuantityError) as exc:
        parse_number(bad)
    assert "expected" in str(exc.value)


@pytest.mark.parametrize("bad, needle", [("-3", "at least 0"), (-0.5, "at least 0"), ("35%", "not a percentage")])
def test_number_limits(bad, needle):
    with pytest.raises(QuantityError, match=needle):
        parse_number(bad)


def test_zero_and_integer_rules():
    with pytest.raises(QuantityError, match="above 0"):
        parse_number(0, allow_zero=False)
    with pytest.raises(QuantityError, match="whole number"):
        parse_number("2.5", integer=True)
    assert parse_number("8", integer=True) == 8


@pytest.mark.parametrize("bad, needle", [("135%", "at most 100%"), (35, "did you mean 35%"), ("-5%", "at least 0%"),
                                         (1.5, "did you mean 1.5%")])
def test_share_limits(bad, needle):
    with pytest.raises(QuantityError, match=needle):
        parse_share(bad)


finite = st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or x >= TINY)  # a non-zero value below TINY is refused (test_tiny_values_are_refused)


@given(finite)
def test_plain_repr_round_trips(x):
    assert parse_number(repr(x)) == x
    assert parse_number(x) == x


@given(st.integers(min_value=0, max_value=10**12))
def test_underscores_and_suffixes(n):
    grouped = f"{n:_}"
    assert parse_number(grouped) == n
    for suffix, mult in (("k", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12)):
        assert parse_number(f"{n}{suffix}") == n * mult


@given(st.floats(min_value=0, max_value=1, allow_nan=False).filter(lambda x: x == 0 or x >= TINY))
def test_share_format_round_trips_exactly(x):
    assert parse_share(format_share(x)) == x


@given(st.text(max_size=20))
@settings(max_examples=300)
def test_any_text_is_a_number_or_a_clear_error(text):
    try:
        value = parse_number(text)
    except QuantityError as exc:
        assert "expected" in str(exc) or "cannot" in str(exc)
    else:
        assert math.isfinite(value) and value >= 0


@pytest.mark.parametrize("text", ["1e-320", "5e-324", "1e-10", "-1e-12", 1e-300])
def test_tiny_values_are_refused(text):
    """A denormal such as 1e-320 divides into infinity (issue 17): below TINY (1e-9) only 0 is a value."""
    with pytest.raises(QuantityError, match=r"expected 0 or a number of at least 1e-09"):
        parse_number(text, minimum=None)
    with pytest.raises(QuantityError, match=r"expected 0% or a share of at least 1e-07%"):
        parse_share(abs(float(text)))
    assert parse_number("1e-9") == TINY and parse_number(0) == 0.0


@pytest.mark.parametrize("value, message", [
    (10 ** 400, "found a whole number of 401 digits, expected a number of at most 240"),
    (int("1" + "0" * 400, 16), "found a whole number of 482 digits, expected a number of at most 240"),
    # too long to be a number the reader would read: quoted back cut short, as any refused text
    ("1" * 5000, "found '" + "1" * 58 + "\u2026 (5,000 characters), expected a number such as 120, 2.5e6, "
                 "2_000_000 or 2M (suffixes k, M, B, T)"),
    (-(10 ** 400), "found a whole number of 401 digits, expected a number of at least 1"),
    (float("inf"), "found inf, expected a finite number"),
])
def test_numbers_past_the_float_range_are_refused_in_one_short_line(value, message):
    """Integers past the float range raised OverflowError (a traceback, issue 17); a 5,000-digit value is not quoted
    back whole."""
    with pytest.raises(QuantityError) as err:
        parse_number(value, minimum=1, maximum=240, integer=True)
    assert err.value.problems[0].message == message
