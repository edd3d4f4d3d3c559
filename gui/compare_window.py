"""The Compare window: saved plans (and their scenarios) side by side — figures with differences, overlaid
monthly costs, and what changed line by line; plans come from a file dialog or are dropped on the window."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QColor, QDragEnterEvent, QDropEvent, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHeaderView, QLabel, QListWidget,
                               QListWidgetItem, QMainWindow, QMenu, QSplitter, QTableView, QTabWidget, QToolBar,
                               QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from pricing import compare, report_model, series
from pricing.errors import PlanError

from gui.charts import Chart
from gui.errors import ErrorPresenter
from gui.pdf import entry_color
from gui.widgets import MoneyFormat, WARNING_COLOR
from pricing.load import load_checked

PLAN_FILTER = "Plan files (*.yaml *.yml);;All files (*)"
PLAN_SUFFIXES = (".yaml", ".yml")
UP_COLOR = QColor("#C0392B")
"""A cost higher than the first entry's."""
DOWN_COLOR = QColor("#2E7D4F")
"""A cost lower than the first entry's."""


class FiguresModel(QAbstractTableModel):
    """Figures of the comparison: one column per entry, then each entry's difference to A (amount, %).

    Thin: texts are formatted once in ``set_comparison`` from ``pricing.compare`` figures; ``data`` only
    switches on the role.
    """

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._headers: list[str] = []
        self._tips: list[str] = []
        self._rows: list[list[str]] = []
        self._colors: list[list[QColor | None]] = []
        self._bold: list[bool] = []
        self._bold_font = QFont()
        self._bold_font.setBold(True)

    def set_comparison(self, cmp: compare.Comparison | None) -> None:
        self.beginResetModel()
        self._headers, self._tips, self._rows, self._colors, self._bold = [], [], [], [], []
        if cmp is not None:
            fmt = MoneyFormat(cmp.currency)
            money = lambda c: "—" if c is None else fmt.full(c / 100)  # noqa: E731
            ids = cmp.ids
            self._headers = ["Figure"] + list(ids)
            self._tips = [""] + [e.label for e in cmp.entries]
            for i, e in zip(ids[1:], cmp.entries[1:]):
                self._headers += [f"{i} − A", "%"]
                self._tips += [f"{e.label} minus {cmp.entries[0].label}"] * 2
            for f in cmp.figures:
                cells = [("    " if f.key.startswith("category.") else "") + f.label] + [money(v) for v in f.values]
                colors: list[QColor | None] = [None] * len(cells)
                for d, r in zip(f.deltas[1:], f.ratios[1:]):
                    cells += ["" if d is None else compare.signed_money(d, cmp.currency).replace("-", "−"),
                              compare.ratio_text(r).replace("-", "−")]
                    c = None if not d else UP_COLOR if d > 0 else DOWN_COLOR
                    colors += [c, c]
                self._rows.append(cells)
                self._colors.append(colors)
                self._bold.append(f.key == "total")
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[r][c]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight)
                       | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colors[r][c]
        if role == Qt.ItemDataRole.FontRole and self._bold[r]:
            return self._bold_font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[section] or None
        return None


