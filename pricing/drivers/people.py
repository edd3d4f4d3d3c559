"""People: the indirect cost of time spent on infrastructure toil."""
from __future__ import annotations

from pricing.drivers import given
from pricing.context import Context, LineItem
from pricing.plan import Category, PeopleLine


def line(line: PeopleLine, key: str, ctx: Context) -> LineItem:
    hours = line.hours_per_month * ctx.active(line.start, line.end)
    return LineItem(line.name, Category.PEOPLE, "people", key, hours * line.hourly_rate,
                    (("person-hours", hours),), (given(f"{key}.hourly_rate"),), ())
