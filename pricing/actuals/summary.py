"""Presentation of an Analysis: the ``aicost actuals --json`` document, its text report and its CSV (from one dict)."""
from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from pricing.actuals.analysis import UNMAPPED, Analysis
from pricing.rounding import money

MAX_PROBLEMS = 50


def _f(cents: int | np.integer | None) -> float | None:
    return None if cents is None else int(cents) / 100


def _pct(var: int, plan: int) -> float | None:
    return round(var / plan * 100, 2) if plan else None


def actuals_data(a: Analysis) -> dict:
    """The JSON document (documented in docs/cli.md, "aicost actuals")."""
    obs = np.array(a.observed, dtype=bool)
    plan_m = a.plan_monthly
    to_date = {id(ln): a.plan_to_date(ln) for ln in a.lines}
    plan_td = sum(to_date.values(), np.zeros(len(a.months), dtype=np.int64))
    act_m = a.actual_monthly
    var_m = act_m - plan_td
    cum_p = np.cumsum(np.where(obs, plan_td, 0))
    cum_a = np.cumsum(np.where(obs, act_m, 0))

    def masked(values: np.ndarray) -> list:
        return [_f(v) if o else None for v, o in zip(values, obs)]

    lines = []
    cats: dict[str, list[int]] = {}
    for ln in a.lines:
        ptd = to_date[id(ln)]
        p, ac = int(ptd[obs].sum()), int(ln.actual[obs].sum())
        c = cats.setdefault(ln.category, [0, 0, 0])
        c[0] += p
        c[1] += ac
        c[2] += int(ln.plan.sum())
        usage = []
        for m, u, o in zip(a.months, ln.usage, obs):
            if u is None or not o:
                continue
            usage.append({"month": m, "unit": u.unit, "plan": round(u.plan, 4),
                          "actual": None if u.actual is None else round(u.actual, 4),
                          "volume_effect": None if u.volume_effect is None else round(u.volume_effect / 100, 2),
                          "price_effect": None if u.price_effect is None else round(u.price_effect / 100, 2)})
        lines.append({"name": ln.name, "key_path": ln.key_path or None, "category": ln.category,
                      "plan": _f(p), "actual": _f(ac), "variance": _f(ac - p), "variance_pct": _pct(ac - p, p),
                      "plan_horizon": _f(int(ln.plan.sum())),
                      "no_rows": bool(ln.key_path) and ln.key_path in a.unreached,
                      "monthly": {"plan": [_f(v) for v in ln.plan], "plan_to_date": masked(ptd),
                                  "actual": masked(ln.actual), "variance": masked(ln.actual - ptd)},
                      "usage": usage})
    fc = a.forecast
    doc: dict[str, Any] = {
        "name": a.plan_name, "currency": a.currency, "cost": a.cost.value,
        "months": list(a.months),
        "actual_months": [m for m, o in zip(a.months, a.observed) if o],
        "files": [{"path": f.path, "kind": f.kind, "format": f.container, "sha256": f.sha256, "rows": f.rows,
                   "refused_rows": f.refused(a.cost.value), "warnings": f.warnings, "imported_at": f.imported_at}
                  for f in a.files],
        "imported_total": _f(a.imported_cents),
        "mapped_total": _f(a.mapped_cents),
        "unmapped_total": _f(a.unmapped_cents),
        "outside_horizon_total": _f(a.outside_cents),
        "outside_horizon": [{"month": m, "amount": _f(c)} for m, c in a.outside_months],
        "refused_rows": a.refused_rows,
        "usage_only_rows": a.usage_rows,
        "problems": [str(i.problem()) for i in a.issues[:MAX_PROBLEMS]],
        "unmapped": [{"service_category": u.service_category, "service": u.service_name, "sku": u.sku_id,
                      "amount": _f(u.cents), "rows": u.rows, "months": list(u.months)} for u in a.unmapped],
        "rules": [dict(r.rule.data(), origin=r.origin, reason=r.reason or None, amount=_f(r.cents), rows=r.rows)
                  for r in a.rules],
        "monthly": {"plan": [_f(v) for v in plan_m], "plan_to_date": masked(plan_td), "covered": list(a.covered),
                    "actual": masked(act_m), "variance": masked(var_m),
                    "variance_pct": [_pct(int(v), int(p)) if o else None for v, p, o in zip(var_m, plan_td, obs)],
                    "cumulative_plan": masked(cum_p), "cumulative_actual": masked(cum_a),
                    "cumulative_variance": masked(cum_a - cum_p)},
        "lines": lines,
        "categories": [{"category": k, "plan": _f(v[0]), "actual": _f(v[1]), "variance": _f(v[1] - v[0]),
                        "variance_pct": _pct(v[1] - v[0], v[0]), "plan_horizon": _f(v[2])}
                       for k, v in cats.items() if v != [0, 0, 0] or k == UNMAPPED],
        "rates": [{"from": r.currency, "rate": r.rate, "as_of": r.as_of.isoformat()} for r in a.rates_used],
        "plan_total": _f(a.plan_total_cents),
        "forecast_total": _f(fc.total) if fc else None,
        "forecast": None if fc is None else {
            "method": fc.method.value, "window": list(fc.window), "last_actual_month": fc.last_actual,
            "last_month_covered": fc.covered, "monthly": [_f(v) for v in fc.monthly],
            "p10": [_f(v) for v in fc.p10], "p90": [_f(v) for v in fc.p90], "band": fc.band,
            "total": _f(fc.total), "total_p10": _f(fc.total_p10), "total_p90": _f(fc.total_p90),
            "plan_total": _f(fc.plan_total), "first_month_over_budget": fc.first_over_budget,
            "plan_first_month_over_budget": fc.plan_first_over_budget,
            "ratios": [{"line": k, "ratio": r} for k, r in fc.ratios]},
        "monthly_budget": a.monthly_budget,
        "notes": list(a.notes),
    }
    return doc


