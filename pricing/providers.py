"""Providers side by side: the plan priced at each provider line by line, gaps as gaps, the cheapest placement."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from pricing import engine
from pricing.drivers.data import billed_gb, storage_by_tier
from pricing.drivers.services import platform_markup
from pricing.errors import PlanError
from pricing.plan import SECTIONS, Category, Plan
from pricing.rounding import money, rounded_matrix, to_cents

if TYPE_CHECKING:
    from pricing.catalog import Catalog, PriceSource

MOVABLE = ("compute.training", "compute.fine_tuning", "compute.inference", "compute.exploration",
           "data.storage", "data.egress", "mlops")
"""Sections whose lines are bought from a cloud provider (their ``provider`` key moves them)."""
READS_DATA = ("compute.training", "compute.fine_tuning")
"""GPU lines the stored data must reach (they train on it and write checkpoints back)."""
EGRESS_KIND = "internet"
"""Transfer kind of a leg between two providers: data leaves one cloud over the internet."""

ASSUMPTIONS = (
    "Each line is priced at each provider with the engine's own drivers (the line's provider set to "
    "that provider); a price the catalog lacks there is a gap, never $0.",
    "API calls, annotation and people cost the same wherever the GPUs run.",
    "A managed platform's markup exists only at the platform's own provider (SageMaker at aws, Vertex at "
    "gcp, Azure ML at azure); elsewhere it is a gap at that provider, and a placement applies it only to the "
    "compute placed at the platform's provider.",
    "Data must reach the GPUs: when training or fine-tuning runs at another provider than a storage line, "
    "that line's data is copied to the GPUs' provider once (the whole volume held, in the first month a run "
    "uses it) and kept in sync (each later month's growth), billed at the storage provider's internet egress. "
    "Checkpoint lines (kind: checkpoints) flow the other way, billed at the GPU provider's internet egress. "
    "The copy's own storage at the GPU provider is not added.",
    "The cheapest placement picks each line's cheapest priced provider on its own; the transfer legs that "
    "choice implies are added afterwards (they can make a split placement dearer than keeping lines together).",
)
"""What the comparison assumes, shown with every comparison."""


@dataclass(frozen=True, slots=True, eq=False)
class Cell:
    """One line at one provider: its monthly cost, or a gap saying why and how to fill it."""

    provider: str
    monthly: np.ndarray | None
    """Cost per month in the plan's currency; None for a gap."""
    gap: str = ""
    """Why the line cannot be priced there (the catalog's message, naming the price key to set)."""
    missing_key: str = ""
    """The price key a plan can set to fill the gap, when there is one."""
    sources: tuple["PriceSource", ...] = ()

    @property
    def total(self) -> float | None:
        return None if self.monthly is None else float(self.monthly.sum())


@dataclass(frozen=True, slots=True, eq=False)
class LineComparison:
    """One plan line priced at every provider compared."""

    name: str
    section: str
    key_path: str
    category: Category
    home: str
    """Provider the plan puts it at (empty for lines bought from no cloud)."""
    movable: bool
    """False for lines that cost the same everywhere (APIs, annotation, people)."""
    cells: Mapping[str, Cell]
    """By provider id, in the order compared."""
    cheapest: str | None
    """Provider with the lowest priced total (ties: the home provider, then the order compared); None when
    no provider can price it or the line is not movable."""


@dataclass(frozen=True, slots=True, eq=False)
class Leg:
    """Data moved between two providers because a placement split a storage line from its GPUs."""

    name: str
    storage_key_path: str
    """The storage line whose data moves."""
    from_provider: str
    to_provider: str
    gb: np.ndarray
    """GB moved each month."""
    cell: Cell
    """Its cost, priced at ``from_provider``'s internet egress (or a gap)."""


