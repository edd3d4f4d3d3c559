"""Writes that fail say so and keep the old file (issue 17 item 5): PDF, `report --csv`, `compare --csv/--pdf`, Save.

Every write goes through pricing.atomic. Failures are simulated where the machine can't make them
for real: QPainter.end() reporting failure, fsync failing with ENOSPC (a full disk), a file system
that silently loses half of what was written (the read-back check catches it), a read-only folder.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from pricing import atomic

from gui import cli
from gui.pdf import export_pdf
from gui.pdf import layout

ROOT = Path(__file__).resolve().parent.parent.parent
SUPPORT = ROOT / "resources" / "examples" / "support-assistant.yaml"
OLD = b"%PDF-1.4 the previous report\n%%EOF\n"


@pytest.fixture(autouse=True)
def _application(qapp):
    return qapp


@pytest.fixture(scope="module")
def plan(base_catalog):
    from pricing.load import load_checked
    return load_checked(SUPPORT, base_catalog)


def full_disk(monkeypatch) -> None:
    """fsync fails as on a full disk (what a write that does not fit reports, at the latest, on fsync)."""
    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", fsync)


def lossy_disk(monkeypatch) -> None:
    """A file system that silently keeps only half of what was written (no error from write or fsync)."""
    real = os.fsync

    def fsync(fd):
        size = os.fstat(fd).st_size
        os.ftruncate(fd, size // 2)
        real(fd)
    monkeypatch.setattr(atomic.os, "fsync", fsync)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_pdf_the_writer_did_not_finish_is_refused_and_the_old_file_kept(tmp_path, plan, base_catalog, monkeypatch):
    out = tmp_path / "r.pdf"
    out.write_bytes(OLD)
    monkeypatch.setattr(layout, "_end", lambda p: (p.end(), False)[1])   # QPainter.end() reports failure
    with pytest.raises(atomic.AtomicWriteError, match=r"r\.pdf: the PDF writer reported a failure"):
        export_pdf(plan, out, catalog=base_catalog, samples=200)
    assert out.read_bytes() == OLD and leftovers(tmp_path) == []


def test_a_full_disk_fails_with_the_file_named_and_the_old_file_kept(tmp_path, plan, base_catalog, monkeypatch):
    out = tmp_path / "r.pdf"
    out.write_bytes(OLD)
    full_disk(monkeypatch)
    with pytest.raises(atomic.AtomicWriteError, match=r"r\.pdf: could not be written \(No space left on device\)") \
            as err:
        export_pdf(plan, out, catalog=base_catalog, samples=200)
    assert err.value.errno == errno.ENOSPC
    assert out.read_bytes() == OLD and leftovers(tmp_path) == []


def test_a_pdf_cut_short_on_disk_is_caught_by_the_read_back(tmp_path, plan, base_catalog, monkeypatch):
    out = tmp_path / "r.pdf"
    out.write_bytes(OLD)
    lossy_disk(monkeypatch)
    with pytest.raises(atomic.AtomicWriteError, match="differs from what was painted"):
        export_pdf(plan, out, catalog=base_catalog, samples=200)
    assert out.read_bytes() == OLD and leftovers(tmp_path) == []


def test_check_pdf():
    layout.check_pdf(b"%PDF-1.4\n...\n%%EOF\n", "x.pdf")
    for bad in (b"", b"%PDF-1.4\n... cut", b"<html>%%EOF"):
        with pytest.raises(atomic.AtomicWriteError, match=r"x\.pdf: the PDF is incomplete"):
            layout.check_pdf(bad, "x.pdf")


# ---------------------------------------------------------------------------------------------
# The command line: exit 1, one line naming the file, no "wrote", the old file kept
# ---------------------------------------------------------------------------------------------


def test_report_pdf_on_a_full_disk_exits_1(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.pdf"
    out.write_bytes(OLD)
    full_disk(monkeypatch)
    code = cli.main(["report", str(SUPPORT), "--pdf", str(out), "--samples", "200"])
    stdout, stderr = capsys.readouterr()
    assert code == 1
    assert stderr.strip().count("\n") == 0 and str(out) in stderr and "No space left on device" in stderr
    assert "wrote" not in stdout
    assert out.read_bytes() == OLD and leftovers(tmp_path) == []


def test_report_csv_on_a_full_disk_keeps_the_old_csv_whole(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.csv"
    old = b"month,category\r\n2027-01,Compute\r\n"
    out.write_bytes(old)
    full_disk(monkeypatch)
    code = cli.main(["report", str(SUPPORT), "--csv", str(out)])
    _, stderr = capsys.readouterr()
    assert code == 1 and str(out) in stderr and "No space left on device" in stderr
    assert out.read_bytes() == old and leftovers(tmp_path) == []  # never cut mid-row


def test_compare_exports_on_a_full_disk_exit_1(tmp_path, capsys, monkeypatch):
    for flag, name in (("--csv", "c.csv"), ("--pdf", "c.pdf")):
        out = tmp_path / name
        out.write_bytes(OLD)
        with monkeypatch.context() as m:
            full_disk(m)
            code = cli.main(["compare", str(SUPPORT), f"{SUPPORT}#Frugal", flag, str(out)])
        stdout, stderr = capsys.readouterr()
        assert code == 1 and str(out) in stderr and "wrote" not in stdout, (flag, stderr)
        assert out.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_pdf_onto_a_symlink_writes_the_real_file_and_keeps_the_link(tmp_path, capsys):
    real = tmp_path / "real.pdf"
    real.write_bytes(OLD)
    os.chmod(real, 0o664)
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    assert cli.main(["report", str(SUPPORT), "--pdf", str(link), "--samples", "200"]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    data = real.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and data != OLD
    assert stat.S_IMODE(real.stat().st_mode) == 0o664  # the file keeps its mode
    assert f"wrote {link}" in capsys.readouterr().out


def test_pdf_onto_a_fifo_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    from pricing import report_model
    monkeypatch.setattr(report_model, "gather", lambda *a, **k: pytest.fail("gathered before refusing"))
    code = cli.main(["report", str(SUPPORT), "--pdf", str(fifo)])
    _, stderr = capsys.readouterr()
    assert code == 1 and "pipe.pdf: not a regular file" in stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_pdf_into_a_read_only_folder(tmp_path, plan, base_catalog, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "r.pdf").write_bytes(OLD)
    if os.geteuid() == 0:  # root writes anyway: make the folder read-only as a read-only mount would
        def mkstemp(*args, **kwargs):
            raise OSError(errno.EROFS, "Read-only file system")
        monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp)
        reason = "Read-only file system"
    else:
        os.chmod(folder, 0o555)
        reason = "Permission denied"
    try:
        with pytest.raises(atomic.AtomicWriteError, match=f"r\\.pdf: cannot create a file in .*ro.* \\({reason}\\)"):
            export_pdf(plan, folder / "r.pdf", catalog=base_catalog, samples=200)
    finally:
        os.chmod(folder, 0o755)
    assert (folder / "r.pdf").read_bytes() == OLD


# ---------------------------------------------------------------------------------------------
# The window: File > Export PDF… shows the error and keeps the old file
# ---------------------------------------------------------------------------------------------


def test_window_export_pdf_shows_the_failure(qtbot, plan_document, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMainWindow
    from gui import export_actions
    from gui.errors import ErrorPresenter
    host = QMainWindow()
    host.presenter = ErrorPresenter()
    qtbot.addWidget(host)
    out = tmp_path / "r.pdf"
    out.write_bytes(OLD)
    monkeypatch.setattr(layout, "_end", lambda p: (p.end(), False)[1])
    job = export_actions.export_pdf(host, plan_document, path=out, page_size="A4")
    with qtbot.waitSignal(job.failed, timeout=30000) as blocker:
        pass
    assert isinstance(blocker.args[0], atomic.AtomicWriteError)
    text = host.presenter.last_dialog.text()
    assert "r.pdf" in text and "writer reported a failure" in text and "previous file" in text
    assert out.read_bytes() == OLD and leftovers(tmp_path) == []
    assert "Exported" not in host.statusBar().currentMessage()


def test_window_save_whose_backup_cannot_be_written_says_so(qtbot, window, monkeypatch):
    """Save on a nearly full disk: the new plan fits but its .bak does not. The save fails with the reason, the plan
    file on disk is unchanged, and the window keeps the edit (still modified)."""
    path = window.document.path
    before = path.read_bytes()
    window.document.apply(window.document.plan.with_section("people", ()), "Drop people")
    assert window.isWindowModified()
    real, calls = os.fsync, {"n": 0}

    def fsync(fd):  # 1: the plan's temporary file, 2: the backup's
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)
    monkeypatch.setattr(atomic.os, "fsync", fsync)
    assert window.save() is False
    text = window.presenter.last_dialog.text()
    assert f"could not be kept as {path.name}.bak (No space left on device)" in text and "nothing was saved" in text
    assert path.read_bytes() == before and window.isWindowModified()
    assert leftovers(path.parent) == []
