"""File > Export PDF… / Export CSV… (and the comparison's exports): ask for a file, export off the UI thread
with a progress dialog and Cancel, and report problems through the app's one error presenter."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from pricing.errors import PlanError

from gui.errors import ErrorPresenter
from gui.settings import Settings
from gui.workers import Worker

LAST_DIR_KEY = "export/last_dir"
"""QSettings key of the folder the last export went to."""
PAGE_SIZE_KEY = "export/page_size"
"""QSettings key of the page size chosen last (A4 or Letter)."""
PDF_FILTERS = {"A4": "PDF, A4 pages (*.pdf)", "Letter": "PDF, US Letter pages (*.pdf)"}
CSV_FILTER = "CSV files (*.csv)"


def default_page_size() -> str:
    """Letter where it is the usual paper (US, Canada, Mexico, Philippines...), else A4."""
    c = QLocale.Country
    letter = {c.UnitedStates, c.Canada, c.Mexico, c.Philippines, c.Chile, c.Colombia}
    return "Letter" if QLocale().territory() in letter else "A4"


def file_stem(name: str) -> str:
    """A plan name made safe as a file name (no separators, no characters Windows refuses)."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip().strip(".") or "plan"
    return re.sub(r"\s+", " ", stem)[:80]


def _settings() -> Settings:
    return Settings()


def _start_dir(stem: str, suffix: str) -> str:
    folder = str(_settings().value(LAST_DIR_KEY, "") or "")
    if not folder or not Path(folder).is_dir():
        folder = str(Path.home())
    return str(Path(folder) / f"{stem}{suffix}")


def _remember(path: Path) -> None:
    _settings().set_value(LAST_DIR_KEY, str(path.parent))


def _presenter(parent: QWidget | None, presenter: ErrorPresenter | None) -> ErrorPresenter:
    return presenter or getattr(parent, "presenter", None) or ErrorPresenter(parent)


