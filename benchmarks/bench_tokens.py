"""Token counting speed: count_file on a generated 50 MB corpus vs raw tiktoken, one encode call, tokencost."""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS_MB = 50
MODEL = "gpt-4o"
REPEAT = 3

_WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which but "
          "have an they you were her she there been one all we their can has more if no man out other so what "
          "time up go about than into could state only new year some people them also like just over think two "
          "back after work use many how then first well way even want because any these give day most us cost "
          "model request budget month token price plan training inference storage data team forecast").split()


def _prose(rnd: random.Random, chars: int) -> str:
    """English-like paragraphs: common words, varied sentence lengths, punctuation, numbers."""
    out, size = [], 0
    while size < chars:
        sentence = [rnd.choice(_WORDS) for _ in range(rnd.randint(4, 28))]
        sentence[0] = sentence[0].capitalize()
        if rnd.random() < 0.2:
            sentence.insert(rnd.randrange(len(sentence)), f"{rnd.randint(2, 99_999):,}")
        if rnd.random() < 0.1:
            sentence.insert(rnd.randrange(len(sentence)), rnd.choice(("naïve", "café", "über", "日本語", "€12.50")))
        s = " ".join(sentence) + rnd.choice((". ", ". ", "? ", "! ", ".\n\n", ", and "))
        out.append(s)
        size += len(s)
    return "".join(out)


def _code_sources() -> list[str]:
    """Real code: this Python's standard library sources."""
    lib = Path(os.__file__).parent
    texts = []
    for path in sorted(lib.glob("*.py"))[:200]:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def make_corpus(path: Path, mb: int = CORPUS_MB, seed: int = 20261128) -> int:
    """Write ``mb`` MB of mixed text (about 60% prose, 40% code) to ``path``; returns its size in bytes."""
    rnd = random.Random(seed)
    code = _code_sources()
    target = mb * 1_000_000
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        while written < target:
            if rnd.random() < 0.6 or not code:
                block = _prose(rnd, rnd.randint(2_000, 20_000))
            else:
                src = rnd.choice(code)
                start = rnd.randrange(max(1, len(src) - 20_000))
                block = src[start:start + rnd.randint(2_000, 20_000)] + "\n"
            f.write(block)
            written += len(block.encode("utf-8"))
    return path.stat().st_size


def _medians(fns: dict[str, Callable[[], object]]) -> dict[str, tuple[float, object]]:
    """Median seconds and last result of each function, run in interleaved rounds.

    Interleaving keeps the ratios fair on a shared machine whose load drifts during the run.
    """
    times: dict[str, list[float]] = {k: [] for k in fns}
    results: dict[str, object] = {}
    for _ in range(REPEAT):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            results[key] = fn()
            times[key].append(time.perf_counter() - t0)
    return {k: (statistics.median(times[k]), results[k]) for k in fns}


def run() -> dict:
    from pricing import tokens
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.txt"
        size = make_corpus(path)
        mb = size / 1e6
        choice = tokens._choose(MODEL, None)
        enc, _ = tokens._encoding(choice.tiktoken_name)
        threads = tokens._threads()
        text = path.read_text(encoding="utf-8")
        # the very chunks count_file encodes: 1 MiB reads cut at whitespace
        chunks = list(tokens._split_text(text, tokens.DEFAULT_CHUNK_BYTES, [0]))
        batch = 2 * threads

        fns: dict[str, Callable[[], object]] = {
            "file": lambda: tokens.count_file(path, MODEL),
            "raw": lambda: sum(len(t) for i in range(0, len(chunks), batch)
                               for t in enc.encode_ordinary_batch(chunks[i:i + batch], num_threads=threads)),
            "one": lambda: len(enc.encode_ordinary(text)),
        }
        try:
            import tokencost
            fns["tokencost"] = lambda: tokencost.count_string_tokens(text, MODEL)
        except ImportError:
            pass
        m = _medians(fns)
        (t_file, c_file), (t_raw, n_raw), (t_one, n_one) = m["file"], m["raw"], m["one"]
        t_tc, n_tc = m.get("tokencost", (None, None))

    rate = lambda t: mb / t  # noqa: E731
    figures = {
        "corpus_mb": mb, "chunks": len(chunks), "threads": threads, "encoding": c_file.encoding,
        "tokens": c_file.tokens, "count_file_mb_s": rate(t_file), "raw_batch_mb_s": rate(t_raw),
        "single_encode_mb_s": rate(t_one), "tokencost_mb_s": rate(t_tc) if t_tc else None,
        "ratio_vs_raw_batch": t_raw / t_file, "ratio_vs_single_encode": t_one / t_file,
        "counts_agree": c_file.tokens == n_raw == n_one,
    }
    rows = [
        (f"count_file, {mb:.0f} MB mixed prose/code, {MODEL} ({c_file.encoding}), median of {REPEAT}",
         f"{rate(t_file):.1f} MB/s", ""),
        (f"raw encode_ordinary_batch on the same {len(chunks)} chunks, {threads} threads",
         f"{rate(t_raw):.1f} MB/s", ""),
        ("one encode_ordinary call on the whole text", f"{rate(t_one):.1f} MB/s", ""),
        ("count_file / raw batch", f"{t_raw / t_file:.2f}x", ">= 0.9x"),
        ("count_file / one encode call", f"{t_one / t_file:.2f}x", "about the core count"),
        ("same count all ways", f"{c_file.tokens:,} tokens: {'yes' if figures['counts_agree'] else 'NO'}", "yes"),
    ]
    notes = []
    if t_tc is not None:
        rows.append(("tokencost.count_string_tokens on the whole text", f"{rate(t_tc):.1f} MB/s", ""))
        rows.append(("count_file / tokencost", f"{t_tc / t_file:.2f}x", ""))
        figures["tokencost_agrees"] = n_tc == c_file.tokens
    else:
        notes.append("tokencost is not installed (`pip install -e .[bench]`): its row is skipped.")
    return {"title": "Token counting (issue 3)", "rows": rows, "notes": notes, "figures": figures}


if __name__ == "__main__":
    result = run()
    for row in result["rows"]:
        print(" | ".join(row))
    for note in result["notes"]:
        print(note)
