"""The real app, killed with unsaved changes: its autosaved copy is found at the next start and restores the edit."""
import dataclasses
import os
import signal
import subprocess
import sys
import time

import pytest

from gui import autosave
from gui.autosave import Autosaver, RecoveryDialog
from pricing import planfile
from pricing.load import load_checked

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wait_for(predicate, timeout, proc):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_killed_app_leaves_a_recovery_that_the_next_start_restores(qtbot, window, example_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("AICOST_DATA_DIR", str(data))
    plan_path = example_dir / "vision-inhouse.yaml"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AICOST_DATA_DIR=str(data), AICOST_AUTOSAVE_MS="300",
               AICOST_TEST_EDIT="1",  # test hook: the app renames the plan after start (an unsaved edit)
               AICOST_CACHE_DIR=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = subprocess.Popen([sys.executable, "-m", "gui", "open", str(plan_path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        written = wait_for(lambda: any((data / "recovery").glob("*.yaml")), 20, proc)
        assert written, ("no recovery file; app output:\n"
                         f"{proc.stdout.read().decode() if proc.poll() is not None else ''}")
        assert autosave.pending_recoveries() == []  # the app is running: its copy is not offered
    finally:
        proc.kill()  # SIGKILL: no clean-up runs, as in a crash
        proc.wait(10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    found = autosave.pending_recoveries()
    assert len(found) == 1
    rec = found[0]
    original = load_checked(plan_path)
    assert rec.pid == proc.pid and rec.original == plan_path.resolve()
    assert rec.plan_name == original.name + " (edited)"
    assert rec.fingerprint == planfile.fingerprint(plan_path)

    # the next start (this process): the copy is offered; Restore gives the edited plan, unsaved, on its file
    monkeypatch.setattr(RecoveryDialog, "exec", lambda dialog: dialog.restore_button.click())
    saver = Autosaver(window.document, window, interval_ms=60_000)
    assert autosave.offer_recoveries(window, saver) == rec
    doc = window.document
    assert doc.plan == dataclasses.replace(original, name=original.name + " (edited)")
    assert doc.path == plan_path.resolve() and doc.is_modified
    assert autosave.pending_recoveries() == [] and not rec.file.exists()
    assert window.save()  # the file is as the killed app read it: saved without asking
    assert load_checked(plan_path) == doc.plan and not saver.file.exists()
