"""Every file the product writes (issue 17 items 5 and 6), one parametrised test per promise, over every writer:
plan save, save-as, autosave, the .bak, report CSV, PDF, XLSX, FOCUS, comparison CSV and PDF, actuals CSV.

- through a symlink: the link stays a link and the file it points to gets the new content;
- the file keeps its permission bits (a shared 0664 plan stays 0664, not 0600);
- a FIFO, a device (as root) or a link to one is refused, never replaced, and nothing is left behind;
- on a full disk (fsync fails with ENOSPC) the write fails with one line naming the file, and the old file is whole.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from pathlib import Path

import pytest

from pricing import atomic

ROOT = Path(__file__).resolve().parent.parent.parent
SUPPORT = ROOT / "resources" / "examples" / "support-assistant.yaml"
OLD = b"old content\n"
pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="the full-disk simulation names the file "
                                                                          "an fsync writes from /proc/self/fd (Linux)")


@pytest.fixture(scope="module")
def plan(base_catalog):
    from pricing.load import load_checked
    return load_checked(SUPPORT, base_catalog)


def _save(plan, catalog, path):
    from pricing import planfile
    planfile.save(plan, path, backup=True)


def _document_save_as(plan, catalog, path):
    from gui.document import PlanDocument
    doc = PlanDocument(catalog, plan)
    doc.save(path, overwrite=True)


def _autosave(plan, catalog, path):
    from gui.autosave import Autosaver
    from gui.document import PlanDocument
    doc = PlanDocument(catalog, plan)
    doc.undo_stack.resetClean()  # unsaved changes: the autosaver writes
    saver = Autosaver(doc, directory=path.parent)
    saver.file = path
    errors: list[str] = []
    saver.failed.connect(errors.append)
    try:
        if not saver.autosave():
            raise atomic.AtomicWriteError(errors[0] if errors else "not written")
    finally:
        saver.timer.stop()
        if saver._lock is not None:  # keep the written file: the test reads it
            saver._lock.unlock()


def _backup(plan, catalog, path):
    """The .bak of a save: ``path`` is the .bak, the plan is saved beside it."""
    from pricing import planfile
    target = path.with_name(path.name[: -len(".bak")])
    target.write_text("format: aicost-plan/1\nname: Before\n")
    planfile.save(plan, target, backup=True)


def _report_csv(plan, catalog, path):
    from pricing import export_csv, report_model
    export_csv.write(report_model.gather(plan, catalog=catalog, monte_carlo=False, tornado=False), path, scenarios=())


def _pdf(plan, catalog, path):
    from gui.pdf import export_pdf
    export_pdf(plan, path, catalog=catalog, samples=100)


def _xlsx(plan, catalog, path):
    from pricing import export_xlsx
    export_xlsx.export(plan, path, catalog=catalog, with_tornado=False)


def _focus(plan, catalog, path):
    from pricing import engine
    from pricing.actuals.focus_export import write_focus
    write_focus(engine.project(plan, catalog), str(path))


def _comparison(catalog):
    from pricing import compare
    return compare.compare([compare.load_entry(str(SUPPORT), catalog), compare.load_entry(str(SUPPORT), catalog)])


def _compare_csv(plan, catalog, path):
    from pricing import export_csv
    export_csv.write_compare_file(_comparison(catalog), path)


def _compare_pdf(plan, catalog, path):
    from gui.pdf import export_compare_pdf
    export_compare_pdf(_comparison(catalog), path)


def _actuals_csv(plan, catalog, path):
    """Through the command: its exit status 1 and its one line on stderr (as the AtomicWriteError's text)."""
    from gui import cli
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["actuals", str(SUPPORT), "--no-store", "--csv", str(path)])
    if code != 0:
        assert code == 1 and err.getvalue().count("\n") == 1, (code, err.getvalue())
        raise atomic.AtomicWriteError(err.getvalue().rstrip("\n"))


