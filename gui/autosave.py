"""No lost work: unsaved plans autosaved, offered back after a crash; the prompt before overwriting a changed file."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import socket
import sys
import uuid
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QMessageBox, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from pricing import planfile, userfiles
from pricing.errors import PlanError
from pricing.plan import Plan

INTERVAL_MS = 60_000
"""How often unsaved changes are copied to the recovery folder (``AICOST_AUTOSAVE_MS`` overrides it)."""

HEADER = "# aicost recovery: "
"""First line of a recovery file, then one line of JSON (original path, time, PID...); YAML reads it as a comment."""

SUFFIX = ".yaml"
"""Recovery files are plan files: one can be opened by hand, or with any YAML tool, if all else fails."""


def data_dir() -> Path:
    """The user's data folder for the app (``AICOST_DATA_DIR`` overrides it, for tests)."""
    override = os.environ.get("AICOST_DATA_DIR")
    if override:
        return Path(override)
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def recovery_dir() -> Path:
    return data_dir() / "recovery"


@dataclasses.dataclass(frozen=True, slots=True)
class Recovery:
    """An autosaved copy of a plan with unsaved changes, left behind by a session that did not close."""

    file: Path
    """The recovery file (plan YAML after a one-line header)."""
    original: Path | None
    """The plan's own file, where Save writes after a restore (None: the plan was never saved)."""
    saved_at: datetime
    """When it was autosaved (UTC)."""
    pid: int
    """The process that wrote it."""
    plan_name: str
    fingerprint: str | None | bool
    """The original file's fingerprint when that session read or saved it (``planfile.save``'s ``expect``):
    a restored plan is saved only after asking if the file changed since. False: unknown."""

    def display_name(self) -> str:
        return self.original.name if self.original else "Untitled"


def _header(document: Any) -> dict:
    return {"original": str(document.path.resolve()) if document.path else None,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(), "host": socket.gethostname(), "plan_name": document.plan.name,
            "fingerprint": document.disk_fingerprint}


_MAX_RECOVERY_BYTES = planfile.MAX_BYTES + (1 << 16)
"""A recovery file is a plan (at most ``planfile.MAX_BYTES``) after a one-line header."""


def read_recovery(file: Path) -> Recovery:
    """The header of a recovery file; raises ValueError when it has none (not one of ours, or damaged)."""
    # a regular file only, its header line at most 64 KB: a FIFO in the folder must not stop the window opening
    with io.TextIOWrapper(userfiles.open_regular(file, _MAX_RECOVERY_BYTES), encoding="utf-8") as fh:
        first = fh.readline(1 << 16)
    if not first.startswith(HEADER):
        raise ValueError(f"{file}: no recovery header")
    head = json.loads(first[len(HEADER):])
    return Recovery(file=Path(file), original=Path(head["original"]) if head.get("original") else None,
                    saved_at=datetime.fromisoformat(head["saved_at"]), pid=int(head["pid"]),
                    plan_name=str(head.get("plan_name", "")), fingerprint=head.get("fingerprint", False))


def _lock(file: Path) -> QLockFile:
    """The lock a running session holds on its recovery file. QLockFile knows a lock is stale when its
    process is gone, or its PID now belongs to another program, on every platform."""
    lock = QLockFile(str(file) + ".lock")
    lock.setStaleLockTime(0)  # only a dead owner makes it stale, never its age: sessions run for days
    return lock


def pending_recoveries(directory: Path | None = None) -> list[Recovery]:
    """Recovery files whose session is no longer running (it crashed or was killed), newest first."""
    folder = Path(directory) if directory is not None else recovery_dir()
    found = []
    for file in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else ():
        lock = _lock(file)
        if lock.tryLock(0):
            lock.unlock()  # the owner is gone (tryLock removed its stale lock)
        elif lock.error() == QLockFile.LockError.LockFailedError:
            continue  # a running session (this one or another window) still owns it
        # else the folder refuses lock files: offering the copy is safer than hiding it
        try:
            found.append(read_recovery(file))
        except (OSError, ValueError, KeyError) as exc:  # damaged: kept on disk for a human, not offered
            print(f"aicost: skipping recovery file {file}: {exc}", file=sys.stderr)
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def discard(recovery: Recovery) -> None:
    """Delete a recovery file (the user restored or declined it)."""
    recovery.file.unlink(missing_ok=True)