def actuals_text(doc: dict) -> str:
    """The readable report, from the JSON document (so the two cannot disagree)."""
    cur = doc["currency"]
    m = lambda x: "-" if x is None else money(x, cur)  # noqa: E731
    out = [f"{doc['name']}: plan against actual ({doc['cost']} cost, {cur})", ""]
    for f in doc["files"]:
        out.append(f"  {f['path']}  {f['kind']} {f['format']}, {f['rows']:,} rows"
                   + (f", {f['refused_rows']} refused" if f["refused_rows"] else ""))
    out += ["", f"Imported  {m(doc['imported_total'])}  = mapped {m(doc['mapped_total'])} + unmapped "
            f"{m(doc['unmapped_total'])}"]
    if doc["outside_horizon_total"]:
        out.append(f"  of which {m(doc['outside_horizon_total'])} is dated outside the plan's months")
    if doc["refused_rows"]:
        out.append(f"  {doc['refused_rows']} rows refused (their cost is in no total; see the problems below)")
    out += ["", f"{'month':<9}{'plan':>16}{'actual':>16}{'variance':>16}{'%':>9}{'cum. variance':>17}"]
    mo = doc["monthly"]
    for i, month in enumerate(doc["months"]):
        if mo["actual"][i] is None:
            continue
        pct = mo["variance_pct"][i]
        part = "" if mo["covered"][i] >= 1 else f"  (plan for the {mo['covered'][i]:.0%} covered)"
        out.append(f"{month:<9}{m(mo['plan_to_date'][i]):>16}{m(mo['actual'][i]):>16}{m(mo['variance'][i]):>16}"
                   f"{'' if pct is None else f'{pct:+.1f}%':>9}{m(mo['cumulative_variance'][i]):>17}{part}")
    ranked = sorted((ln for ln in doc["lines"] if ln["actual"] or ln["plan"]),
                    key=lambda ln: -abs(ln["variance"] or 0))
    if ranked:
        out += ["", "Lines by size of variance (months with actuals)"]
        for ln in ranked[:12]:
            pct = ln["variance_pct"]
            out.append(f"  {ln['name'][:34]:<34} plan {m(ln['plan']):>14}  actual {m(ln['actual']):>14}  "
                       f"{m(ln['variance']):>14}" + ("" if pct is None else f" ({pct:+.1f}%)"))
            for u in ln["usage"][-1:]:
                if u["actual"] is not None and u["volume_effect"] is not None:
                    out.append(f"      {u['month']}: {u['actual']:,.0f} {u['unit']} against {u['plan']:,.0f} planned: "
                               f"volume {m(u['volume_effect'])}, price {m(u['price_effect'])}")
    if doc["unmapped"]:
        out += ["", "Unmapped (no rule took these rows), by service and SKU"]
        for u in doc["unmapped"][:15]:
            out.append(f"  {m(u['amount']):>14}  {u['service'] or '-'} / {u['sku'] or '-'}  ({u['rows']:,} rows)")
        if len(doc["unmapped"]) > 15:
            out.append(f"  ... {len(doc['unmapped']) - 15} more (--json lists all)")
    proposed = [r for r in doc["rules"] if r["origin"] == "proposed"]
    if proposed:
        out += ["", "Proposed rules (applied here; add them to the plan's actuals: rules to keep them)"]
        for r in proposed:
            out.append(f"  - {{match: {_flow(r['match'])}, line: {r['line']}}}   # {r['reason']}, {m(r['amount'])}")
    fc = doc["forecast"]
    if fc:
        out += ["", f"Re-forecast ({fc['method']}, run-rate over {', '.join(fc['window'])})",
                f"  horizon total {m(fc['total'])} (P10 {m(fc['total_p10'])} - P90 {m(fc['total_p90'])}) against "
                f"the plan's {m(fc['plan_total'])}"]
        if doc["monthly_budget"] is not None:
            out.append(f"  first month over budget: {fc['first_month_over_budget'] or 'none'} (plan: "
                       f"{fc['plan_first_month_over_budget'] or 'none'})")
        out.append(f"  band: {fc['band']}")
    if doc["notes"]:
        out += ["", "Notes"] + [f"  {n}" for n in doc["notes"]]
    if doc["problems"]:
        out += ["", "Problems"] + [f"  {p}" for p in doc["problems"]]
    return "\n".join(out) + "\n"


