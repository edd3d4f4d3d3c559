"""A plan reprices the same way later: the price snapshot it was saved with, what today's prices change, and the
choice to keep the old figures or take today's.

On save the plan records ``priced_with:`` (:func:`stamp`): the catalog's date and content hash, the genai-prices
version and data date, the ECB rate and its day, the horizon total, and every price figure the plan used (USD, by
its ``prices:`` key). Reopened under other prices, :func:`check` compares those figures with today's and prices the
plan both ways, line by line.

"Keep old prices" (:func:`keep_old`) writes the old figures into the plan's own ``prices:`` overrides (and pins
``fx_rate`` to the old rate): explicit and auditable in the file, portable to a colleague whose app has other
prices, and priced by the same engine path as any override, so the kept total is the recorded one. Why not keep
dated catalog snapshots instead: they live on one machine (a plan sent to someone else would lose them), grow with
every update, and hide from the plan file which figures are held. The one limit: a ``prices:`` override is a flat
rate, so a figure with volume or long-context tiers (egress, some API models) that changed is listed as
``inexact`` and keeps today's tiers; the message says so rather than claim the old total.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
from dataclasses import dataclass
from typing import Any

from pricing import apiprices, engine, fx, userfiles
from pricing.catalog import CATALOG_FILES, Catalog
from pricing.catalog.core import _stamp
from pricing.errors import PlanError
from pricing.plan import Plan, PricedWith

REL_TOL = 1e-9
"""Two figures within this relative difference are the same figure (YAML round trips of floats)."""


# ---------------------------------------------------------------------------------------------
# What the plan was priced with
# ---------------------------------------------------------------------------------------------


def catalog_identity(catalog: Catalog) -> tuple[str, str]:
    """(date, ``sha256:`` hash) of a catalog: its newest price date and the hash of its files' bytes."""
    d = catalog.directory
    return _identity(str(d), _stamp(d), catalog)


@functools.lru_cache(maxsize=16)
def _identity(directory: str, stamp: tuple, catalog: Catalog) -> tuple[str, str]:
    h = hashlib.sha256()
    for name in CATALOG_FILES:
        h.update(name.encode())
        try:
            with userfiles.open_regular(f"{directory}/{name}") as fh:  # a regular file, streamed
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError:
            h.update(b"\0missing")
    dates = [e.source.as_of_date for e in Catalog.load(directory).entries() if e.source.as_of_date is not None]
    return (max(dates).isoformat() if dates else "undated"), "sha256:" + h.hexdigest()[:32]


def _api_parts(key: str) -> tuple[str, str]:
    """(provider, model) of an API source key ``api.<provider>.<model>`` (model ids may hold dots)."""
    _, provider, model = key.split(".", 2)
    return provider, model


def figures(plan: Plan, catalog: Catalog | None = None,
            projection: Any = None) -> tuple[dict[str, float], tuple[str, ...]]:
    """Every catalog and API price figure the plan's projection uses that the plan does not set itself: USD by
    ``prices:`` key, and the keys among them that are tiered."""
    catalog = catalog or Catalog.load()
    proj = projection if projection is not None else engine.project(plan, catalog)
    own = dict(plan.prices)
    out: dict[str, float] = {}
    tiered: list[str] = []
    for s in proj.sources():
        if s.key.startswith("api."):
            provider, model = _api_parts(s.key)
            try:
                m = apiprices.resolve(provider, model)
            except PlanError:
                continue
            for part, value, tiers in (("input", m.input_per_mtok, m.input_tiers),
                                       ("cached_input", m.cached_input_per_mtok, m.cached_input_tiers),
                                       ("output", m.output_per_mtok, m.output_tiers)):
                key = f"{s.key}.{part}"
                if value is None or key in own:
                    continue
                out[key] = float(value)
                if tiers:
                    tiered.append(key)
            continue
        if s.overridden or s.confidence == "user":  # the plan's own figure: nothing to reprice
            continue
        try:
            price = catalog.price(s.key)
        except PlanError:  # not a figure with a prices: key (e.g. a derived figure's parts are listed on their own)
            continue
        out[s.key] = float(price.value)
        if price.tiers:
            tiered.append(s.key)
    return out, tuple(tiered)