def load_plan(recovery: Recovery, catalog: Any = None) -> Plan:
    """The autosaved plan; raises PlanError when it can't be read back.

    Names are not checked against the catalog: a plan with problems is restored as it was, and
    the document shows its problems as it did before the crash.
    """
    text = userfiles.read_text(recovery.file, _MAX_RECOVERY_BYTES)
    base = recovery.original.parent if recovery.original else None  # sample files are relative to the plan
    return planfile.loads(text, file=str(recovery.file), base_dir=base)


class Autosaver(QObject):
    """Copies the document's plan to its own recovery file while it has unsaved changes.

    The file is written every ``interval_ms`` when the plan changed since the last copy, and
    removed when the document becomes clean (saved, opened, new, undone to the saved state) or
    ``close`` is called (the window closed after the user saved or discarded the changes).
    """

    written = Signal(Path)
    """After each copy written."""
    failed = Signal(str)
    """Writing failed (once, until a write succeeds again): what to tell the user."""

    def __init__(self, document: Any, parent: QObject | None = None, interval_ms: int = INTERVAL_MS,
                 directory: Path | None = None):
        super().__init__(parent)
        self.document = document
        self.directory = Path(directory) if directory is not None else recovery_dir()
        self.file = self.directory / f"{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        """This session's recovery file (it exists only while there are unsaved changes)."""
        self._lock: QLockFile | None = None
        self._written: tuple | None = None
        self._failing = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        document.path_changed.connect(self._on_path_changed)

    def autosave(self) -> bool:
        """Write the recovery file now if the unsaved plan changed since the last copy; True if written."""
        doc = self.document
        if not doc.is_modified:
            self.remove()
            return False
        state = (doc.plan, doc.path, doc.disk_fingerprint)
        if state == self._written and self.file.exists():
            return False
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                lock = _lock(self.file)
                if not lock.tryLock(0):
                    raise OSError(f"can't lock {lock.fileName()} ({lock.error().name})")
                self._lock = lock
            # atomic: a crash mid-write leaves the previous copy whole
            planfile.write_atomically(self.file, HEADER + json.dumps(_header(doc)) + "\n" + planfile.dumps(doc.plan))
        except OSError as exc:  # a timer, not a user action: say it once, keep the session going
            if not self._failing:
                self._failing = True
                self.failed.emit(f"Autosave failed: {exc}")
            return False
        self._failing = False
        self._written = state
        self.written.emit(self.file)
        return True

    def remove(self) -> None:
        """Delete the recovery file and release its lock (nothing unsaved is left to recover)."""
        if self._lock is None:
            return  # never written, or already removed
        self._written = None
        try:
            self.file.unlink(missing_ok=True)
        except OSError as exc:  # called from signals: report, don't raise into Qt
            self.failed.emit(f"Can't remove the autosaved copy: {exc}")
        self._lock.unlock()
        self._lock = None

    def close(self) -> None:
        """The session ended cleanly (changes saved or discarded by the user): stop and remove the copy."""
        self.timer.stop()
        self.remove()

    def _on_path_changed(self) -> None:
        if not self.document.is_modified:
            self.remove()


# -- the recovery offer ----------------------------------------------------------------------