@dataclass(frozen=True, slots=True)
class ProviderTotal:
    """The whole plan at one provider."""

    provider: str
    priced: float
    """Sum of the lines priced there (fixed lines included); gaps are not in it."""
    gaps: int
    """Lines that provider cannot price."""
    compute_priced: int
    """Compute lines (GPU lines) priced there."""
    compute_lines: int

    @property
    def complete(self) -> bool:
        return self.gaps == 0

    @property
    def runs_compute(self) -> bool:
        """True when every GPU line of the plan can be priced there."""
        return self.compute_priced == self.compute_lines


@dataclass(frozen=True, slots=True, eq=False)
class Placement:
    """Every movable line at its cheapest provider, the platform markup it keeps, and the legs it implies."""

    providers: Mapping[str, str]
    """Key path -> provider chosen."""
    lines: tuple[tuple[str, Cell], ...]
    """(key path, the chosen cell) for every line, fixed ones included, platform markup last."""
    legs: tuple[Leg, ...]

    @property
    def gaps(self) -> int:
        return (sum(1 for _, c in self.lines if c.monthly is None)
                + sum(1 for leg in self.legs if leg.cell.monthly is None))

    @property
    def priced(self) -> float:
        return sum(c.total or 0.0 for _, c in self.lines) + sum(leg.cell.total or 0.0 for leg in self.legs)

    @property
    def egress(self) -> float:
        return sum(leg.cell.total or 0.0 for leg in self.legs)


@dataclass(frozen=True, slots=True, eq=False)
class ProviderComparison:
    """A plan priced at each provider, line by line."""

    plan: Plan
    providers: tuple[str, ...]
    lines: tuple[LineComparison, ...]
    totals: Mapping[str, ProviderTotal]
    placement: Placement
    as_planned: float
    """The plan's own projection total (every line at the provider the plan gives it)."""
    as_planned_cents: int
    """The same in cents as ``aicost report`` shows it (the sum of its rounded monthly cells)."""
    assumptions: tuple[str, ...] = ASSUMPTIONS


def _gap(provider: str, exc: PlanError) -> Cell:
    return Cell(provider, None, "; ".join(p.message for p in exc.problems), getattr(exc, "key", "") or "")


def _platform_provider(catalog: "Catalog", name: str) -> str:
    """The provider a managed platform runs on ("" when the catalog ties it to none)."""
    for e in catalog.entries("platforms"):
        if e.item == name:
            return e.provider
    return ""


def compare(plan: Plan, catalog: "Catalog | None" = None,
            providers: tuple[str, ...] | None = None) -> ProviderComparison:
    """Price ``plan`` at each of ``providers`` (default: every provider of the catalog), line by line."""
    ctx = engine.context(plan, catalog)
    cat = ctx.catalog
    chosen = tuple(dict.fromkeys(cat.resolve_provider(p) for p in (providers or cat.providers)))
    base = engine.project(plan, catalog)
    home_items = {li.key_path: li for li in base.line_items}

    lines: list[LineComparison] = []
    by_provider: dict[str, list[engine.LineItem]] = {p: [] for p in chosen}
    for section, category in SECTIONS:
        for i, line in enumerate(plan.section(section)):
            key = f"{section}[{i}]"
            li = home_items[key]
            if section not in MOVABLE:
                cell = Cell("", li.monthly, sources=li.sources)
                lines.append(LineComparison(li.name, section, key, category, "", False,
                                            MappingProxyType({p: cell for p in chosen}), None))
                continue
            home = ctx.provider(line)
            cells: dict[str, Cell] = {}
            for p in chosen:
                try:
                    item = engine.price_line(section, i, dataclasses.replace(line, provider=p), ctx)
                except PlanError as exc:  # a price the catalog lacks at p, or a tier/kind p does not have
                    cells[p] = _gap(p, exc)
                    continue
                by_provider[p].append(item)
                cells[p] = Cell(p, item.monthly, sources=item.sources)
            lines.append(LineComparison(li.name, section, key, category, home, True, MappingProxyType(cells),
                                        _cheapest(cells, home, chosen)))

    lines = _account_tiers(lines, by_provider, chosen)

    platform = plan.services.platform
    if platform is not None:
        owner = _platform_provider(cat, platform.name)
        cells = {}
        for p in chosen:
            if owner and p != owner:
                cells[p] = Cell(p, None, f"{platform.name} runs on {owner} only: at {p} choose that cloud's own "
                                         f"platform in services.platform, or none", "")
                continue
            item = platform_markup(platform, by_provider[p], ctx)
            cells[p] = Cell(p, item.monthly, sources=item.sources)
        li = home_items["services.platform"]
        lines.append(LineComparison(li.name, "services.platform", "services.platform", Category.SERVICES,
                                    owner, False, MappingProxyType(cells), None))

    totals = {}
    compute_lines = [lc for lc in lines if lc.section.startswith("compute.")]
    for p in chosen:
        cells_p = [lc.cells[p] for lc in lines]
        totals[p] = ProviderTotal(p, sum(c.total or 0.0 for c in cells_p),
                                  sum(1 for c in cells_p if c.monthly is None),
                                  sum(1 for lc in compute_lines if lc.cells[p].monthly is not None), len(compute_lines))
    placement = _placement(plan, ctx, lines, chosen)
    return ProviderComparison(plan, chosen, tuple(lines), MappingProxyType(totals), placement, base.total,
                              int(rounded_matrix(base).sum()))


