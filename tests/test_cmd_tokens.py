"""`aicost tokens`: text and JSON output, costs from the pricing modules, stdin, progress, errors and exit codes."""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.cli import tokens as cmd_tokens
from pricing import apiprices, tokens

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "You are a helpful assistant. Summarise the customer's ticket below.\n\nTicket: my invoice is wrong.\n"


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-cache"))
    tokens._clear_caches()
    yield
    tokens._clear_caches()


@pytest.fixture
def prompt_file(tmp_path):
    path = tmp_path / "prompt.txt"
    path.write_text(PROMPT, encoding="utf-8")
    return path


def run_cli(argv, capsys):
    parser = argparse.ArgumentParser(prog="aicost")
    sub = parser.add_subparsers()
    cmd_tokens.add_parser(sub)
    args = parser.parse_args(["tokens", *map(str, argv)])
    status = args.func(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_json_document(prompt_file, capsys):
    status, out, err = run_cli([prompt_file, "--model", "gpt-4o", "--model", "claude-3-5-sonnet",
                                "--output-tokens", "350", "--json"], capsys)
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert doc["input"] == {"file": str(prompt_file), "bytes": len(PROMPT.encode())}
    assert doc["output_tokens"] == 350 and doc["requests_per_month"] == 0
    assert doc["currency"] == "USD"
    assert doc["price_data"] == {"source": apiprices.source_name(), "as_of": apiprices.data_date().isoformat()}
    gpt, claude = doc["models"]
    assert (gpt["provider"], gpt["model"], gpt["encoding"], gpt["exact"]) == ("openai", "gpt-4o", "o200k_base", True)
    assert gpt["tokens"] == tokens.count_text(PROMPT, "gpt-4o").tokens
    m = apiprices.resolve("openai", "gpt-4o")
    assert gpt["cost_per_request"] == pytest.approx(apiprices.request_cost(m, gpt["tokens"], 350))
    assert gpt["cost_per_1k_requests"] == pytest.approx(1000 * gpt["cost_per_request"])
    assert gpt["cost_per_month"] is None  # no --requests-per-month: no monthly cost
    assert (gpt["input_per_mtok"], gpt["output_per_mtok"]) == (m.input_per_mtok, m.output_per_mtok)
    assert (claude["provider"], claude["encoding"], claude["exact"], claude["wanted_encoding"]) == \
        ("anthropic", "cl100k_base", False, "")
    assert "not an OpenAI model" in claude["reason"]


def test_monthly_cost(prompt_file, capsys):
    status, out, _ = run_cli([prompt_file, "-m", "gpt-4o-mini", "--output-tokens", "1k",
                              "--requests-per-month", "300k", "--json"], capsys)
    row = json.loads(out)["models"][0]
    assert status == 0
    assert json.loads(out)["requests_per_month"] == 300_000
    assert row["cost_per_month"] == pytest.approx(300_000 * row["cost_per_request"])
    m = apiprices.resolve(None, "gpt-4o-mini")
    assert row["cost_per_request"] == pytest.approx(apiprices.request_cost(m, row["tokens"], 1000))


def test_text_table(prompt_file, capsys):
    status, out, err = run_cli([prompt_file, "--model", "gpt-4o", "--model", "gpt-4", "--model",
                                "claude-3-5-sonnet", "--model", "gemini-2.5-pro", "--output-tokens", "350",
                                "--requests-per-month", "300k"], capsys)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{prompt_file}: {len(PROMPT.encode())} bytes; 350 output tokens per request; " \
                       "300,000 requests a month"
    header = lines[2]
    for col in ("provider", "model", "encoding", "tokens", "in $/Mtok", "out $/Mtok", "per request",
                "per 1k requests", "per month"):
        assert col in header
    rows = {line.split()[1]: line for line in lines[3:7]}
    assert set(rows) == {"gpt-4o", "gpt-4", "claude-3-5-sonnet", "gemini-2.5-pro"}
    # right-aligned numbers end where their header ends
    end = header.index("tokens") + len("tokens")
    n = tokens.count_text(PROMPT, "gpt-4o").tokens
    assert rows["gpt-4o"][:end].endswith(f" {n:,}")
    assert rows["gpt-4"][:end].endswith(f" {tokens.count_text(PROMPT, 'gpt-4').tokens:,}")
    cost = apiprices.request_cost(apiprices.resolve("openai", "gpt-4o"), n, 350)
    assert f"${cost * 300_000:,.2f}" in rows["gpt-4o"]           # per month, to the cent
    assert f"${cost * 1000:,.2f}" in rows["gpt-4o"]
    assert "~" not in rows["gpt-4o"] and "~" not in rows["gpt-4"]
    assert "cl100k_base ~1" in rows["claude-3-5-sonnet"] and "cl100k_base ~2" in rows["gemini-2.5-pro"]
    assert "gemini-2.5-pro *" in rows["gemini-2.5-pro"]      # tiered
    assert "~1 approximate count: claude-3-5-sonnet (anthropic) is not an OpenAI model" in out
    assert f"as of {apiprices.data_date().isoformat()}" in lines[-1]


def test_no_monthly_column_without_requests(prompt_file, capsys):
    _, out, _ = run_cli([prompt_file, "-m", "gpt-4o"], capsys)
    assert "per month" not in out and "requests a month" not in out


def test_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("\ufeff" + PROMPT).encode("utf-8"))))
    status, out, _ = run_cli(["-", "--model", "gpt-4", "--json"], capsys)
    assert status == 0
    doc = json.loads(out)
    assert doc["input"]["file"] == "-"
    assert doc["models"][0]["tokens"] == tokens.count_text(PROMPT, "gpt-4").tokens


