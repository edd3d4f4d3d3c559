"""Currencies and USD conversion at dated ECB reference rates (the currency table itself is ``pricing.currencies``)."""
from __future__ import annotations

import bisect
import csv
import datetime
import functools
import math
import pathlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from pricing import resources, userfiles
# the one currency table (pricing/currencies.py, the lowest layer), re-exported where the rates are
from pricing.currencies import CURRENCIES, Currency, currency, iso_code  # noqa: F401
from pricing.errors import CatalogError, PlanError, Problem, UnknownNameError
from pricing.planfile.yamltree import MAX_BYTES

BASE = "USD"
"""Catalog and API prices are in US dollars; every rate here converts from USD."""


class FxError(CatalogError):
    """No exchange rate for what is asked (currency not in the snapshot, date before it, broken file)."""


@dataclass(frozen=True, slots=True)
class FxRate:
    """A USD exchange rate with where and when it comes from."""

    currency: str
    """Code of the target currency."""
    per_usd: float
    """Units of ``currency`` per US dollar."""
    date: datetime.date | None
    """Day the reference rates used were published; None for a pinned rate without a date (or USD)."""
    source: str
    """Where the rate comes from (``ECB euro reference rates ...``, ``plan fx_rate (pinned)``)."""
    pinned: bool = False
    """True when the plan set the rate itself (the ``fx_rate`` key)."""

    def convert(self, usd: Any) -> Any:
        """``usd`` (a number or a numpy array) in ``currency``."""
        return usd * self.per_usd


@dataclass(frozen=True, slots=True)
class FxRange:
    """The spread of a rate over a window: a range the Monte Carlo can sample (low, likely, high)."""

    currency: str
    low: float
    """Lowest units per USD in the window."""
    likely: float
    """The rate on the window's last publication day (what :meth:`RateTable.rate` returns at ``end``)."""
    high: float
    """Highest units per USD in the window."""
    start: datetime.date
    """First publication day in the window."""
    end: datetime.date
    """Last publication day in the window."""
    observations: int
    """Publication days in the window."""
    source: str


def pinned(code: str, per_usd: Any, source: str = "plan fx_rate (pinned by the plan)") -> FxRate:
    """A rate the plan sets itself (today's ``fx_rate`` key): checked, undated, marked pinned."""
    c = iso_code(code)
    if isinstance(per_usd, bool) or not isinstance(per_usd, (int, float)) or not math.isfinite(per_usd) \
            or per_usd <= 0:
        raise PlanError(Problem(f"found {per_usd!r}, expected the {c} per USD as a number above 0", "fx_rate"))
    if c == BASE and per_usd != 1:
        raise PlanError(Problem(f"found {per_usd!r}, but a USD plan converts at 1 USD per USD", "fx_rate"))
    return FxRate(c, float(per_usd), None, source, pinned=True)


def default_path() -> pathlib.Path:
    """The shipped ECB snapshot, ``catalog/fx/ecb-rates.csv`` of the app's resources (pricing/resources.py)."""
    return resources.resource_path("catalog", "fx", "ecb-rates.csv")


