"""The token estimator: count a prompt or a file for several models, see the API cost, apply it to an API line."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox, QSplitter,
                               QStackedWidget, QStyle, QTableView, QVBoxLayout, QWidget)

from gui.catalog_models import ApiModelTableModel, ApiRow, PriceFormat, warning_icon
from gui.widgets import QuantityEdit
from gui.workers import Worker
from pricing import fields, fx, userfiles
from pricing import token_estimate as te
from pricing.errors import PlanError
from pricing.token_estimate import BIG_BYTES, EstimateRow, ModelRef, Usage

from gui.token_models import (_DropTextEdit, _File, _Text, _local_file, _size_text, ApplyEstimateDialog,
                              EstimateTableModel)

Index = QModelIndex | QPersistentModelIndex


# --------------------------------------------------------------------------- the dialog


class TokenDialog(QDialog):
    """Counts text or a file for the picked models and shows what requests like it cost.

    Text is counted on this machine only. Samples bigger than ``big_bytes`` are counted off the
    UI thread with a progress bar and Cancel.
    """

    estimate_changed = Signal()
    """The results table was refreshed (counts or costs changed)."""

    def __init__(self, document: Any, parent: QWidget | None = None, *, big_bytes: int = BIG_BYTES,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        from pricing import apiprices
        self.document = document
        self.big_bytes = big_bytes
        self._pool = pool
        self._fmt = PriceFormat(document.plan.currency)
        self._refs: list[ModelRef] = []
        self._source: _Text | _File = _Text("")
        self._counts: dict[ModelRef, Any] = {}
        self._worker: Worker | None = None
        self._error = ""
        self._rows: tuple[EstimateRow, ...] = ()
        self.apply_dialog: ApplyEstimateDialog | None = None
        self.setWindowTitle("Token estimator")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAcceptDrops(True)

        # -- text to count
        self.text_edit = _DropTextEdit()
        self.text_edit.setPlaceholderText("Paste a typical prompt here, or open or drop a text file.\n\n"
                                          "It is counted on this computer and never sent anywhere.")
        self.text_edit.setToolTip("The input of one request: paste a typical prompt (system prompt, context, "
                                  "question). Counted locally; never sent anywhere.")
        self.text_edit.setTabChangesFocus(True)  # Tab moves on (keyboard users); prompts rarely need tab characters
        self.text_edit.file_dropped.connect(self.open_file)
        self.text_edit.textChanged.connect(self._on_text_edited)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_text_button = QPushButton("Count pasted text instead")
        self.use_text_button.setToolTip("Go back to counting the text in the editor")
        self.use_text_button.clicked.connect(self.use_text)
        file_icon = QLabel()
        file_icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(32, 32))
        file_page = QWidget()
        file_row = QHBoxLayout()
        file_row.addWidget(file_icon, 0, Qt.AlignmentFlag.AlignTop)
        file_row.addWidget(self.file_label, 1)
        file_layout = QVBoxLayout(file_page)
        file_layout.addLayout(file_row)
        file_layout.addWidget(self.use_text_button, 0, Qt.AlignmentFlag.AlignLeft)
        file_layout.addStretch(1)
        self.input_stack = QStackedWidget()
        self.input_stack.addWidget(self.text_edit)
        self.input_stack.addWidget(file_page)

        self.open_button = QPushButton("&Open file…")
        self.open_button.setToolTip("Count a UTF-8 text file (Ctrl+O); files over 1 MB are counted in the background")
        self.open_button.clicked.connect(self._choose_file)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setToolTip("Clear the text and forget the file")
        self.clear_button.clicked.connect(self.clear)
        self.source_label = QLabel()
        self.source_label.setToolTip("What is being counted")

        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setToolTip("Share of the text counted so far")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop counting (Esc)")
        self.cancel_button.clicked.connect(self.cancel_count)
        self.progress_row = QWidget()
        progress = QHBoxLayout(self.progress_row)
        progress.setContentsMargins(0, 0, 0, 0)
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.cancel_button)
        self.progress_row.hide()

        source_buttons = QHBoxLayout()
        source_buttons.addWidget(self.open_button)
        source_buttons.addWidget(self.clear_button)
        source_buttons.addWidget(self.source_label, 1)
        text_box = QGroupBox("Text to count")
        text_layout = QVBoxLayout(text_box)
        text_layout.addWidget(self.input_stack, 1)
        text_layout.addLayout(source_buttons)
        text_layout.addWidget(self.progress_row)

        # -- model picker
        self.model_search = QLineEdit()
        self.model_search.setPlaceholderText("Search models: gpt-4o, claude, gemini flash…")
        self.model_search.setToolTip("Find API models by id or name; Enter or double-click adds the highlighted one")
        self.model_search.setClearButtonEnabled(True)
        self.picker_model = ApiModelTableModel(self._fmt, self, columns=(
            ApiModelTableModel.PROVIDER, ApiModelTableModel.MODEL, ApiModelTableModel.INPUT, ApiModelTableModel.OUTPUT))
        self.model_picker = QTableView()
        self.model_picker.setModel(self.picker_model)
        self.model_picker.setToolTip("API models with their prices (USD per million tokens); "
                                     "double-click or press Enter to add one to the estimate")
        self.model_picker.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.model_picker.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.model_picker.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.model_picker.verticalHeader().setVisible(False)
        self.model_picker.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.model_picker.setTabKeyNavigation(False)
        self.model_picker.setWordWrap(False)
        self.model_picker.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.model_picker.doubleClicked.connect(lambda _i: self.add_highlighted_models())
        self.add_model_button = QPushButton("&Add to estimate")
        self.add_model_button.setToolTip("Add the highlighted models to the estimate below")
        self.add_model_button.clicked.connect(self.add_highlighted_models)
        self.model_search.textChanged.connect(lambda _t: self._search_timer.start())
        self.model_search.returnPressed.connect(self._add_from_search)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._search_models)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.model_picker, activated=self.add_highlighted_models,
                  context=Qt.ShortcutContext.WidgetShortcut)
        search_label = QLabel("&Find:")
        search_label.setBuddy(self.model_search)
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.model_search, 1)
        models_box = QGroupBox("Models")
        models_layout = QVBoxLayout(models_box)
        models_layout.addLayout(search_row)
        models_layout.addWidget(self.model_picker, 1)
        models_layout.addWidget(self.add_model_button, 0, Qt.AlignmentFlag.AlignRight)

        # -- usage and results
        out_spec = fields.field("services.apis", "output_tokens")  # what the estimate becomes: the schema's limits
        req_spec = fields.field("services.apis", "requests_per_month")
        self.output_tokens = QSpinBox()
        self.output_tokens.setRange(int(out_spec.limits.minimum or 0), int(out_spec.maximum or 0))
        self.output_tokens.setSingleStep(50)
        self.output_tokens.setGroupSeparatorShown(True)
        self.output_tokens.setSuffix(" tokens")
        self.output_tokens.setToolTip("Tokens the model writes back per request (its answer)")
        self.requests = QuantityEdit(parse=lambda text: req_spec.read(text.strip()), placeholder="e.g. 300k")
        self.requests.setToolTip("Requests like this one sent each month: a number such as 300000, 300k or 2M")
        self.requests.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 12)
        first = document.plan.services.apis[0] if document.plan.services.apis else None
        self.output_tokens.setValue(int(first.output_tokens) if first else 300)
        self.requests.set_value(float(first.requests_per_month) if first else 100_000.0)
        self.output_tokens.valueChanged.connect(self._refresh_rows)
        self.requests.edited.connect(self._refresh_rows)
        out_label = QLabel("O&utput per request:")
        out_label.setBuddy(self.output_tokens)
        req_label = QLabel("&Requests per month:")
        req_label.setBuddy(self.requests)
        usage_row = QHBoxLayout()
        usage_row.addWidget(out_label)
        usage_row.addWidget(self.output_tokens)
        usage_row.addSpacing(16)
        usage_row.addWidget(req_label)
        usage_row.addWidget(self.requests)
        usage_row.addStretch(1)

        self.results_model = EstimateTableModel(self._fmt, self)
        self.results = QTableView()
        self.results.setModel(self.results_model)
        self.results.setToolTip("")
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.verticalHeader().setVisible(False)
        self.results.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.results.setTabKeyNavigation(False)
        self.results.setWordWrap(False)
        self.results.setAlternatingRowColors(True)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EstimateTableModel.MODEL, QHeaderView.ResizeMode.Stretch)
        QShortcut(QKeySequence.StandardKey.Delete, self.results, activated=self.remove_selected_model,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.remove_model_button = QPushButton("Re&move model")
        self.remove_model_button.setToolTip("Take the selected model out of the estimate (Delete)")
        self.remove_model_button.clicked.connect(self.remove_selected_model)
        self.price_date_label = QLabel()
        self.price_date_label.setWordWrap(True)
        self.price_date_label.setToolTip("Where the API prices come from and how old they are")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_icon = QLabel()
        self.status_icon.setPixmap(warning_icon(self).pixmap(16, 16))
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.status_label, 1)
        results_footer = QHBoxLayout()
        results_footer.addWidget(self.remove_model_button)
        results_footer.addWidget(self.price_date_label, 1)
        results_box = QGroupBox("Estimate")
        results_layout = QVBoxLayout(results_box)
        results_layout.addLayout(usage_row)
        results_layout.addWidget(self.results, 1)
        results_layout.addLayout(status_row)
        results_layout.addLayout(results_footer)

        # -- bottom
        self.apply_button = QPushButton("A&pply to API line…")
        self.apply_button.setToolTip("Put the selected model's token count on one of the plan's API lines "
                                     "(or a new one); undoable")
        self.apply_button.clicked.connect(self.open_apply_dialog)
        privacy = QLabel("Counted on this computer; the text is never sent anywhere.")
        privacy.setEnabled(False)  # secondary text in the palette's disabled colour, light or dark
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(lambda: self.done(QDialog.DialogCode.Rejected))
        bottom = QHBoxLayout()
        bottom.addWidget(privacy, 1)
        bottom.addWidget(self.apply_button)
        bottom.addWidget(buttons)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(text_box)
        top.addWidget(models_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setChildrenCollapsible(False)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(results_box)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(body, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence.StandardKey.Open, self, activated=self._choose_file)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(250)
        self._text_timer.timeout.connect(self._on_source_changed)

        self._price_source = f"{apiprices.source_name()}, data of {apiprices.data_date().isoformat()}"
        document.plan_changed.connect(self._on_plan_changed)
        self._search_models()
        for line in document.plan.services.apis:
            ref = ModelRef(line.provider, line.model)
            if ref not in self._refs:
                self._refs.append(ref)
        self._on_plan_changed()
        self._on_source_changed()
        self.resize(1180, 780)

    # -- state for callers and tests -------------------------------------------------------------

    @property
    def models(self) -> list[ModelRef]:
        return list(self._refs)

    @property
    def rows(self) -> tuple[EstimateRow, ...]:
        """The estimate as shown: one row per counted model, in the table's order."""
        return self._rows

    @property
    def usage(self) -> Usage:
        return Usage(float(self.output_tokens.value()), float(self.requests.value() or 0.0))

    @property
    def is_counting(self) -> bool:
        return self._worker is not None and self._worker.is_running

    @property
    def error(self) -> str:
        return self._error

    # -- source (view -> state) ------------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Count tokens of a file", "",
                                              "Text files (*.txt *.md *.prompt *.json *.jsonl *.csv *.html *.xml "
                                              "*.yaml *.yml);;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Count a file (in the background with progress when it is big)."""
        path = Path(path)
        try:  # a FIFO or a device is refused here: counting one would wait for ever, or never end
            size = userfiles.check_regular(path).st_size
        except OSError as exc:
            self._set_error(f"cannot read {path}: {exc.strerror or exc}")
            return
        self._source = _File(path, size)
        self.input_stack.setCurrentIndex(1)
        self._on_source_changed()

    def use_text(self) -> None:
        """Count the editor's text (again) instead of a file."""
        self._source = _Text(self.text_edit.toPlainText())
        self.input_stack.setCurrentIndex(0)
        self.text_edit.setFocus()
        self._on_source_changed()

    def set_text(self, text: str) -> None:
        """Put text in the editor and count it now (as pasting does, without the typing delay)."""
        self.input_stack.setCurrentIndex(0)
        self.text_edit.setPlainText(text)
        self._text_timer.stop()
        self.use_text()

    def clear(self) -> None:
        self.text_edit.clear()
        self.use_text()

    def _on_text_edited(self) -> None:
        if self.input_stack.currentIndex() == 0:
            self._text_timer.start()

    def _on_source_changed(self) -> None:
        if self.input_stack.currentIndex() == 0:
            self._source = _Text(self.text_edit.toPlainText())
        self._stop_worker()
        self._counts = {}
        self._error = ""
        self._update_source_label()
        self._count_missing()

    # -- models (view -> state) ------------------------------------------------------------------

    def _search_models(self) -> None:
        from pricing import apiprices
        self.picker_model.set_rows([ApiRow(m) for m in apiprices.list_models(self.model_search.text(), limit=100)])
        if self.picker_model.rowCount():
            self.model_picker.selectRow(0)

    def _add_from_search(self) -> None:
        self._search_timer.stop()
        self._search_models()
        self.add_highlighted_models()

    def add_highlighted_models(self) -> None:
        rows = sorted({i.row() for i in self.model_picker.selectionModel().selectedRows()})
        if not rows and self.model_picker.currentIndex().isValid():
            rows = [self.model_picker.currentIndex().row()]
        self.add_models([ModelRef(self.picker_model.row_at(r).model.provider, self.picker_model.row_at(r).model.model)
                         for r in rows])

    def add_models(self, refs: Sequence[ModelRef]) -> None:
        new = [r for r in dict.fromkeys(refs) if r not in self._refs]
        if not new:
            return
        self._refs.extend(new)
        self._count_missing()

    def remove_model(self, ref: ModelRef) -> None:
        if ref in self._refs:
            self._refs.remove(ref)
            self._refresh_rows()

    def remove_selected_model(self) -> None:
        index = self.results.currentIndex()
        if index.isValid():
            self.remove_model(self.results_model.ref_at(index.row()))

    # -- counting --------------------------------------------------------------------------------

    def _count_missing(self) -> None:
        """Count the source for every picked model that has no count yet."""
        missing = [r for r in self._refs if r not in self._counts]
        if not missing or self.is_counting:  # a running count picks up the rest when it ends
            self._refresh_rows()
            return
        source = self._source
        if isinstance(source, _Text):
            if len(source.text) <= self.big_bytes and len(source.text.encode("utf-8")) <= self.big_bytes:
                self._count_now(lambda: te.count_text_for(source.text, missing))
            else:
                self._start_worker(lambda progress, cancelled: te.count_text_for(source.text, missing),
                                   f"Counting {_size_text(self._fmt, len(source.text.encode('utf-8')))} of text…",
                                   determinate=False)
        elif source.size <= self.big_bytes:
            self._count_now(lambda: te.count_file_for(source.path, missing))
        else:
            self._start_worker(lambda progress, cancelled: te.count_file_for(source.path, missing, progress=progress,
                                                                              cancel=cancelled),
                               f"Counting {source.path.name}…", determinate=True)

    def _count_now(self, count: Any) -> None:
        try:
            self._counts.update(count())
        except (PlanError, OSError) as exc:
            self._set_error(_message(exc))
        self._refresh_rows()

    def _start_worker(self, task: Any, label: str, *, determinate: bool) -> None:
        worker = Worker(task, self, pool=self._pool)
        worker.progress.connect(self._on_count_progress)
        worker.finished.connect(self._on_count_finished)
        worker.failed.connect(self._on_count_failed)
        worker.cancelled.connect(self._on_count_cancelled)
        self._worker = worker
        self.progress_label.setText(label)
        self.progress_bar.setRange(0, 1000 if determinate else 0)
        self.progress_bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.progress_row.show()
        worker.start()
        self._refresh_rows()

    def _stop_worker(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
        self._worker = None
        self.progress_row.hide()

    def cancel_count(self) -> None:
        """Stop a background count (the models it was counting stay uncounted)."""
        if self.is_counting:
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling…")
            self._worker.cancel()  # type: ignore[union-attr]

    def _is_current(self) -> bool:
        return self.sender() is self._worker and self._worker is not None

    def _on_count_progress(self, done: int, total: int) -> None:
        if self._is_current() and total > 0:
            self.progress_bar.setValue(int(self.progress_bar.maximum() * min(done, total) // total))

    def _on_count_finished(self, counts: dict) -> None:
        if not self._is_current():
            return
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(self.progress_bar.maximum())
        self._worker = None
        self.progress_row.hide()
        self._counts.update(counts)
        self._count_missing()

    def _on_count_failed(self, exc: BaseException) -> None:
        if not self._is_current():
            return
        self._worker = None
        self.progress_row.hide()
        if isinstance(exc, (PlanError, OSError)):
            self._set_error(_message(exc))
            self._refresh_rows()
        else:
            self._refresh_rows()
            sys.excepthook(type(exc), exc, exc.__traceback__)  # the app's one error presenter shows it

    def _on_count_cancelled(self) -> None:
        if not self._is_current():
            return
        self._worker = None
        self.progress_row.hide()
        self._set_error("Counting was cancelled; open the file again to count it.")
        self._refresh_rows()

    # -- results (state -> view) -----------------------------------------------------------------

    def _refresh_rows(self, *_: Any) -> None:
        plan = self.document.plan
        counted = [(r, self._counts[r]) for r in self._refs if r in self._counts]
        rows = te.estimate_for_plan(counted, self.usage, plan, self.document.catalog)
        by_ref = {row.ref: row for row in rows}
        pending = "counting…" if self.is_counting else "—"
        self._rows = rows
        current = self.results.currentIndex().row()
        self.results_model.set_rows([(r, by_ref.get(r)) for r in self._refs], pending)
        if self.results_model.rowCount():
            self.results.selectRow(min(max(current, 0), self.results_model.rowCount() - 1))
        self.apply_button.setEnabled(any(r.priced for r in rows) and not self.is_counting)
        self.remove_model_button.setEnabled(bool(self._refs))
        approximate = [r for r in rows if not r.exact]
        notes = [self._error] if self._error else []
        if not self._refs:
            notes.append("Add one or more models from the list above.")
        if len(approximate) == 1:
            notes.append(f"≈ {approximate[0].ref.model}: {approximate[0].reason}.")
        elif approximate:
            notes.append(f"≈ Approximate counts for {', '.join(r.ref.model for r in approximate)} "
                         "(hover a row for why).")
        self.status_label.setText(" ".join(notes))
        self.status_icon.setVisible(bool(self._error or approximate))
        self.status_label.setVisible(bool(notes))
        self.estimate_changed.emit()

    def _set_error(self, message: str) -> None:
        self._error = message
        self._update_source_label()

    def _update_source_label(self) -> None:
        src = self._source
        if isinstance(src, _File):
            size = _size_text(self._fmt, src.size)
            self.file_label.setText(f"<b>{src.path.name}</b><br>{size} · {src.path.parent}")
            self.source_label.setText(f"File: {src.path.name} ({size})")
        else:
            n = len(src.text)
            self.source_label.setText("Nothing to count yet" if not n
                                      else f"Pasted text: {self._fmt.integer(n)} character{'s' if n != 1 else ''}")

    def _on_plan_changed(self) -> None:
        plan = self.document.plan
        self._fmt.set_currency(plan.currency)
        text = f"Prices: {self._price_source}"
        if plan.currency != "USD":
            try:
                text += f"; converted at {fx.rate_text(fx.for_plan(plan))}"
            except PlanError as exc:  # a currency the snapshot lacks: the plan's problems say so too
                text += f"; no exchange rate ({exc.problems[0].message})"
        self.price_date_label.setText(text + ".")
        self._refresh_rows()

    # -- apply -----------------------------------------------------------------------------------

    def open_apply_dialog(self) -> ApplyEstimateDialog | None:
        """Ask which estimate goes to which API line; applied when the dialog is accepted."""
        priced = [r for r in self._rows if r.priced]
        if not priced:
            return None
        selected = self.results.currentIndex()
        row = self.results_model.estimate_at(selected.row()) if selected.isValid() else None
        current = priced.index(row) if row in priced else 0
        dialog = ApplyEstimateDialog(self.document.plan, priced, self.usage.requests_per_month, self._fmt, current,
                                     self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_estimate(*dialog.choice()))
        dialog.finished.connect(lambda _result: self._forget_apply_dialog(dialog))
        self.apply_dialog = dialog
        dialog.open()
        return dialog

    def _forget_apply_dialog(self, dialog: ApplyEstimateDialog) -> None:
        if self.apply_dialog is dialog:  # a newer dialog may already be open
            self.apply_dialog = None

    def apply_estimate(self, row: EstimateRow, index: int = te.NEW_LINE, name: str = "",
                       requests_per_month: float | None = None) -> None:
        """Set an API line's model and tokens from an estimate (one undoable edit)."""
        new_plan = te.apply_to_plan(self.document.plan, row, index, name=name, requests_per_month=requests_per_month)
        self.document.apply(new_plan, "Apply token estimate")

    # -- drops and closing -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if _local_file(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        path = _local_file(event)
        if path:
            event.acceptProposedAction()
            self.open_file(path)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Cancel) and self.is_counting:
            self.cancel_count()  # Esc stops a count first; a second Esc closes
            event.accept()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self._stop_worker()
        super().done(result)


def _message(exc: BaseException) -> str:
    if isinstance(exc, PlanError):
        return "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, OSError):
        where = getattr(exc, "filename", None)
        return f"cannot read {where}: {exc.strerror or exc}" if where else str(exc)
    return str(exc)