class CompareWindow(QMainWindow):
    """Plans and scenarios compared with the first one; every figure comes from ``pricing.compare``."""

    comparison_changed = Signal()
    """After the entries changed and everything was recomputed."""

    def __init__(self, catalog: Any, paths: Sequence[str | Path] = (), parent: QWidget | None = None, *,
                 presenter: ErrorPresenter | None = None):
        super().__init__(parent)
        self.catalog = catalog
        self.presenter = presenter or getattr(parent, "presenter", None) or ErrorPresenter(self)
        self.setWindowTitle("Compare plans — AI Cost Planner")
        self.setAcceptDrops(True)
        self.entries: list[compare.Entry] = []
        """What is compared, the reference (A) first."""
        self.comparison: compare.Comparison | None = None
        self._plans: dict[str, Any] = {}
        """Plans read, by resolved path (scenarios of a plan reuse it)."""

        bar = QToolBar("Compare", self)
        bar.setObjectName("compare-tools")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.add_action = self._act(bar, "Add plans…", self.add_plans_dialog, QKeySequence.StandardKey.Open,
                                    "Add saved plans (.yaml) to the comparison")
        self.scenario_button = QToolButton()
        # the menu's arrow as part of the text: the style's own indicator was drawn over the last letter
        self.scenario_button.setText("Add scenario ▾")
        self.scenario_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.scenario_button.setToolTip("Add one of the scenarios of a plan in the comparison")
        self.scenario_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.scenario_menu = QMenu(self.scenario_button)
        self.scenario_menu.aboutToShow.connect(self._fill_scenarios)
        self.scenario_button.setMenu(self.scenario_menu)
        bar.addWidget(self.scenario_button)
        self.remove_action = self._act(bar, "Remove", self.remove_selected, QKeySequence.StandardKey.Delete,
                                       "Remove the selected plan from the comparison")
        self.reference_action = self._act(bar, "Make reference", self.make_selected_reference, None,
                                          "Compare every other plan with the selected one (it becomes A)")
        self.reload_action = self._act(bar, "Reload", self.reload, QKeySequence.StandardKey.Refresh,
                                       "Read the plan files again (after editing them)")
        bar.addSeparator()
        self.pdf_action = self._act(bar, "Export PDF…", self.export_pdf, None, "The comparison as a PDF report")
        self.csv_action = self._act(bar, "Export CSV…", self.export_csv, None, "The comparison as a CSV table")

        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("Plans compared; the first (A) is the reference. Drop .yaml files here to add them.")
        self.list.currentRowChanged.connect(lambda _row: self._update_actions())
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(QLabel("<b>Compared</b>"))
        lay.addWidget(self.list, 1)
        lay.addWidget(self.hint)

        self.model = FiguresModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)

        self.chart = Chart(left="money")
        self.curves: list[pg.PlotDataItem] = []

        self.costs = QTreeWidget()
        self.costs.setHeaderLabels(["Line", "Section", "Change", "Last month Δ", "Horizon Δ"])
        self.costs.setRootIsDecorated(True)
        self.costs.setAlternatingRowColors(True)
        self.inputs = QTreeWidget()
        self.inputs.setHeaderLabels(["Input", "A", "Other"])
        self.inputs.setAlternatingRowColors(True)
        tabs = QTabWidget()
        tabs.addTab(self.costs, "Cost differences")
        tabs.addTab(self.inputs, "Input changes")
        self.tabs = tabs

        self.notice = QLabel()  # what is not like for like (other horizons): said above the figures
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {WARNING_COLOR}; padding: 4px;")
        self.notice.setAccessibleName("Comparison notes")
        self.notice.hide()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(2)
        top_layout.addWidget(self.notice)
        top_layout.addWidget(self.table, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.chart)
        right.addWidget(tabs)
        right.setSizes([230, 260, 260])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([260, 900])
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.resize(1200, 820)
        self.add_paths(paths)

    def _act(self, bar: QToolBar, text: str, slot: Any, key: Any, tip: str) -> QAction:
        act = bar.addAction(text)
        act.triggered.connect(slot)
        if key is not None:
            act.setShortcut(QKeySequence(key))
        act.setToolTip(tip)
        act.setStatusTip(tip)
        return act

    # -- verbs -------------------------------------------------------------------------------

    def add_plans_dialog(self) -> None:
        from gui.settings import Settings
        settings = Settings()
        paths, _ = QFileDialog.getOpenFileNames(self, "Add plans to compare", settings.last_dir(), PLAN_FILTER)
        if paths:
            self.add_paths(paths)
            settings.set_last_dir(Path(paths[-1]))

    def add_path(self, path: str | Path, scenario: str | None = None) -> bool:
        """Add a plan file (or one of its scenarios); its problems are shown and nothing is added on failure."""
        if not self._add(path, scenario):
            return False
        self._refresh()
        return True

    def add_paths(self, specs: Sequence[str | Path | tuple[str | Path, str | None]]) -> None:
        """Add several plan files (or ``(path, scenario)`` pairs), then compare once."""
        for spec in specs:
            path, scenario = spec if isinstance(spec, tuple) else (spec, None)
            self._add(path, scenario)
        self._refresh()

    def _add(self, path: str | Path, scenario: str | None) -> bool:
        try:
            plan = self._plan(Path(path))
            entry = compare.entry_from_plan(plan, self.catalog, scenario=scenario, path=str(path),
                                            label=compare.entry_label(plan, path, scenario,
                                                                      [e.label for e in self.entries]))
        except PlanError as exc:
            self.presenter.show_plan_error(f"Can't compare {Path(path).name}", exc,
                                           f"{Path(path).name}{'#' + scenario if scenario else ''} can't be added: "
                                           f"{len(exc.problems)} problem(s).")
            return False
        self.entries.append(entry)
        return True

    def add_scenario(self, path: str, scenario: str) -> bool:
        return self.add_path(path, scenario)

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.entries):
            del self.entries[index]
            self._refresh()

    def remove_selected(self) -> None:
        self.remove(self.list.currentRow())

    def set_reference(self, index: int) -> None:
        """Make entry ``index`` the first (A): every difference is then against it."""
        if 0 < index < len(self.entries):
            self.entries.insert(0, self.entries.pop(index))
            self._refresh()
            self.list.setCurrentRow(0)

    def make_selected_reference(self) -> None:
        self.set_reference(self.list.currentRow())

    def reload(self) -> None:
        """Read every plan file again and recompute (entries that no longer load are reported and dropped)."""
        specs = [(e.path, e.scenario) for e in self.entries if e.path is not None]
        self._plans.clear()
        self.entries = []
        self.add_paths(specs)

    def export_pdf(self) -> Any:
        if self.comparison is None:
            return None
        from gui.export_actions import export_comparison_pdf
        return export_comparison_pdf(self, self.comparison, presenter=self.presenter)

    def export_csv(self) -> Any:
        if self.comparison is None:
            return None
        from gui.export_actions import export_comparison_csv
        return export_comparison_csv(self, self.comparison, presenter=self.presenter)

    # -- model -------------------------------------------------------------------------------

    def _plan(self, path: Path) -> Any:
        key = str(path.resolve())
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = load_checked(path, self.catalog)
        return plan

    def _fill_scenarios(self) -> None:
        self.scenario_menu.clear()
        seen: set[str] = set()
        for e in self.entries:
            if e.path is None or e.path in seen:
                continue
            seen.add(e.path)
            plan = self._plans.get(str(Path(e.path).resolve()))
            for s in getattr(plan, "scenarios", ()):
                act = self.scenario_menu.addAction(f"{Path(e.path).name} # {s.name}")
                act.triggered.connect(lambda _=False, p=e.path, n=s.name: self.add_scenario(p, n))
        if self.scenario_menu.isEmpty():
            self.scenario_menu.addAction("No scenarios in the plans compared").setEnabled(False)

    def _refresh(self) -> None:
        self.comparison = None
        if len(self.entries) >= 2:
            try:
                self.comparison = compare.compare(self.entries)
            except PlanError as exc:
                self.presenter.show_plan_error("Can't compare these plans", exc)
        self._on_comparison_changed()
        self.comparison_changed.emit()

    # -- model -> view -----------------------------------------------------------------------

    def _on_comparison_changed(self) -> None:
        cmp = self.comparison
        row = self.list.currentRow()
        self.list.clear()
        for i, e in enumerate(self.entries):
            item = QListWidgetItem(f"{compare.entry_id(i)}   {e.label}")
            item.setToolTip(f"{e.plan.name}\n{e.path or ''}")
            item.setForeground(entry_color(i))
            self.list.addItem(item)
        if self.entries:
            self.list.setCurrentRow(min(max(row, 0), len(self.entries) - 1))
        n = len(self.entries)
        self.hint.setText("" if n >= 2 else
                          "Add two or more plans (Add plans…, or drop .yaml files on this window). "
                          "Add scenario adds one of a plan's scenarios as its own column.")
        self.model.set_comparison(cmp)
        notes = list(cmp.notes) if cmp is not None else []
        self.notice.setText("\n".join(f"⚠ {n}" for n in notes))
        self.notice.setVisible(bool(notes))
        self._show_chart(cmp)
        self._show_costs(cmp)
        self._show_inputs(cmp)
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.list.currentRow()
        self.remove_action.setEnabled(row >= 0)
        self.reference_action.setEnabled(row > 0)
        self.pdf_action.setEnabled(self.comparison is not None)
        self.csv_action.setEnabled(self.comparison is not None)
        self.scenario_button.setEnabled(bool(self.entries))

    def _show_chart(self, cmp: compare.Comparison | None) -> None:
        n = len(cmp.entries) if cmp else 0
        while len(self.curves) < n:  # plot items are kept and re-used; only their data changes
            curve = pg.PlotDataItem(connect="finite")
            self.chart.item.addItem(curve)
            self.curves.append(curve)
        for k, curve in enumerate(self.curves):
            if k >= n:
                curve.setData([], [])
                curve.setVisible(False)
                continue
            row = cmp.monthly[k]
            y = np.array([np.nan if v is None else v / 100 for v in row], dtype=float)
            curve.setData(np.arange(len(row), dtype=float), y)
            curve.setPen(pg.mkPen(entry_color(k), width=2.2))
            curve.setVisible(True)
        if cmp is None:
            self.chart.caption.setText("<b>Monthly cost</b>: add two or more plans")
            return
        self.chart.set_currency(cmp.currency)
        labels = [series.month_label(m) for m in cmp.months]
        self.chart.set_month_ticks(labels)
        self.chart.item.setXRange(-0.6, max(len(labels), 1) - 0.4, padding=0)
        top = max([v for row in cmp.monthly for v in row if v is not None] + [0]) / 100
        self.chart.item.setYRange(0, (top or 1.0) * 1.1, padding=0)
        legend = "&nbsp;&nbsp;".join(f"<span style='color:{entry_color(k).name()}'>━</span> {i} {e.label}"
                                     for k, (i, e) in enumerate(zip(cmp.ids, cmp.entries)))
        self.chart.caption.setText(f"<b>Monthly cost</b> ({cmp.currency})&nbsp;&nbsp;&nbsp;{legend}")

    def _show_costs(self, cmp: compare.Comparison | None) -> None:
        self.costs.clear()
        if cmp is None:
            return
        fmt = lambda c: compare.signed_money(c, cmp.currency).replace("-", "−")  # noqa: E731
        marks = {"added": "+ added", "removed": "− removed"}
        for j in range(1, len(cmp.entries)):
            diff = cmp.inputs[j]
            changed_inputs = {(x.section, x.name) for x in (diff.lines if diff else ())}
            top = QTreeWidgetItem([f"{cmp.ids[j]} against A: {cmp.entries[j].label}"])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            lines = cmp.changed_lines(j)
            for lc in lines:
                st = lc.status(j)
                what = marks.get(st) or ("changed" if (lc.section, lc.name) in changed_inputs else "cost moved")
                deltas = (lc.last_month_delta(j), lc.horizon_delta(j))
                item = QTreeWidgetItem([lc.name, report_model.SECTION_TITLES.get(lc.section, lc.section), what,
                                        *map(fmt, deltas)])
                self._money_cells(item, deltas)
                top.addChild(item)
            t1, t2 = cmp.total_deltas(j)
            total = QTreeWidgetItem(["Total" if lines else "No differences", "", "", fmt(t1), fmt(t2)])
            total.setFont(0, font)
            self._money_cells(total, (t1, t2))
            top.addChild(total)
            self.costs.addTopLevelItem(top)
            top.setExpanded(True)
        for c in range(5):
            self.costs.resizeColumnToContents(c)

    @staticmethod
    def _money_cells(item: QTreeWidgetItem, deltas: tuple[int, int]) -> None:
        for col, d in zip((3, 4), deltas):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if d:
                item.setForeground(col, UP_COLOR if d > 0 else DOWN_COLOR)

    def _show_inputs(self, cmp: compare.Comparison | None) -> None:
        self.inputs.clear()
        if cmp is None:
            return
        for j in range(1, len(cmp.entries)):
            diff = cmp.inputs[j]
            top = QTreeWidgetItem([f"{cmp.ids[j]} against A: {cmp.entries[j].label}", "A", cmp.ids[j]])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if diff is None or diff.empty:
                top.addChild(QTreeWidgetItem(["No input changes"]))
            else:
                for title, changes in (("Settings", diff.settings), ("Price overrides", diff.prices),
                                       ("Scenarios", diff.scenarios)):
                    if changes:
                        group = QTreeWidgetItem([title])
                        for ch in changes:
                            item = QTreeWidgetItem([ch.label or ch.key, ch.before, ch.after])
                            item.setToolTip(0, ch.key)   # the plan file's key
                            group.addChild(item)
                        top.addChild(group)
                for lch in diff.lines:
                    title = report_model.SECTION_TITLES.get(lch.section, lch.section)
                    group = QTreeWidgetItem([f"{lch.name} ({title}): {lch.change}"])
                    for v in lch.values:
                        child = QTreeWidgetItem([v.label or v.key, v.before, v.after])
                        child.setToolTip(0, v.key)
                        child.setToolTip(1, v.before)
                        child.setToolTip(2, v.after)
                        group.addChild(child)
                    top.addChild(group)
            self.inputs.addTopLevelItem(top)
            top.setExpanded(True)
            for k in range(top.childCount()):
                top.child(k).setExpanded(True)
        self.inputs.resizeColumnToContents(0)

    # -- Qt events ---------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(Path(u.toLocalFile()).suffix.lower() in PLAN_SUFFIXES for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls()
                 if Path(u.toLocalFile()).suffix.lower() in PLAN_SUFFIXES]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