class RateTable:
    """ECB euro reference rates read from a shipped snapshot (units per EUR by publication day)."""

    __slots__ = ("path", "source", "dates", "_ordinals", "_per_eur")

    def __init__(self, path: pathlib.Path, source: str, dates: tuple[datetime.date, ...],
                 per_eur: Mapping[str, tuple[float | None, ...]]):
        self.path = path
        self.source = source
        """The snapshot's provenance, from its ``# Source:`` comment lines."""
        self.dates = dates
        """Publication days, oldest first."""
        self._ordinals = [d.toordinal() for d in dates]
        self._per_eur = per_eur

    @classmethod
    def load(cls, path: pathlib.Path | str | None = None) -> "RateTable":
        """The snapshot at ``path`` (default: the shipped one); FxError with file and line when broken.
        Parsed once per file (re-read when it changes)."""
        p = (pathlib.Path(path) if path is not None else default_path()).resolve()
        try:
            st = p.stat()
        except OSError as exc:
            raise FxError(Problem(f"cannot read the exchange-rate snapshot: {exc.strerror or exc}", "", None, str(p))) \
                from None
        return _load(str(p), st.st_mtime_ns, st.st_size)

    @property
    def currencies(self) -> tuple[str, ...]:
        """Codes the snapshot can convert USD into (EUR and USD included)."""
        return (BASE, "EUR", *(c for c in self._per_eur if c != BASE))

    @property
    def first(self) -> datetime.date:
        return self.dates[0]

    @property
    def last(self) -> datetime.date:
        """The snapshot's newest publication day."""
        return self.dates[-1]

    def _per_usd_at(self, code: str, i: int) -> float | None:
        usd = self._per_eur[BASE][i]
        if usd is None:
            return None
        if code == "EUR":
            return 1.0 / usd
        v = self._per_eur[code][i]
        return None if v is None else v / usd

    def _check(self, code: str) -> str:
        c = currency(code).code
        if c != BASE and c != "EUR" and c not in self._per_eur:
            raise FxError(Problem(f"no ECB reference rate for {c} in the shipped snapshot (it has "
                                  f"{', '.join(self.currencies)}); set fx_rate (the {c} per USD) in the plan",
                                  "fx_rate", None, str(self.path)))
        return c

    def _index_on_or_before(self, code: str, on: datetime.date) -> int:
        i = bisect.bisect_right(self._ordinals, on.toordinal()) - 1
        while i >= 0 and self._per_usd_at(code, i) is None:  # a day the currency was not fixed
            i -= 1
        if i < 0:
            raise FxError(Problem(f"no ECB reference rate for {code} on or before {on.isoformat()}: the shipped "
                                  f"snapshot covers {self.first.isoformat()} to {self.last.isoformat()}; set fx_rate "
                                  f"(the {code} per USD) in the plan", "fx_rate", None, str(self.path)))
        return i

    def rate(self, code: str, on: datetime.date | None = None) -> FxRate:
        """Units of ``code`` per USD from the latest reference rates published on or before ``on`` (default:
        the snapshot's newest). The result's ``date`` says which day's rates were used, so a plan dated after
        the snapshot shows how old its rate is. USD converts at 1."""
        c = self._check(code)
        if c == BASE:
            return FxRate(BASE, 1.0, None, "identity (catalog prices are USD)")
        i = self._index_on_or_before(c, on or self.last)
        via = "" if c == "EUR" else f" ({c} per EUR / USD per EUR)"
        return FxRate(c, float(self._per_usd_at(c, i)), self.dates[i], f"{self.source}{via}")

    def convert(self, usd: Any, code: str, on: datetime.date | None = None) -> tuple[Any, FxRate]:
        """``usd`` converted into ``code`` at the rate of ``on``, with the rate used."""
        r = self.rate(code, on)
        return r.convert(usd), r

    def rate_range(self, code: str, end: datetime.date | None = None, months: int = 6) -> FxRange:
        """The lowest and highest units of ``code`` per USD over the ``months`` before ``end`` (default: the
        snapshot's newest day), with the rate at ``end`` as the likely value: a range for the Monte Carlo."""
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise PlanError(Problem(f"found {months!r}, expected a whole number of months of at least 1"))
        c = self._check(code)
        if c == BASE:
            day = end or self.last
            return FxRange(BASE, 1.0, 1.0, 1.0, day, day, 0, "identity (catalog prices are USD)")
        hi_i = self._index_on_or_before(c, end or self.last)
        top = self.dates[hi_i]
        y, m = divmod(top.year * 12 + top.month - 1 - months, 12)
        start = datetime.date(y, m + 1, min(top.day, 28))
        values = [(self.dates[i], v) for i in range(hi_i + 1)
                  if self.dates[i] > start and (v := self._per_usd_at(c, i)) is not None]
        rates = [v for _, v in values]
        return FxRange(c, min(rates), float(self._per_usd_at(c, hi_i)), max(rates), values[0][0], top, len(values),
                       self.source)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> RateTable:
    p = pathlib.Path(path)
    try:
        text = userfiles.read_text(p, MAX_BYTES)  # a regular file, read to a cap
    except (OSError, UnicodeDecodeError) as exc:
        raise FxError(Problem(f"cannot read the exchange-rate snapshot: {exc}", "", None, path)) from None
    comments, body = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        (comments if line.startswith("#") else body).append((n, line))
    # the `# source:` line names the provenance shown with every rate; the other comment lines are prose
    keyed = dict(c.lstrip("# ").partition(":")[::2] for _, c in comments if ":" in c)
    source = keyed.get("source", "").strip()
    rows = list(csv.reader([line for _, line in body]))
    problems: list[Problem] = []
    if not rows or not rows[0] or rows[0][0] != "Date" or BASE not in rows[0]:
        raise FxError(Problem("expected a header line 'Date,USD,...' (ECB rates per EUR)", "",
                              body[0][0] if body else None, path))
    header = rows[0][1:]
    cols: dict[str, list[float | None]] = {c: [] for c in header}
    dates: list[datetime.date] = []
    for (n, _), row in zip(body[1:], rows[1:]):
        if not row:
            continue
        if len(row) != len(header) + 1:
            problems.append(Problem(f"found {len(row)} fields, expected {len(header) + 1}", "", n, path))
            continue
        try:
            day = datetime.date.fromisoformat(row[0])
        except ValueError:
            problems.append(Problem(f"found {row[0]!r}, expected a date YYYY-MM-DD", "", n, path))
            continue
        values: list[float | None] = []
        for code, raw in zip(header, row[1:]):
            if raw.strip() in ("", "N/A"):
                values.append(None)
                continue
            try:
                v = float(raw)
            except ValueError:
                v = math.nan
            if not math.isfinite(v) or v <= 0:
                problems.append(Problem(f"found {raw!r} for {code}, expected a rate above 0", "", n, path))
                v = None
            values.append(v)
        dates.append(day)
        for code, v in zip(header, values):
            cols[code].append(v)
    if problems:
        raise FxError(problems)
    if not dates:
        raise FxError(Problem("the exchange-rate snapshot has no rates", "", None, path))
    order = sorted(range(len(dates)), key=dates.__getitem__)  # the ECB file is newest first
    if len(set(dates)) != len(dates):
        raise FxError(Problem("a publication day is listed twice", "", None, path))
    per_eur = {c: tuple(v[i] for i in order) for c, v in cols.items()}
    return RateTable(p, source or "ECB euro foreign exchange reference rates", tuple(dates[i] for i in order),
                     MappingProxyType(per_eur))


