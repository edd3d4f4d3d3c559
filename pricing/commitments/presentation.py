"""The commitment planner's answer as plain data (`aicost commitments --json`) and as text."""
from __future__ import annotations


import numpy as np

from pricing.engine import HOURS_PER_MONTH
from pricing.rounding import largest_remainder, money, to_cents

from pricing.commitments.planner import Evaluation, Report


# ---------------------------------------------------------------------------------------------
# Presentation (CLI)
# ---------------------------------------------------------------------------------------------


def cents_series(values: np.ndarray) -> list[float]:
    """A month series rounded to cents so that the cents add up to the rounded total (largest remainder).

    An amortised charge of 16,897.99 over 36 months is 469.38 in some months and 469.39 in others, as on
    an amortisation schedule, so the amortised and cash views of one commitment total the same.
    """
    values = np.asarray(values, dtype=float)
    cents = largest_remainder(values * 100.0, int(to_cents(float(values.sum()))[0]))
    return [int(c) / 100 for c in cents]


def report_data(r: Report) -> dict:
    """``aicost commitments --json`` (documented in docs/cli.md)."""
    cur = r.projection.currency
    r2 = cents_series

    def ev(e: Evaluation) -> dict:
        c, o, ch = e.commitment, e.commitment.offer, e.charges
        return {
            "offer": o.key, "label": o.label, "kind": o.kind.value, "term_months": o.term_months,
            "upfront": o.upfront.value, "discount": round(o.discount, 6), "gpus": c.gpus, "start_month": c.start,
            "start": str(r.projection.months[c.start - 1]) if c.gpus else None,
            "coverage": round(e.coverage, 6), "utilisation": round(e.utilisation, 6),
            "expected_utilisation": round(e.expected_utilisation, 6), "p10_utilisation": round(e.p10_utilisation, 6),
            "break_even_utilisation": round(e.break_even_utilisation, 6),
            "saving_in_horizon": round(e.saving_in_horizon, 2), "saving": round(e.saving, 2),
            "saving_if_usage_continues": round(e.saving_if_usage_continues, 2),
            "expected_saving": round(e.expected_saving, 2), "p10_saving": round(e.p10_saving, 2),
            "months_after_horizon": ch.months_after_horizon,
            "obligation_after_horizon": round(ch.obligation_after_horizon, 2),
            "amortised": r2(ch.amortised), "cash": None if ch.cash is None else r2(ch.cash),
            "on_demand_avoided": r2(e.credit), "gpu_hours_covered": [round(float(x), 4) for x in e.covered],
            "source": o.source.data(),
        }
    return {
        "name": r.projection.plan.name, "currency": cur, "months": [str(m) for m in r.projection.months],
        "samples": r.samples, "seed": r.seed,
        "pools": [{
            "provider": p.pool.provider, "gpu": p.pool.gpu, "on_demand_price_usd": p.pool.price,
            "price_source": p.pool.source.data(),
            "lines": [li.key_path for li in p.pool.lines],
            "gpu_hours": [round(float(x), 4) for x in p.usage_pool.usage],
            "committed_gpus": None if p.committed is None else [round(float(x), 4) for x in p.committed],
            "gpu_hours_left": [round(float(x), 4) for x in p.pool.usage],
            "recommended": p.recommended.commitment.offer.key if p.recommended else None,
            "offers": [ev(e) for e in p.best],
            "gaps": [{"offer": o.key, "label": o.label, "gap": o.gap, "source": o.source.source} for o in p.gaps],
        } for p in r.pools],
        "excluded": [{"key_path": x.key_path, "name": x.name, "reason": x.reason} for x in r.excluded],
    }


