"""People: the indirect cost of time spent on infrastructure toil, as hours x rate or headcount x FTE x annual cost."""
from __future__ import annotations

from pricing.context import Context, LineItem
from pricing.drivers import given
from pricing.plan import Category, PeopleLine

MONTHS_PER_YEAR = 12.0


def line(line: PeopleLine, key: str, ctx: Context) -> LineItem:
    active = ctx.active(line.start, line.end)
    if line.annual_cost is not None:
        # as people are budgeted: a loaded annual cost per full-time person, a twelfth of it each month
        heads = 1 if line.headcount is None else line.headcount
        fte = 1.0 if line.fte is None else line.fte
        ftes = heads * fte * active
        scalar = not any(hasattr(x, "shape") for x in (heads, fte, line.annual_cost))
        return LineItem(line.name, Category.PEOPLE, "people", key, ftes * (line.annual_cost / MONTHS_PER_YEAR),
                        (("FTEs", ftes),), (given(f"{key}.annual_cost"),),
                        (f"{heads:g} x {fte:.0%} FTE x {line.annual_cost:,.0f} a year / 12",) if scalar else ())
    hours = line.hours_per_month * active
    return LineItem(line.name, Category.PEOPLE, "people", key, hours * line.hourly_rate,
                    (("person-hours", hours),), (given(f"{key}.hourly_rate"),), ())