class ExportJob(QObject):
    """One export running on the thread pool with its progress dialog; tests wait on its signals."""

    succeeded = Signal(object)
    """The files written (a tuple of Paths)."""
    failed = Signal(object)
    """The exception (already shown to the user)."""
    cancelled = Signal()
    done = Signal()

    def __init__(self, parent: QWidget | None, title: str, label: str, task: Callable[[Any, Any], Any],
                 presenter: ErrorPresenter, describe: Callable[[Any], tuple[tuple[Path, ...], str]]):
        super().__init__()
        self.parent_widget = parent
        self.title = title
        self.presenter = presenter
        self._describe = describe
        self.dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)  # quick exports finish before the dialog would flash up
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)
        self._completed: list[Any] = []
        """The task's result when it completed, even if Cancel came too late to stop it (filled on the pool thread)."""

        def run(progress: Any, cancelled: Any) -> Any:
            result = task(progress, cancelled)
            self._completed.append(result)
            return result
        self.worker = Worker(run, parent)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.done.connect(self._on_done)
        self.dialog.canceled.connect(self.worker.cancel)
        self.message = ""
        """What the status bar said when it finished (tests read it)."""

    def start(self) -> "ExportJob":
        _jobs.add(self)
        self.worker.start()
        return self

    def _on_progress(self, done: int, total: int) -> None:
        self.dialog.setValue(int(done * 100 // max(total, 1)))

    def _on_finished(self, result: Any) -> None:
        paths, extra = self._describe(result)
        names = ", ".join(p.name for p in paths)
        self.message = (f"Exported {names}" + (f" ({extra})" if extra else "")
                        + (f" to {paths[0].parent}" if paths else ""))
        self._status(self.message, 8000)
        self.succeeded.emit(paths)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, PlanError):
            self.presenter.show_plan_error(self.title, exc, f"The export stopped: {len(exc.problems)} problem(s). "
                                           "No file was written.")
        elif isinstance(exc, OSError):
            self.presenter.show_os_error(self.title, exc)
        else:
            self.presenter.show_unexpected(type(exc), exc, exc.__traceback__)
        self.failed.emit(exc)

    def _on_cancelled(self) -> None:
        self.message = "Export cancelled; no file was written"
        if self._completed:  # Cancel came after the last check: the files are there, say so
            paths, _ = self._describe(self._completed[0])
            self.message = f"Cancel came too late: {', '.join(p.name for p in paths)} was written"
        self._status(self.message, 5000)
        self.cancelled.emit()

    def _status(self, message: str, ms: int) -> None:
        """Say it in the window's status bar, unless the window is gone (closed while the export ran)."""
        bar = getattr(self.parent_widget, "statusBar", None)
        if callable(bar) and shiboken6.isValid(self.parent_widget):
            bar().showMessage(message, ms)

    def _on_done(self) -> None:
        if shiboken6.isValid(self.dialog):  # its window may have been closed (and it with it) meanwhile
            self.dialog.reset()
            self.dialog.close()
            self.dialog.deleteLater()
        self.done.emit()
        _jobs.discard(self)


_jobs: set[ExportJob] = set()
"""Running jobs (their keep-alive until done)."""


def _cannot_price(parent: QWidget | None, document: Any, title: str, presenter: ErrorPresenter | None) -> bool:
    if document.projection is not None:
        return False
    problems = document.problems
    _presenter(parent, presenter).show_problems(
        title, f"The plan can't be priced ({len(problems)} problem{'s' if len(problems) != 1 else ''}); fix "
               "them and export again.", problems)
    return True


# ---------------------------------------------------------------------------------------------
# The plan's exports
# ---------------------------------------------------------------------------------------------


def _page_size() -> str:
    """The page size chosen last, else the locale's usual paper."""
    size = str(_settings().value(PAGE_SIZE_KEY, "") or default_page_size())
    return size if size in PDF_FILTERS else "A4"


def ask_pdf_path(parent: QWidget | None, stem: str, title: str = "Export PDF report") -> tuple[Path, str] | None:
    """The file and page size the user picks (the file type filter chooses the page size)."""
    size = _page_size()
    filters = ";;".join(PDF_FILTERS.values())
    path, chosen = QFileDialog.getSaveFileName(parent, title, _start_dir(stem, ".pdf"), filters, PDF_FILTERS[size])
    if not path:
        return None
    size = next((k for k, v in PDF_FILTERS.items() if v == chosen), size)
    _settings().set_value(PAGE_SIZE_KEY, size)
    p = Path(path)
    if p.suffix.lower() != ".pdf":
        p = p.with_name(p.name + ".pdf")
    return p, size


def ask_csv_path(parent: QWidget | None, stem: str, title: str = "Export CSV") -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, _start_dir(stem, ".csv"), CSV_FILTER)
    if not path:
        return None
    p = Path(path)
    return p if p.suffix.lower() == ".csv" else p.with_name(p.name + ".csv")


def _start(parent: QWidget | None, title: str, target: Path, write: Callable[[Path, Any, Any], Any],
           presenter: ErrorPresenter | None, describe: Callable[[Any], tuple[tuple[Path, ...], str]]) -> ExportJob:
    """Remember the folder, then run ``write(target, progress, cancelled)`` as an ExportJob."""
    _remember(target)
    return ExportJob(parent, title, f"Writing {target.name}…",
                     lambda progress, cancelled: write(target, progress, cancelled), _presenter(parent, presenter),
                     describe).start()


def _export_pdf(parent: QWidget | None, title: str, stem: str, write: Callable[[Path, str, Any, Any], None],
                path: str | Path | None, page_size: str | None, presenter: ErrorPresenter | None) -> ExportJob | None:
    """A PDF export: ``path`` (and ``page_size``) as given, or asked for;
    ``write(target, size, progress, cancelled)``."""
    if path is None:
        picked = ask_pdf_path(parent, stem, title)
        if picked is None:
            return None
        path, size = picked
    else:
        size = page_size or _page_size()

    def task(target: Path, progress: Any, cancelled: Any) -> Path:
        write(target, size, progress, cancelled)
        return target
    return _start(parent, title, Path(path), task, presenter, lambda p: ((p,), f"{size} pages"))


