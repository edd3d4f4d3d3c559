"""The plan fuzzer (issue 17): mutated plan files through the loader and, when accepted, the engine and the reports.

Every input must end in one of two ways:

- refused: a ``PlanError`` whose every problem names the file and a line inside it, and says what is wrong on one
  line of readable length (never a traceback, never a problem without a line);
- accepted: then it projects, every amount is finite, non-negative and within the largest amount the product
  represents (``engine.MAX_AMOUNT``), the report's rounded total is the sum of its rounded parts, its JSON is strict
  JSON (no NaN, no Infinity), and its Monte Carlo and tornado are finite too.

``tests/pricing/test_fuzz.py`` runs it for a few seconds on every test run and replays every input that once failed
(``tests/data/fuzz-corpus/``). For a long hunt::

    .venv/bin/python -m tests.fuzzplans --seconds 600 --seed 7 --save   # failures go to the corpus folder
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from pricing import engine, report, uncertainty
from pricing.errors import MAX_MESSAGE, PlanError
from pricing.load import loads_checked

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
CORPUS = ROOT / "tests" / "data" / "fuzz-corpus"
FILE = "fuzz.yaml"

SEEDS = [p.read_text(encoding="utf-8").replace("prompts/support-answer.txt", "Inline prompt text for the fuzzer.")
         for p in sorted(EXAMPLES.glob("*.yaml"))] + [
    """format: aicost-plan/1
name: Growth
start: 2027-01
months: 240
services:
  apis:
    - {name: Chat, provider: openai, model: gpt-4o, requests_per_month: 100k, growth: 16%, input_tokens: 1000,
       output_tokens: 300}
people:
  - {name: Toil, hours_per_month: 80, hourly_rate: 95}
""",
    """format: aicost-plan/1
name: Serving
months: 12
compute:
  inference:
    - {name: Chat serving, gpu: L4, requests_per_month: 2M, input_tokens: 900, output_tokens: 250,
       tokens_per_second_per_gpu: 2400, utilization: 60%, growth: 8%}
  training:
    - {name: Tune, gpu: H100, gpus: 8, hours: 120, runs: 2, month: 1, every: 3}
data:
  storage:
    - {name: Raw, size_tb: 40, growth_tb_per_month: 3, tier: standard}
annotation:
  - {name: Boxes, task: bounding_box, items: 120k, price_per_item: 0.06, review_passes: 1.25, month: 1}
