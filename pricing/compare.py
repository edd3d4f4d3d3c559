"""Plans (or scenarios of them) compared side by side, from their report models.

- ``compare(entries)``: headline figures and category totals with differences against the first
  entry, monthly series on one calendar axis, per-line cost deltas and what changed in the inputs.
  An entry is a plan file or one of its scenarios, written ``PLAN.yaml#Scenario``.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence


from pricing.errors import PlanError, Problem
from pricing.plan import SECTIONS, Category, Plan, YearMonth
from pricing.report_model import (_settings, InputValue, LineFigures, Summary, line_values, number_text, scenario_text,
                                  summarize)
from pricing.load import load_checked
from pricing.wording import plural

if TYPE_CHECKING:
    from pricing.catalog import Catalog
    from pricing.engine import Projection


class CompareError(PlanError):
    """Entries that cannot be compared (fewer than two, different currencies, a bad ``PLAN#Scenario``)."""


# ---------------------------------------------------------------------------------------------
# Entries: plan files and scenarios of them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One column of a comparison: a plan, or a plan with one of its scenarios applied."""

    label: str
    """How the entry is named in tables and legends (``support.yaml``, ``support.yaml#Frugal``)."""
    plan: Plan
    """The plan as compared (the scenario applied, when there is one)."""
    projection: "Projection"
    path: str | None = None
    scenario: str | None = None


def split_spec(spec: str) -> tuple[str, str | None]:
    """``PLAN.yaml#Scenario`` -> (path, scenario); a path that exists as a file is never split."""
    if "#" not in spec or os.path.isfile(spec):
        return spec, None
    path, _, scenario = spec.rpartition("#")
    return path, scenario.strip() or None


def entry_label(plan: Plan, path: str | os.PathLike | None = None, scenario: str | None = None,
                taken: Iterable[str] = ()) -> str:
    """How an entry is named: the plan's own name (``Support assistant``, ``Support assistant#Frugal``); its file
    name is added only to tell apart two plans of one name (``Support assistant (v2.yaml)``)."""
    base = (plan.name or (Path(path).stem if path else "Untitled")) + (f"#{scenario}" if scenario else "")
    taken = set(taken)
    if base not in taken:
        return base
    label = f"{base} ({Path(path).name})" if path else base
    n = 2
    while label in taken:
        label, n = f"{base} ({n})", n + 1
    return label


def entry_from_plan(plan: Plan, catalog: "Catalog | None" = None, *, label: str | None = None,
                    scenario: str | None = None, path: str | None = None) -> Entry:
    """An entry of a plan in memory (with ``scenario`` applied when given)."""
    from pricing import engine
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    if scenario is not None:
        from pricing import scenarios
        plan = scenarios.apply(plan, plan.scenario(scenario), catalog)
    name = label or entry_label(plan, path, scenario)
    return Entry(name, plan, engine.project(plan, catalog), path, scenario)


def load_entry(spec: str, catalog: "Catalog | None" = None) -> Entry:
    """The entry a command line names: ``PLAN.yaml`` or ``PLAN.yaml#Scenario`` (PlanError when it can't)."""
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    path, scenario = split_spec(spec)
    plan = load_checked(path, catalog)
    if scenario is not None and scenario not in {s.name for s in plan.scenarios}:
        try:
            plan.scenario(scenario)
        except PlanError as exc:
            raise exc.with_location(file=path, key_path="scenarios") from None
    return entry_from_plan(plan, catalog, label=entry_label(plan, path, scenario), scenario=scenario, path=path)


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------

FIGURES: tuple[tuple[str, str], ...] = (
    ("run_rate_first", "Run-rate, first month"),
    ("run_rate_last", "Run-rate, last month"),
    ("total", "Horizon total"),
    ("cost_per_1k_requests", "Cost per 1k requests"),
)
"""Headline figures compared, by key, with their labels."""


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One compared figure: its value in each entry (cents) and the difference to the first entry."""

    key: str
    """``total``, ``run_rate_first``... or ``category.Compute``."""
    label: str
    values: tuple[int | None, ...]
    deltas: tuple[int | None, ...]
    """Entry minus the first entry (cents); None for the first entry or a missing value."""
    ratios: tuple[float | None, ...]
    """The delta over the first entry's value; None when that is 0 or missing."""


@dataclass(frozen=True, slots=True)
class LineCost:
    """One line (matched by section and name) across the entries, with its cost deltas against the first."""

    section: str
    name: str
    category: Category
    present: tuple[bool, ...]
    last_month: tuple[int, ...]
    """Cents in each entry's last month (0 where absent)."""
    horizon: tuple[int, ...]
    """Cents over each entry's horizon (0 where absent)."""

    def last_month_delta(self, j: int) -> int:
        return self.last_month[j] - self.last_month[0]

    def horizon_delta(self, j: int) -> int:
        return self.horizon[j] - self.horizon[0]

    def status(self, j: int) -> str:
        """``added``, ``removed``, ``same`` (present in both) or ``absent`` (in neither)."""
        a, b = self.present[0], self.present[j]
        return "same" if a and b else "added" if b else "removed" if a else "absent"


@dataclass(frozen=True, slots=True)
class ValueChange:
    key: str
    before: str
    """As text; ``—`` when unset, ``(default)`` when the model's default applies."""
    after: str
    label: str = ""
    """The field's label from the schema (``Requests / month``); empty for price overrides and scenarios."""


@dataclass(frozen=True, slots=True)
class LineChange:
    """A line added, removed or changed between the first entry and another (matched by section + name)."""

    change: str
    """``added``, ``removed`` or ``changed``."""
    section: str
    name: str
    values: tuple[ValueChange, ...]
    """Changed values (changed), or every value the line has (added, removed)."""

    def given(self, *, labels: bool = False) -> tuple[str, ...]:
        """An added or removed line's values as ``key value`` (``labels``: the schema's label, ``GPUs 8``), those
        the plan sets (defaults left out)."""
        side = (lambda v: v.after) if self.change == "added" else (lambda v: v.before)
        return tuple(f"{(v.label or v.key) if labels else v.key} {side(v)}" for v in self.values
                     if not side(v).endswith("(default)"))


@dataclass(frozen=True, slots=True)
class InputDiff:
    """What changed in the inputs from the first entry to another."""

    settings: tuple[ValueChange, ...]
    lines: tuple[LineChange, ...]
    prices: tuple[ValueChange, ...]
    """Price overrides added (before ``(catalog)``), removed (after ``(catalog)``) or changed."""
    scenarios: tuple[ValueChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.settings or self.lines or self.prices or self.scenarios)


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """Entries side by side; every delta is against ``entries[0]``, in whole cents."""

    entries: tuple[Entry, ...]
    summaries: tuple[Summary, ...]
    currency: str
    figures: tuple[FigureRow, ...]
    """Headline figures, then each category's horizon total."""
    months: tuple[YearMonth, ...]
    """The calendar months any entry covers, in order (the axis of ``monthly``)."""
    monthly: tuple[tuple[int | None, ...], ...]
    """Each entry's cost on ``months`` (cents; None outside its horizon)."""
    lines: tuple[LineCost, ...]
    """Every line of any entry: the first entry's lines in order, then lines only later entries have."""
    inputs: tuple[InputDiff | None, ...]
    """What changed against the first entry (None for the first itself)."""
    notes: tuple[str, ...]
    shared_months: tuple[YearMonth, ...] = ()
    """The calendar months every entry covers (totals over them compare like with like)."""
    horizons_differ: bool = False
    """The entries cover different calendar months (other start, other length): their horizon totals are not
    like for like; the ``total_shared`` figure is."""

    @property
    def ids(self) -> tuple[str, ...]:
        """``A``, ``B``, ... ``Z``, ``AA``..."""
        return tuple(entry_id(i) for i in range(len(self.entries)))

    def changed_lines(self, j: int) -> tuple[LineCost, ...]:
        """Lines whose cost or inputs differ between the first entry and entry ``j``."""
        changed_inputs = {(c.section, c.name) for c in (self.inputs[j].lines if self.inputs[j] else ())}
        return tuple(lc for lc in self.lines
                     if lc.status(j) != "absent"
                     and (lc.horizon_delta(j) or lc.last_month_delta(j) or lc.status(j) != "same"
                          or (lc.section, lc.name) in changed_inputs))

    def total_deltas(self, j: int) -> tuple[int, int]:
        """Entry ``j`` minus the first, summed over every line: (last month, horizon), in cents."""
        return (sum(lc.last_month_delta(j) for lc in self.lines), sum(lc.horizon_delta(j) for lc in self.lines))

    def is_identical(self) -> bool:
        """No entry differs from the first in any figure, month, line cost or input."""
        return (all(d in (None, 0) for f in self.figures for d in f.deltas)
                and all(len(set(col)) <= 1 for col in zip(*self.monthly))
                and all(not self.changed_lines(j) for j in range(1, len(self.entries)))
                and all(d is None or d.empty for d in self.inputs))


def entry_id(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _row(key: str, label: str, values: Sequence[int | None]) -> FigureRow:
    ref = values[0]
    deltas = tuple(None if j == 0 or v is None or ref is None else v - ref for j, v in enumerate(values))
    ratios = tuple(None if d is None or not ref else d / ref for d in deltas)
    return FigureRow(key, label, tuple(values), deltas, ratios)


def _line_key_counts(keys: Iterable[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(section, name) -> (section, name, n-th occurrence), so two lines of one name still match in order."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append((k[0], k[1], seen[k]))
    return out


def compare(entries: Sequence[Entry]) -> Comparison:
    """Compare entries against the first (CompareError for fewer than two or mixed currencies)."""
    entries = _distinct_labels(tuple(entries))
    if len(entries) < 2:
        raise CompareError("compare needs at least two plans (or scenarios: PLAN.yaml#Scenario)")
    currencies = sorted({e.plan.currency for e in entries})
    if len(currencies) > 1:
        raise CompareError(Problem(f"the plans use different currencies ({', '.join(currencies)}): amounts in "
                                   "different currencies can't be subtracted; set one currency (and fx_rate) "
                                   "in every plan", "currency"))
    sums = tuple(summarize(e.projection) for e in entries)
    figures = [
        _row("run_rate_first", FIGURES[0][1], [s.run_rate_first for s in sums]),
        _row("run_rate_last", FIGURES[1][1], [s.run_rate_last for s in sums]),
        _row("total", FIGURES[2][1], [s.total for s in sums]),
        _row("cost_per_1k_requests", FIGURES[3][1], [s.cost_per_1k_requests for s in sums]),
    ]
    spans = [tuple(s.months) for s in sums]
    horizons_differ = len(set(spans)) > 1
    shared = tuple(m for m in spans[0] if all(m in set(sp) for sp in spans[1:]))
    if horizons_differ:  # the like-for-like total: the months every entry covers, each summed in whole cents
        figures.insert(3, _row("total_shared", _shared_label(shared),
                               [sum(int(v) for m, v in zip(s.months, s.monthly) if m in set(shared)) if shared else None
                                for s in sums]))
    used = [c for c in Category if any(s.category_total(c) for s in sums)]
    figures += [_row(f"category.{c.value}", c.value, [s.category_total(c) for s in sums]) for c in used]

    axis = sorted({m for s in sums for m in s.months})
    monthly = []
    for s in sums:
        at = {m: int(v) for m, v in zip(s.months, s.monthly)}
        monthly.append(tuple(at.get(m) for m in axis))

    # lines matched by (section, name, occurrence): the first entry's order, then new ones as they appear
    order: list[tuple[str, str, int]] = []
    cells: list[dict[tuple[str, str, int], LineFigures]] = []
    for s in sums:
        keyed = dict(zip(_line_key_counts((li.section, li.name) for li in s.lines), s.lines))
        cells.append(keyed)
        order += [k for k in keyed if k not in order]
    lines = []
    for k in order:
        found = [c.get(k) for c in cells]
        cat = next(f.category for f in found if f is not None)
        lines.append(LineCost(k[0], k[1], cat, tuple(f is not None for f in found),
                              tuple(f.last if f else 0 for f in found), tuple(f.total if f else 0 for f in found)))

    inputs = (None,) + tuple(input_diff(entries[0].plan, e.plan) for e in entries[1:])
    notes = []
    if horizons_differ:
        notes.append(horizon_note(entries, sums, shared))
    return Comparison(entries, sums, currencies[0], tuple(figures), tuple(axis), tuple(monthly), tuple(lines),
                      inputs, tuple(notes), shared, horizons_differ)


def _span(months: Sequence[YearMonth]) -> str:
    if not months:
        return "no months"
    return f"{months[0]} to {months[-1]} ({plural(len(months), 'month')})"


def _shared_label(shared: Sequence[YearMonth]) -> str:
    return f"Total, months all cover ({shared[0]} to {shared[-1]})" if shared else "Total, months all cover (none)"


def horizon_note(entries: Sequence[Entry], sums: Sequence[Summary], shared: Sequence[YearMonth]) -> str:
    """Why the horizon totals are not like for like, in words: each entry's months, and what to compare."""
    spans = "; ".join(f"{entry_id(i)} covers {_span(s.months)}" for i, s in enumerate(sums))
    what = (f"compare the total over the {plural(len(shared), 'month')} all cover "
            f"({shared[0]} to {shared[-1]})" if shared else "no month is covered by all of them")
    return (f"The horizons differ ({spans}): horizon totals and last months are each plan's own and differ partly "
            f"by the months only one covers; {what}. Monthly series are aligned by calendar month.")


def _distinct_labels(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """Entries whose labels repeat (two plans of one name) told apart by their file names."""
    out: list[Entry] = []
    for e in entries:
        taken = [x.label for x in out]
        if e.label in taken:
            base = e.plan.name + (f"#{e.scenario}" if e.scenario else "")
            e = dataclasses.replace(e, label=entry_label(e.plan, e.path, e.scenario, taken + [base]))
        out.append(e)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# What changed in the inputs
# ---------------------------------------------------------------------------------------------


def _shown(v: InputValue) -> str:
    return v.text + (" (default)" if v.is_default else "")


def _changes(before: Sequence[InputValue], after: Sequence[InputValue]) -> tuple[ValueChange, ...]:
    a = {v.key: v for v in before}
    b = {v.key: v for v in after}
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        va, vb = a.get(key), b.get(key)
        ta = "—" if va is None else _shown(va)
        tb = "—" if vb is None else _shown(vb)
        if (va.text if va else None) != (vb.text if vb else None):
            out.append(ValueChange(key, ta, tb, (va or vb).label))  # type: ignore[union-attr]
    return tuple(out)


def input_diff(a: Plan, b: Plan) -> InputDiff:
    """What changed from plan ``a`` to plan ``b``: settings, lines (by section + name), overrides, scenarios."""
    settings = _changes(_settings(a), _settings(b))
    lines: list[LineChange] = []
    for section, _ in SECTIONS:
        la, lb = a.section(section), b.section(section)
        ka = dict(zip(_line_key_counts((section, x.name) for x in la), la))
        kb = dict(zip(_line_key_counts((section, x.name) for x in lb), lb))
        for k in list(ka) + [k for k in kb if k not in ka]:
            x, y = ka.get(k), kb.get(k)
            if x is not None and y is not None:
                if x == y:
                    continue
                values = _changes(line_values(section, x, a.currency), line_values(section, y, b.currency))
                if not values:  # equal as text, not as values (a sample's text, a float beyond 10 digits)
                    values = (ValueChange("(details)", "as shown", "differs in a detail not shown as text"),)
                lines.append(LineChange("changed", section, k[1], values))
            elif y is not None:
                lines.append(LineChange("added", section, k[1],
                                        tuple(ValueChange(v.key, "—", _shown(v), v.label)
                                              for v in line_values(section, y, b.currency))))
            else:
                lines.append(LineChange("removed", section, k[1],
                                        tuple(ValueChange(v.key, _shown(v), "—", v.label)
                                              for v in line_values(section, x, a.currency))))
    pa, pb = dict(a.prices), dict(b.prices)
    prices = tuple(ValueChange(k, number_text(pa[k]) if k in pa else "(catalog)",
                               number_text(pb[k]) if k in pb else "(catalog)")
                   for k in list(pa) + [k for k in pb if k not in pa] if pa.get(k) != pb.get(k))
    sa = {s.name: s for s in a.scenarios}
    sb = {s.name: s for s in b.scenarios}
    scen = tuple(ValueChange(n, scenario_text(sa[n]) if n in sa else "—", scenario_text(sb[n]) if n in sb else "—")
                 for n in list(sa) + [n for n in sb if n not in sa] if sa.get(n) != sb.get(n))
    return InputDiff(settings, tuple(lines), prices, scen)


# ---------------------------------------------------------------------------------------------
# Plain data (``aicost compare --json``) and text (the cost diff)
# ---------------------------------------------------------------------------------------------


def _money(c: int | None) -> float | None:
    return None if c is None else int(c) / 100


def compare_data(cmp: Comparison) -> dict:
    """The ``aicost compare --json`` document (docs/exports.md): amounts in the currency, to the cent."""
    ids = cmp.ids
    return {
        "currency": cmp.currency,
        "entries": [{"id": i, "label": e.label, "path": e.path, "scenario": e.scenario, "name": e.plan.name,
                     "start": str(s.months[0]) if s.months else None, "months": len(s.months)}
                    for i, e, s in zip(ids, cmp.entries, cmp.summaries)],
        "figures": [{"key": f.key, "label": f.label, "values": [_money(v) for v in f.values],
                     "deltas": [_money(d) for d in f.deltas],
                     "delta_ratios": [None if r is None else round(r, 6) for r in f.ratios]} for f in cmp.figures],
        "monthly": {"months": [str(m) for m in cmp.months],
                    "series": {i: [_money(v) for v in row] for i, row in zip(ids, cmp.monthly)}},
        "lines": [{"section": lc.section, "name": lc.name, "category": lc.category.value,
                   "present": list(lc.present), "last_month": [_money(v) for v in lc.last_month],
                   "horizon": [_money(v) for v in lc.horizon],
                   "last_month_deltas": [None] + [_money(lc.last_month_delta(j)) for j in range(1, len(ids))],
                   "horizon_deltas": [None] + [_money(lc.horizon_delta(j)) for j in range(1, len(ids))]}
                  for lc in cmp.lines],
        "inputs": [None if d is None else {
            "against": ids[0],
            "settings": [dataclasses.asdict(c) for c in d.settings],
            "lines": [{"change": c.change, "section": c.section, "name": c.name,
                       "values": [dataclasses.asdict(v) for v in c.values]} for c in d.lines],
            "prices": [dataclasses.asdict(c) for c in d.prices],
            "scenarios": [dataclasses.asdict(c) for c in d.scenarios]} for d in cmp.inputs],
        "identical": cmp.is_identical(),
        "notes": list(cmp.notes),
    }


def signed_money(cents: int, currency: str) -> str:
    """``+$1,234.56`` / ``-$1,234.56`` / ``$0.00`` (a difference)."""
    from pricing.rounding import money
    text = money(abs(cents) / 100, currency)
    return ("+" if cents > 0 else "-" if cents < 0 else "") + text


def ratio_text(r: float | None) -> str:
    """``+12.5%`` / ``-3.0%`` / ``0.0%`` (a relative difference)."""
    if r is None:
        return ""
    return "0.0%" if round(r * 100, 1) == 0 else f"{r * 100:+.1f}%"


def compare_text(cmp: Comparison) -> str:
    """The ``aicost compare`` cost diff: figures side by side, then per entry the lines that changed."""
    from pricing.rounding import money
    cur = cmp.currency
    ids = cmp.ids
    out = [f"Comparing {len(ids)} {'entries' if len(ids) > 2 else 'plans'} ({cur}); differences against A", ""]
    wl = max(len(e.label) for e in cmp.entries)
    for i, e, s in zip(ids, cmp.entries, cmp.summaries):
        span = f"{s.months[0]} .. {s.months[-1]}, {plural(len(s.months), 'month')}" if s.months else "no months"
        out.append(f"  {i:<3}{e.label:<{wl}}  {e.plan.name} ({span})")
    out.append("")
    fmt = lambda c: "—" if c is None else money(c / 100, cur)  # noqa: E731
    rows = [(f.label if not f.key.startswith("category.") else "  " + f.label,
             [fmt(v) for v in f.values],
             [signed_money(d, cur) if d is not None else "" for d in f.deltas[1:]],
             [ratio_text(r) for r in f.ratios[1:]]) for f in cmp.figures]
    w0 = max(len(r[0]) for r in rows + [("Category totals", [], [], [])])
    wv = max([len(x) for r in rows for x in r[1]] + [4])
    wd = max([len(x) for r in rows for x in r[2]] + [8])
    head = f"{'':<{w0}}  " + "  ".join(f"{i:>{wv}}" for i in ids) + "".join(
        f"  {f'{i} - A':>{wd}}  {'%':>7}" for i in ids[1:])
    out.append(head)
    for k, (label, vals, deltas, ratios) in enumerate(rows):
        if cmp.figures[k].key.startswith("category.") and not cmp.figures[k - 1].key.startswith("category."):
            out.append("Category totals")
        out.append(f"{label:<{w0}}  " + "  ".join(f"{v:>{wv}}" for v in vals)
                   + "".join(f"  {d:>{wd}}  {r:>7}" for d, r in zip(deltas, ratios)))
    for j in range(1, len(ids)):
        out += ["", f"{ids[j]} vs A: {cmp.entries[j].label} against {cmp.entries[0].label}"]
        changed = cmp.changed_lines(j)
        diff = cmp.inputs[j]
        if not changed and (diff is None or diff.empty):
            out.append("  no differences")
            continue
        by_line = {(c.section, c.name): c for c in (diff.lines if diff else ())}
        labels = [f"{_mark(lc.status(j), by_line.get((lc.section, lc.name)))} {lc.name} ({lc.section})"
                  for lc in changed]
        wn = max([len(x) for x in labels] + [len("= Total")])
        lm = [signed_money(lc.last_month_delta(j), cur) for lc in changed]
        hz = [signed_money(lc.horizon_delta(j), cur) for lc in changed]
        total_lm, total_hz = cmp.total_deltas(j)
        wa = max([len(x) for x in lm] + [len(signed_money(total_lm, cur)), len("last month")])
        wb = max([len(x) for x in hz] + [len(signed_money(total_hz, cur)), len("horizon")])
        out.append(f"  {'':<{wn}}  {'last month':>{wa}}  {'horizon':>{wb}}")
        for lc, label, a, b in zip(changed, labels, lm, hz):
            out.append(f"  {label:<{wn}}  {a:>{wa}}  {b:>{wb}}")
            change = by_line.get((lc.section, lc.name))
            if change is not None and change.change == "changed":
                for v in change.values:
                    out.append(f"        {v.key}: {v.before} -> {v.after}")
            elif change is not None and change.values:
                out.append("        " + ", ".join(change.given()))
            elif change is None and lc.status(j) == "same":
                out.append("        inputs unchanged: the cost moved with prices, settings or other lines")
        out.append(f"  {'= Total':<{wn}}  {signed_money(total_lm, cur):>{wa}}  {signed_money(total_hz, cur):>{wb}}")
        if diff is not None:
            for title, changes in (("Settings", diff.settings), ("Price overrides", diff.prices),
                                   ("Scenarios", diff.scenarios)):
                if changes:
                    out.append(f"  {title}:")
                    out += [f"    {c.key}: {c.before} -> {c.after}" for c in changes]
    if cmp.notes:
        out += [""] + [f"Note: {n}" for n in cmp.notes]
    return "\n".join(out) + "\n"


def _mark(status: str, change: LineChange | None) -> str:
    """``+`` added, ``-`` removed, ``~`` changed inputs, ``=`` same inputs (cost moved)."""
    if status == "added":
        return "+"
    if status == "removed":
        return "-"
    return "~" if change is not None else "="


__all__ = ["Entry", "load_entry", "entry_from_plan", "split_spec", "compare", "Comparison", "FigureRow", "LineCost",
           "LineChange", "ValueChange", "InputDiff", "input_diff", "compare_data", "compare_text", "CompareError",
           "entry_id", "signed_money"]
