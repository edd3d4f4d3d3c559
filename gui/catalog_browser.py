"""The price catalog browser: every price with its source and date, LLM API prices, and per-plan overrides."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, QTimer, QUrl, Qt, Signal
from PySide6.QtGui import QDesktopServices, QFont, QFontMetrics, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSplitter, QStyle, QTabWidget, QTableView, QTextBrowser,
                               QVBoxLayout, QWidget)

from gui.catalog_models import (ApiModelTableModel, ApiRow, CatalogFilter, CatalogRow, CatalogTableModel, PriceFormat,
                                RawRole, RowRole, api_rows, api_tooltip, catalog_rows, entry_tooltip, plan_keys_for,
                                with_prices)
from pricing.errors import PlanError
from pricing.wording import plural

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
        # once: edits keep the widths the user may have set; units are read whole ("USD per object per worker")
        _fit_columns(self.catalog_view, wide=(0, CatalogTableModel.UNIT))
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
        # a mouse click moves the current row before it selects it (the keyboard selects first): follow both
        self.catalog_view.selectionModel().currentRowChanged.connect(self._on_selection_changed)
        self.catalog_view.selectionModel().selectionChanged.connect(self._on_selection_changed)

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
        # a mouse click moves the current row before it selects it (the keyboard selects first): follow both
        self.api_view.selectionModel().currentRowChanged.connect(self._on_selection_changed)
        self.api_view.selectionModel().selectionChanged.connect(self._on_selection_changed)

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
        self.api_count_label.setText(f"{plural(n, 'model')}"
                                     + (" (first shown)" if n >= self._api_limit else ""))

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
