"""Price tables of the catalog browser and the token estimator: formats, rows, table models, tooltips, filter."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence

from PySide6.QtCore import (QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, QPointF, QRectF,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from gui.formatting import MoneyFormat, display_locale
from pricing.errors import PlanError
from pricing.plan import Plan

RawRole = Qt.ItemDataRole.UserRole
"""The cell's raw value (numbers as numbers): what the proxy sorts on and tests read."""
RowRole = Qt.ItemDataRole.UserRole + 1
"""The whole row object (a ``CatalogRow`` or ``ApiRow``)."""

Index = QModelIndex | QPersistentModelIndex



# --------------------------------------------------------------------------- display formats


class PriceFormat(MoneyFormat):
    """Money (the app's ``MoneyFormat``) plus the finer places prices need: fractions of a cent, catalog prices.

    Display precision lives here, apart from any calculation: amounts arrive computed and are
    only rounded for showing (half-even, as QLocale rounds).
    """

    def __init__(self, currency: str = "USD", locale: QLocale | None = None) -> None:
        super().__init__(currency, locale if locale is not None else display_locale())

    def money(self, amount: float, decimals: int = 2) -> str:
        return self.locale.toCurrencyString(amount, self.symbol, decimals)

    def small_money(self, amount: float) -> str:
        """Fractions of a cent still readable: three significant digits below one unit, cents above."""
        return self.money(amount, significant_decimals(amount, 3, 2))

    def integer(self, value: float) -> str:
        return self.locale.toString(int(round(value)))

    def number(self, value: float, significant: int = 6) -> str:
        """A price as the catalog states it: up to ``significant`` digits, no trailing zeros (but cents)."""
        a = abs(float(value))
        whole_digits = len(str(int(a))) if a >= 1 else 0
        decimals = significant_decimals(a, significant, 2) if a < 1 else max(2, significant - whole_digits)
        text = self.locale.toString(float(value), "f", decimals)
        point = self.locale.decimalPoint()
        if point in text:
            head, tail = text.split(point, 1)
            tail = tail.rstrip("0").ljust(2, "0")
            text = head + point + tail
        return text


def significant_decimals(value: float, significant: int, minimum: int) -> int:
    """Decimals that show ``significant`` digits of a value below 1 (``minimum`` for larger ones)."""
    a = abs(value)
    if a == 0 or a >= 1:
        return minimum
    digits = 0
    while a < 1 and digits < 12:
        a *= 10
        digits += 1
    return max(minimum, min(digits - 1 + significant, 12))


def warning_icon(widget: QWidget | None = None) -> QIcon:
    """Marks what needs care (gaps, low confidence, approximate counts): the style's own warning icon."""
    style = widget.style() if widget is not None else QApplication.style()
    return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


def override_icon(widget: QWidget | None = None) -> QIcon:
    """Marks a price this plan overrides: a pencil in the palette's highlight colour (its highlighted-text
    colour on a selected row), so it reads on light and dark themes alike."""
    palette = widget.palette() if widget is not None else QApplication.palette()
    icon = QIcon()
    for mode, role in ((QIcon.Mode.Normal, QPalette.ColorRole.Highlight),
                       (QIcon.Mode.Selected, QPalette.ColorRole.HighlightedText)):
        for size in (16, 24, 32):
            icon.addPixmap(_pencil(size, palette.color(role)), mode)
    return icon


def _pencil(size: int, colour: Any) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 16.0, size / 16.0)
    p.translate(8, 8)
    p.rotate(45)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawRoundedRect(QRectF(-1.9, -7.0, 3.8, 9.5), 0.8, 0.8)   # the body, eraser end up
    p.drawPolygon(QPolygonF([QPointF(-1.9, 3.3), QPointF(1.9, 3.3), QPointF(0.0, 7.2)]))  # the tip
    p.end()
    return pixmap


# --------------------------------------------------------------------------- rows


_WEAK = ("low", "suspect", "gap")
"""Confidence levels (prefixes, any case) that are marked for care: approximate, inconsistent or missing."""