def report_text(r: Report, *, top: int = 6) -> str:
    """``aicost commitments``: per pool, the best commitment of each offer, the recommendation and its cash flow."""
    proj = r.projection
    cur = proj.currency
    lines = [f"{proj.plan.name}: commitments planned against the usage curve ({proj.months[0]} .. {proj.months[-1]})",
             "Within a month a pool's lines are taken to run at the same time (a commitment covers at most its "
             "GPUs in any hour); savings count any obligation past the horizon as a cost."]
    if r.samples:
        lines.append(f"Usage uncertainty: {r.samples:,} Monte Carlo samples of the plan's ranges (seed {r.seed}); "
                     "P10 = the case where usage falls short.")
    else:
        lines.append("The plan has no ranges: expected and P10 savings equal the likely case.")
    if not r.pools:
        lines.append("\nNo on-demand GPU usage to commit.")
    for p in r.pools:
        pool = p.usage_pool
        steady = (pool.gpus * (pool.hours >= HOURS_PER_MONTH)).sum(axis=-1)
        lines += ["", f"{pool.label}: {money(pool.price, 'USD')}/GPU-hour on demand; {pool.usage.sum():,.0f} GPU-hours "
                  f"over the horizon; {steady.min():,.0f}..{steady.max():,.0f} GPUs running all month ("
                  + ", ".join(li.name for li in pool.lines) + ")"]
        if p.committed is not None:
            lines.append(f"  The plan already commits {p.committed.min():,.0f}..{p.committed.max():,.0f} GPUs of it: "
                         f"the offers below are for the {p.pool.usage.sum():,.0f} GPU-hours they leave.")
        if not p.best:
            lines.append("  No priced offer for this GPU at this provider.")
        else:
            lines.append(f"  {'offer':<52} {'GPUs':>5} {'from':>8} {'cover':>6} {'util':>6} {'b-even':>6} "
                         f"{'exp. saving':>12} {'P10 saving':>12}")
            for e in p.best[:top]:
                c, o = e.commitment, e.commitment.offer
                start = str(proj.months[c.start - 1]) if c.gpus else "-"
                lines.append(f"  {o.label[:52]:<52} {c.gpus:>5} {start:>8} {e.coverage:>6.0%} {e.utilisation:>6.0%} "
                             f"{e.break_even_utilisation:>6.0%} {money(e.expected_saving, cur, compact=True):>12} "
                             f"{money(e.p10_saving, cur, compact=True):>12}")
            if len(p.best) > top:
                lines.append(f"  ... {len(p.best) - top} more offers (--json lists them all)")
            rec = p.recommended
            if rec is None:
                lines.append("  Committing does not pay for this pool at any offer: its usage is too short, too "
                             "bursty or too uncertain for the terms.")
            else:
                c, ch = rec.commitment, rec.charges
                lines.append(f"  Recommended: {c.gpus} GPUs of {c.offer.label} from {proj.months[c.start - 1]}: "
                             f"covers {rec.coverage:.0%} of the usage in its term at {rec.utilisation:.0%} "
                             f"utilisation (break-even {rec.break_even_utilisation:.0%}); saves "
                             f"{money(rec.expected_saving, cur)} expected, {money(rec.p10_saving, cur)} at P10.")
                if ch.months_after_horizon:
                    lines.append(f"  Its term runs {ch.months_after_horizon} months past the horizon: "
                                 f"{money(ch.obligation_after_horizon, cur)} still owed then, counted as a cost; if "
                                 "usage stays at its last month's level it saves "
                                 f"{money(rec.saving_if_usage_continues, cur)}.")
                lines.append("  Cash vs amortised (the commitment's charge per month):")
                lines.append(f"    {'month':<8} {'amortised':>14} {'cash':>14} {'on demand avoided':>18}")
                amort, credit = cents_series(ch.amortised), cents_series(rec.credit)
                cash_c = None if ch.cash is None else cents_series(ch.cash)
                shown = [i for i in range(len(proj.months)) if ch.gpus[i] > 0][:12]
                for i in shown:
                    cash = "gap" if cash_c is None else money(cash_c[i], cur)
                    lines.append(f"    {str(proj.months[i]):<8} {money(amort[i], cur):>14} {cash:>14} "
                                 f"{money(credit[i], cur):>18}")
                if len(shown) < int((ch.gpus > 0).sum()):
                    lines.append(f"    {'...':<8}")
                total_cash = "gap" if cash_c is None else money(sum(cash_c), cur)
                lines.append(f"    {'horizon':<8} {money(sum(amort), cur):>14} {total_cash:>14} "
                             f"{money(sum(credit), cur):>18}")
        for o in p.gaps:
            lines.append(f"  gap: {o.key}: {o.gap}")
    for x in r.excluded:
        lines.append(f"Left out: {x.name} ({x.key_path}): {x.reason}")
    lines += ["", f"Offers and their sources: {r.offers_file}"]
    return "\n".join(lines) + "\n"
