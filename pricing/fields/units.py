"""Units of plan fields: what a number is (display text) and its dimension, so values convert and take typed units."""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum



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
