"""Autosave and recovery: the timer copies unsaved plans, clean states remove the copy, a crash's copy is offered back;
saving over a file another program changed asks first."""
import dataclasses
import json
import os

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui import autosave
from gui.autosave import Autosaver, RecoveryDialog
from pricing import planfile
from pricing.load import load_checked


def renamed(doc, name):
    doc.apply(dataclasses.replace(doc.plan, name=name), "Rename")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The recovery folder of these tests (also where ``pending_recoveries()`` looks by default)."""
    monkeypatch.setenv("AICOST_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "recovery"


@pytest.fixture
def saver(qtbot, plan_document, folder):
    s = Autosaver(plan_document, interval_ms=20, directory=folder)
    yield s
    s.close()


def left_by_a_crash(folder, plan, original, fingerprint, pid=2_000_000_000, when="2026-11-27T09:30:00+00:00"):
    """A recovery file as a killed session leaves it: header and plan, no live lock."""
    folder.mkdir(parents=True, exist_ok=True)
    head = {"original": str(original) if original else None, "saved_at": when, "pid": pid,
            "plan_name": plan.name, "fingerprint": fingerprint}
    file = folder / f"{pid}-{when[11:13]}{when[14:16]}.yaml"
    file.write_text(autosave.HEADER + json.dumps(head) + "\n" + planfile.dumps(plan), encoding="utf-8")
    return file


def answer_box(monkeypatch, text):
    """Make every QMessageBox built by the code click its button labelled ``text`` (without showing it)."""
    asked = []

    def exec_(box):
        asked.append(box.text())
        button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
        button.click()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


# -- the autosaver ---------------------------------------------------------------------------


def test_timer_writes_the_unsaved_plan_with_its_header(qtbot, plan_document, saver):
    doc = plan_document
    qtbot.wait(60)
    assert not saver.file.exists()  # nothing unsaved, nothing written
    renamed(doc, "Edited")
    with qtbot.waitSignal(saver.written, timeout=2000):
        pass
    rec = autosave.read_recovery(saver.file)
    assert rec.original == doc.path.resolve() and rec.pid == os.getpid() and rec.plan_name == "Edited"
    assert rec.fingerprint == planfile.fingerprint(doc.path) == doc.disk_fingerprint
    assert autosave.load_plan(rec, doc.catalog) == doc.plan
    renamed(doc, "Edited again")
    with qtbot.waitSignal(saver.written, timeout=2000):
        pass
    assert autosave.load_plan(autosave.read_recovery(saver.file), doc.catalog).name == "Edited again"
    assert not saver.autosave()  # unchanged since the last copy: not written again


def test_a_running_sessions_copy_is_not_offered(plan_document, saver):
    renamed(plan_document, "Edited")
    assert saver.autosave() and saver.file.exists()
    assert autosave.pending_recoveries() == []  # this session holds its lock


@pytest.mark.parametrize("settle", ["save", "undo", "new", "close"])
def test_clean_save_undo_discard_or_close_removes_the_copy(plan_document, saver, settle):
    doc = plan_document
    renamed(doc, "Edited")
    assert saver.autosave()
    {"save": lambda: doc.save(), "undo": doc.undo_stack.undo, "new": doc.new, "close": saver.close}[settle]()
    assert not saver.file.exists() and not list(saver.directory.glob("*.lock"))
    assert autosave.pending_recoveries() == []


def test_an_untitled_plan_is_recovered_without_a_path(plan_document, saver, folder):
    doc = plan_document
    doc.new()
    renamed(doc, "Scratch")
    assert saver.autosave()
    rec = autosave.read_recovery(saver.file)
    assert rec.original is None and rec.display_name() == "Untitled"


def test_write_failure_is_reported_once(qtbot, plan_document, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    s = Autosaver(plan_document, interval_ms=60_000, directory=blocker / "recovery")
    failures = []
    s.failed.connect(failures.append)
    renamed(plan_document, "Edited")
    assert not s.autosave() and not s.autosave()
    assert len(failures) == 1 and "Autosave failed" in failures[0]
    s.close()


# -- recoveries left by a crash --------------------------------------------------------------


def test_pending_recoveries_newest_first_and_damaged_ones_skipped(plan_document, folder, capsys):
    doc = plan_document
    old = left_by_a_crash(folder, doc.plan, doc.path, doc.disk_fingerprint, when="2026-11-27T09:30:00+00:00")
    new = left_by_a_crash(folder, doc.plan, None, False, when="2026-11-27T10:45:00+00:00")
    (folder / "junk.yaml").write_text("name: not ours\n", encoding="utf-8")
    found = autosave.pending_recoveries()
    assert [r.file for r in found] == [new, old]
    assert found[1].original == doc.path and found[1].fingerprint == doc.disk_fingerprint
    assert "junk.yaml" in capsys.readouterr().err
    autosave.discard(found[0])
    assert [r.file for r in autosave.pending_recoveries()] == [old]


def test_recovery_found_at_start_is_offered_and_restores_the_same_plan(qtbot, window, folder, monkeypatch):
    doc = window.document
    edited = dataclasses.replace(doc.plan, name="Recovered", months=18)
    crashed = left_by_a_crash(folder, edited, doc.path, doc.disk_fingerprint)
    offered = []

    def exec_(dialog):
        offered.extend((dialog.list.topLevelItem(i).text(0), dialog.list.topLevelItem(i).text(1))
                       for i in range(dialog.list.topLevelItemCount()))
        dialog.restore_button.click()
        return 1
    monkeypatch.setattr(RecoveryDialog, "exec", exec_)
    saver = Autosaver(doc, window, interval_ms=60_000, directory=folder)
    restored = autosave.offer_recoveries(window, saver)
    assert offered == [("support-assistant.yaml", "Recovered")]
    assert restored.file == crashed
    assert doc.plan == edited and doc.path == restored.original and doc.is_modified
    assert window.isWindowModified() and window.windowTitle().startswith("support-assistant.yaml[*] — Recovered")
    assert not crashed.exists() and saver.file.exists()  # the crash's copy replaced by this session's own
    assert autosave.pending_recoveries() == []
    assert window.save() and load_checked(doc.path) == edited  # the file was unchanged: saved without asking
    assert not saver.file.exists()


def test_later_keeps_and_discard_deletes(qtbot, plan_document, folder, monkeypatch):
    doc = plan_document
    a = left_by_a_crash(folder, doc.plan, doc.path, False, when="2026-11-27T09:30:00+00:00")
    b = left_by_a_crash(folder, doc.plan, None, False, when="2026-11-27T10:45:00+00:00")
    dialog = RecoveryDialog(autosave.pending_recoveries())
    qtbot.addWidget(dialog)
    assert dialog.selected().file == b  # newest first, selected
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    dialog.discard_selected()
    assert b.exists() and dialog.list.topLevelItemCount() == 2
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    dialog.discard_selected()
    assert not b.exists() and a.exists() and dialog.list.topLevelItemCount() == 1
    dialog.reject()  # Later
    assert dialog.chosen is None and [r.file for r in autosave.pending_recoveries()] == [a]


def test_unreadable_recovery_is_reported_and_kept(qtbot, window, folder, monkeypatch):
    bad = dataclasses.replace(window.document.plan, months=0)
    crashed = left_by_a_crash(folder, bad, window.document.path, False)
    monkeypatch.setattr(RecoveryDialog, "exec", lambda dialog: dialog.restore_button.click())
    before = window.document.plan
    assert autosave.offer_recoveries(window, Autosaver(window.document, window, directory=folder)) is None
    assert window.presenter.last_dialog is not None and str(crashed) in window.presenter.last_dialog.text()
    assert crashed.exists() and window.document.plan is before


# -- a file changed on disk ------------------------------------------------------------------


def test_document_save_refuses_to_overwrite_a_changed_file(plan_document):
    doc = plan_document
    renamed(doc, "Mine")
    doc.path.write_text(doc.path.read_text(encoding="utf-8") + "# theirs\n", encoding="utf-8")
    theirs = doc.path.read_bytes()
    with pytest.raises(planfile.FileChangedError):
        doc.save()
    assert doc.path.read_bytes() == theirs and doc.is_modified
    doc.save(overwrite=True)
    assert load_checked(doc.path).name == "Mine" and not doc.is_modified
    renamed(doc, "Mine again")
    doc.save()  # our own save is the new reference: no false alarm
    assert load_checked(doc.path).name == "Mine again"


@pytest.mark.parametrize("button, saved, written_to", [
    ("Overwrite", True, "original"),
    ("Save As…", True, "other"),
    ("Cancel", False, None),
])
def test_saving_over_a_changed_file_asks(qtbot, window, monkeypatch, tmp_path, button, saved, written_to):
    doc = window.document
    path = doc.path
    renamed(doc, "Mine")
    theirs = path.read_text(encoding="utf-8").replace("name: Support assistant", "name: Theirs")
    path.write_text(theirs, encoding="utf-8")
    asked = answer_box(monkeypatch, button)
    other = tmp_path / "mine.yaml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(other), "")))
    assert window.save() is saved
    assert asked and "support-assistant.yaml" in asked[0] and "changed by another program" in asked[0]
    assert load_checked(path).name == ("Mine" if written_to == "original" else "Theirs")
    assert (other.exists() and load_checked(other).name == "Mine") is (written_to == "other")
    assert window.isWindowModified() is (not saved)


def test_saving_over_a_deleted_file_asks(qtbot, window, monkeypatch):
    doc = window.document
    renamed(doc, "Mine")
    doc.path.unlink()
    asked = answer_box(monkeypatch, "Overwrite")
    assert window.save() and "deleted or moved" in asked[0]
    assert load_checked(doc.path).name == "Mine"


def test_restored_plan_asks_when_its_file_changed_since_the_crash(qtbot, window, folder, monkeypatch):
    doc = window.document
    read_then = doc.disk_fingerprint
    left_by_a_crash(folder, dataclasses.replace(doc.plan, name="Recovered"), doc.path, read_then)
    doc.path.write_text(doc.path.read_text(encoding="utf-8") + "# edited elsewhere after the crash\n",
                        encoding="utf-8")
    monkeypatch.setattr(RecoveryDialog, "exec", lambda dialog: dialog.restore_button.click())
    doc.new()  # as a new session starts: nothing open
    assert autosave.offer_recoveries(window, Autosaver(doc, window, directory=folder))
    assert doc.plan.name == "Recovered" and doc.disk_fingerprint == read_then
    asked = answer_box(monkeypatch, "Cancel")
    assert not window.save() and asked
    assert "edited elsewhere" in doc.path.read_text(encoding="utf-8")


def test_start_autosaves_the_window_and_a_clean_close_removes_the_copy(qtbot, window, folder, monkeypatch):
    monkeypatch.setenv("AICOST_AUTOSAVE_MS", "20")
    saver = autosave.start(window)
    assert saver.timer.interval() == 20 and saver.directory == folder
    renamed(window.document, "Edited")
    qtbot.waitUntil(saver.file.exists, timeout=2000)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    assert window.close()
    assert not saver.file.exists() and not saver.timer.isActive()