def needs_care(confidence: str, gap: str | None = None) -> bool:
    """Whether a price should be double-checked before it is trusted."""
    c = (confidence or "").lower()
    return bool(gap) or any(c.startswith(w) for w in _WEAK)


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """A catalog entry as this plan prices it, with the catalog's own entry when the plan overrides it."""

    entry: Any
    """The entry with the plan's overrides applied (``pricing.catalog.CatalogEntry``)."""
    catalog: Any | None = None
    """The catalog's own entry when the plan overrides it (``None`` otherwise, or when the catalog has none)."""

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def overridden(self) -> bool:
        return bool(self.entry.source.overridden)


@dataclass(frozen=True, slots=True)
class ApiRow:
    """An LLM API model as this plan prices it, with genai-prices' own prices when the plan overrides them."""

    model: Any
    """``pricing.apiprices.ApiModel`` with the plan's overrides applied."""
    catalog: Any | None = None
    """The model without overrides, when the plan overrides it."""

    @property
    def key(self) -> str:
        return f"{self.model.provider}/{self.model.model}"

    @property
    def overridden(self) -> bool:
        return self.catalog is not None


def catalog_rows(catalog: Any, plan: Plan) -> tuple[list[CatalogRow], str]:
    """Every catalog entry as the plan prices it, and why the overrides could not be applied (if so).

    A join of two look-ups (the catalog with and without the plan's overrides), nothing computed.
    """
    base = catalog.entries()
    if not plan.prices:
        return [CatalogRow(e) for e in base], ""
    try:
        effective = catalog.with_overrides(plan.price_overrides).entries()
    except PlanError as exc:
        return [CatalogRow(e) for e in base], "; ".join(str(p) for p in exc.problems)
    by_key = {e.key: e for e in base}
    return [CatalogRow(e, by_key.get(e.key) if e.source.overridden else None) for e in effective], ""


def api_rows(models: Sequence[Any], plan: Plan) -> list[ApiRow]:
    """API models as listed, re-resolved with the plan's overrides where it has any for them."""
    from pricing import apiprices
    overrides = plan.price_overrides
    keys = [k.lower() for k in overrides if k.lower().startswith("api.")]
    out = []
    for m in models:
        prefix = f"api.{m.provider}.{m.model}.".lower()
        if any(k.startswith(prefix) for k in keys):
            try:
                out.append(ApiRow(apiprices.resolve(m.provider, m.model, overrides), m))
                continue
            except PlanError:  # a bad override value: the document reports it; list the model as it is
                pass
        out.append(ApiRow(m))
    return out


def plan_keys_for(catalog: Any, plan: Plan, keys: Sequence[str]) -> list[str]:
    """The plan's ``prices:`` keys that override the given canonical keys (the plan may use aliases,
    e.g. ``gpu.h100.aws.on_demand``)."""
    wanted = {k.lower() for k in keys}
    out = []
    for key, value in plan.prices:
        if key.lower() in wanted:
            out.append(key)
            continue
        try:
            canonical = set(catalog.with_overrides({key: value}).overrides) - set(catalog.overrides)
        except PlanError:
            continue
        if {c.lower() for c in canonical} & wanted:
            out.append(key)
    return out


def with_prices(plan: Plan, set_: dict[str, float] | None = None, remove: Sequence[str] = ()) -> Plan:
    """The plan with price overrides set (kept in place, new ones appended) and others removed."""
    set_ = dict(set_ or {})
    out: list[tuple[str, float]] = []
    for key, value in plan.prices:
        if key in remove:
            continue
        out.append((key, float(set_.pop(key)) if key in set_ else value))
    out += [(k, float(v)) for k, v in set_.items()]
    return dataclasses.replace(plan, prices=tuple(out))


# --------------------------------------------------------------------------- table models


