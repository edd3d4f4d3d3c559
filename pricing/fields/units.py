"""Units of plan fields: what a number is (display text) and its dimension, so values convert and take typed units."""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from pricing.currencies import SIGNS


class Dimension(Enum):
    """What kind of quantity a unit measures (a field's value is in its unit, a multiple of the base)."""

    COUNT = "count"          # things counted (base: one thing; GPUs and items are different things)
    MONEY = "money"          # an amount of a currency (base: one unit of it; the plan's currency and USD differ)
    TIME = "time"            # a duration (base: the hour)
    DATA = "data"            # a data size (base: the byte)
    TOKENS = "tokens"        # model tokens (base: one token)
    SHARE = "share"          # a fraction of a whole (base: 1 = 100%; stored as 0.35, shown as 35%)
    FACTOR = "factor"        # a dimensionless multiplier (1.6 = 60% more)
    MONTH = "month"          # a month of the plan's calendar: a position (month 3), not a duration


@dataclass(frozen=True, slots=True)
class Term:
    """One factor of a unit: ``TB``, ``month``, ``GPU``."""

    symbol: str
    """As shown: ``TB``, ``h``, ``GPU``."""
    dimension: Dimension
    scale: float = 1.0
    """Size in the dimension's base unit (TB = 1e12 bytes, week = 168 hours)."""
    thing: str = ""
    """What is counted or paid (``gpu``, ``item``; ``cur`` for the plan's currency): terms of one dimension
    convert into each other only when they count the same thing."""

    def converts_to(self, other: "Term") -> bool:
        return self.dimension is other.dimension and self.thing == other.thing


@dataclass(frozen=True, slots=True)
class Unit:
    """A field's unit: ``of`` per each of ``per`` (``TB/month`` is TB per month), with the text users read."""

    text: str
    """As shown beside a value; ``{cur}`` stands for the plan's currency (``{cur}/h`` -> ``EUR/h``)."""
    of: Term
    per: tuple[Term, ...] = ()

    @property
    def dimension(self) -> Dimension:
        """The dimension of what is measured (the numerator): DATA for ``TB/month``."""
        return self.of.dimension

    @property
    def is_rate(self) -> bool:
        """True for a quantity per something (``TB/month``, ``{cur}/h``, ``tokens/request``)."""
        return bool(self.per)

    def display(self, currency: str = "USD") -> str:
        return self.text.replace("{cur}", currency)

    def factor_to(self, other: "Unit") -> float:
        """What a value in this unit is multiplied by to be in ``other`` (``GB/month`` -> ``TB/month``: 0.001).

        Raises ValueError when the two don't measure the same thing (TB and hours, GPUs and items,
        the plan's currency and USD)."""
        pairs = zip(sorted(self.per, key=_order), sorted(other.per, key=_order))
        if not self.of.converts_to(other.of) or len(self.per) != len(other.per) \
                or not all(a.converts_to(b) for a, b in pairs):
            raise ValueError(f"{self.text} cannot be converted to {other.text}")
        return (self.of.scale / other.of.scale) * math.prod(t.scale for t in other.per) / math.prod(
            t.scale for t in self.per)


def _order(t: Term) -> tuple[str, str]:
    return t.dimension.value, t.thing


# Terms ------------------------------------------------------------------------------------------
SECOND = Term("s", Dimension.TIME, 1 / 3600)
HOUR = Term("h", Dimension.TIME, 1.0)
DAY = Term("day", Dimension.TIME, 24.0)
WEEK = Term("week", Dimension.TIME, 168.0)
MONTH = Term("month", Dimension.TIME, 730.0)
"""A month as a duration: 730 hours, the engine's month (pricing.context.HOURS_PER_MONTH, which sits above
this layer; a test keeps the two equal)."""
PLAN_MONTH = Term("plan month", Dimension.MONTH)
GB = Term("GB", Dimension.DATA, 1e9)
TB = Term("TB", Dimension.DATA, 1e12)
"""Decimal terabytes (1 TB = 1,000 GB), as plan files have always meant ``size_tb``."""
TOKEN = Term("token", Dimension.TOKENS)
CUR = Term("{cur}", Dimension.MONEY, thing="cur")
"""The plan's currency."""
USD = Term("USD", Dimension.MONEY, thing="usd")
SHARE_TERM = Term("%", Dimension.SHARE)
TIMES = Term("x", Dimension.FACTOR)


def count(symbol: str, thing: str) -> Term:
    """A term that counts things (GPUs, requests, items...)."""
    return Term(symbol, Dimension.COUNT, 1.0, thing)