WRITERS = {"plan save": (_save, "plan.yaml"), "save as": (_document_save_as, "copy.yaml"),
           "autosave": (_autosave, "s.aicost-recovery"), "plan .bak": (_backup, "plan.yaml.bak"),
           "report CSV": (_report_csv, "r.csv"), "PDF": (_pdf, "r.pdf"), "XLSX": (_xlsx, "r.xlsx"),
           "FOCUS CSV": (_focus, "focus.csv"), "compare CSV": (_compare_csv, "c.csv"),
           "compare PDF": (_compare_pdf, "c.pdf"), "actuals CSV": (_actuals_csv, "a.csv")}
IDS = list(WRITERS)


@pytest.fixture(params=IDS)
def writer(request, qapp, plan, base_catalog, capsys):
    fn, name = WRITERS[request.param]
    return lambda path: fn(plan, base_catalog, path), name


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_through_a_symlink_the_link_stays_and_its_file_is_written(tmp_path, writer):
    write, name = writer
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / name
    real.write_bytes(OLD)
    link = tmp_path / name
    link.symlink_to(real)
    write(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != OLD and real.stat().st_size > 0
    assert temp_files(tmp_path) == [] and temp_files(real_dir) == []


def test_the_file_keeps_its_permission_bits(tmp_path, writer):
    write, name = writer
    path = tmp_path / name
    path.write_bytes(OLD)
    os.chmod(path, 0o664)
    write(path)
    assert path.read_bytes() != OLD
    assert stat.S_IMODE(path.stat().st_mode) == 0o664     # was: every save left 0600


def special_files(tmp_path: Path, name: str) -> list[Path]:
    fifo = tmp_path / ("fifo-" + name)
    os.mkfifo(fifo)
    link = tmp_path / ("link-" + name)
    link.symlink_to(fifo)
    out = [fifo, link]
    if os.geteuid() == 0:  # only root makes device nodes: /dev/null's numbers, in the test's own folder
        device = tmp_path / ("dev-" + name)
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        out.append(device)
    return out


def test_a_fifo_a_device_or_a_link_to_one_is_refused_not_replaced(tmp_path, writer):
    write, name = writer
    for target in special_files(tmp_path, name):
        before = os.lstat(target)
        with pytest.raises(atomic.AtomicWriteError, match="not a regular file"):
            write(target)
        after = os.lstat(target)
        assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode), before.st_ino), target
    assert temp_files(tmp_path) == []


def test_on_a_full_disk_it_says_so_in_one_line_and_the_old_file_is_whole(tmp_path, writer, monkeypatch, capsys):
    write, name = writer
    path = tmp_path / name
    path.write_bytes(OLD)

    real = os.fsync

    def fsync(fd):  # the disk is full when this writer's file is written (for the .bak: the save's own file fits)
        if os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[-1].startswith(f".{name}."):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)
    monkeypatch.setattr(atomic.os, "fsync", fsync)
    with pytest.raises(atomic.AtomicWriteError) as err:
        write(path)
    message = str(err.value)
    assert "\n" not in message and "No space left on device" in message and name in message, message
    assert path.read_bytes() == OLD and temp_files(tmp_path) == []


@pytest.mark.parametrize("args", [["report", "{plan}", "--xlsx", "{out}"], ["report", "{plan}", "--csv", "{out}"],
                                  ["report", "{plan}", "--pdf", "{out}"], ["focus", "{plan}", "{out}"],
                                  ["compare", "{plan}", "{plan}", "--csv", "{out}"],
                                  ["actuals", "{plan}", "--no-store", "--csv", "{out}"]],
                         ids=["report --xlsx", "report --csv", "report --pdf", "focus", "compare --csv",
                              "actuals --csv"])
def test_a_command_on_a_full_disk_exits_1_with_one_line_and_keeps_the_old_file(tmp_path, qapp, monkeypatch, capsys,
                                                                                 args):
    from gui import cli
    out = tmp_path / "out.file"
    out.write_bytes(OLD)

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", fsync)
    code = cli.main([a.format(plan=SUPPORT, out=out) for a in args])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == f"{out}: could not be written (No space left on device); the previous file, if any, is kept\n"
    assert out.read_bytes() == OLD and temp_files(tmp_path) == []
