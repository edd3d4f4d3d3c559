"""Excel workbook of a plan whose monthly cells are live formulas over named inputs (XlsxWriter, no Qt).

Sheets: Inputs (every quantity and price with unit, source and date, each a defined name), Monthly
(each line's arithmetic re-expressed as formulas over those names, month by month, with category
and grand totals), Summary (category x fiscal year), Scenarios (side by side), Drivers, Notes.

The formulas mirror the drivers in ``pricing/drivers/`` line for line; ``tests/pricing/
test_export_xlsx.py`` recalculates the workbook with an independent engine (the ``formulas``
package) and checks every month and the horizon against ``engine.project`` to the cent. Where the
engine uses something a spreadsheet cannot reasonably follow (storage ages moving data between
tiers, long-context API price cliffs) the engine's own figure is written as an input marked
"computed by AI Cost Planner" and the price arithmetic around it stays live; the Notes sheet lists
each such place. Each formula cell also carries the engine's value as its cached result, so a
viewer that does not recalculate still shows the right numbers.

The package: ``book`` (layout constants, defined names, formats, the row and input writer),
``lines`` (one block per plan section, mirroring pricing/drivers/), ``sheets`` (Inputs and Monthly
headers, commitments, totals, Summary, Scenarios, Drivers, Notes), ``workbook`` (``write_workbook``
and ``export``).
"""
from pricing.export_xlsx.book import COMPUTED, FIRST_MONTH_COL, HEADER_ROWS, _Book, fiscal_year, formula_like
from pricing.export_xlsx.workbook import Exported, export, money_format, write_workbook

__all__ = ["COMPUTED", "FIRST_MONTH_COL", "HEADER_ROWS", "Exported", "_Book", "export", "fiscal_year", "formula_like",
           "money_format", "write_workbook"]