""",
]
"""What is mutated: the example plans (their prompt file made inline text) and two small hand-made plans."""

VALUES = [
    # YAML tags, and values they can't hold
    "!!timestamp 2027-01-01", "!!timestamp 2027-01-01 10:00:00", "!!bool maybe", '!!int ""', "!!int 0x1F",
    "!!binary aGVsbG8=", "!!float x", "!foo bar", "!!python/name:os.system", "!!str 12", "!!null x", "!!set {a: 1}",
    # numbers past the float range, tiny and special
    "1" + "0" * 400, "0x1" + "0" * 400, "-" + "9" * 500, "1" * 5000, "1e400", "-1e400", "1e-320", "5e-324", "1e-300",
    "-0", "0", ".nan", ".inf", "-.inf", "1e308", "1e14", "1e13", "1T", "999T", "1e15", "0o777", "0b101", "+.5",
    "1_000_", "2_000_000", "3.5k", "35", "100", "240", "241", "1000", "-1",
    # shares and growth
    "1000%", "999%", "100%", "20%", "16%", "-5%", "0%", "1e-300%", "35%%",
    # months and dates
    "1800-01-01", "9999-12", "9999-01", "2199-12", "1990-01", "2027-02-30", "0000-01", "2027-13", "2027-1",
    "２０２７-０１",
    # ranges
    "1.2M ± 30%", "1 ± 3000%", "± 5", "10 +/- 20", "{low: 1, likely: 2, high: 1e300}",
    "{low: 0, likely: 1e-300, high: 1}",
    "{low: 1e-320, likely: 1, high: 2}", "{low: 5, likely: 1, high: 2}", "{low: 1%, likely: 8%, high: 900%}",
    # text that must not reach a terminal raw, or be quoted back whole
    '"\\x1b]0;pwned\\x07title"', '"\\x1b[2J\\x1b[H"', '"a\\x00b"', '"line\\nbreak"', '"\\u202eevil"', "x" * 5000,
    "é" * 300, '"' + "a\\u0301" * 200 + '"', "'  '", "''",
    # shapes
    "~", "[]", "{}", "[1, 2]", "[[[[[[]]]]]]", "{a: {b: {c: 1}}}", "null", "yes", "no", "on", "&anchor 1", "*alias",
    # file paths for samples
    "{file: /dev/zero}", "{file: /etc/passwd}", "{file: ../../../../etc/hostname}", "{file: missing.txt}",
    "{text: hello}", "{file: 1}",
]

KEYS = ["months", "start", "growth", "requests_per_month", "hourly_rate", "tokens_per_second_per_gpu", "utilization",
        "price_per_item", "items", "quantity", "unit_price", "size_tb", "tb_per_month", "gpus", "hours", "runs",
        "every", "month", "min_gpus", "max_gpus", "fx_rate", "currency", "monthly_budget", "name", "sample_input",
        "input_tokens", "output_tokens", "mfu", "params", "tokens", "people", "hours_per_week", "markup", "x" * 300]

_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z_][\w.-]*)\s*:\s*(?P<value>[^,{}\[\]\n]*)")


def mutate(text: str, rng: random.Random) -> str:
    """One to three random changes of a plan's text (a value, a key, a line, a character)."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        how = rng.random()
        i = rng.randrange(len(lines))
        line = lines[i]
        spots = list(_KEY_VALUE.finditer(line))
        if how < 0.55 and spots:                                   # a value replaced
            m = rng.choice(spots)
            value = rng.choice(VALUES)
            if "{" in line and value.startswith(("{", "[")) is False and ("," in value or ":" in value):
                value = json.dumps(value)  # inside a flow mapping, text with , or : needs quotes
            lines[i] = line[: m.start("value")] + value + line[m.end("value"):]
        elif how < 0.65 and spots:                                 # a key renamed
            m = rng.choice(spots)
            lines[i] = line[: m.start("key")] + rng.choice(KEYS) + line[m.end("key"):]
        elif how < 0.75:                                           # a key added after a line, same indent
            indent = re.match(r"\s*-?\s*", line).group(0).replace("-", " ")
            lines.insert(i + 1, f"{indent}{rng.choice(KEYS)}: {rng.choice(VALUES)}")
        elif how < 0.82:                                           # a line deleted
            del lines[i]
        elif how < 0.88:                                           # a line cut short
            lines[i] = line[: rng.randrange(len(line) + 1)]
        elif how < 0.94:                                           # a line repeated
            lines.insert(i, line)
        else:                                                      # a character inserted
            j = rng.randrange(len(line) + 1)
            lines[i] = line[:j] + rng.choice(["\t", "\x00", "\x1b", ":", "-", "{", "[", "'", '"', "#", "&", "*", "!",
                                              "|", ">", "%", "@", "`", "\u00a0", "\ufeff", " "]) + line[j:]
        if not lines:
            lines = [""]
    return "\n".join(lines)