def stamp(plan: Plan, catalog: Catalog | None = None, projection: Any = None) -> PricedWith:
    """The ``priced_with:`` record of ``plan`` priced now."""
    catalog = catalog or Catalog.load()
    proj = projection if projection is not None else engine.project(plan, catalog)
    date, digest = catalog_identity(catalog)
    figs, tiered = figures(plan, catalog, proj)
    uses_api = any(k.startswith("api.") for k in figs)
    rate = fx.for_plan(plan)
    dated = rate.date is not None and not rate.pinned
    return PricedWith(date, digest, apiprices.package_version() if uses_api else "",
                      apiprices.data_date().isoformat() if uses_api else "",
                      rate.date.isoformat() if dated else "", rate.per_usd if dated else None,
                      round(proj.total, 2), tuple(sorted(figs.items())), tiered)


def stamped(plan: Plan, catalog: Catalog | None = None) -> Plan:
    """``plan`` with its ``priced_with:`` record of now (what a save writes); unchanged when it can't be priced."""
    try:
        return dataclasses.replace(plan, priced_with=stamp(plan, catalog))
    except PlanError:  # a plan with problems is saved as it is: it has no prices to record
        return plan


# ---------------------------------------------------------------------------------------------
# What today's prices change
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureChange:
    """One figure the plan used whose price differs today."""

    key: str
    old: float
    new: float | None
    """None when today's prices have no such figure (a gap now)."""
    tiered: bool = False

    @property
    def relative(self) -> float | None:
        return None if self.new is None or not self.old else self.new / self.old - 1.0


@dataclass(frozen=True, slots=True)
class LineChange:
    key_path: str
    name: str
    old: float | None
    """The line's horizon cost with the old figures (None: it cannot be priced with them)."""
    new: float | None
    """With today's prices (None: today's prices cannot price it)."""

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True, slots=True, eq=False)
class Drift:
    """A plan reopened under other prices than it was saved with."""

    record: PricedWith
    figures: tuple[FigureChange, ...]
    """Figures that changed (the plan's own overrides never do)."""
    fx_change: tuple[float, float] | None
    """(old rate, today's) when the plan's dated exchange rate moved."""
    lines: tuple[LineChange, ...]
    old_total: float | None
    new_total: float | None
    new_problem: str = ""
    """Why today's prices cannot price the plan, when they cannot."""
    inexact: tuple[str, ...] = ()
    """Changed tiered figures that Keep old prices cannot hold (a prices: override is flat)."""

    @property
    def relative(self) -> float | None:
        if self.old_total is None or self.new_total is None or not self.old_total:
            return None
        return self.new_total / self.old_total - 1.0

    @property
    def total_line(self) -> LineChange:
        """The whole plan as one line (the diff's last row)."""
        return LineChange("", "Total", self.old_total, self.new_total)

    def lines_by_change(self) -> tuple[LineChange, ...]:
        """Lines whose cost moves first (largest change first), then the rest, then the total."""
        moved = sorted((ln for ln in self.lines if ln.delta is None or abs(ln.delta) >= 0.005),
                       key=lambda ln: -abs(ln.delta) if ln.delta is not None else float("-inf"))
        rest = [ln for ln in self.lines if ln not in moved]
        return (*moved, *rest, self.total_line)

    @property
    def catalog_month(self) -> str:
        return self.record.catalog[:7]

    def message(self) -> str:
        """``priced with the 2026-12 catalog; today's prices change the total by +3.1%``."""
        head = f"priced with the {self.catalog_month} catalog"
        if self.record.genai_prices:
            head += f" and genai-prices data of {self.record.genai_prices_data}"
        if self.new_total is None:
            return f"{head}; today's prices cannot price it: {self.new_problem}"
        rel = self.relative
        change = "leave the total unchanged" if rel is not None and abs(rel) < 0.0005 else \
            f"change the total by {rel:+.1%}" if rel is not None else "change the total"
        tail = (f" ({len(self.inexact)} tiered figure(s) keep today's tiers either way)" if self.inexact else "")
        return f"{head}; today's prices {change}{tail}"

    def details(self, currency: str) -> list[str]:
        """One line per changed figure and per line whose cost moves (for the CLI and the window's diff)."""
        from pricing.rounding import money
        out = []
        for f in self.figures:
            new = "no price today" if f.new is None else f"{f.new:g}"
            rel = f" ({f.relative:+.1%})" if f.relative is not None else ""
            out.append(f"price {f.key}: {f.old:g} -> {new}{rel}" + (" [tiered]" if f.tiered else ""))
        if self.fx_change is not None:
            a, b = self.fx_change
            out.append(f"exchange rate: {a:.6g} -> {b:.6g} {currency} per USD (ECB rate of "
                       f"{self.record.fx_date} -> today's dated rate)")
        for ln in self.lines:
            if ln.delta is None:
                out.append(f"line {ln.name}: {'GAP' if ln.old is None else money(ln.old, currency)} -> "
                           f"{'GAP' if ln.new is None else money(ln.new, currency)}")
            elif abs(ln.delta) >= 0.005:
                out.append(f"line {ln.name}: {money(ln.old, currency)} -> {money(ln.new, currency)} "
                           f"({ln.delta:+,.2f})")
        return out


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def check(plan: Plan, catalog: Catalog | None = None) -> Drift | None:
    """What today's prices change for a plan saved with ``priced_with:``; None when it has no record or when
    every figure it used (and its dated exchange rate) is the same today."""
    rec = plan.priced_with
    if rec is None:
        return None
    catalog = catalog or Catalog.load()
    new_proj, problem = None, ""
    try:
        new_proj = engine.project(plan, catalog)
        now, _ = figures(plan, catalog, new_proj)
    except PlanError as exc:
        problem = "; ".join(p.message for p in exc.problems)
        now = _figures_one_by_one(plan, catalog, rec)
    tiered = set(rec.tiered)
    changes = tuple(FigureChange(k, v, now.get(k), k in tiered) for k, v in rec.figures
                    if k not in dict(plan.prices) and (now.get(k) is None or not _same(now[k], v)))
    fx_change = None
    if rec.fx_rate is not None and plan.fx_rate is None:
        today = fx.for_plan(plan).per_usd
        if not _same(today, rec.fx_rate):
            fx_change = (rec.fx_rate, today)
    if not changes and fx_change is None:
        return None
    old_plan, inexact = _with_old(plan, changes, fx_change, catalog)
    try:
        old_proj = engine.project(old_plan, catalog)
    except PlanError:
        old_proj = None
    old_items = {li.key_path: li for li in old_proj.line_items} if old_proj is not None else {}
    new_items = {li.key_path: li for li in new_proj.line_items} if new_proj is not None else {}
    keys = list(dict.fromkeys([*old_items, *new_items]))
    lines = tuple(LineChange(k, (new_items.get(k) or old_items[k]).name,
                             old_items[k].total if k in old_items else None,
                             new_items[k].total if k in new_items else None) for k in keys)
    return Drift(rec, changes, fx_change, lines, old_proj.total if old_proj is not None else None,
                 new_proj.total if new_proj is not None else None, problem, inexact)


