"""The one atomic writer: temp file beside the target, fsync, check, rename; links followed, modes kept."""
import os
import stat

import pytest

from pricing import atomic


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
