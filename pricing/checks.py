"""Checks of a plan against the catalog: every problem returned as a value, none raised."""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from pricing import apiprices, engine, fields
from pricing.catalog import Catalog
from pricing.drivers import commitments
from pricing.errors import PlanError, Problem, UnknownNameError
from pricing.plan import Plan, month_problems
from pricing.scenarios import check_scenarios

_FIELD_OF_KIND = {"gpu": "gpu", "provider": "provider", "api provider": "provider", "model": "model",
                  "storage tier": "tier", "tier": "tier", "egress kind": "kind", "mlops kind": "kind",
                  "kind": "kind", "annotation task": "task", "task": "task", "platform": "name",
                  "model family": "model_family"}


def check(plan: Plan, catalog: Any = None) -> list[Problem]:
    """Everything in ``plan`` the engine could not price, each with its key path.

    The catalog (default: the shipped one) is loaded first, outside the plan's checks: a broken
    catalog raises its own ``CatalogError``, which is not a problem of the plan."""
    if catalog is None:
        catalog = Catalog.load()
    problems: list[Problem] = month_problems(plan)
    if any(k.startswith("api.") for k, _ in plan.prices):
        try:
            apiprices.check_overrides(plan.price_overrides)
        except PlanError as exc:
            problems.extend(Problem(p.message, p.key_path or "prices") for p in exc.problems)
    try:
        ctx = engine.context(plan, catalog)
    except PlanError as exc:
        return problems + [Problem(p.message, p.key_path or "prices") for p in exc.problems]
    priced = []
    for section, i, line in plan.lines():
        key = f"{section}[{i}]"
        try:
            priced.append(engine.price_line(section, i, line, ctx))
        except UnknownNameError as exc:
            field = _FIELD_OF_KIND.get(exc.kind.lower(), "")
            problems.append(Problem(exc.problems[0].message, f"{key}.{field}" if field else key))
        except PlanError as exc:
            problems.extend(Problem(p.message, p.key_path or key) for p in exc.problems)
    problems.extend(amount_problems(plan, ctx, priced))
    problems.extend(commitments.problems(plan, ctx))
    platform = plan.services.platform
    if platform is not None:
        applies_to = fields.field("services.platform", "applies_to")  # the plan file refuses others; a plan made
        known = [c.text for c in applies_to.choices]                  # in code is checked here
        for j, name in enumerate(platform.applies_to):
            if name not in known:
                problems.append(Problem(f"found {name!r}, expected {applies_to.example}",
                                        f"services.platform.applies_to[{j}]"))
        if platform.markup is None:
            try:
                ctx.catalog.platform_markup(platform.name)
            except UnknownNameError as exc:
                problems.append(Problem(exc.problems[0].message, "services.platform.name"))
            except PlanError as exc:
                problems.extend(Problem(p.message, "services.platform") for p in exc.problems)
    if plan.scenarios:
        problems.extend(check_scenarios(plan, catalog))
    if plan.provider not in ctx.catalog.providers:
        err = UnknownNameError("provider", plan.provider, ctx.catalog.providers)
        problems.append(Problem(err.problems[0].message, "provider"))
    return problems


def amount_problems(plan: Plan, ctx: Any, priced: list[engine.LineItem]) -> list[Problem]:
    """Lines, and the plan, whose cost passes the largest amount the product represents (``engine.MAX_AMOUNT``) or
    is not a finite, non-negative number: at their likely values, then with their ranges at the expensive end (what
    the Monte Carlo samples reach). Each names the line, the field that drives it and the month it gets there."""
    found = engine.cost_problems(plan, _with_markup(plan, list(priced), ctx))
    if found:
        return found
    extremes: list[engine.LineItem] = []
    moved: dict[str, tuple[str, float]] = {}
    with np.errstate(all="ignore"):
        for (section, i, line), item in zip(plan.lines(), priced):
            worst = _expensive_ends(section, i, line, ctx)
            extremes.append(item if worst is None else worst[0])
            if worst is not None:
                moved[item.key_path] = worst[1]
    if not moved:
        return []
    items = _with_markup(plan, extremes, ctx)
    out = []
    for r in engine.runaways(items):
        key_path = r.item.key_path if r.item is not None else max(items, key=lambda li: li.total).key_path
        if key_path in moved:
            field, value = moved[key_path]
            spec = fields.field(key_path.partition("[")[0], field)
            at = f"with its ranges at their expensive end ({spec.label_for(plan.currency)} {spec.text(value)})"
            out.append(Problem(f"{r.text(plan, at)}; narrow the range", f"{key_path}.{field}"))
        else:
            out.append(Problem(f"{r.text(plan, 'with every range at its expensive end')}; narrow the ranges",
                               key_path))
    return out


def _with_markup(plan: Plan, items: list[engine.LineItem], ctx: Any) -> list[engine.LineItem]:
    """The items and the platform's markup, or the items alone when the platform can't be priced (its own check
    says why)."""
    try:
        return engine.with_markup(plan, items, ctx)
    except PlanError:
        return items


def _expensive_ends(section: str, i: int, line: Any, ctx: Any) -> tuple[engine.LineItem, tuple[str, float]] | None:
    """A line priced with each of its ranges at the end that costs more (fields being monotonic, the most the Monte
    Carlo can sample), and the range (field, value) that moves it most; None for a line without ranges.

    Each field's end is chosen with the others at the ends chosen so far, twice over: ranges interact (a growth
    moves nothing while the output tokens sit at a likely 0, but everything once they are at their high)."""
    ranges = getattr(line, "ranges", ())
    if not ranges:
        return None
    chosen: dict[str, float] = {}
    moves: dict[str, float] = {}
    for _ in range(2):
        for field, rng in ranges:
            ends = np.array([rng.low, rng.high])
            if field in fields.INTEGER_KEYS:
                ends = np.rint(ends)
            others = {k: v for k, v in chosen.items() if k != field}
            try:
                trial = dataclasses.replace(line, **others, **{field: ends[:, None]})
                monthly = engine.price_line(section, i, trial, ctx).monthly
            except (PlanError, ValueError, ArithmeticError):
                continue
            totals = np.nan_to_num(np.broadcast_to(monthly, (2, ctx.n)).sum(axis=1), nan=np.inf)
            end = 0 if totals[0] > totals[1] else 1  # a tie goes to the high end
            chosen[field] = float(ends[end])
            moves[field] = float(abs(totals[1] - totals[0]))
    if not chosen:
        return None
    field = max(chosen, key=lambda k: moves[k])
    try:
        return engine.price_line(section, i, dataclasses.replace(line, **chosen), ctx), (field, chosen[field])
    except (PlanError, ValueError, ArithmeticError):
        return None