def plan_rate(code: str, fx_rate: float | None = None, on: datetime.date | None = None,
              table: RateTable | None = None) -> FxRate:
    """The rate a plan converts at: its own pinned ``fx_rate`` when it gives one, else the ECB reference rate
    published on or before ``on`` (e.g. the plan's first month)."""
    c = iso_code(code)
    if c == BASE:
        return FxRate(BASE, 1.0, None, "identity (catalog prices are USD)")
    if fx_rate is not None:
        return pinned(c, fx_rate)
    return (table or RateTable.load()).rate(c, on)


def plan_day(start: Any) -> datetime.date:
    """The day a plan's dated rate is read on: the first day of its first month (the rate known as it begins)."""
    return datetime.date(start.year, start.month, 1)


def for_plan(plan: Any, table: RateTable | None = None) -> FxRate:
    """The rate ``plan`` converts USD prices at: its pinned ``fx_rate``, else the ECB reference rate published on
    or before its first month's first day. FxError (at ``fx_rate``) when the snapshot cannot give one."""
    if table is None and plan.fx_rate is None and str(plan.currency).upper() != BASE:
        table = RateTable.load()  # cached per file: a stat per call
    try:
        return _for_plan(plan.currency, plan.fx_rate, plan_day(plan.start), table)
    except UnknownNameError as exc:  # an ISO code the app's table lacks: the plan can still pin its own rate
        raise FxError(Problem(f"{exc.problems[0].message}; the ECB snapshot has no rate for it: set fx_rate (the "
                              f"{plan.currency} per USD) in the plan", "fx_rate")) from None


@functools.lru_cache(maxsize=256)
def _for_plan(code: str, fx_rate: float | None, day: datetime.date, table: RateTable | None) -> FxRate:
    return plan_rate(code, fx_rate, day, table)


def rate_text(rate: FxRate) -> str:
    """How a report states a rate: ``0.8951 EUR per USD (ECB reference rate of 2026-10-30)`` or ``... (pinned by
    the plan)``; the same words in the text report, the PDF footer and the window."""
    if rate.currency == BASE:
        return "1 USD per USD (catalog prices are USD)"
    value = f"{rate.per_usd:.6g} {rate.currency} per USD"
    if rate.pinned:
        return f"{value} (pinned by the plan's fx_rate)"
    return f"{value} (ECB reference rate of {rate.date.isoformat() if rate.date else 'an unknown day'})"


def rate_data(rate: FxRate) -> dict[str, Any]:
    """The ``fx`` object of ``aicost report --json``: rate, date, source, pinned."""
    return {"currency": rate.currency, "rate": rate.per_usd, "date": rate.date.isoformat() if rate.date else None,
            "source": rate.source, "pinned": rate.pinned}
