"""The Actuals tab: import bills, actual against plan by category and month, variance, unmapped, rules, re-forecast.

Views only: the figures come from ``ActualsModel`` (computed off the UI thread by
``pricing.actuals``); every change the user makes here (a rule, the cost column, the re-forecast
method) is one plan edit through the document, so undo and redo work and the plan becomes modified.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar,
                               QPushButton, QSplitter, QStackedWidget, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from pricing.actuals_config import CostColumn, ForecastMethod, Rule

from gui import theme
from gui.actuals_model import EXPORT_SUFFIXES, ActualsModel, Status
from gui.actuals_rules import RulesPanel
from gui.actuals_tables import FilesModel, Table, UnmappedModel, VarianceModel, connect_selection
from gui.widgets import MoneyFormat, set_text

EXPORT_FILTER = ("Cost exports (*.csv *.csv.gz *.gz *.parquet *.json *.jsonl);;FOCUS CSV (*.csv *.csv.gz *.gz);;"
                 "Parquet (*.parquet);;OpenAI / Anthropic JSON (*.json *.jsonl);;All files (*)")
COSTS = ((CostColumn.EFFECTIVE, "Effective cost (amortised)",
          "FOCUS EffectiveCost: upfront commitments spread over the usage they cover"),
         (CostColumn.BILLED, "Billed cost (as invoiced)", "FOCUS BilledCost: what the invoice charges for the period"))
METHODS = ((ForecastMethod.RUN_RATE, "Re-forecast: recent run-rate",
            "The remaining months: each line's actual/plan cost ratio over the recent months x the plan's own growth"),
           (ForecastMethod.REBASE, "Re-forecast: re-based on usage",
            "The remaining months: the plan's prices, volumes scaled by actual/planned usage (GPU-hours, tokens, "
            "GB-months)"))
ALL_CATEGORIES = "All categories"


def is_export(path: str | Path) -> bool:
    name = str(path).lower()
    return name.endswith(EXPORT_SUFFIXES)


class ActualsView(QWidget):
    """The Actuals tab of the main window (``main_window`` adds it beside the charts)."""

    SHOW_PROGRESS_MS = 300

    def __init__(self, document: Any, presenter: Any = None, *, samples: int = 10_000,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.presenter = presenter
        self.model = ActualsModel(document, samples=samples, parent=self)
        self.fmt = MoneyFormat(document.plan.currency)
        self.setAcceptDrops(True)

        # -- the top row: totals, settings, import with progress and Cancel
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.cost = QComboBox()
        for column, text, tip in COSTS:
            self.cost.addItem(text, column)
            self.cost.setItemData(self.cost.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.cost.setToolTip("Which FOCUS cost the actuals total (saved with the plan)")
        self.cost.activated.connect(self.set_cost)
        self.method = QComboBox()
        for method, text, tip in METHODS:
            self.method.addItem(text, method)
            self.method.setItemData(self.method.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.method.setToolTip("How the months without actuals are re-forecast (saved with the plan)")
        self.method.activated.connect(self.set_method)
        self.import_button = QPushButton("Import bills…")
        self.import_button.setToolTip("Import cost exports: FOCUS CSV, .csv.gz or Parquet; OpenAI or Anthropic cost "
                                      "and usage CSV / JSON (or drop the files here)")
        self.import_button.clicked.connect(self.import_dialog)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop: an import stopped midway keeps nothing of the file it was reading")
        self.cancel_button.clicked.connect(self.model.cancel)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 0)
        for w in (self.import_button, self.progress, self.cancel_button):
            top.addWidget(w)
        top.addSpacing(8)
        top.addWidget(self.summary, 1)
        top.addWidget(self.cost)
        top.addWidget(self.method)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setContentsMargins(8, 0, 8, 0)

        # -- the content: the chart and the forecast on the left, the tables on the right
        self.chart: Any = None
        """The ``gui.charts.actuals.ActualsChart`` (built when the tab is first shown: pyqtgraph)."""
        self.category = QComboBox()
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category.setToolTip("All categories stacked against the plan, or one category against its plan")
        self.category.activated.connect(lambda _i: self._draw_chart())
        self.forecast = QLabel()
        self.forecast.setTextFormat(Qt.TextFormat.RichText)
        self.forecast.setWordWrap(True)
        self.forecast.setContentsMargins(4, 2, 4, 4)
        self.chart_box = QWidget()
        left = QVBoxLayout(self.chart_box)
        left.setContentsMargins(0, 0, 0, 0)
        self.variance = Table(VarianceModel(self), "Variance by line", VarianceModel.VARIANCE)
        self.unmapped = Table(UnmappedModel(self), "Unmapped rows by service and SKU", 3)
        self.rules = RulesPanel(self.set_rules, self._lines)
        self.files = Table(FilesModel(self), "Imported files", -1, Qt.SortOrder.AscendingOrder)
        self.remove_button = QPushButton("Remove from the actuals")
        self.remove_button.setToolTip("Forget the selected file's rows (the file itself is not touched)")
        self.remove_button.clicked.connect(self.remove_selected_file)
        connect_selection(self.files, lambda: self.remove_button.setEnabled(self.files.selected_row() is not None))
        files_box = QWidget()
        fl = QVBoxLayout(files_box)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.files, 1)
        fr = QHBoxLayout()
        fr.addWidget(self.remove_button)
        fr.addStretch(1)
        fl.addLayout(fr)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for w, title, tip in ((self.variance, "Variance", "Plan against actual per line, largest variance first"),
                              (self.unmapped, "Unmapped", "Billing rows no rule maps, by service and SKU"),
                              (self.rules, "Rules", "Which billing rows go to which plan line (saved with the plan)"),
                              (files_box, "Files", "The exports imported into the plan's actuals"),
                              (self.notes, "Notes", "What the analysis says about the figures, and rows it refused")):
            self.tabs.setTabToolTip(self.tabs.addTab(w, title), tip)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.forecast)
        rl.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.chart_box)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([520, 640])

        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setMaximumWidth(560)
        self.empty_button = QPushButton("Import bills…")
        self.empty_button.clicked.connect(self.import_dialog)
        empty_page = QWidget()
        ep = QVBoxLayout(empty_page)
        ep.addStretch(1)
        ep.addWidget(self.empty, 0, Qt.AlignmentFlag.AlignHCenter)
        ep.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignHCenter)
        ep.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty_page)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        self._reveal = QTimer(self)
        self._reveal.setSingleShot(True)
        self._reveal.setInterval(self.SHOW_PROGRESS_MS)
        self._reveal.timeout.connect(self._update_progress)
        self._note = ""
        """The last import's outcome, said in the message line until the next one."""
        self.model.changed.connect(self._on_model_changed)
        self.model.progress.connect(self._on_progress)
        self.model.imported.connect(self._on_imported)
        document.plan_changed.connect(self._on_plan_changed)
        document.path_changed.connect(self._on_model_changed)
        self._on_plan_changed()

    # -- building the chart on first sight --------------------------------------------------

    def ensure_chart(self) -> Any:
        if self.chart is None:
            from gui.charts.actuals import ActualsChart
            self.chart = ActualsChart(self.category)
            self.chart_box.layout().addWidget(self.chart, 1)
            self._draw_chart()
        return self.chart

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.ensure_chart()

    # -- model -> view -----------------------------------------------------------------------

    def _on_plan_changed(self) -> None:
        doc = self.document
        cfg = doc.plan.actuals
        with QSignalBlocker(self.cost):
            self.cost.setCurrentIndex(self.cost.findData(cfg.cost))
        with QSignalBlocker(self.method):
            self.method.setCurrentIndex(self.method.findData(cfg.forecast))
        if not self.model.current:  # the rules as the plan has them now; their amounts follow the analysis
            self._show_rules()
        self._update_progress()

    def _lines(self) -> list[tuple[str, str]]:
        """(what a rule names, what the rule form lists) for every line of the plan."""
        proj = self.document.projection
        if proj is None:
            return []
        from pricing.actuals.mapping import line_reference, plan_lines
        lines = plan_lines(proj.line_items)
        return [(line_reference(lines, i), f"{ln.name}  ({ln.key_path})") for i, ln in enumerate(lines)]

    def _show_rules(self) -> None:
        m = self.model
        rules = self.document.plan.actuals.rules
        if m.current:
            rows = m.figures.rules
        elif rules:
            from pricing.actuals.figures import plan_rule_rows
            rows = plan_rule_rows(rules, m.problems if m.status is Status.FAILED else ())
        else:
            rows = ()
        self.rules.set_rows(rows, rules, self.document.plan.currency)

    def _on_model_changed(self) -> None:
        m = self.model
        f = m.figures
        currency = f.currency if f is not None else self.document.plan.currency
        if currency != self.fmt.currency:
            self.fmt = MoneyFormat(currency)
        has = f is not None
        broken = not has and m.status is Status.FAILED and m.has_store  # e.g. a rule whose line is gone
        self.stack.setCurrentIndex(1 if has or broken else 0)
        self.cost.setEnabled(has or broken)
        self.method.setEnabled(has or broken)
        if broken:  # the tab stays, empty, so the rule at fault can be mended in the Rules tab
            set_text(self.summary, "<b>Plan against actual</b>: no figures until the problem above is fixed")
            for table in (self.variance, self.unmapped, self.files):
                table.source.set_rows((), self.fmt.currency)
            self.forecast.setText("")
            self.notes.setPlainText("\n".join(str(p) for p in m.problems))
            self._draw_chart()
            if any(p.key_path.startswith("actuals.rules") for p in m.problems):
                self.tabs.setCurrentWidget(self.rules)
        elif not has:
            set_text(self.summary, "<b>Plan against actual</b>")
            saved = self.document.path is not None
            self.empty.setText(
                "<h3>Plan against actual</h3><p>Import the real bills: a FOCUS export (CSV, .csv.gz or Parquet, as "
                "AWS, Azure and Google Cloud write them) or an OpenAI or Anthropic cost export, or drop the files "
                "here. Each month's bill is set against the plan, line by line, and the rest of the horizon is "
                "re-forecast from it.</p>" + ("" if saved else "<p><b>Save the plan first:</b> the imported bills "
                                              "are kept beside the plan file.</p>"))
            self.empty_button.setEnabled(saved)
        else:
            self._show_figures(f)
        self._show_rules()
        self._show_message()
        self._update_progress()

    def _show_figures(self, f: Any) -> None:
        fmt, t = self.fmt, f.totals
        parts = [f"Imported <b>{fmt.full(t.imported)}</b> = mapped {fmt.full(t.mapped)} + unmapped "
                 f"{fmt.full(t.unmapped)}", f"{t.files} file{'s' if t.files != 1 else ''}"]
        if t.outside:
            parts.append(f"{fmt.full(t.outside)} dated outside the plan's months")
        if t.refused_rows:
            parts.append(f"<span style='color:{theme.ERROR_COLOR}'>{t.refused_rows:,} row"
                         f"{'s' if t.refused_rows != 1 else ''} refused (see Notes)</span>")
        if not self.model.current and self.model.status is Status.PENDING:
            parts.append(f"<i style='color:{theme.muted(self).name()}'>updating…</i>")
        set_text(self.summary, " · ".join(parts))
        self.variance.source.set_rows(f.variance, f.currency)
        self.variance.fit(stretch=0, widest=190)
        self.unmapped.source.set_rows(f.unmapped, f.currency)
        self.unmapped.fit(stretch=0)
        self.files.source.cost = t.cost
        self.files.source.set_rows(f.files, f.currency)
        self.files.fit(stretch=0)
        self.remove_button.setEnabled(self.files.selected_row() is not None)
        self.tabs.setTabText(1, f"Unmapped ({fmt.full(t.unmapped)})" if f.unmapped else "Unmapped")
        notes = list(f.notes)
        if f.problems:
            notes += ["", "Rows that could not be read:"] + list(f.problems)
        self.notes.setPlainText("\n".join(notes))
        self.tabs.setTabText(4, f"Notes ({len(f.notes) + len(f.problems)})" if notes else "Notes")
        fc = f.forecast
        if fc is None:
            self.forecast.setText("")
        else:
            change = "" if fc.change_pct is None else f" ({fc.change_pct:+.1f}%)"
            over = ""
            if self.document.plan.monthly_budget is not None:
                over = (f"<br>First month over budget: <b>{fc.first_over_budget or 'none'}</b> (plan: "
                        f"{fc.plan_first_over_budget or 'none'})")
            window = f"{fc.window[0]} – {fc.window[-1]}" if len(fc.window) > 1 else (fc.window[0] if fc.window else "")
            self.forecast.setText(
                f"<b>Re-forecast</b> of the horizon: <b>{fmt.full(fc.total)}</b> against the plan's "
                f"{fmt.full(fc.plan_total)}{change}; P10–P90 {fmt.full(fc.total_p10)} – {fmt.full(fc.total_p90)}"
                f"<br><span style='color:{theme.muted(self).name()}'>"
                f"{'Recent run-rate' if fc.method == 'run_rate' else 'Re-based on usage'} over {window}</span>{over}")
            self.forecast.setToolTip(f"Band: {fc.band}")
        cats = [ALL_CATEGORIES] + [ly.category for ly in f.chart.layers]
        current = self.category.currentText()
        if [self.category.itemText(i) for i in range(self.category.count())] != cats:
            with QSignalBlocker(self.category):
                self.category.clear()
                self.category.addItems(cats)
                self.category.setCurrentIndex(max(self.category.findText(current), 0))
        self._draw_chart()

    def _draw_chart(self) -> None:
        if self.chart is None:
            return
        f = self.model.figures
        if f is None:
            self.chart.show(None, self.fmt.currency)
            return
        from gui.charts.actuals import ALL
        cat = self.category.currentText()
        self.chart.show(f.chart, f.currency, ALL if cat in ("", ALL_CATEGORIES) else cat)

    def _show_message(self) -> None:
        m = self.model
        color = ""
        if m.status is Status.FAILED and m.problems:
            color = theme.ERROR_COLOR
            text = "The actuals can't be compared with the plan: " + "; ".join(
                (f"{p.key_path}: " if p.key_path else "") + p.message for p in m.problems[:4])
        elif m.status is Status.CANCELLED and not self._note:
            text = "Stopped."
        else:
            text = self._note
        self.message.setStyleSheet(f"color: {color}" if color else "")
        set_text(self.message, text)
        self.message.setVisible(bool(text))

    def _on_imported(self, result: Any) -> None:
        """Say what the import left in the store (the task's result, not when Cancel was pressed)."""
        import os
        said = []
        for o in result.outcomes:
            name = os.path.basename(o.path)
            if o.duplicate_of is not None:
                said.append(f"{name} was imported before (same content as {os.path.basename(o.duplicate_of)}): "
                            "not counted again")
            else:
                refused = o.record.refused(self.document.plan.actuals.cost.value)
                said.append(f"imported {name}: {o.record.rows:,} rows"
                            + (f", {refused:,} refused (see Notes)" if refused else ""))
        if result.cancelled is not None:
            said.insert(0, f"import cancelled: nothing of {os.path.basename(result.cancelled)} was kept"
                        + (f" ({len(result.skipped)} more not read)" if result.skipped else ""))
        text = "; ".join(said)
        self._note = text[:1].upper() + text[1:] + "." if said else ""

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(int(total), 1))
        self.progress.setValue(min(int(done), max(int(total), 1)))

    def _update_progress(self) -> None:
        m = self.model
        running = m.running and (m.importing or not self._reveal.isActive())
        if m.running and not m.importing and not self._reveal.isActive() and not self.progress.isVisible():
            self._reveal.start()  # a quick analysis shows no progress bar at all
            running = False
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.import_button.setEnabled(not m.importing)
        self.empty_button.setEnabled(not m.importing and self.document.path is not None)
        if m.importing:
            set_text(self.message, "Importing…" if not self._note.startswith("Importing") else self._note)
            self.message.setStyleSheet("")
            self.message.setVisible(True)
        if not m.running:
            self._reveal.stop()

    # -- verbs -------------------------------------------------------------------------------

    def import_dialog(self) -> None:
        if self.document.path is None:
            self._note = "Save the plan first: the imported bills are kept beside the plan file."
            self._show_message()
            return
        start = str(self.document.path.parent)
        paths, _ = QFileDialog.getOpenFileNames(self, "Import bills", start, EXPORT_FILTER)
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: Sequence[str | Path]) -> bool:
        """Import cost exports (File > Import actuals…, drag and drop); progress and Cancel in the top row."""
        self._note = ""
        ok = self.model.import_files(paths)
        if ok:
            self.progress.setValue(0)
            self.progress.setMaximum(1)
            self._update_progress()
        return ok

    def remove_selected_file(self) -> None:
        i = self.files.selected_row()
        if i is not None:
            path = self.files.source.rows[i].path
            self._note = f"Removed {Path(path).name} from the actuals."
            self.model.forget(path)

    def _edit(self, actuals: Any, text: str) -> None:
        plan = self.document.plan
        self.document.apply(dataclasses.replace(plan, actuals=actuals), text)

    def set_rules(self, rules: tuple[Rule, ...], text: str) -> None:
        """One plan edit: the plan's ``actuals: rules`` become ``rules``."""
        self._edit(dataclasses.replace(self.document.plan.actuals, rules=tuple(rules)), text)

    def set_cost(self, index: int) -> None:
        column = self.cost.itemData(index)
        if column is not None and column is not self.document.plan.actuals.cost:
            self._edit(dataclasses.replace(self.document.plan.actuals, cost=column), "Actuals: cost column")

    def set_method(self, index: int) -> None:
        method = self.method.itemData(index)
        if method is not None and method is not self.document.plan.actuals.forecast:
            self._edit(dataclasses.replace(self.document.plan.actuals, forecast=method), "Actuals: re-forecast method")

    def shutdown(self) -> None:
        self.model.shutdown()

    # -- drag and drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(is_export(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if is_export(u.toLocalFile())]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)