class RecoveryDialog(QDialog):
    """Lists the recoveries of sessions that did not close: Restore the selected one, Discard it, or Later."""

    def __init__(self, recoveries: list[Recovery], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved changes")
        self.recoveries = list(recoveries)
        self.chosen: Recovery | None = None
        """The recovery to restore, once the user chose Restore."""
        layout = QVBoxLayout(self)
        text = QLabel("AI Cost Planner did not close normally. These plans had unsaved changes, autosaved:")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(["Plan file", "Plan", "Autosaved"])
        for r in self.recoveries:
            item = QTreeWidgetItem([r.display_name(), r.plan_name,
                                    r.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")])
            item.setToolTip(0, str(r.original or "never saved"))
            self.list.addTopLevelItem(item)
        self.list.setCurrentItem(self.list.topLevelItem(0))
        self.list.resizeColumnToContents(0)
        self.list.itemDoubleClicked.connect(self.restore)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox()
        self.restore_button: QPushButton = buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setToolTip("Open the selected plan with its unsaved changes (Save writes to its file)")
        self.discard_button = buttons.addButton("&Discard", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.discard_button.setToolTip("Delete the selected autosaved copy")
        later = buttons.addButton("&Later", QDialogButtonBox.ButtonRole.RejectRole)
        later.setToolTip("Keep the copies; they are offered again at the next start")
        self.restore_button.clicked.connect(self.restore)
        self.discard_button.clicked.connect(self.discard_selected)
        later.clicked.connect(self.reject)
        self.restore_button.setDefault(True)
        layout.addWidget(buttons)
        self.resize(560, 260)

    def selected(self) -> Recovery | None:
        row = self.list.indexOfTopLevelItem(self.list.currentItem()) if self.list.currentItem() else -1
        return self.recoveries[row] if 0 <= row < len(self.recoveries) else None

    def restore(self) -> None:
        self.chosen = self.selected()
        if self.chosen is not None:
            self.accept()

    def discard_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        answer = QMessageBox.question(self, "Discard autosaved changes",
                                      f"Delete the unsaved changes to “{r.plan_name}” ({r.display_name()})?\n"
                                      "This can't be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        discard(r)
        row = self.recoveries.index(r)
        del self.recoveries[row]
        self.list.takeTopLevelItem(row)
        if not self.recoveries:
            self.reject()


def offer_recoveries(window: Any, autosaver: Autosaver) -> Recovery | None:
    """Offer the recoveries of sessions that did not close; restore the one chosen into ``window``'s document.

    The restored plan is the document's unsaved state, with its original path and the fingerprint
    that session read: Save writes to the original file, after asking if it changed since.
    The crashed session's copy is deleted only once this session has written its own.
    """
    recoveries = pending_recoveries(autosaver.directory)
    if not recoveries:
        return None
    dialog = RecoveryDialog(recoveries, window)
    dialog.exec()
    chosen = dialog.chosen
    dialog.deleteLater()
    if chosen is None or not window.maybe_save():
        return None
    try:
        plan = load_plan(chosen, window.document.catalog)
    except PlanError as exc:
        window.presenter.show_plan_error("Can't restore the autosaved plan", exc,
                                         f"The autosaved copy can't be read back; it is kept at {chosen.file}.")
        return None
    window.document.recover(plan, chosen.original, chosen.fingerprint)
    window.tree.select("")  # as after opening a file: the plan's settings, not a line of the previous plan
    if window.document.is_modified and autosaver.autosave():
        discard(chosen)
    return chosen


# -- a file changed on disk ------------------------------------------------------------------


def ask_file_changed(parent: QWidget | None, path: Path) -> str:
    """Ask what to do when the plan's file changed on disk since it was read: "overwrite", "save_as" or "cancel"."""
    path = Path(path)
    what = "changed by another program" if path.exists() else "deleted or moved"
    box = QMessageBox(QMessageBox.Icon.Warning, "File changed on disk",
                      f"“{path.name}” was {what} since you opened or saved it.\n"
                      "Saving now would replace that version with yours.",
                      QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText("Save As… keeps both versions.")
    overwrite = box.addButton("&Overwrite", QMessageBox.ButtonRole.DestructiveRole)
    save_as = box.addButton("Save &As…", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(save_as)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return "overwrite" if clicked is overwrite else "save_as" if clicked is save_as else "cancel"


# -- start-up wiring -------------------------------------------------------------------------


def start(window: Any) -> Autosaver:
    """Autosave ``window``'s document and, once the event loop runs, offer what crashed sessions left."""
    interval = int(os.environ.get("AICOST_AUTOSAVE_MS") or INTERVAL_MS)
    autosaver = Autosaver(window.document, window, interval_ms=interval)
    window.closed.connect(autosaver.close)
    autosaver.failed.connect(lambda message: window.statusBar().showMessage(message, 15_000))
    if os.environ.get("AICOST_TEST_EDIT"):
        # TEST HOOK (tests/gui/test_crash_recovery.py): one unsaved edit, so the real process has work to lose
        doc = window.document
        doc.apply(dataclasses.replace(doc.plan, name=doc.plan.name + " (edited)"), "Rename (test hook)")
    QTimer.singleShot(0, window, lambda: offer_recoveries(window, autosaver))
    return autosaver