def _account_tiers(lines: list[LineComparison], by_provider: Mapping[str, list[engine.LineItem]],
                   chosen: tuple[str, ...]) -> list[LineComparison]:
    """Each provider's cells with its account-wide volume tiers applied to the lines placed there together (the
    engine's account pass: the free 100 GB of egress, S3's volume tiers, GCP's free log GiB are per account)."""
    out = list(lines)
    for p in chosen:
        passed = {li.key_path: li for li in engine.with_account_tiers(by_provider[p]) if li.account}
        for n, lc in enumerate(out):
            item = passed.get(lc.key_path)
            if item is None or lc.cells.get(p) is None or lc.cells[p].monthly is None:
                continue
            cells = {**lc.cells, p: Cell(p, item.monthly, sources=item.sources)}
            out[n] = dataclasses.replace(lc, cells=MappingProxyType(cells),
                                         cheapest=_cheapest(cells, lc.home, chosen))
    return out


def _cheapest(cells: Mapping[str, Cell], home: str, order: tuple[str, ...]) -> str | None:
    priced = [(c.total, 0 if p == home else 1, order.index(p), p) for p, c in cells.items() if c.monthly is not None]
    return min(priced)[3] if priced else None


def _placement(plan: Plan, ctx: engine.Context, lines: list[LineComparison], chosen: tuple[str, ...]) -> Placement:
    where: dict[str, str] = {}
    picked: list[tuple[str, Cell]] = []
    for lc in lines:
        if lc.section == "services.platform":
            continue
        if not lc.movable:
            picked.append((lc.key_path, lc.cells[chosen[0]]))
            continue
        p = lc.cheapest or (lc.home if lc.home in lc.cells else chosen[0])
        where[lc.key_path] = p
        picked.append((lc.key_path, lc.cells[p]))

    platform = plan.services.platform
    if platform is not None:
        owner = _platform_provider(ctx.catalog, platform.name)
        covered = [engine.LineItem("", Category.COMPUTE, lc.section, lc.key_path, lc.cells[where[lc.key_path]].monthly)
                   for lc in lines if lc.section.startswith("compute.") and lc.key_path in where
                   and lc.cells[where[lc.key_path]].monthly is not None
                   and (not owner or where[lc.key_path] == owner)]
        item = platform_markup(platform, covered, ctx)
        picked.append(("services.platform", Cell(owner, item.monthly, sources=item.sources)))

    legs: list[Leg] = []
    gpu_lines = [lc for lc in lines if lc.section in READS_DATA and lc.key_path in where]
    for i, line in enumerate(plan.data.storage):
        key = f"data.storage[{i}]"
        s = where.get(key)
        if s is None:
            continue
        held = sum(storage_by_tier(line, ctx).values())
        held = np.broadcast_to(np.asarray(held, dtype=float), (ctx.n,))
        for g in dict.fromkeys(where[lc.key_path] for lc in gpu_lines):
            if g == s:
                continue
            used = np.zeros(ctx.n, dtype=bool)
            for lc in gpu_lines:
                cell = lc.cells[g] if where[lc.key_path] == g else None
                if cell is not None and cell.monthly is not None:
                    used |= cell.monthly > 0
            if not used.any():
                continue
            gb = _copy_volume(held, int(np.argmax(used)))
            src, dst = (g, s) if line.kind == "checkpoints" else (s, g)
            try:
                price = ctx.catalog.egress_price(src, EGRESS_KIND)
                billed, unit = billed_gb(gb, src, ctx)  # the sender bills its own GB (2^30 bytes at AWS, GCP, Azure)
                cell = Cell(src, np.asarray(price.cost(billed), dtype=float) * ctx.fx, sources=(price.source, unit))
            except PlanError as exc:
                cell = _gap(src, exc)
            legs.append(Leg(f"{line.name}: {src} -> {dst}", key, src, dst, gb, cell))
    return Placement(MappingProxyType(where), tuple(picked), tuple(legs))


