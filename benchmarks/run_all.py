"""Run every benchmarks/bench_*.py (each exposes run() -> dict) and rewrite BENCHMARKS.md."""
from __future__ import annotations

import datetime as dt
import importlib
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine  # noqa: E402


def render(result: dict) -> list[str]:
    out = [f"## {result.get('title', 'Benchmark')}", ""]
    rows = result.get("rows")
    if rows:
        out += ["| measure | result | target |", "|---|---|---|"]
        out += [f"| {r[0]} | {r[1]} | {r[2] if len(r) > 2 else ''} |" for r in rows]
    else:
        out += ["| measure | result |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in result.items() if k not in ("title", "notes")]
    for note in result.get("notes", []):
        out += ["", note]
    return out + [""]


def main(argv: list[str]) -> int:
    only = set(argv)
    names = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    lines = ["# Benchmarks", "", f"Machine: {machine()}  ",
             f"Date: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} (written by `make bench`; ratios are "
             "measured in one run, so they hold on a noisy shared machine better than absolute times)", ""]
    status = 0
    for name in names:
        if only and name not in only:
            continue
        print(f"running {name} ...", flush=True)
        try:
            result = importlib.import_module(f"benchmarks.{name}").run()
        except Exception:  # a failing benchmark is reported in the file, and the run goes on
            status = 1
            result = {"title": name, "rows": [("error", "see below", "")],
                      "notes": ["```", traceback.format_exc(), "```"]}
        lines += render(result)
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines), encoding="utf-8")
    print("wrote BENCHMARKS.md")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