MILLISECOND = Term("ms", Dimension.TIME, 1 / 3_600_000)
GPU = count("GPU", "gpu")
REQUEST = count("request", "request")
ITEM = count("item", "item")
UNIT_THING = count("unit", "unit")

# Units of plan fields ---------------------------------------------------------------------------
GPUS = Unit("GPUs", GPU)
PEOPLE = Unit("people", count("person", "person"))
RUNS = Unit("runs", count("run", "run"))
PARAMETERS = Unit("parameters", count("parameter", "parameter"))
ITEMS = Unit("items", ITEM)
PASSES_PER_ITEM = Unit("passes/item", count("pass", "pass"), (ITEM,))
WORKERS_PER_ITEM = Unit("workers/item", count("worker", "worker"), (ITEM,))
HOURS = Unit("h", HOUR)
HOURS_PER_WEEK = Unit("h/week", HOUR, (WEEK,))
HOURS_PER_MONTH_UNIT = Unit("h/month", HOUR, (MONTH,))
DAYS = Unit("days", DAY)
MONTHS = Unit("months", MONTH)
"""A duration in months (``every: 3``)."""
PLAN_MONTHS = Unit("plan month", PLAN_MONTH)
"""A month of the plan, 1-based (``start: 3`` is the plan's third month)."""
TOKENS = Unit("tokens", TOKEN)
TOKENS_PER_REQUEST = Unit("tokens/request", TOKEN, (REQUEST,))
TOKENS_PER_SECOND_PER_GPU = Unit("tokens/s per GPU", TOKEN, (SECOND, GPU))
MILLISECONDS = Unit("ms", MILLISECOND)
REPLICAS = Unit("replicas", count("replica", "replica"))
LAYERS = Unit("layers", count("layer", "layer"))
HEADS = Unit("heads", count("head", "head"))
VALUES_PER_HEAD = Unit("values/head", count("value", "value"), (count("head", "head"),))
VALUES_PER_TOKEN_LAYER = Unit("values/token/layer", count("value", "value"), (TOKEN, count("layer", "layer")))
EXPERTS = Unit("experts", count("expert", "expert"))
EXPERTS_PER_TOKEN = Unit("experts/token", count("expert", "expert"), (TOKEN,))
TIMES_PEAK = Unit("x average", TIMES)
"""Busiest hour / average hour."""
REQUESTS_PER_MONTH = Unit("requests/month", REQUEST, (MONTH,))
TERABYTES = Unit("TB", TB)
TB_PER_MONTH = Unit("TB/month", TB, (MONTH,))
UNITS_PER_MONTH = Unit("units/month", UNIT_THING, (MONTH,))
MONEY_PER_HOUR = Unit("{cur}/h", CUR, (HOUR,))
MONEY_PER_ITEM = Unit("{cur}/item", CUR, (ITEM,))
MONEY_PER_UNIT = Unit("{cur}/unit", CUR, (UNIT_THING,))
MONEY_PER_MONTH = Unit("{cur}/month", CUR, (MONTH,))
YEAR = Term("year", Dimension.TIME, 8760.0)
MONEY_PER_YEAR = Unit("{cur}/year", CUR, (YEAR,))
CUR_PER_USD = Unit("{cur} per USD", CUR, (USD,))
SHARE = Unit("%", SHARE_TERM)
"""A share: stored as a fraction (0.35), shown and typed as a percentage (35%)."""
SHARE_PER_MONTH = Unit("%/month", SHARE_TERM, (MONTH,))
"""Monthly compound growth."""
FACTOR = Unit("x", TIMES)

__all__ = ["Dimension", "Term", "Unit", "count"]


# Units as typed after a number ------------------------------------------------------------------
# What a user may write after a number in a field (``100 GB``, ``$2.5/h``, ``8 GPUs``, ``3 weeks``): each word
# is a term; the field's unit says what it converts to (``in_unit``). Data sizes are decimal (GB = 10^9 bytes)
# unless binary is written (GiB = 2^30 bytes).
MINUTE = Term("min", Dimension.TIME, 1 / 60)
YEAR = Term("year", Dimension.TIME, 12 * 730.0)
"""Twelve of the engine's months."""
_DATA_SIZES = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15, "eb": 1e18,
               "kib": 2.0**10, "mib": 2.0**20, "gib": 2.0**30, "tib": 2.0**40, "pib": 2.0**50, "eib": 2.0**60}