def _copy_volume(held: np.ndarray, first: int) -> np.ndarray:
    """GB copied each month: the whole volume held in month ``first``, then each later month's growth."""
    gb = np.zeros_like(held)
    gb[first] = held[first]
    if first + 1 < len(held):
        gb[first + 1:] = np.maximum(np.diff(held[first:]), 0.0)
    return gb


# ---------------------------------------------------------------------------------------------
# Presentation (cents rounded once; a total is the sum of its shown parts)
# ---------------------------------------------------------------------------------------------


def _cents(monthly: np.ndarray | None) -> int | None:
    return None if monthly is None else int(to_cents(monthly).sum())


def _cell_data(c: Cell) -> dict[str, Any]:
    cents = _cents(c.monthly)
    return {"total": None if cents is None else cents / 100, "gap": c.gap or None,
            "missing_key": c.missing_key or None, "sources": [s.data() for s in c.sources]}


def comparison_data(cmp: ProviderComparison) -> dict[str, Any]:
    """The ``aicost providers --json`` document (docs/cli.md): keyed by provider id."""
    out: dict[str, Any] = {"name": cmp.plan.name, "currency": cmp.plan.currency, "months": cmp.plan.months,
                           "as_planned_total": cmp.as_planned_cents / 100,
                           "assumptions": list(cmp.assumptions), "providers": {}}
    for p in cmp.providers:
        rows = [{"key_path": lc.key_path, "name": lc.name, "section": lc.section, "fixed": not lc.movable,
                 "cheapest": lc.cheapest == p, **_cell_data(lc.cells[p])} for lc in cmp.lines]
        t = cmp.totals[p]
        out["providers"][p] = {
            "priced_total": sum(int(round(r["total"] * 100)) for r in rows if r["total"] is not None) / 100,
            "gaps": t.gaps, "complete": t.complete, "runs_compute": t.runs_compute,
            "total": (sum(int(round(r["total"] * 100)) for r in rows) / 100) if t.complete else None,
            "lines": rows}
    pl = cmp.placement
    names = {lc.key_path: lc.name for lc in cmp.lines}
    lines = [{"key_path": k, "name": names.get(k, k), "provider": c.provider or None, **_cell_data(c)}
             for k, c in pl.lines]
    legs = [{"name": leg.name, "storage": leg.storage_key_path, "from": leg.from_provider, "to": leg.to_provider,
             "gb": float(leg.gb.sum()), **_cell_data(leg.cell)} for leg in pl.legs]
    parts = [r["total"] for r in lines + legs]
    priced_cents = sum(int(round(x * 100)) for x in parts if x is not None)
    out["placement"] = {"lines": lines, "egress": legs, "gaps": pl.gaps, "complete": pl.gaps == 0,
                        "priced_total": priced_cents / 100, "total": priced_cents / 100 if pl.gaps == 0 else None,
                        "egress_total": sum(int(round(x["total"] * 100)) for x in legs if x["total"] is not None) / 100}
    return out


