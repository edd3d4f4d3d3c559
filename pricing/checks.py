"""Checks of a plan against the catalog: every problem returned as a value, none raised."""
from __future__ import annotations

from typing import Any

from pricing import apiprices, engine, fields
from pricing.catalog import Catalog
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
    problems.extend(engine.cost_problems(plan, priced))
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
