"""The price catalog browser: every price with its source and date, LLM API prices, and per-plan overrides."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Sequence

from PySide6.QtCore import (QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, QPointF, QRectF,
                            QSortFilterProxyModel, Qt, QTimer, QUrl, Signal)
from PySide6.QtGui import (QDesktopServices, QFont, QFontMetrics, QGuiApplication, QIcon, QKeySequence, QPainter,
                           QPalette, QPixmap, QPolygonF, QShortcut)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QStyle, QTableView,
                               QTabWidget, QTextBrowser, QVBoxLayout, QWidget)

from gui.widgets import MoneyFormat, currency_symbol
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

    def set_currency(self, currency: str) -> None:
        self.currency = currency
        self.symbol = currency_symbol(currency)

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


def display_locale() -> QLocale:
    """The user's locale; the bare "C" locale (no locale configured, e.g. CI) reads as US English
    rather than "1234.5$"."""
    loc = QLocale()
    if loc.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return loc


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
                return f"this plan (catalog: {'gap' if c.value is None else self._fmt.number(c.value)}, {c.source.source})"
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
        lines.append(f"source: {e.source.source}")
        lines.append(f"as of: {e.source.as_of or 'undated'}")
        lines.append(f"confidence: {e.source.confidence}")
    if e.gap:
        lines.append(f"gap: {e.gap}")
    if e.tiers:
        lines.append("tiers: " + "; ".join(
            f"{'up to ' + fmt.number(t.upto) if t.upto is not None else 'above'}: {fmt.number(t.price)}" for t in e.tiers))
    if e.source.notes:
        lines.append(f"notes: {e.source.notes}")
    return "\n".join(lines)


class ApiModelTableModel(QAbstractTableModel):
    """LLM API models and their prices (USD per million tokens), one row per provider + model."""

    COLUMNS = ("Provider", "Model", "Name", "Input $/Mtok", "Cached input $/Mtok", "Output $/Mtok", "As of", "Source")
    PROVIDER, MODEL, NAME, INPUT, CACHED, OUTPUT, AS_OF, SOURCE = range(8)
    PRICE_COLUMNS = (INPUT, CACHED, OUTPUT)

    def __init__(self, fmt: PriceFormat, parent: QWidget | None = None, *, columns: Sequence[int] | None = None) -> None:
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
                                                    e.source.confidence, e.gap, "overridden" if r.overridden else "")).lower()
            return all(w in hay for w in self.words)
        return True


# --------------------------------------------------------------------------- override dialog


@dataclass(frozen=True, slots=True)
class OverrideField:
    """One price the override dialog asks for."""

    key: str
    """The plan ``prices:`` key."""
    label: str
    unit: str
    current: float | None
    """What the plan uses now (override or catalog)."""
    catalog: float | None
    """What the catalog says."""


class OverrideDialog(QDialog):
    """Asks for new values of one or more prices; ``values()`` are the ones the user changed."""

    def __init__(self, title: str, fields: Sequence[OverrideField], note: str, fmt: PriceFormat,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self._fields = list(fields)
        self._fmt = fmt
        layout = QVBoxLayout(self)
        intro = QLabel(note)
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        form = QFormLayout()
        self.edits: list[QLineEdit] = []
        for f in self._fields:
            edit = QLineEdit(self._text(f.current))
            edit.setPlaceholderText("catalog value" if f.catalog is None else self._text(f.catalog))
            edit.setToolTip(f"New price for {f.key}, in {f.unit}: a number such as 3.9, 0.025 or 1.2k. "
                            f"Catalog: {self._text(f.catalog) or 'no value'}")
            edit.textChanged.connect(self._validate)
            label = QLabel(f"{f.label} ({f.unit}):")
            label.setBuddy(edit)
            form.addRow(label, edit)
            self.edits.append(edit)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Override")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if self.edits:
            self.edits[0].selectAll()
        self._validate()

    def _text(self, value: float | None) -> str:
        return "" if value is None else repr(float(value)).removesuffix(".0")

    def _parse(self) -> tuple[dict[str, float], str]:
        from pricing.quantities import parse_number, parse_share
        out: dict[str, float] = {}
        for f, edit in zip(self._fields, self.edits):
            text = edit.text().strip()
            if text == self._text(f.current) or (not text and f.current is None):
                continue
            if not text:
                return out, f"{f.label}: enter a price (use Remove override to go back to the catalog)"
            try:
                if text.endswith("%"):
                    if "fraction" not in f.unit:
                        return out, f"{f.label}: a percentage fits only fractions; this price is in {f.unit}"
                    out[f.key] = parse_share(text, maximum=math.inf)
                else:
                    out[f.key] = parse_number(text)
            except PlanError as exc:
                return out, f"{f.label}: {exc.problems[0].message}"
        return out, ""

    def _validate(self) -> None:
        values, error = self._parse()
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not error and bool(values))

    def values(self) -> dict[str, float]:
        """The prices the user changed, by key (empty when nothing changed or the input is invalid)."""
        values, error = self._parse()
        return {} if error else values


# --------------------------------------------------------------------------- the browser


_SECTIONS = (("gpus", "GPUs"), ("storage", "Storage"), ("egress", "Egress"), ("platforms", "Managed platforms"),
             ("annotation", "Annotation"), ("mlops", "MLOps"), ("levers", "Savings levers"))


class CatalogBrowser(QDialog):
    """Browse every price the plan can use, see where it came from and when, and override it for this plan.

    All changes go through ``document.apply`` (undoable); the browser redraws from the document.
    """

    override_requested = Signal(object)
    """The OverrideDialog just opened (tests and the main window may drive it)."""

    def __init__(self, document: Any, parent: QWidget | None = None, *, api_limit: int = 300) -> None:
        super().__init__(parent)
        self.document = document
        self._api_limit = api_limit
        self.setWindowTitle("Prices")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.override_dialog: OverrideDialog | None = None
        self._fmt = PriceFormat(document.plan.currency)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_catalog_tab(), "Catalog prices")
        self.tabs.addTab(self._build_api_tab(), "LLM API prices")
        self.tabs.setTabToolTip(0, "GPU, storage, egress, platform, annotation and MLOps prices with their sources")
        self.tabs.setTabToolTip(1, "Per-token prices of model APIs, from the genai-prices package")
        self.tabs.currentChanged.connect(self._on_selection_changed)

        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(True)
        self.details.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.details.setToolTip("The selected price in full; web addresses open in your browser and can be copied")

        self.override_button = QPushButton("&Override for this plan…")
        self.override_button.setToolTip("Use another price for the selected entry in this plan only (undoable)")
        self.override_button.clicked.connect(self.override_selected)
        self.remove_button = QPushButton("&Remove override")
        self.remove_button.setToolTip("Go back to the catalog's price for the selected entry (undoable)")
        self.remove_button.clicked.connect(self.remove_selected_override)
        self.copy_button = QPushButton("&Copy source")
        self.copy_button.setToolTip("Copy the selected price's source to the clipboard (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy_source)
        self.open_button = QPushButton("Open so&urce")
        self.open_button.setToolTip("Open the selected price's source web page in your browser")
        self.open_button.clicked.connect(self.open_source)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        buttons = QHBoxLayout()
        for b in (self.override_button, self.remove_button, self.copy_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 130])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.Copy, self, activated=self.copy_source)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_filter)

        self._api_timer = QTimer(self)
        self._api_timer.setSingleShot(True)
        self._api_timer.setInterval(150)
        self._api_timer.timeout.connect(self._reload_api_models)
        self._api_models: list[Any] = []

        document.plan_changed.connect(self._on_plan_changed)
        self._on_plan_changed()
        self._reload_api_models()
        _fit_columns(self.catalog_view)  # once: edits keep the widths the user may have set
        self.resize(1280, 760)

    # -- construction ----------------------------------------------------------------------------

    def _build_catalog_tab(self) -> QWidget:
        page = QWidget()
        self.section_combo = QComboBox()
        self.section_combo.addItem("All sections", None)
        for key, label in _SECTIONS:
            self.section_combo.addItem(label, key)
        self.section_combo.setToolTip("Show one section of the catalog")
        self.provider_combo = QComboBox()
        self.provider_combo.setToolTip("Show one provider's prices")
        self.provider_combo.addItem("All providers", None)
        for p in self.document.catalog.providers:
            self.provider_combo.addItem(p, p)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by key, item, unit, source or confidence (Ctrl+F)")
        self.filter_edit.setToolTip("Show prices whose key, item, unit, source or confidence contain every word typed")
        self.filter_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        for w in (self.section_combo, self.provider_combo):
            w.currentIndexChanged.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(self._apply_filter)

        section_label = QLabel("&Section:")
        section_label.setBuddy(self.section_combo)
        provider_label = QLabel("&Provider:")
        provider_label.setBuddy(self.provider_combo)
        row = QHBoxLayout()
        row.addWidget(section_label)
        row.addWidget(self.section_combo)
        row.addWidget(provider_label)
        row.addWidget(self.provider_combo)
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.count_label)

        self.catalog_model = CatalogTableModel(self._fmt, self)
        self.catalog_proxy = CatalogFilter(self)
        self.catalog_proxy.setSourceModel(self.catalog_model)
        self.catalog_view = self._table(self.catalog_proxy)
        self.catalog_view.setToolTip("")
        self.catalog_view.doubleClicked.connect(self._on_double_clicked)
        self.catalog_view.selectionModel().currentRowChanged.connect(self._on_selection_changed)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.catalog_view, 1)
        return page

    def _build_api_tab(self) -> QWidget:
        from pricing import apiprices
        page = QWidget()
        self.api_search = QLineEdit()
        self.api_search.setPlaceholderText("Search models, e.g. gpt-4o, claude sonnet, gemini flash (Ctrl+F)")
        self.api_search.setToolTip("Find models by id or name (close spellings match too)")
        self.api_search.setClearButtonEnabled(True)
        self.api_search.textChanged.connect(lambda _t: self._api_timer.start())
        self.api_provider_combo = QComboBox()
        self.api_provider_combo.setToolTip("Show one API provider's models")
        self.api_provider_combo.addItem("All providers", None)
        for p in sorted(apiprices.providers()):
            self.api_provider_combo.addItem(p, p)
        self.api_provider_combo.currentIndexChanged.connect(lambda _i: self._reload_api_models())
        self.api_date_label = QLabel(f"Prices from {apiprices.source_name()}, data of "
                                     f"{apiprices.data_date().isoformat()}; US dollars per million tokens. "
                                     "* long-context prices apply above a prompt length.")
        self.api_date_label.setWordWrap(True)
        self.api_count_label = QLabel()
        search_label = QLabel("Searc&h:")
        search_label.setBuddy(self.api_search)
        provider_label = QLabel("Pro&vider:")
        provider_label.setBuddy(self.api_provider_combo)
        row = QHBoxLayout()
        row.addWidget(search_label)
        row.addWidget(self.api_search, 1)
        row.addWidget(provider_label)
        row.addWidget(self.api_provider_combo)
        row.addWidget(self.api_count_label)

        self.api_model = ApiModelTableModel(self._fmt, self)
        self.api_proxy = QSortFilterProxyModel(self)
        self.api_proxy.setSourceModel(self.api_model)
        self.api_proxy.setSortRole(RawRole)
        self.api_view = self._table(self.api_proxy)
        self.api_view.selectionModel().currentRowChanged.connect(self._on_selection_changed)

        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.api_view, 1)
        layout.addWidget(self.api_date_label)
        return page

    def _table(self, model: QSortFilterProxyModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSortingEnabled(True)
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # catalog order until a header is clicked
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.horizontalHeader().setHighlightSections(False)
        view.horizontalHeader().setStretchLastSection(True)  # the source: as much room as is left
        view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        return view

    # -- model -> view ---------------------------------------------------------------------------

    def _on_plan_changed(self) -> None:
        plan = self.document.plan
        if plan.currency != self._fmt.currency:
            self._fmt.set_currency(plan.currency)
        key = self._current_key()
        rows, problem = catalog_rows(self.document.catalog, plan)
        self.catalog_model.set_rows(rows)
        self.problem_label.setText(f"This plan's price overrides can't be applied: {problem}" if problem else "")
        self.problem_label.setVisible(bool(problem))
        self.api_model.set_rows(api_rows(self._api_models, plan))
        self._update_count()
        self._select_key(key)
        self._on_selection_changed()

    def _reload_api_models(self) -> None:
        from pricing import apiprices
        key = self._current_key()
        self._api_models = apiprices.list_models(self.api_search.text(), provider=self.api_provider_combo.currentData(),
                                                 limit=self._api_limit)
        self.api_model.set_rows(api_rows(self._api_models, self.document.plan))
        _fit_columns(self.api_view, wide=_API_WIDE)
        self._update_count()
        self._select_key(key)
        self._on_selection_changed()

    def _apply_filter(self) -> None:
        self.catalog_proxy.set_filter(section=self.section_combo.currentData(),
                                      provider=self.provider_combo.currentData(), text=self.filter_edit.text())
        self._update_count()
        self._on_selection_changed()

    def _update_count(self) -> None:
        self.count_label.setText(f"{self.catalog_proxy.rowCount()} of {self.catalog_model.rowCount()} prices")
        n = self.api_model.rowCount()
        self.api_count_label.setText(f"{n} model{'s' if n != 1 else ''}" + (" (first shown)" if n >= self._api_limit else ""))

    def _on_selection_changed(self, *_: Any) -> None:
        row = self.selected_row()
        self.override_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None and row.overridden)
        source = self._source_text(row)
        self.copy_button.setEnabled(bool(source))
        self.open_button.setEnabled(_is_url(source))
        self.details.setHtml(self._details_html(row))

    def _details_html(self, row: CatalogRow | ApiRow | None) -> str:
        from html import escape
        if row is None:
            return "<i>Select a price to see its source, date and notes.</i>"
        tip = entry_tooltip(row, self._fmt) if isinstance(row, CatalogRow) else api_tooltip(row, self._fmt)
        lines = [escape(line) for line in tip.splitlines()]
        lines[0] = f"<b>{lines[0]}</b>"
        source = self._source_text(row)
        if _is_url(source):
            link = f'<a href="{escape(source, quote=True)}">{escape(source)}</a>'
            lines = [line.replace(escape(source), link) for line in lines]
        return "<br>".join(lines)

    # -- selection -------------------------------------------------------------------------------

    def _current_view(self) -> QTableView:
        return self.catalog_view if self.tabs.currentIndex() == 0 else self.api_view

    def selected_row(self) -> CatalogRow | ApiRow | None:
        view = self._current_view()
        index = view.currentIndex()
        if not index.isValid() or not view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return index.data(RowRole)

    def _current_key(self) -> tuple[int, str] | None:
        row = self.selected_row() if hasattr(self, "api_view") else None
        if row is None:
            return None
        return (0 if isinstance(row, CatalogRow) else 1, row.key)

    def _select_key(self, key: tuple[int, str] | None) -> None:
        if key is None or key[0] != self.tabs.currentIndex():
            return
        self.select(key[1])

    def select(self, key: str) -> bool:
        """Select a catalog entry by key, or an API model by ``provider/model`` (in the current tab)."""
        view = self._current_view()
        proxy = view.model()
        for i in range(proxy.rowCount()):
            r = proxy.index(i, 0).data(RowRole)
            if r.key == key:
                view.setCurrentIndex(proxy.index(i, 0))
                view.selectRow(i)
                return True
        return False

    def _focus_filter(self) -> None:
        (self.filter_edit if self.tabs.currentIndex() == 0 else self.api_search).setFocus()

    # -- sources ---------------------------------------------------------------------------------

    @staticmethod
    def _source_text(row: CatalogRow | ApiRow | None) -> str:
        if row is None:
            return ""
        if isinstance(row, CatalogRow):
            return (row.catalog or row.entry).source.source or ""
        return (row.catalog or row.model).source.source or ""

    def copy_source(self) -> None:
        source = self._source_text(self.selected_row())
        if source:
            QGuiApplication.clipboard().setText(source)

    def open_source(self) -> None:
        source = self._source_text(self.selected_row())
        if _is_url(source):
            QDesktopServices.openUrl(QUrl(source))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() == CatalogTableModel.SOURCE:
            self.open_source()
        else:
            self.override_selected()

    # -- view -> model (verbs) -------------------------------------------------------------------

    def override_selected(self) -> None:
        """Ask for the new price(s) of the selected row; applied when the dialog is accepted."""
        row = self.selected_row()
        if row is None:
            return
        if isinstance(row, CatalogRow):
            e, c = row.entry, row.catalog or row.entry
            fields = [OverrideField(e.key, "Price", e.unit, e.value, c.value)]
            date = c.source.as_of_date.isoformat() if c.source.as_of_date else "undated"
            note = (f"<b>{e.key}</b><br>Catalog: {'gap' if c.value is None else self._fmt.number(c.value)} {c.unit} "
                    f"({c.source.confidence}, {date}).<br>The new price applies to this plan only"
                    + (", as a flat price (it replaces the volume tiers)." if c.tiers else "."))
            title = f"Override {e.key}"
        else:
            from pricing import apiprices
            m, c = row.model, row.catalog or row.model
            keys = apiprices.override_keys(m.provider, m.model)
            labels = ("Input", "Cached input", "Output")
            now = (m.input_per_mtok, m.cached_input_per_mtok, m.output_per_mtok)
            base = (c.input_per_mtok, c.cached_input_per_mtok, c.output_per_mtok)
            fields = [OverrideField(k, lab, "USD per million tokens", v, b)
                      for k, lab, v, b in zip(keys, labels, now, base)]
            note = (f"<b>{m.name}</b> ({m.provider}/{m.model})<br>{c.source.source}, data of {c.source.as_of}."
                    "<br>Change the prices to override for this plan only; an override is a flat price "
                    "(no long-context tiers).")
            title = f"Override {m.provider}/{m.model}"
        dialog = OverrideDialog(title, fields, note, self._fmt, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_overrides(dialog.values()))
        dialog.finished.connect(lambda _result: self._forget_dialog(dialog))
        self.override_dialog = dialog
        dialog.open()
        self.override_requested.emit(dialog)

    def _forget_dialog(self, dialog: OverrideDialog) -> None:
        if self.override_dialog is dialog:  # a newer dialog may already be open
            self.override_dialog = None

    def set_overrides(self, values: dict[str, float]) -> None:
        """Override prices in this plan (one undoable edit)."""
        if not values:
            return
        text = "Override " + (next(iter(values)) if len(values) == 1 else _common_name(list(values)))
        self.document.apply(with_prices(self.document.plan, values), text)

    def remove_selected_override(self) -> None:
        row = self.selected_row()
        if row is None or not row.overridden:
            return
        if isinstance(row, CatalogRow):
            keys = [row.entry.key]
        else:
            from pricing import apiprices
            keys = list(apiprices.override_keys(row.model.provider, row.model.model))
        self.remove_overrides(keys)

    def remove_overrides(self, keys: Sequence[str]) -> None:
        """Go back to catalog prices for these keys, however the plan spells them (one undoable edit)."""
        present = plan_keys_for(self.document.catalog, self.document.plan, keys)
        if not present:
            return
        text = "Remove override " + (present[0] if len(present) == 1 else _common_name(present))
        self.document.apply(with_prices(self.document.plan, remove=present), text)


def _fit_columns(view: QTableView, wide: Sequence[int] = (0,), max_chars: int = 24, wide_chars: int = 50,
                 sample: int = 300) -> None:
    """Columns as wide as their contents, capped (``wide`` ones, keys and model ids, get more room); the
    last one, the source, takes what is left.

    Measured here from the display texts of the first ``sample`` rows: ``resizeColumnToContents`` asks
    every role of every cell and took most of a second on the full catalog.
    """
    model, header = view.model(), view.horizontalHeader()
    bold = QFont(view.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)  # overridden rows are bold: measure as if all were
    char = view.fontMetrics().averageCharWidth()
    icon = view.iconSize().width() if view.iconSize().isValid() else view.style().pixelMetric(
        QStyle.PixelMetric.PM_SmallIconSize)
    rows = min(model.rowCount(), sample)
    for col in range(model.columnCount() - 1):
        title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        width = metrics.horizontalAdvance(title) + 2 * char
        has_icon = False
        for row in range(rows):
            index = model.index(row, col)
            width = max(width, metrics.horizontalAdvance(str(index.data() or "")))
            has_icon = has_icon or index.data(Qt.ItemDataRole.DecorationRole) is not None
        width += 2 * char + (icon + char if has_icon else 0)
        header.resizeSection(col, min(width, char * (wide_chars if col in wide else max_chars)))


_API_WIDE = (ApiModelTableModel.MODEL, ApiModelTableModel.NAME)


def _common_name(keys: list[str]) -> str:
    """``api.openai.gpt-4o`` for its input/output keys; the first key and a count otherwise."""
    heads = {k.rsplit(".", 1)[0] for k in keys}
    return heads.pop() + " prices" if len(heads) == 1 else f"{keys[0]} and {len(keys) - 1} more"


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))