def comparison_text(cmp: ProviderComparison, *, width: int = 10) -> str:
    """A table: lines x providers, cheapest marked, gaps as GAP, then the placement and its transfer legs."""
    doc = comparison_data(cmp)  # the shown totals are sums of shown cents, as in the JSON
    cur = cmp.plan.currency
    provs = cmp.providers
    name_w = min(max([len(lc.name) for lc in cmp.lines] + [12]), 34)
    fmt = lambda c: "GAP" if c.monthly is None else money(c.total or 0.0, cur, compact=True)  # noqa: E731
    out = [f"{cmp.plan.name}: {cmp.plan.months} months at each provider ({cur}; * cheapest, GAP = no price there)", ""]
    out.append(f"{'line':<{name_w}}" + "".join(f"{p:>{width}}" for p in provs))
    for lc in cmp.lines:
        row = f"{lc.name[:name_w]:<{name_w}}"
        for p in provs:
            c = lc.cells[p]
            mark = "*" if lc.cheapest == p else ""
            row += f"{fmt(c) + mark:>{width}}"
        out.append(row + ("  (same everywhere)" if not lc.movable and lc.section != "services.platform" else ""))
    row = f"{'priced total':<{name_w}}"
    gaps = f"{'gaps':<{name_w}}"
    for p in provs:
        t = cmp.totals[p]
        shown = "GAP" if cmp.lines and t.gaps == len(cmp.lines) else money(t.priced, cur, compact=True) + (
            "+" if t.gaps else "")  # nothing priced there: no total at all, not a zero
        row += f"{shown:>{width}}"
        gaps += f"{t.gaps:>{width}}"
    out += ["-" * (name_w + width * len(provs)), row, gaps]
    if any(cmp.totals[p].gaps for p in provs):
        out.append("(+ = the provider has gaps: its priced total leaves those lines out and is not comparable)")
    out.append("")
    out.append(f"As planned: {money(doc['as_planned_total'], cur)}")
    pl, pd = cmp.placement, doc["placement"]
    out.append(f"Cheapest placement: {money(pd['priced_total'], cur)}" + (f" + {pl.gaps} gap(s)" if pl.gaps else "")
               + f", of which transfer between providers {money(pd['egress_total'], cur)}")
    for lc in cmp.lines:
        chosen = pl.providers.get(lc.key_path)
        if chosen is not None and chosen != lc.home:
            out.append(f"  move {lc.name}: {lc.home} -> {chosen}")
    for leg, ld in zip(pl.legs, pd["egress"]):
        cost = "GAP: " + leg.cell.gap if leg.cell.monthly is None else money(ld["total"], cur)
        out.append(f"  transfer {leg.name}: {leg.gb.sum() / 1000:,.1f} TB, {cost}")
    missing: dict[tuple[str, str], list[str]] = {}
    for lc in cmp.lines:
        for p in provs:
            c = lc.cells[p]
            if c.monthly is None:
                missing.setdefault((p, c.missing_key or c.gap), []).append(lc.name)
    if missing:
        out += ["", "Gaps by provider (set the key in the plan's prices: section to fill one; --json has the reasons):"]
        for (p, what), names in sorted(missing.items(), key=lambda kv: provs.index(kv[0][0])):
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            out.append(f"  {p:<10} {what}  ({shown})")
    out += ["", "Assumptions:"] + [f"  - {a}" for a in cmp.assumptions]
    return "\n".join(out) + "\n"