def failures(text: str, catalog, base_dir: Path | None = None, *, deep: bool = True) -> list[str]:
    """What is wrong with how the product handled ``text`` (empty: nothing). ``deep`` also runs a small Monte Carlo
    and the tornado on an accepted plan."""
    n_lines = text.count("\n") + 1
    try:
        plan = loads_checked(text, file=FILE, base_dir=base_dir, catalog=catalog)
    except PlanError as exc:
        out = []
        if not exc.problems:
            out.append("a PlanError without problems")
        for p in exc.problems:
            if p.file != FILE:
                out.append(f"problem without the file: {p!r}")
            if not isinstance(p.line, int) or not 1 <= p.line <= n_lines + 1:
                out.append(f"problem without a line in the file: {p!r}")
            if not p.message or len(p.message) > MAX_MESSAGE or any(ord(c) < 32 or 127 <= ord(c) < 160
                                                                    for c in p.message + p.key_path):
                out.append(f"problem message not one readable line: {p!r}")
        return out
    except Exception as exc:  # noqa: BLE001 - the fuzzer's finding
        return [f"loader raised {type(exc).__name__}: {exc}"[:500]]
    try:
        proj = engine.project(plan, catalog)
    except PlanError as exc:
        return [f"an accepted plan does not project: {exc}"[:500]]
    except Exception as exc:  # noqa: BLE001
        return [f"project raised {type(exc).__name__}: {exc}"[:500]]
    out = []
    matrix = proj.matrix
    if not np.isfinite(matrix).all() or (matrix < 0).any():
        out.append("a cost that is not finite or is negative")
    if proj.total > engine.MAX_AMOUNT:
        out.append(f"total {proj.total:.3g} past MAX_AMOUNT")
    try:
        data = report.report_data(proj)
        json.dumps(data, allow_nan=False)
        cents = round(data["total"] * 100)
        if cents != sum(round(li["total"] * 100) for li in data["line_items"]):
            out.append("the rounded total is not the sum of its rounded lines")
        if cents != sum(round(v * 100) for v in data["monthly"]):
            out.append("the rounded total is not the sum of its rounded months")
    except PlanError as exc:
        out.append(f"report_data refused an accepted plan: {exc}"[:500])
    except Exception as exc:  # noqa: BLE001 - the fuzzer's finding
        out.append(f"report_data raised {type(exc).__name__}: {exc}"[:500])
    if deep and not out:
        try:
            if uncertainty.has_ranges(plan):
                mc = uncertainty.monte_carlo(plan, catalog, samples=200, seed=1)
                if not all(math.isfinite(x) and 0 <= x <= 2 * engine.MAX_AMOUNT
                           for x in (mc.total_p10, mc.total_p50, mc.total_p90, mc.total_mean)):
                    out.append(f"Monte Carlo totals not finite or past the bound: {mc.total_p90!r}")
            bars = uncertainty.tornado(plan, catalog)
            if not all(math.isfinite(b.total_low) and math.isfinite(b.total_high) for b in bars.bars):
                out.append("tornado total not finite")
        except PlanError:
            pass  # a located problem, as the commands show it
        except Exception as exc:  # noqa: BLE001
            out.append(f"uncertainty raised {type(exc).__name__}: {exc}"[:500])
    return out


def run(catalog, *, seed: int, seconds: float, iterations: int | None = None, base_dir: Path | None = None,
        deep: bool = True) -> tuple[int, list[tuple[str, list[str]]]]:
    """Mutate and check until ``seconds`` (or ``iterations``) run out; (inputs tried, failing inputs with why)."""
    rng = random.Random(seed)
    found: list[tuple[str, list[str]]] = []
    tried = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop and (iterations is None or tried < iterations):
        text = mutate(rng.choice(SEEDS), rng)
        tried += 1
        why = failures(text, catalog, base_dir, deep=deep)
        if why:
            found.append((text, why))
    return tried, found


def main(argv: list[str] | None = None) -> int:
    from pricing.catalog import Catalog
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--save", action="store_true", help="write each failing input to tests/data/fuzz-corpus/")
    args = p.parse_args(argv)
    tried, found = run(Catalog.load(), seed=args.seed, seconds=args.seconds)
    kinds: dict[str, int] = {}
    for text, why in found:
        for w in why:
            kinds[w[:60]] = kinds.get(w[:60], 0) + 1
        if args.save:
            import hashlib
            CORPUS.mkdir(parents=True, exist_ok=True)
            name = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            (CORPUS / f"{name}.yaml").write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
    print(f"{tried} inputs, {len(found)} failing")
    for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"{n:6}  {k}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
