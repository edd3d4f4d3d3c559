"""An export's progress dialog survives the export ending while it reports progress (a modal dialog's
setValue runs the event loop, where the job's end arrives)."""
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def test_the_export_ending_inside_a_progress_report(qtbot, window):
    from gui.errors import ErrorPresenter
    from gui.export_actions import ExportJob
    job = ExportJob(window, "Export", "Exporting...", lambda progress, cancelled: None, ErrorPresenter(),
                    lambda result: ((), ""))
    dialog = job.dialog
    dialog.forceShow()  # shown as after its minimum duration: a modal QProgressDialog's setValue now runs events
    QApplication.processEvents()
    ended = []
    job.done.connect(lambda: ended.append(True))
    QTimer.singleShot(0, job._on_done)  # the worker's end, delivered inside setValue's event processing
    job._on_progress(50, 100)
    assert ended == [True]
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)  # closed and deleted afterwards
    job._on_progress(60, 100)  # a late progress report after the end is ignored, not a crash
