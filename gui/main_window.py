"""The main window: docks, menus and actions wired to the document and its views (wiring only)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QSplitter, QTabWidget,
                               QToolBar, QUndoView, QWhatsThis, QWidget)

from pricing.errors import PlanError, printable
from pricing.planfile import FileChangedError
from pricing.wording import plural, verb_for

from gui.actuals_view import ActualsView, is_export
from gui.autosave import ask_file_changed
from gui.charts import ChartsView
from gui.editors import EditorStack, LineActions, PlanTree
from gui import screen_fit
from gui.editors.undo_keys import SheetUndo, redo_shortcuts
from gui.errors import ErrorPresenter
from gui.headline import HeadlineBar
from gui.line_table import LineTable
from gui.period_table import PeriodTable
from gui.reprice_bar import RepriceBar
from gui.savings_panel import SavingsPanel
from gui.settings import Settings
from gui.uncertainty_view import Uncertainty, UncertaintyStatus
from gui.view_menu import CommitmentViewActions
from gui.widgets import set_text

APP_NAME = "AI Cost Planner"
PLAN_FILTER = "Plan files (*.yaml *.yml);;All files (*)"
PLAN_SUFFIXES = (".yaml", ".yml")


class MainWindow(QMainWindow):
    """Holds the views of one PlanDocument; every edit goes through the document, views follow its signals."""

    closed = Signal()  # closed with unsaved changes settled (saved or discarded): the autosaved copy can go

    def __init__(self, document: Any, settings: Settings, presenter: ErrorPresenter, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.presenter = presenter
        presenter.set_parent(self)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.view_actions = CommitmentViewActions(document, settings, self)  # first: the views draw in its view

        self.charts = ChartsView(document)  # first: it is called first on each change, and drawn first
        self.headline = HeadlineBar(document)
        bar = QToolBar("Headline figures", self)
        bar.setObjectName("headline")
        bar.setMovable(False)
        bar.addWidget(self.headline)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.reprice = RepriceBar.install(self)  # under the headline, while the plan's saved prices differ

        self.uncertainty = Uncertainty(document, parent=self)  # after the charts: they redraw first on an edit
        self.charts.set_uncertainty(self.uncertainty)
        self.headline.set_uncertainty(self.uncertainty)
        self.actuals = ActualsView(document, presenter)  # plan against actual: a tab beside the charts
        self.charts.setTabToolTip(self.charts.addTab(self.actuals, "Actuals"), "The real bills against the plan")
        self.headline.set_actuals(self.actuals.model)
        # the Actuals tab has its own table of lines (plan against actual): it takes the line table's room
        self.charts.currentChanged.connect(lambda _i: self.table.setVisible(self.charts.currentWidget()
                                                                            is not self.actuals))
        self.table = LineTable(document)
        self.periods = PeriodTable(document)  # categories by fiscal quarter and year, beside the lines
        self.tables = QTabWidget()
        self.tables.setDocumentMode(True)
        self.tables.addTab(self.table, "Line items")
        self.tables.addTab(self.periods, "By period")
        self.tables.setTabToolTip(1, "Cost by category per fiscal quarter, fiscal year or month")
        center = QSplitter(Qt.Orientation.Vertical)
        center.setObjectName("center")
        center.addWidget(self.charts)
        center.addWidget(self.tables)
        center.setSizes([410, 170])  # the charts first: a short screen keeps them readable
        center.setChildrenCollapsible(False)
        self.setCentralWidget(center)

        self.tree = PlanTree(document)
        self.line_actions = LineActions(document, self.tree, self)
        tree_box = self.line_actions.panel()  # the tree under a tool bar of the line actions
        self.editor = EditorStack(document, self.line_actions.add)
        self.savings = SavingsPanel(document)
        self.history = QUndoView(document.undo_stack)
        self.history.setEmptyLabel("Opened plan")
        self.plan_dock = self._dock("Plan", "plan", tree_box, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.editor_dock = self._dock("Line editor", "editor", self.editor, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.savings_dock = self._dock("Savings", "savings", self.savings, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.history_dock = self._dock("History", "history", self.history, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.editor_dock, self.savings_dock, Qt.Orientation.Horizontal)
        self.history_dock.hide()

        self.tree.current_changed.connect(self.editor.show_key)
        self.tree.current_changed.connect(self.table.select_key)
        self.table.line_activated.connect(self.tree.select)
        document.path_changed.connect(self._on_path_changed)
        document.plan_changed.connect(self._on_plan_changed)
        self._build_menus()
        self.status = QLabel()
        self.status.setFixedSize(340, self.status.fontMetrics().height() + 4)  # new text, no re-layout
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.statusBar().addPermanentWidget(UncertaintyStatus(self.uncertainty))
        self.statusBar().addPermanentWidget(self.status)
        self._on_path_changed()
        self._on_plan_changed()
        self.editor.show_key(self.tree.current_key())
        # from the available screen; then the last run's layout, kept on screen
        screen_fit.first_layout(self, left=[self.plan_dock], bottom=[self.editor_dock, self.savings_dock])
        if settings.restore_window(self):
            screen_fit.keep_inside(self)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # -- menus -------------------------------------------------------------------------------

    def _action(self, menu: Any, text: str, slot: Any, key: Any = None, tip: str = "") -> QAction:
        act = menu.addAction(text)
        act.triggered.connect(slot)
        if key is not None:
            act.setShortcut(QKeySequence(key))
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        return act

    def _build_menus(self) -> None:
        sk = QKeySequence.StandardKey
        m = self.menuBar().addMenu("&File")
        self._action(m, "&New…", self.new_plan, sk.New, "Start a plan from a template, an example or empty")
        self._action(m, "&Open…", self.open_plan, sk.Open, "Open a plan file (YAML)")
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        self._action(m, "&Save", self.save, sk.Save, "Save the plan")
        self._action(m, "Save &As…", self.save_as, sk.SaveAs, "Save the plan under a new name")
        m.addSeparator()
        self._action(m, "Import &actuals…", self.show_actuals, "Ctrl+I", "Import real bills (FOCUS, OpenAI, "
                     "Anthropic exports) to compare with the plan")
        m.addSeparator()
        self._lazy(m, "&Print…", "gui.print_actions", "Print the report of the plan through the system dialog",
                   lambda mod: mod.print_plan(self, self.document, presenter=self.presenter), sk.Print)
        self._lazy(m, "Export &PDF…", "gui.export_actions", "A report of the plan: bill, charts, drivers, sources",
                   lambda mod: mod.export_pdf(self, self.document, presenter=self.presenter), "Ctrl+Shift+E")
        self._lazy(m, "Export &CSV…", "gui.export_actions", "Monthly costs per line item, for a spreadsheet",
                   lambda mod: mod.export_csv(self, self.document, presenter=self.presenter))
        self._lazy(m, "Export chart &image…", "gui.charts.export", "The chart shown, as PNG or SVG",
                   lambda mod: mod.ask_and_save(self, self.charts.current_chart() or self.charts.monthly,
                                                self.document, self.settings))
        self._lazy(m, "Export E&xcel…", "gui.export_actions", "A workbook whose cells are live formulas over "
                   "every input and price", lambda mod: mod.export_xlsx(self, self.document, presenter=self.presenter))
        m.addSeparator()
        self._action(m, "&Quit", self.close, sk.Quit).setMenuRole(QAction.MenuRole.QuitRole)
        m = self.menuBar().addMenu("&Edit")
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence(sk.Undo))
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(redo_shortcuts())  # Ctrl+Shift+Z and Ctrl+Y wherever the platform's own key is
        m.addActions([undo, redo])
        self.sheet_undo = SheetUndo(self)  # Ctrl+Z in a field undoes the plan's last edit, as in a spreadsheet
        m = self.menuBar().addMenu("&View")
        for dock in (self.plan_dock, self.editor_dock, self.savings_dock, self.history_dock):
            m.addAction(dock.toggleViewAction())
        m.addSeparator()
        m.addActions(self.view_actions.actions())
        m.addSeparator()
        for i in range(self.charts.count()):
            self._action(m, f"{self.charts.tabText(i)} chart", lambda _=False, i=i: self.charts.setCurrentIndex(i),
                         f"Ctrl+{i + 1}")
        m = self.menuBar().addMenu("&Plan")
        m.addAction(self.line_actions.add_action)
        m.addMenu(self.line_actions.add_menu)
        m.addActions(self.line_actions.actions()[1:])
        m.addSeparator()
        self._action(m, "Plan &settings", lambda: self.tree.select(""), "Ctrl+,", "Name, horizon, provider, "
                     "currency, budget and price overrides")
        m = self.menuBar().addMenu("&Tools")
        self.token_action = self._lazy(m, "&Token estimator…", "gui.token_dialog", "Count a prompt's tokens for "
                                       "several models and price it", lambda _m: self.open_tool("gui.token_dialog",
                                                                                                 "TokenDialog"))
        self.catalog_action = self._lazy(m, "Price &catalog…", "gui.catalog_browser", "Every price with its source "
                                         "and date; override any of them",
                                         lambda _m: self.open_tool("gui.catalog_browser", "CatalogBrowser"))
        self._lazy(m, "Co&mpare plans…", "gui.compare_window", "Plans and scenarios side by side", self._open_compare)
        self._lazy(m, "C&ommitments…", "gui.commitments_view", "Reserved instances, savings plans and CUDs planned "
                   "against the GPU usage curve", lambda _m: self.open_tool("gui.commitments_view", "CommitmentsView"))
        self._lazy(m, "Compare p&roviders…", "gui.providers_view", "The plan priced at each provider, gaps as gaps, "
                   "and the cheapest placement", lambda _m: self.open_tool("gui.providers_view", "ProvidersView"))
        self._lazy(m, "&Update prices…", "gui.price_update_dialog", "Install a newer catalog or genai-prices data",
                   lambda _m: self.open_tool("gui.price_update_dialog", "PriceUpdateDialog"))
        m = self.menuBar().addMenu("&Help")
        self._lazy(m, "&User guide", "gui.help_viewer", "The user guide and the reference pages",
                   lambda mod: mod.show_help(self), sk.HelpContents)
        m.addAction(QWhatsThis.createAction(self))
        m.addSeparator()
        self._action(m, f"&About {APP_NAME}", self.about).setMenuRole(QAction.MenuRole.AboutRole)

    def _lazy(self, menu: Any, text: str, module: str, tip: str, run: Any, key: Any = None) -> QAction:
        """An action using ``module``, imported when first used (start-up stays lean); disabled when absent."""
        act = self._action(menu, text, lambda: run(importlib.import_module(module)), key, tip)
        act.setEnabled(importlib.util.find_spec(module) is not None)
        return act

    def show_actuals(self) -> None:
        self.charts.setCurrentWidget(self.actuals)
        self.actuals.import_dialog()

    def _open_compare(self, module: Any) -> None:
        """A Compare window starting with this plan's file (deleted when closed)."""
        paths = [self.document.path] if self.document.path else []
        window = module.CompareWindow(self.document.catalog, paths, self, presenter=self.presenter)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()

    def open_tool(self, module: str, cls: str) -> QWidget:
        attr = f"_tool_{cls}"
        dialog = getattr(self, attr, None)
        if dialog is None:
            dialog = getattr(importlib.import_module(module), cls)(self.document, self)
            dialog.setWindowFlag(Qt.WindowType.Window, True)
            setattr(self, attr, dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for i, path in enumerate(files):
            act = self.recent_menu.addAction(f"&{i + 1} {path.name}", lambda p=path: self.open_path(p))
            act.setToolTip(str(path))
        if not files:
            self.recent_menu.addAction("No recent plans").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent)

    # -- model -> view -----------------------------------------------------------------------

    def _on_path_changed(self) -> None:
        doc = self.document
        # the one sanitizer (control characters, a NUL that cut the title, bidi overrides) and a readable length
        self.setWindowTitle(f"{printable(doc.display_name(), 100)}[*] — {printable(doc.plan.name, 100)} — {APP_NAME}")
        self.setWindowModified(doc.is_modified)
        self.setWindowFilePath(str(doc.path) if doc.path else "")

    def _on_plan_changed(self) -> None:
        self._on_path_changed()
        doc = self.document
        n = len(doc.problems)
        if not n:
            state = f"recomputed in {doc.last_recompute_ms:.1f} ms"
        elif doc.projection is None:
            state = f"{plural(n, 'problem')} {verb_for(n, 'stops', 'stop')} the plan from being priced"
        else:  # priced, but the loader would refuse the file as it is (see the marked fields)
            state = f"{plural(n, 'problem')} marked: fix before saving"
        set_text(self.status, state)

    # -- file verbs --------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False when the user cancels."""
        if not self.document.is_modified:
            return True
        answer = QMessageBox.warning(
            self, APP_NAME, f"“{self.document.plan.name}” has unsaved changes.\nDo you want to save them?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_plan(self) -> None:
        """File > New: the start page (a template, an example, a recent plan, a file or an empty plan)."""
        if self.maybe_save():
            from gui import start_page
            start_page.show(self)

    def open_plan(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open plan", self.settings.last_dir(), PLAN_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a plan file; its problems (file, line, key path) are shown and the open plan is kept on failure."""
        if ask and not self.maybe_save():
            return False
        try:
            self.document.open(path)
        except PlanError as exc:
            self.presenter.show_plan_error(f"Can't open {Path(path).name}", exc,
                                           f"{Path(path).name} can't be opened: {len(exc.problems)} problem(s). "
                                           "The plan you had open is unchanged.")
            return False
        self.settings.add_recent(Path(path))
        self.settings.set_last_dir(Path(path))
        self.tree.select("")
        self.statusBar().showMessage(f"Opened {path}", 4000)
        return True

    def save(self) -> bool:
        return self._write(self.document.path) if self.document.path else self.save_as()

    def save_as(self) -> bool:
        start = str(self.document.path or Path(self.settings.last_dir() or ".") / f"{self.document.plan.name}.yaml")
        path, _ = QFileDialog.getSaveFileName(self, "Save plan as", start, PLAN_FILTER)
        if not path:
            return False
        if Path(path).suffix.lower() not in PLAN_SUFFIXES:
            path += ".yaml"
        return self._write(Path(path), overwrite=True)  # the file dialog asked before replacing a file

    def _write(self, path: Path, overwrite: bool = False) -> bool:
        try:
            self.document.save(path, overwrite=overwrite)
        except FileChangedError:  # another program wrote the file since we read it: never overwrite silently
            answer = ask_file_changed(self, path)
            return self._write(path, True) if answer == "overwrite" else answer == "save_as" and self.save_as()
        except OSError as exc:
            self.presenter.show_os_error("Can't save the plan", exc)
            return False
        self.settings.add_recent(path)
        self.settings.set_last_dir(path)
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def about(self) -> QWidget:
        """Help > About: version, price data dates, licences of the bundled components (gui/about.py)."""
        from gui.about import show_about
        return show_about(self)

    # -- Qt events ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.maybe_save():
            self.settings.save_window(self)
            self.uncertainty.shutdown()
            self.actuals.shutdown()
            event.accept()
            self.closed.emit()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(Path(u.toLocalFile()).suffix.lower() in PLAN_SUFFIXES or is_export(u.toLocalFile())
               for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        exports = [u.toLocalFile() for u in event.mimeData().urls() if is_export(u.toLocalFile())]
        if exports:  # cost exports dropped anywhere on the window: imported into the Actuals tab
            event.acceptProposedAction()
            self.charts.setCurrentWidget(self.actuals)
            self.actuals.import_paths(exports)
            return
        for url in event.mimeData().urls():
            if Path(url.toLocalFile()).suffix.lower() in PLAN_SUFFIXES:
                event.acceptProposedAction()
                self.open_path(url.toLocalFile())
                return
