"""CSV export: monthly costs per line item in long form, safe to open in spreadsheets."""
from __future__ import annotations

import csv
import io
from typing import Iterable

from pricing.engine import Projection
from pricing.report import rounded_matrix

HEADER = ("month", "category", "section", "line_item", "scenario", "amount", "currency")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (prefix it with an apostrophe)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows(proj: Projection, scenario: str = "baseline") -> Iterable[tuple[str, ...]]:
    """Long-form rows: one per line item per month, amounts in cents rounded once."""
    cells = rounded_matrix(proj)
    for j, month in enumerate(proj.months):
        for li, row in zip(proj.line_items, cells):
            c = int(row[j])
            yield (str(month), li.category.value, li.section, safe_cell(li.name), safe_cell(scenario),
                   f"{c // 100 if c >= 0 else -((-c) // 100)}.{abs(c) % 100:02d}", proj.currency)


def write(proj: Projection, path_or_file, scenarios: dict[str, Projection] | None = None) -> None:
    """Write the baseline (and any scenario projections) as UTF-8 CSV with a header row."""
    own = isinstance(path_or_file, (str, bytes)) or hasattr(path_or_file, "__fspath__")
    fh = open(path_or_file, "w", encoding="utf-8", newline="") if own else path_or_file
    try:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows(proj))
        for name, sp in (scenarios or {}).items():
            w.writerows(rows(sp, name))
    finally:
        if own:
            fh.close()


def to_text(proj: Projection) -> str:
    buf = io.StringIO()
    write(proj, buf)
    return buf.getvalue()
