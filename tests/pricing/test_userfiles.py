"""Files read from user paths (issue 17 item 1): regular files only, never blocking on a FIFO, a cap while reading."""
import errno
import os
import threading

import pytest

from pricing import planfile, tokens, userfiles
from pricing.actuals import formats
from pricing.errors import PlanError, PlanFileError
from pricing.load import load_checked
from pricing.planfile.read import MAX_SAMPLE_BYTES

PLAN = "format: aicost-plan/1\nname: Probe\nmonths: 12\n"
DEVICE = "/dev/zero"  # endless, and its stat size is 0: a size check before reading passes it


def without_hanging(fn, fifo=None, seconds=10.0):
    """``fn()``'s result or exception, failing the test if it takes longer than ``seconds`` (then a writer opens
    ``fifo`` so the blocked reader and the test run can go on)."""
    out: dict = {}

    def call():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # unblocks the reader: EOF
        worker.join(5)
        pytest.fail(f"{fn} blocked for more than {seconds} s")
    if "error" in out:
        raise out["error"]
    return out.get("value")


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


# ---------------------------------------------------------------------------------------------
# The reader itself
# ---------------------------------------------------------------------------------------------

def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"0123456789")
    assert userfiles.read_bytes(path, 10) == b"0123456789"      # exactly at the cap: fine
    assert userfiles.read_text(path, 100) == "0123456789"
    assert userfiles.read_head(path, 4) == b"0123"


def test_past_the_cap_is_refused_after_reading_at_most_cap_plus_one_bytes(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1_000_000)
    asked = []
    real = os.read

    def counting_read(fd, n):
        data = real(fd, n)
        asked.append(len(data))
        return data
    monkeypatch.setattr(userfiles.os, "read", counting_read)
    with pytest.raises(userfiles.FileTooBig, match="holds more than 1 KB") as err:
        userfiles.read_bytes(path, 1024)
    assert sum(asked) == 1025           # the cap is kept WHILE reading: 1,024 bytes + the one that proves more
    assert err.value.errno == errno.EFBIG and isinstance(err.value, OSError)


def test_a_device_whose_stat_size_is_zero_is_refused_before_opening(monkeypatch):
    opened = []
    monkeypatch.setattr(userfiles.os, "open", lambda *a: opened.append(a) or pytest.fail("opened a device"))
    assert os.stat(DEVICE).st_size == 0
    with pytest.raises(userfiles.UnreadableFile, match="this is a device, not a regular file"):
        userfiles.read_bytes(DEVICE, 1 << 20)
    assert opened == []


def test_a_fifo_is_refused_without_blocking(fifo):
    with pytest.raises(userfiles.UnreadableFile, match=r"this is a pipe \(FIFO\), not a regular file"):
        without_hanging(lambda: userfiles.read_bytes(fifo, 100), fifo)


def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path, monkeypatch):
    """The path is checked, then opened with O_NONBLOCK and checked again on the descriptor: a FIFO that replaces the
    file in between is refused, and the open itself cannot wait for a writer."""
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN)
    real = userfiles.check_regular

    def check_then_swap(p):
        st = real(p)
        os.unlink(p)
        os.mkfifo(p)
        return st
    monkeypatch.setattr(userfiles, "check_regular", check_then_swap)
    with pytest.raises(userfiles.UnreadableFile, match="pipe"):
        without_hanging(lambda: userfiles.read_bytes(path, 100), path)


def test_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(IsADirectoryError, match="this is a folder"):
        userfiles.read_bytes(tmp_path, 100)
    with pytest.raises(FileNotFoundError):
        userfiles.read_bytes(tmp_path / "missing", 100)


