"""The workbook being written: layout constants, defined names, formats and the row/input writer (_Book)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from pricing.plan import Plan

COMPUTED = "computed by AI Cost Planner"
"""How a figure the workbook cannot recompute itself is marked (Inputs, Monthly and Notes)."""

FIRST_MONTH_COL = 4
"""Column of the first month on the Monthly sheet (A line, B row, C unit, D horizon)."""
HEADER_ROWS = 4
"""Title, month labels, plan month numbers, fiscal years."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SECTION_PREFIX = {
    "compute.training": "trn", "compute.fine_tuning": "ft", "compute.inference": "inf",
    "compute.exploration": "expl", "data.storage": "sto", "data.egress": "egr", "services.apis": "api",
    "annotation": "ann", "mlops": "ops", "people": "ppl",
}
_SECTION_TITLE = {
    "compute.training": "Compute · training", "compute.fine_tuning": "Compute · fine-tuning",
    "compute.inference": "Compute · inference", "compute.exploration": "Compute · exploration",
    "data.storage": "Data · storage", "data.egress": "Data · egress", "services.apis": "Services · APIs",
    "annotation": "Annotation", "mlops": "MLOps", "people": "People",
}


def formula_like(text: str) -> bool:
    """Whether text a spreadsheet would take for a formula if it were typed in (= + - @ first)."""
    return text.startswith(_FORMULA_START)


def fiscal_year(year: int, month: int, first_month: int) -> int:
    """The fiscal year a calendar month falls in, named by the calendar year in which it ends.

    ``first_month`` 1 is the calendar year; 4 (April) puts 2027-03 in FY2027 and 2027-04 in FY2028.
    """
    if first_month == 1:
        return year
    return year + 1 if month >= first_month else year


def _col(c: int) -> str:
    name = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        name = chr(65 + r) + name
    return name


def _name(text: str) -> str:
    """A valid Excel defined name from ours (letters, digits, underscores; never a cell reference)."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not re.match(r"[A-Za-z_]", out):
        out = "_" + out
    return out[:250]


@dataclass(slots=True)
class _Row:
    """A Monthly row written: its index (0-based) and the engine's values cached in its cells."""

    row: int
    cached: np.ndarray