def _export_csv(parent: QWidget | None, title: str, stem: str, write: Callable[[Path, Any, Any], Any],
                path: str | Path | None, presenter: ErrorPresenter | None,
                describe: Callable[[Any], tuple[tuple[Path, ...], str]]) -> ExportJob | None:
    """A CSV export: ``path`` as given, or asked for; ``write(target, progress, cancelled)``."""
    if path is None:
        path = ask_csv_path(parent, stem, title)
        if path is None:
            return None
    return _start(parent, title, Path(path), write, presenter, describe)


def export_pdf(parent: QWidget | None, document: Any, *, path: str | Path | None = None, page_size: str | None = None,
               presenter: ErrorPresenter | None = None) -> ExportJob | None:
    """File > Export PDF…: the document's plan as a PDF report. ``path`` (and ``page_size``) skip the dialog.

    Returns the running job, or None when the user cancelled the dialog or the plan can't be priced.
    """
    title = "Export PDF report"
    if _cannot_price(parent, document, title, presenter):
        return None
    # immutable: safe to hand to the pool thread; the report is gathered from the projection the window shows
    plan, catalog, projection = document.plan, document.catalog, document.projection

    def write(target: Path, size: str, progress: Any, cancelled: Any) -> None:
        from gui.pdf import export_pdf as write_pdf
        write_pdf(plan, target, catalog=catalog, page_size=size, progress=progress, cancel=cancelled,
                  projection=projection)

    return _export_pdf(parent, title, file_stem(plan.name), write, path, page_size, presenter)


def export_csv(parent: QWidget | None, document: Any, *, path: str | Path | None = None,
               presenter: ErrorPresenter | None = None) -> ExportJob | None:
    """File > Export CSV…: the long-form, summary and monthly files (docs/exports.md) next to each other."""
    title = "Export CSV"
    if _cannot_price(parent, document, title, presenter):
        return None
    plan, catalog, projection = document.plan, document.catalog, document.projection

    def write(target: Path, progress: Any, cancelled: Any) -> Any:
        from pricing import export_csv as csv_export
        return csv_export.export(plan, target, catalog=catalog, progress=progress, cancel=cancelled,
                                 projection=projection)

    def describe(result: Any) -> tuple[tuple[Path, ...], str]:
        extra = "; left out: " + "; ".join(result.skipped) if result.skipped else ""
        return tuple(result.paths), extra.lstrip("; ")

    return _export_csv(parent, title, file_stem(plan.name), write, path, presenter, describe)


# ---------------------------------------------------------------------------------------------
# A comparison's exports (the Compare window)
# ---------------------------------------------------------------------------------------------


def export_comparison_pdf(parent: QWidget | None, comparison: Any, *, path: str | Path | None = None,
                          page_size: str | None = None, presenter: ErrorPresenter | None = None) -> ExportJob | None:
    def write(target: Path, size: str, progress: Any, cancelled: Any) -> None:
        from gui.pdf import export_compare_pdf
        export_compare_pdf(comparison, target, page_size=size, progress=progress, cancel=cancelled)

    return _export_pdf(parent, "Export comparison as PDF", "comparison", write, path, page_size, presenter)


def export_comparison_csv(parent: QWidget | None, comparison: Any, *, path: str | Path | None = None,
                          presenter: ErrorPresenter | None = None) -> ExportJob | None:
    def write(target: Path, progress: Any, cancelled: Any) -> Path:
        from pricing.export_csv import write_compare_file
        write_compare_file(comparison, target)
        return target

    return _export_csv(parent, "Export comparison as CSV", "comparison", write, path, presenter,
                       lambda p: ((p,), ""))
