"""Display precision, apart from calculation: amounts rounded once to whole cents, and money as text.

The engine computes in float64; everything shown or exported is rounded here, half-even to the
cent, and every displayed total is a sum of displayed parts. Pure functions of numbers: no other
module of ``pricing`` is needed but the currency table (symbols, decimals), so analyses (a scenario's split
in cents) and presentation share them.

Amounts are held in cents whatever the currency; a currency without minor units (JPY, KRW:
``currencies.decimals`` is 0) is rounded to whole units, so its cents are multiples of 100 and
every amount shown without decimals is exact (the shown parts still add up to the shown total).
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from pricing import currencies
from pricing.errors import PlanError

if TYPE_CHECKING:
    from pricing.engine import Projection

MAX_EXACT = 2.0 ** 53 / 100
"""Largest amount (9.0e13) whose cents a float64 holds exactly: every amount rounded to cents is at most this (a
plan is refused well below it: ``engine.MAX_AMOUNT``). Past it cents would be guessed, and past 9.2e16 their int64
would wrap into a negative total (issue 17: -$9.3e15 shown with exit 0)."""


class AmountError(PlanError):
    """An amount too big to show to the cent, or not a number: refused rather than shown wrong."""


def to_cents(values: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """Amounts rounded half-even to the currency's minor unit, as whole cents (int64), from their shortest
    decimal form. ``decimals`` is the currency's (``currencies.decimals``): 2 rounds to the cent, 0 to whole
    units (the cents are then multiples of 100).

    Rounding happens here only, at presentation; every total shown is a sum of these cents,
    so a displayed total always equals the sum of its displayed parts.
    """
    if decimals not in (0, 1, 2):
        raise ValueError(f"decimals must be 0, 1 or 2, not {decimals!r}")
    unit = 10 ** (2 - decimals)  # cents per minor unit
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.size and not (np.abs(arr) <= MAX_EXACT).all():  # also catches NaN and infinities
        bad = float(arr.flat[int(np.argmax(~(np.abs(arr) <= MAX_EXACT)))])
        raise AmountError(f"an amount of {bad:.3g} is more than the product can show to the cent (at most "
                          f"{MAX_EXACT:.2g}); check the plan's largest lines")
    scaled = arr * (10.0 ** decimals)
    out = np.rint(scaled).astype(np.int64)       # numpy's rint is half-even too
    # Only values within a hair of a half unit can differ from rounding their decimal form
    # (x * 100 is inexact in binary): settle those with Decimal. x * 100 is off by at most half an
    # ulp (2^-53 relative) and the shortest decimal form of x by another, so a result can differ
    # only within ~2.3e-16 x |scaled| of the half: 1e-12 x |scaled| covers that 4,000 times over
    # (the former 1e-6 sent every amount over $10k down the slow Decimal path: 50 ms for a
    # 1,000-line plan's cells instead of 1).
    frac = np.abs(scaled - np.floor(scaled) - 0.5)
    near = np.nonzero(frac < 1e-12 * np.maximum(1.0, np.abs(scaled)))
    if near[0].size:
        quantum = Decimal(1).scaleb(-decimals)
        for idx in zip(*near):
            x = float(arr[idx])
            out[idx] = int(Decimal(repr(x)).quantize(quantum, rounding=ROUND_HALF_EVEN).scaleb(decimals))
    return out * unit if unit != 1 else out


def cents_to_float(c: np.ndarray | int) -> Any:
    if isinstance(c, np.ndarray):
        return [int(x) / 100 for x in c.tolist()]
    return int(c) / 100


def money(amount: float, currency: str = "USD", *, compact: bool = False) -> str:
    """``$1,234.56`` (``¥1,235``: as many decimals as the currency has) or, compact, ``$1.23k`` / ``$4.5M``
    (for headlines). Symbols and decimals come from ``pricing.currencies``."""
    cur = currencies.known(currency)
    sym, places = cur.symbol, cur.decimals
    sign = "-" if amount < 0 else ""
    a = abs(amount)
    if compact:
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                return f"{sign}{sym}{a / div:.3g}{suffix}"
        return f"{sign}{sym}{a:,.0f}" if a >= 100 else f"{sign}{sym}{a:,.{places}f}"
    return f"{sign}{sym}{a:,.{places}f}"


def rounded_matrix(proj: Projection) -> np.ndarray:
    """Line items x months in cents, rounded to the minor unit of the projection's currency."""
    if not len(proj.line_items):
        return np.zeros((0, len(proj.months)), dtype=np.int64)
    return to_cents(proj.matrix, currencies.decimals(proj.currency))


def largest_remainder(values: np.ndarray, target: int) -> np.ndarray:
    """Whole numbers near ``values`` that sum to ``target`` (largest-remainder / Hamilton method).

    The exact values need not sum to ``target`` (the shown saving is a difference of rounded
    sums): the gap is first spread over the values in proportion to their size, so a part that
    is exactly zero (or whole) is not charged for rounding it did not cause. Then each value is
    floored and the units left go to the largest fractional parts (ties to the first).
    """
    values = np.asarray(values, dtype=float)
    k = len(values)
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    gap = target - values.sum()
    if gap:
        weight = np.abs(values)
        total = weight.sum()
        values = values + gap * (weight / total if total > 0 else np.full(k, 1.0 / k))
    floors = np.floor(values + 1e-9)
    rest = values - floors
    left = int(round(target - floors.sum()))
    out = floors.astype(np.int64)
    order = sorted(range(k), key=lambda j: (-round(float(rest[j]), 9), j))  # ties (to float noise) go first-come
    step = 1 if left >= 0 else -1
    if step < 0:
        order = order[::-1]
    for n in range(abs(left)):
        out[order[n % k]] += step
    return out