def test_a_link_to_a_regular_file_is_read_and_a_link_to_a_device_is_not(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("hello")
    (tmp_path / "link.txt").symlink_to(real)
    (tmp_path / "zero.txt").symlink_to(DEVICE)
    assert userfiles.read_text(tmp_path / "link.txt", 100) == "hello"
    with pytest.raises(userfiles.UnreadableFile, match="device"):
        userfiles.read_text(tmp_path / "zero.txt", 100)


def test_sizes_as_users_read_them():
    assert [userfiles.size_text(n) for n in (5 << 20, 4 << 30, 1024, 1000)] == ["5 MB", "4 GB", "1 KB", "1,000 bytes"]


# ---------------------------------------------------------------------------------------------
# Everything that reads a user path goes through it
# ---------------------------------------------------------------------------------------------

def test_a_plan_that_is_a_fifo_a_device_or_too_big(tmp_path, fifo):
    for path, message in ((fifo, r"this is a pipe \(FIFO\), not a regular file; expected a plan file"),
                          (DEVICE, "this is a device, not a regular file; expected a plan file")):
        with pytest.raises(PlanFileError, match=message) as err:
            without_hanging(lambda p=path: load_checked(p), fifo)
        assert str(err.value).startswith(f"{path}: ")
    big = tmp_path / "big.yaml"
    big.write_bytes(PLAN.encode() + b"#" * planfile.MAX_BYTES)
    with pytest.raises(PlanFileError, match="holds more than 5 MB; a plan file is at most 5 MB"):
        load_checked(big)


def test_a_fifo_plan_fingerprints_as_nothing_without_blocking(fifo):
    """The window fingerprints a file before it opens it: that read must not block either."""
    assert without_hanging(lambda: planfile.fingerprint(fifo), fifo) is None
    assert planfile.fingerprint(DEVICE) is None


@pytest.mark.parametrize("sample", ["{file: pipe.txt}", "{file: /dev/zero}", "{file: big.txt}"])
def test_a_sample_file_that_is_a_fifo_a_device_or_too_big(tmp_path, sample):
    os.mkfifo(tmp_path / "pipe.txt")
    with open(tmp_path / "big.txt", "wb") as fh:  # sparse: 20 MB and a byte, no disk used
        fh.truncate(MAX_SAMPLE_BYTES + 1)
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN + "services:\n  apis:\n    - name: Chat\n      provider: openai\n      model: gpt-4o\n"
                    "      requests_per_month: 1k\n      sample_input: " + sample + "\n")
    with pytest.raises(PlanFileError) as err:
        without_hanging(lambda: load_checked(path), tmp_path / "pipe.txt")
    expected = {"{file: pipe.txt}": "sample file 'pipe.txt': this is a pipe (FIFO), not a regular file",
                "{file: /dev/zero}": "sample file '/dev/zero': this is a device, not a regular file",
                "{file: big.txt}": "sample file 'big.txt' is larger than 20 MB; use `aicost tokens` for big corpora"}
    assert str(err.value) == f"{path}:10: services.apis[0].sample_input: {expected[sample]}"


def test_token_counts_refuse_a_fifo_and_a_device_and_stop_at_the_cap(tmp_path, fifo, monkeypatch):
    for path, message in ((fifo, "pipe"), (DEVICE, "device")):
        with pytest.raises(userfiles.UnreadableFile, match=message):
            without_hanging(lambda p=path: tokens.count_file(p, "gpt-4o"), fifo)
    path = tmp_path / "corpus.txt"
    path.write_text("word " * 1000)
    monkeypatch.setattr(tokens, "MAX_COUNT_BYTES", 4096)
    with pytest.raises(userfiles.FileTooBig, match="more than 4 KB"):
        tokens.count_file(path, "gpt-4o")


def test_actuals_sniffing_refuses_a_fifo_and_reads_a_header_from_the_first_megabyte(tmp_path, fifo):
    with pytest.raises(formats.ExportError, match=r"pipe \(FIFO\)"):
        without_hanging(lambda: formats.detect(str(fifo)), fifo)
    endless = tmp_path / "one-line.csv"
    with open(endless, "wb") as fh:  # one 50 MB line (sparse: NUL bytes past the first)
        fh.write(b"a")
        fh.truncate(50 << 20)
    with pytest.raises(PlanError):
        formats.detect(str(endless))
    long = tmp_path / "long.csv"
    long.write_bytes(b"ChargePeriodStart," + b"x" * (formats.HEADER_BYTES + 10) + b"\n1\n")
    with pytest.raises(formats.ExportError, match="the first line is longer than 1 MB; expected a header row"):
        formats.detect(str(long))