@dataclass(slots=True)
class _Book:
    """The workbook being written: formats, the Inputs sheet and the Monthly sheet's next free row."""

    wb: Any
    plan: Plan
    n: int
    money_fmt: str
    inputs: Any = None
    monthly: Any = None
    next_input: int = 1
    next_row: int = HEADER_ROWS
    names: dict[str, str] = field(default_factory=dict)
    """Catalog key or label -> defined name, so a price used by several lines is one input."""
    used: set[str] = field(default_factory=lambda: {"monthly_total", "horizon_total"})
    """Defined names taken (lower case: Excel compares names without case)."""
    computed: list[str] = field(default_factory=list)
    computed_notes: list[tuple[str, str]] = field(default_factory=list)
    f: dict[str, Any] = field(default_factory=dict)
    tiers: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    """Catalog key of a tiered price -> its (rate name, cumulative bound name) per tier."""
    quantity_rows: dict[tuple[str, str], "_Row"] = field(default_factory=dict)
    """(line key path, quantity) -> its Monthly row, for rows that sum other lines' quantities."""
    view_cash: bool = False
    line: Any = None
    """The plan line being written (its ranges annotate its inputs)."""
    items: tuple = ()
    """The projection's line items (lines billed under shared account-wide tiers are found through them)."""

    # -- formats --------------------------------------------------------------------------------
    def formats(self) -> None:
        add = self.wb.add_format
        money = self.money_fmt
        self.f = {
            "title": add({"bold": True, "font_size": 14}),
            "head": add({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": True, "valign": "top"}),
            "head_num": add({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "align": "right"}),
            "section": add({"bold": True, "font_color": "#1F3864", "top": 1}),
            "money": add({"num_format": money}),
            "money_bold": add({"num_format": money, "bold": True}),
            "money_total": add({"num_format": money, "bold": True, "top": 1, "bg_color": "#F2F2F2"}),
            "money_grand": add({"num_format": money, "bold": True, "top": 2, "bottom": 2, "bg_color": "#DCE6F1"}),
            "num": add({"num_format": "#,##0.00"}),
            "int": add({"num_format": "0"}),
            "share": add({"num_format": "0.00%"}),
            "computed": add({"num_format": "#,##0.######", "italic": True, "font_color": "#7F6000",
                             "bg_color": "#FFF2CC"}),
            "input": add({"num_format": "#,##0.########", "font_color": "#0000FF", "bg_color": "#EAF1DD"}),
            "input_computed": add({"num_format": "#,##0.########", "italic": True, "font_color": "#7F6000",
                                   "bg_color": "#FFF2CC"}),
            "text": add({}),
            "bold": add({"bold": True}),
            "muted": add({"font_color": "#595959"}),
            "wrap": add({"text_wrap": True, "valign": "top"}),
            "quoted": add({"quote_prefix": True}),
        }

    def text(self, ws: Any, r: int, c: int, text: str, fmt: Any = None) -> None:
        """A text cell; plan text that looks like a formula gets Excel's quote prefix (shown as typed, stays
        text when edited), never evaluated: the workbook's guard against formula injection."""
        if formula_like(text):
            ws.write_string(r, c, text, self.f["quoted"])
        else:
            ws.write_string(r, c, text, fmt)

    # -- inputs ---------------------------------------------------------------------------------
    def input(self, name: str, line: str, label: str, value: Any, unit: str, *, source: str = "",
              as_of: str = "", confidence: str = "", note: str = "", computed: bool = False) -> str:
        """One named input row; ``value`` is a number or a formula (a string starting with '=')."""
        name = _name(name)
        if name.lower() in self.used:  # Excel names ignore case; two keys may sanitise alike
            k = 2
            while f"{name}_{k}".lower() in self.used:
                k += 1
            name = f"{name}_{k}"
        self.used.add(name.lower())
        r = self.next_input
        self.next_input += 1
        ws = self.inputs
        ws.write_string(r, 0, name, self.f["muted"])
        self.text(ws, r, 1, line)
        ws.write_string(r, 2, label)
        fmt = self.f["input_computed"] if computed else self.f["input"]
        if isinstance(value, str):
            ws.write_formula(r, 3, value, fmt)
        else:
            ws.write_number(r, 3, float(value), fmt)
        ws.write_string(r, 4, unit)
        self.text(ws, r, 5, (COMPUTED + (f": {note}" if note else "") if computed else source))
        ws.write_string(r, 6, as_of)
        ws.write_string(r, 7, confidence)
        if note and not computed:
            self.text(ws, r, 8, note)
        self.wb.define_name(name, f"=Inputs!$D${r + 1}")
        if computed:
            self.computed.append(name)
        return name

    def price(self, source: Any, value: float, unit: str, line: str, label: str) -> str:
        """The named input of a price (one per catalog key; the plan's own figures get their own)."""
        key = f"price:{source.key}:{label}" if source.overridden and source.source == "given in the plan" \
            else f"price:{source.key}"
        if key in self.names:
            return self.names[key]
        name = self.input("px_" + source.key, line, label, value, unit, source=source.source,
                          as_of=source.as_of, confidence=source.confidence, note=source.notes)
        self.names[key] = name
        return name

    def tiered(self, price: Any, line: str, label: str) -> Callable[[str], str]:
        """A formula builder for the cost of a quantity cell at a (possibly tiered) catalog price."""
        if not price.tiers:
            name = self.price(price.source, price.value, price.unit, line, label)
            return lambda q: f"{q}*{name}"
        key = price.source.key
        if key not in self.tiers:
            parts = []
            for i, t in enumerate(price.tiers, start=1):
                base = f"px_{price.source.key}_tier{i}"
                p = self.input(base, line, f"{label}: tier {i} rate", t.price, price.unit, source=price.source.source,
                               as_of=price.source.as_of, confidence=price.source.confidence,
                               note=price.source.notes if i == 1 else "")
                upto = None
                if t.upto is not None:
                    upto = self.input(base + "_upto", line, f"{label}: tier {i} up to (cumulative)", t.upto,
                                      price.unit.split(" per ")[-1].split("-")[0] if " per " in price.unit else "units",
                                      source=price.source.source, as_of=price.source.as_of,
                                      confidence=price.source.confidence)
                parts.append((p, upto))
            self.tiers[key] = parts
        parts = self.tiers[key]

        def cost(q: str) -> str:
            terms, lower = [], None
            for p, upto in parts:
                if upto is None:
                    terms.append(f"{p}*MAX(0,{q}-{lower})" if lower else f"{p}*MAX(0,{q})")
                else:
                    terms.append(f"{p}*MAX(0,MIN({q},{upto})-{lower})" if lower else f"{p}*MAX(0,MIN({q},{upto}))")
                lower = upto
            return "(" + "+".join(terms) + ")"
        return cost

    # -- monthly rows ---------------------------------------------------------------------------
    def section(self, title: str) -> None:
        r = self.next_row
        self.monthly.write_string(r, 0, title, self.f["section"])
        for c in range(1, FIRST_MONTH_COL + self.n):
            self.monthly.write_blank(r, c, None, self.f["section"])
        self.next_row += 1

    def row(self, line: str, label: str, unit: str, formula: Callable[[str, str], str] | str, cached: Any,
            *, fmt: str = "num", total: bool = True, detail: bool = True, computed: bool = False) -> _Row:
        """One Monthly row: ``formula(col, month_cell)`` per month (or constants when ``computed``)."""
        r = self.next_row
        self.next_row += 1
        ws = self.monthly
        cached = np.broadcast_to(np.asarray(cached, dtype=float), (self.n,))
        self.text(ws, r, 0, (line), self.f["bold"] if not detail else self.f["muted"])
        ws.write_string(r, 1, label if not computed else f"{label} ({COMPUTED})")
        ws.write_string(r, 2, unit)
        cell_fmt = self.f["computed"] if computed else self.f[fmt]
        for k in range(self.n):
            c = _col(FIRST_MONTH_COL + k)
            if computed:
                ws.write_number(r, FIRST_MONTH_COL + k, float(cached[k]), cell_fmt)
            else:
                text = formula if isinstance(formula, str) else formula(c, f"{c}$3")
                ws.write_formula(r, FIRST_MONTH_COL + k, "=" + text.format(c=c, M=f"{c}$3"), cell_fmt,
                                 float(cached[k]))
        if total:
            first, last = _col(FIRST_MONTH_COL), _col(FIRST_MONTH_COL + self.n - 1)
            ws.write_formula(r, 3, f"=SUM({first}{r + 1}:{last}{r + 1})",
                             self.f["money_bold"] if fmt.startswith("money") else cell_fmt, float(cached.sum()))
        if detail:
            ws.set_row(r, None, None, {"level": 1})
        return _Row(r, np.asarray(cached, dtype=float))

    def ref(self, row: _Row) -> str:
        """The cell of ``row`` in the current month's column (a template for ``row``'s formula)."""
        return "{c}" + str(row.row + 1)