def _figures_one_by_one(plan: Plan, catalog: Catalog, rec: PricedWith) -> dict[str, float]:
    """Today's value of each recorded figure, when the plan as a whole cannot be priced today."""
    out = {}
    for key, _ in rec.figures:
        try:
            if key.startswith("api."):
                head, part = key.rsplit(".", 1)
                m = apiprices.resolve(*_api_parts(head))
                value = {"input": m.input_per_mtok, "cached_input": m.cached_input_per_mtok,
                         "output": m.output_per_mtok}[part]
            else:
                value = catalog.price(key).value
        except (PlanError, KeyError, ValueError):
            continue
        if value is not None:
            out[key] = float(value)
    return out


def _with_old(plan: Plan, changes: tuple[FigureChange, ...], fx_change: tuple[float, float] | None,
              catalog: Catalog) -> tuple[Plan, tuple[str, ...]]:
    held = [c for c in changes if not c.tiered]
    inexact = tuple(c.key for c in changes if c.tiered)
    prices = dict(plan.prices)
    for c in held:
        prices[c.key] = c.old
    new = dataclasses.replace(plan, prices=tuple(prices.items()))
    if fx_change is not None:
        new = dataclasses.replace(new, fx_rate=fx_change[0])
    try:
        engine.context(new, catalog)
    except PlanError:  # a key today's catalog no longer knows cannot be an override: hold the rest
        known = []
        for c in held:
            try:
                catalog.with_overrides({c.key: c.old})
                known.append(c)
            except PlanError:
                inexact += (c.key,)
        prices = dict(plan.prices) | {c.key: c.old for c in known}
        new = dataclasses.replace(new, prices=tuple(prices.items()))
    return new, inexact


def keep_old(plan: Plan, drift: Drift, catalog: Catalog | None = None) -> Plan:
    """"Keep old prices": the plan with the old figures as its own ``prices:`` overrides (and the old exchange rate
    pinned), re-stamped, so it prices as it did and says so in the file."""
    catalog = catalog or Catalog.load()
    kept, _ = _with_old(plan, drift.figures, drift.fx_change, catalog)
    return stamped(kept, catalog)


def reprice(plan: Plan, catalog: Catalog | None = None) -> Plan:
    """"Reprice": today's prices, recorded as the plan's new ``priced_with:``."""
    return stamped(plan, catalog)