def test_progress_line_for_big_files_on_a_terminal(tmp_path, monkeypatch, capsys):
    path = tmp_path / "big.txt"
    path.write_text(PROMPT * 20_000, encoding="utf-8")
    monkeypatch.setattr(cmd_tokens, "PROGRESS_MIN_BYTES", 1000)
    monkeypatch.setattr(cmd_tokens, "_stderr_is_tty", lambda: True)
    status, out, err = run_cli([path, "-m", "gpt-4"], capsys)
    assert status == 0
    assert "counting cl100k_base: 100.0% of" in err
    assert f"{tokens.count_text(PROMPT * 20_000, 'gpt-4').tokens:,}" in out


def test_no_progress_when_not_a_terminal(tmp_path, monkeypatch, capsys):
    path = tmp_path / "big.txt"
    path.write_text(PROMPT * 100, encoding="utf-8")
    monkeypatch.setattr(cmd_tokens, "PROGRESS_MIN_BYTES", 1000)
    assert run_cli([path, "-m", "gpt-4"], capsys)[2] == ""


@pytest.mark.parametrize("argv, message", [
    (["{file}", "--model", "gpt-4oo"], "unknown model 'gpt-4oo'; did you mean 'gpt-4o'"),
    (["{file}", "--model", "gpt-4o", "--provider", "opnai"], "unknown API provider 'opnai'"),
    (["{missing}", "--model", "gpt-4o"], "No such file or directory"),
    (["{latin1}", "--model", "gpt-4o"], "not UTF-8 text"),
    (["{dir}", "--model", "gpt-4o"], "this is a folder, not a file"),
    (["{fifo}", "--model", "gpt-4o"], "this is a pipe (FIFO), not a regular file"),   # was: waited for ever
    (["/dev/zero", "--model", "gpt-4o"], "/dev/zero: this is a device, not a regular file"),  # was: endless
])
def test_errors_exit_2_with_a_message(argv, message, prompt_file, tmp_path, capsys):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    paths = {"file": prompt_file, "missing": tmp_path / "nope.txt", "latin1": latin1, "dir": tmp_path, "fifo": fifo}
    status, out, err = run_cli([a.format(**paths) for a in argv], capsys)
    assert status == 2
    assert out == ""
    assert message in err and "Traceback" not in err
    assert err.startswith("aicost tokens: ")


def test_bad_quantity_is_an_argparse_error(prompt_file, capsys):
    with pytest.raises(SystemExit) as exc:
        run_cli([prompt_file, "--model", "gpt-4o", "--output-tokens", "lots"], capsys)
    assert exc.value.code == 2


def test_the_aicost_command(prompt_file):
    """Through the real entry point, in a new process: the subcommand is registered and works."""
    out = subprocess.run([sys.executable, "-m", "gui", "tokens", str(prompt_file), "-m", "gpt-4o", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TIKTOKEN_CACHE_DIR": str(prompt_file.parent / "cache")})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["models"][0]["model"] == "gpt-4o"


def test_module_is_light():
    """Importing the command loads neither Qt nor tiktoken nor genai-prices (CLI start-up stays fast)."""
    code = ("import sys; import gui.cli.tokens; "
            "heavy = [m for m in ('PySide6', 'tiktoken', 'genai_prices', 'pyqtgraph') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
