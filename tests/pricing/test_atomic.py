"""The one atomic writer: temp file beside the target, fsync, check, rename; links followed, modes kept."""
import errno
import os
import stat

import pytest

from pricing import atomic, planfile


def test_replaces_the_file_and_keeps_its_permission_bits(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("old\n")
    os.chmod(path, 0o664)
    digest = atomic.write_atomically(path, "new\n", backup=True)
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o664
    assert (tmp_path / "plan.yaml.bak").read_text() == "old\n"
    assert digest == atomic._digest(b"new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml", "plan.yaml.bak"]   # no temp file left


def test_a_new_file_gets_the_umask_default_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic.write_atomically(tmp_path / "new.yaml", "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o644    # 0666 & ~0022


def test_writes_through_a_symlink_to_the_real_file(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    atomic.write_atomically(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_refuses_to_replace_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(atomic.AtomicWriteError, match="not a regular file"):
        atomic.write_atomically(fifo, "x\n")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old\n")

    def boom(fh):
        fh.write("half")
        raise OSError(28, "No space left on device")
    with pytest.raises(OSError, match="No space"):
        atomic.write_file(path, boom)
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_empty_or_rejected_result_is_not_renamed_over(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    with pytest.raises(atomic.AtomicWriteError, match="empty"):
        atomic.write_file(path, lambda fh: None)

    def reject(tmp):
        raise atomic.AtomicWriteError("checksum mismatch")
    with pytest.raises(atomic.AtomicWriteError, match="checksum"):
        atomic.write_file(path, lambda fh: fh.write("new\n"), verify=reject)
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# ---------------------------------------------------------------------------------------------
# Failures say so, name the file and keep the old one (issue 17 item 5)
# ---------------------------------------------------------------------------------------------

def fail_fsync_on(monkeypatch, calls: set[int], how: str = "enospc") -> None:
    """fsync number n (1, 2, ... in this test) fails as on a full disk, or ("lossy") silently keeps half the file."""
    real = os.fsync
    seen = {"n": 0}

    def fsync(fd):
        seen["n"] += 1
        if seen["n"] in calls:
            if how == "lossy":
                os.ftruncate(fd, os.fstat(fd).st_size // 2)
            else:
                raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)
    monkeypatch.setattr(atomic.os, "fsync", fsync)


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    fail_fsync_on(monkeypatch, {1})
    with pytest.raises(atomic.AtomicWriteError) as err:
        atomic.write_atomically(path, "new\n")
    assert str(err.value) == f"{path}: could not be written (No space left on device); the previous file, if any, " \
                             "is kept"
    assert err.value.errno == errno.ENOSPC and "\n" not in str(err.value)
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_backup_that_cannot_be_written_stops_the_save(tmp_path, monkeypatch):
    """On a nearly full disk the new file fits but its .bak does not: nothing is saved, and it says so."""
    path = tmp_path / "p.yaml"
    path.write_text("version 2\n")
    (tmp_path / "p.yaml.bak").write_text("version 1\n")
    fail_fsync_on(monkeypatch, {2})  # 1: the new file's temp, 2: the backup's temp
    with pytest.raises(atomic.AtomicWriteError, match=r"p\.yaml: the previous version could not be kept as "
                                                      r"p\.yaml\.bak \(No space left on device\); nothing was saved"):
        atomic.write_atomically(path, "version 3\n", backup=True)
    assert path.read_text() == "version 2\n" and (tmp_path / "p.yaml.bak").read_text() == "version 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "p.yaml.bak"]


def test_a_truncated_backup_is_never_reported_ok(tmp_path, monkeypatch):
    """The .bak is read back and compared: a file system that keeps half of it fails the save (was: truncated .bak,
    save reported OK)."""
    path = tmp_path / "p.yaml"
    path.write_text("version 2: " + "x" * 1000 + "\n")
    fail_fsync_on(monkeypatch, {2}, how="lossy")
    with pytest.raises(atomic.AtomicWriteError, match=r"p\.yaml\.bak: the backup does not match p\.yaml"):
        planfile.save(planfile.loads("format: aicost-plan/1\nname: New\n"), path, backup=True)
    assert path.read_text().startswith("version 2: ") and not (tmp_path / "p.yaml.bak").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


def test_a_lossy_disk_is_caught_by_a_read_back_check(tmp_path, monkeypatch):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    data = b"0123456789" * 100
    fail_fsync_on(monkeypatch, {1}, how="lossy")

    def same(tmp):
        if tmp.read_bytes() != data:
            raise atomic.AtomicWriteError(f"{path}: short write")
    with pytest.raises(atomic.AtomicWriteError, match="short write"):
        atomic.write_file(path, lambda fh: fh.write(data), binary=True, verify=same)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_missing_folder_and_a_folder_target_are_refused(tmp_path):
    with pytest.raises(atomic.AtomicWriteError, match="no such folder"):
        atomic.check_target(tmp_path / "missing" / "x.csv")
    with pytest.raises(atomic.AtomicWriteError, match="a folder"):
        atomic.write_atomically(tmp_path, "x\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder "
                                              "(tests/gui/test_failed_writes.py simulates a read-only mount for root)")
def test_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "x.csv").write_text("old\n")
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(atomic.AtomicWriteError, match=r"x\.csv: cannot create a file in .*Permission denied"):
            atomic.write_atomically(folder / "x.csv", "new\n")
    finally:
        os.chmod(folder, 0o755)
    assert (folder / "x.csv").read_text() == "old\n"