_WORDS: dict[str, Term] = {}
for _words, _term in (
        (("s", "sec", "secs", "second", "seconds"), SECOND), (("min", "mins", "minute", "minutes"), MINUTE),
        (("h", "hr", "hrs", "hour", "hours"), HOUR), (("d", "day", "days"), DAY), (("wk", "week", "weeks"), WEEK),
        (("mo", "month", "months"), MONTH), (("y", "yr", "yrs", "year", "years"), YEAR),
        (("gpu", "gpus"), GPU), (("request", "requests", "req", "reqs"), REQUEST), (("item", "items"), ITEM),
        (("unit", "units"), UNIT_THING), (("token", "tokens", "tok"), TOKEN), (("x",), TIMES),
        (("run", "runs"), RUNS.of), (("person", "people"), PEOPLE.of),
        (("parameter", "parameters", "param", "params"), PARAMETERS.of), (("pass", "passes"), PASSES_PER_ITEM.of)):
    for _w in _words:
        _WORDS[_w] = _term
for _w, _scale in _DATA_SIZES.items():
    _WORDS[_w] = Term(_w.upper().replace("I", "i"), Dimension.DATA, _scale)


def _money(code: str) -> Term:
    return Term(code, Dimension.MONEY, thing=code)


def _term(word: str) -> Term | None:
    """The term of one typed word (``GB``, ``hours``, ``$``, ``EUR``); None when it is none."""
    if word in SIGNS:
        return _money(SIGNS[word])
    term = _WORDS.get(word.lower())
    if term is not None:
        return term
    if len(word) == 3 and word.isalpha() and word.isupper():  # a currency code: EUR, USD
        return _money(word)
    return None


def typed_unit(text: str) -> Unit:
    """The unit a user wrote after a number: ``GB``, ``$/h``, ``TB/month``, ``tokens/s per GPU``, ``EUR per
    hour``; raises ValueError naming the word it doesn't know. An empty numerator (``/h``) is left empty."""
    text = " ".join(text.replace(" per ", "/").split())
    parts = [p.strip() for p in text.split("/")]
    terms: list[Term | None] = []
    for i, part in enumerate(parts):
        words = part.split()
        if not words and i == 0:
            terms.append(None)  # "/h": the field's own numerator
            continue
        if not words:
            raise ValueError(f"nothing after '/' in {text!r}")
        if len(words) == 2 and words[0] in SIGNS and _term(words[1]) is None:
            raise ValueError(f"unknown unit {words[1]!r}")
        found = [_term(w) for w in words]
        for w, t in zip(words, found):
            if t is None:
                raise ValueError(f"unknown unit {w!r}")
        if i == 0:
            if len(found) != 1:
                raise ValueError(f"one unit before '/', found {part!r}")
            terms.append(found[0])
        else:
            terms.extend(found)  # "tokens/s GPU" and "tokens/s per GPU" alike
    of = terms[0]
    return Unit(text, of if of is not None else Term("", Dimension.COUNT, thing="?"),
                tuple(t for t in terms[1:] if t is not None))


def in_unit(value: float, text: str, unit: Unit | None, *, currency: str | None = None) -> float:
    """``value`` typed with unit ``text`` (``100``, ``GB``) in the field's ``unit`` (``TB``): 0.1.

    A unit left out is the field's own (``100`` in a TB field is 100 TB; ``$2.5`` in a ``{cur}/h`` field is per
    hour); money must be the plan's ``currency`` when it is known (no silent exchange), the currency sign or code
    is then checked against it. Raises ValueError saying what the field takes."""
    if not text:
        return value
    if unit is None:
        raise ValueError(f"this value takes no unit (found {text!r})")
    typed = typed_unit(text)
    shown = unit.display(currency or "USD")
    factor = 1.0
    if typed.of.thing != "?":  # a numerator was written
        want = unit.of
        got = typed.of
        if got.dimension is Dimension.MONEY and want.dimension is Dimension.MONEY:
            if currency is not None and got.thing != currency.upper():
                raise ValueError(f"this plan is in {currency}: type the amount in {currency}, not {got.thing}")
        elif not got.converts_to(want):
            raise ValueError(f"{got.symbol} does not convert to {shown}; type a value in {shown}")
        else:
            factor *= got.scale / want.scale
    remaining = list(unit.per)
    for t in typed.per:
        match = next((r for r in remaining if t.converts_to(r)), None)
        if match is None:
            raise ValueError(f"{text} does not convert to {shown}; type a value in {shown}")
        remaining.remove(match)
        factor *= match.scale / t.scale
    return value * factor