def openai_page(n_results: int = 1) -> str:
    """One OpenAI Costs API page on one line: a bucket of ``n_results`` results of $1."""
    import json
    result = {"object": "organization.costs.result", "amount": {"value": 1, "currency": "usd"},
              "line_item": "gpt-4o, input", "project_id": "p"}
    return json.dumps({"object": "page", "data": [{"object": "bucket", "start_time": 1798761600,
                                                   "end_time": 1798848000, "results": [result] * n_results}]})


def test_json_lines_exports_are_streamed_a_capped_line_at_a_time(tmp_path, monkeypatch):
    """Main's JSON Lines reader iterated the file's lines uncapped: one endless line was read whole."""
    monkeypatch.setattr(formats, "MAX_JSON_BYTES", 4096)
    path = tmp_path / "costs.jsonl"
    small, big = openai_page(1), openai_page(100)   # 100 results of ~130 bytes: past 4 kB
    assert len(small) < 4096 < len(big)
    path.write_text(f"{small}\n{small}\n{big}\n", encoding="utf-8")
    det = formats.detect(str(path))
    assert det.container is formats.Container.JSONL
    with pytest.raises(formats.ExportError) as info:
        list(formats.json_rows(det, str(path), "costs.jsonl"))
    (p,) = info.value.problems
    assert (p.file, p.line) == ("costs.jsonl", 3)
    # (4096 // 2**20 = 0: the real cap, 64 MB, reads "64 MB")
    assert p.message == "a line longer than 0 MB; JSON Lines hold one API page per line"
    path.write_text(f"{small}\n{small}\n", encoding="utf-8")   # within the cap: every row read
    assert len(list(formats.json_rows(formats.detect(str(path)), str(path), "costs.jsonl"))) == 2


def test_a_json_export_is_read_to_its_cap_and_a_fifo_never_blocks(tmp_path, monkeypatch, fifo):
    monkeypatch.setattr(formats, "MAX_JSON_BYTES", 4096)
    path = tmp_path / "costs.json"
    path.write_text("[\n" + ",\n".join([openai_page(1)] * 40) + "\n]\n", encoding="utf-8")   # ~10 kB
    with pytest.raises(formats.ExportError, match="a JSON document of 0 MB; documents up to 0 MB are read whole"):
        formats.detect(str(path))
    with pytest.raises(formats.ExportError, match="JSON document over 0 MB"):   # grown past the cap: found reading
        formats._load_json(str(path), "costs.json")
    with pytest.raises(userfiles.UnreadableFile, match=r"pipe \(FIFO\)"):
        without_hanging(lambda: formats._load_json(str(fifo), "pipe"), fifo)


def test_price_bundles_refuse_a_fifo_and_a_device_without_blocking(tmp_path, fifo):
    """`aicost prices diff/update --from`: a FIFO named .zip blocked in zipfile; /dev/zero as data.json was read
    after a size check its stat size (0) passed."""
    from pricing import apiprices, catalog_diff
    pipe = tmp_path / "bundle.zip"
    os.mkfifo(pipe)
    with pytest.raises(PlanError) as info:
        without_hanging(lambda: catalog_diff.opened(pipe).__enter__(), pipe)
    assert info.value.problems[0].message == ("expected a catalog folder or a .zip of its files (this is a pipe "
                                              "(FIFO), not a regular file)")
    with pytest.raises(PlanError, match=r"cannot read it as a genai-prices data file \(JSON\): this is a device"):
        apiprices.read_data_file(DEVICE)
    with pytest.raises(PlanError, match=r"pipe \(FIFO\)"):
        without_hanging(lambda: apiprices.read_data_file(fifo), fifo)


def test_a_fifo_in_tiktokens_shared_cache_folder_is_no_copy_and_never_blocks(fifo):
    assert without_hanging(lambda: tokens._sha256_file(fifo), fifo) is None