class CatalogTableModel(QAbstractTableModel):
    """Catalog prices, one row per entry; ``data`` only picks what to show for a role."""

    COLUMNS = ("Key", "Item", "Provider", "Value", "Unit", "As of", "Confidence", "Source")
    KEY, ITEM, PROVIDER, VALUE, UNIT, AS_OF, CONFIDENCE, SOURCE = range(8)
    _TIPS = {
        KEY: "The catalog key (what a plan's prices: section overrides)",
        VALUE: "The price this plan uses (bold: overridden in this plan)",
        AS_OF: "When the price was observed; undated entries are catalog snapshots",
        CONFIDENCE: "How well the price is supported; marked when low, suspect or missing",
        SOURCE: "Where the price comes from (double-click a web address to open it)",
    }

    def __init__(self, fmt: PriceFormat, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CatalogRow] = []
        self._fmt = fmt
        self._warn = warning_icon(parent)
        self._override = override_icon(parent)

    def set_rows(self, rows: list[CatalogRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CatalogRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._TIPS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        e, col = r.entry, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == RawRole:
            return self._raw(r, col)
        if role == RowRole:
            return r
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry_tooltip(r, self._fmt)
        if role == Qt.ItemDataRole.FontRole:
            if r.overridden and col in (self.KEY, self.VALUE):
                font = QFont()
                font.setBold(True)
                return font
            if e.value is None and col == self.VALUE:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if col == self.KEY and r.overridden:
                return self._override
            if col == self.VALUE and e.value is None:
                return self._warn
            if col == self.CONFIDENCE and needs_care(e.source.confidence, e.gap):
                return self._warn
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, r: CatalogRow, col: int) -> str:
        e = r.entry
        if col == self.KEY:
            return e.key
        if col == self.ITEM:
            return e.item
        if col == self.PROVIDER:
            return e.provider or ""
        if col == self.VALUE:
            if e.value is None:
                return "gap"
            return self._fmt.number(e.value) + (" (tiered)" if e.tiers else "")
        if col == self.UNIT:
            return e.unit
        if col == self.AS_OF:
            return e.source.as_of_date.isoformat() if e.source.as_of_date else "undated"
        if col == self.CONFIDENCE:
            return "overridden" if r.overridden else (e.source.confidence or "")
        if col == self.SOURCE:
            if r.overridden and r.catalog is not None:
                c = r.catalog
                value = "gap" if c.value is None else self._fmt.number(c.value)
                return f"this plan (catalog: {value}, {c.source.source})"
            return e.source.source
        return ""

    def _raw(self, r: CatalogRow, col: int) -> Any:
        e = r.entry
        if col == self.VALUE:
            return float("-inf") if e.value is None else float(e.value)
        if col == self.AS_OF:
            return e.source.as_of_date.isoformat() if e.source.as_of_date else ""
        return self._display(r, col).lower()


def entry_tooltip(r: CatalogRow, fmt: PriceFormat) -> str:
    """Everything known about a price, for a hover: the override and what it replaced, the source and date."""
    e = r.entry
    lines = [f"{e.key}: {e.item}"]
    if e.description:
        lines.append(e.description)
    if r.overridden and r.catalog is not None:
        c = r.catalog
        base = "gap" if c.value is None else f"{fmt.number(c.value)} {c.unit}"
        date = c.source.as_of_date.isoformat() if c.source.as_of_date else c.source.as_of or "undated"
        lines.append(f"overridden in this plan: {fmt.number(e.value)} {e.unit} "
                     f"(catalog: {base}, {c.source.source}, {date})")
    else:
        if e.value is not None:  # the value with its whole unit (the table's Unit column may be elided)
            lines.append(f"value: {fmt.number(e.value)} {e.unit}")
        lines.append(f"source: {e.source.source}")
        lines.append(f"as of: {e.source.as_of or 'undated'}")
        lines.append(f"confidence: {e.source.confidence}")
    if e.gap:
        lines.append(f"gap: {e.gap}")
    if e.tiers:
        lines.append("tiers: " + "; ".join(
            f"{'up to ' + fmt.number(t.upto) if t.upto is not None else 'above'}: {fmt.number(t.price)}"
            for t in e.tiers))
    if e.source.notes:
        lines.append(f"notes: {e.source.notes}")
    return "\n".join(lines)


class ApiModelTableModel(QAbstractTableModel):
    """LLM API models and their prices (USD per million tokens), one row per provider + model."""

    COLUMNS = ("Provider", "Model", "Name", "Input $/Mtok", "Cached input $/Mtok", "Output $/Mtok", "As of", "Source")
    PROVIDER, MODEL, NAME, INPUT, CACHED, OUTPUT, AS_OF, SOURCE = range(8)
    PRICE_COLUMNS = (INPUT, CACHED, OUTPUT)

    def __init__(self, fmt: PriceFormat, parent: QWidget | None = None, *,
                 columns: Sequence[int] | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ApiRow] = []
        self._fmt = fmt
        self._columns = list(columns) if columns is not None else list(range(len(self.COLUMNS)))
        self._warn = warning_icon(parent)
        self._override = override_icon(parent)

    def set_rows(self, rows: list[ApiRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ApiRow:
        return self._rows[row]

    def rows(self) -> list[ApiRow]:
        return list(self._rows)

    def column_of(self, kind: int) -> int:
        return self._columns.index(kind)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        kind = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[kind]
        if role == Qt.ItemDataRole.ToolTipRole and kind in self.PRICE_COLUMNS:
            return "US dollars per million tokens, as genai-prices states them (bold: overridden in this plan)"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        m, kind = r.model, self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(m, kind)
        if role == RawRole:
            if kind in self.PRICE_COLUMNS:
                value = self._price(m, kind)
                return float("-inf") if value is None else value
            return self._display(m, kind).lower()
        if role == RowRole:
            return r
        if role == Qt.ItemDataRole.ToolTipRole:
            return api_tooltip(r, self._fmt)
        if role == Qt.ItemDataRole.FontRole and r.overridden and kind in (self.MODEL, *self.PRICE_COLUMNS):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and kind == self.MODEL and r.overridden:
            return self._override
        if role == Qt.ItemDataRole.TextAlignmentRole and kind in self.PRICE_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _price(m: Any, kind: int) -> float | None:
        return {ApiModelTableModel.INPUT: m.input_per_mtok, ApiModelTableModel.CACHED: m.cached_input_per_mtok,
                ApiModelTableModel.OUTPUT: m.output_per_mtok}[kind]

    def _display(self, m: Any, kind: int) -> str:
        if kind == self.PROVIDER:
            return m.provider
        if kind == self.MODEL:
            return m.model
        if kind == self.NAME:
            return m.name
        if kind in self.PRICE_COLUMNS:
            value = self._price(m, kind)
            text = "—" if value is None else self._fmt.number(value)
            return text + (" *" if m.tiered and value is not None else "")
        if kind == self.AS_OF:
            return m.source.as_of_date.isoformat() if m.source.as_of_date else "undated"
        if kind == self.SOURCE:
            return m.source.source
        return ""


def api_tooltip(r: ApiRow, fmt: PriceFormat) -> str:
    m = r.model
    f = lambda v: "—" if v is None else fmt.number(v)  # noqa: E731
    lines = [f"{m.name} ({m.provider}/{m.model})",
             f"input {f(m.input_per_mtok)}, cached input {f(m.cached_input_per_mtok)}, "
             f"output {f(m.output_per_mtok)} USD per million tokens"]
    if r.catalog is not None:
        c = r.catalog
        date = c.source.as_of_date.isoformat() if c.source.as_of_date else "undated"
        lines.append(f"overridden in this plan (catalog: input {f(c.input_per_mtok)}, cached input "
                     f"{f(c.cached_input_per_mtok)}, output {f(c.output_per_mtok)}; {c.source.source}, {date})")
    else:
        lines.append(f"source: {m.source.source}, data of {m.source.as_of}")
    if m.tiered:
        lines.append("* long-context prices apply above a prompt length (see notes)")
    if m.source.notes:
        lines.append(f"notes: {m.source.notes}")
    return "\n".join(lines)


class CatalogFilter(QSortFilterProxyModel):
    """Filters catalog rows by section, provider and free text (key, item, provider, unit, source, confidence)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section: str | None = None
        self.provider: str | None = None
        self.words: tuple[str, ...] = ()
        self.setSortRole(RawRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter(self, *, section: str | None = None, provider: str | None = None, text: str = "") -> None:
        self.beginFilterChange()
        self.section, self.provider = section, provider
        self.words = tuple(text.lower().split())
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        r: CatalogRow = model.row_at(source_row)  # type: ignore[attr-defined]
        e = r.entry
        if self.section and e.section != self.section:
            return False
        if self.provider and e.provider not in (self.provider, "any"):  # as Catalog.entries(provider=...) does
            return False
        if self.words:
            hay = " ".join(str(x or "") for x in (e.key, e.item, e.provider, e.unit, e.description, e.source.source,
                                                    e.source.confidence, e.gap,
                                                    "overridden" if r.overridden else "")).lower()
            return all(w in hay for w in self.words)
        return True