def _flow(match: dict) -> str:
    import json
    parts = []
    for k, v in match.items():
        if isinstance(v, dict):
            parts.append(f"{k}: {{" + ", ".join(f"{tk}: {json.dumps(tv)}" for tk, tv in v.items()) + "}")
        else:
            parts.append(f"{k}: {json.dumps(v)}")
    return "{" + ", ".join(parts) + "}"


CSV_COLUMNS = ("line", "key_path", "category", "month", "plan", "actual", "variance", "variance_pct", "unit",
               "plan_quantity", "actual_quantity", "volume_effect", "price_effect")


def actuals_csv(doc: dict) -> str:
    """One row per line and month with actuals (the unmapped rest included), then the monthly totals."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for ln in doc["lines"]:
        usage = {u["month"]: u for u in ln["usage"]}
        for i, month in enumerate(doc["months"]):
            actual = ln["monthly"]["actual"][i]
            if actual is None:
                continue
            plan = ln["monthly"]["plan_to_date"][i]
            var = ln["monthly"]["variance"][i]
            u = usage.get(month, {})
            w.writerow([ln["name"], ln["key_path"] or "", ln["category"], month, _c(plan), _c(actual), _c(var),
                        "" if not plan else f"{var / plan * 100:.2f}", u.get("unit", ""), _n(u.get("plan")),
                        _n(u.get("actual")), _c(u.get("volume_effect")), _c(u.get("price_effect"))])
    mo = doc["monthly"]
    for i, month in enumerate(doc["months"]):
        if mo["actual"][i] is None:
            continue
        pct = mo["variance_pct"][i]
        w.writerow(["Total", "", "", month, _c(mo["plan_to_date"][i]), _c(mo["actual"][i]), _c(mo["variance"][i]),
                    "" if pct is None else f"{pct:.2f}", "", "", "", "", ""])
    return buf.getvalue()


def _c(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def _n(x: float | None) -> str:
    return "" if x is None else f"{x:g}"
