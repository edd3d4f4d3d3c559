"""Speed at scale (issue 13): plans of 1,000 and 5,000 lines (benchmarks/bigplans.py).

Load (libyaml events against PyYAML's pure-Python composer, in one run), `aicost report` at 5,000
lines, the tornado against the number of inputs (linear), Monte Carlo memory at 1M samples x 240
months, and the window: edit -> chart and the longest event-loop turn at 1,000 lines, the band after
15 quick edits at 5,000 lines (bench_gui's child, in a fresh process each).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from benchmarks import bench_gui, bigplans
from benchmarks.common import EXAMPLES, median_ms, timings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BEFORE = ("Before (main at 28fcbda, same machine, 2026-12-03, this benchmark's plans): reading a plan 309 ms "
          "(1,000 lines) and 1,710 ms (5,000); `aicost report` at 5,000 lines 2.6 s; tornado 147 ms for 2,905 "
          "inputs and 1,755 ms for 14,458 (12x the time for 5x the inputs: the projection's total was summed "
          "again twice per input) and not cancellable; Shapley split of 8 strategies 483 ms (1,000 lines) and "
          "3,429 ms (5,000) on every edit, in the GUI thread; Monte Carlo 16 bytes x samples x months (3.6 GiB "
          "at 1M x 240); the window at 1,000 lines: edit -> Monthly chart p95 73 ms, 724 ms of GUI-thread CPU "
          "per keystroke, longest event-loop turn 808 ms, 292 ms while the band computed; at 5,000 lines: "
          "4.8 s turns, band 6.9 s after an edit.")


def _pure_python_values(text: str) -> object:
    """What reading took before: PyYAML's pure-Python composer, then a walk over the nodes."""
    import yaml
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()

    def build(n):
        if isinstance(n, yaml.MappingNode):
            return {str(loader.construct_scalar(k)): build(v) for k, v in n.value}
        if isinstance(n, yaml.SequenceNode):
            return [build(v) for v in n.value]
        return loader.construct_object(n, deep=False)
    return build(node)


def _load_rows(texts: dict[int, str]) -> list[tuple]:
    from pricing.load import loads_checked
    from pricing.planfile.yamltree import _parse_yaml
    rows = []
    for n, text in texts.items():
        events = timings(partial(_parse_yaml, text, None), repeat=5, warmup=1, cpu=True)
        pure = timings(partial(_pure_python_values, text), repeat=3, warmup=1, cpu=True)
        full = timings(partial(loads_checked, text), repeat=3, warmup=1, cpu=True)
        rows.append((f"{n:,} lines ({len(text) / 1e3:,.0f} kB): YAML to values, libyaml events vs PyYAML's "
                     "pure-Python composer, CPU median", f"{median_ms(events):.0f} ms vs {median_ms(pure):.0f} ms "
                     f"({median_ms(pure) / median_ms(events):.1f}x)", ""))
        rows.append((f"{n:,} lines: whole load (read, then check against the catalog and scenarios), CPU median",
                     f"{median_ms(full):.0f} ms", ""))
    return rows


def _report_row(path: str) -> tuple:
    import resource
    env = dict(os.environ, AICOST_CACHE_DIR=tempfile.mkdtemp(prefix="aicost-bench-"))
    walls, cpus = [], []
    for _ in range(6):  # the first run fills the memo of API models (cold)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gui", "report", path], cwd=ROOT, check=True, capture_output=True,
                       env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return ("`aicost report` at 5,000 lines, incl. start-up, median of 5 warm runs: CPU (wall)",
            f"{statistics.median(cpus[1:]) * 1000:.0f} ms ({statistics.median(walls[1:]) * 1000:.0f} ms)",
            "< 1000 ms")


def _tornado_rows() -> list[tuple]:
    from pricing import engine, uncertainty
    from pricing.catalog import Catalog
    from pricing.load import loads_checked
    catalog = Catalog.load()
    per_input = []
    for n in (250, 1000, 5000):
        plan = loads_checked(bigplans.plan_text(n), catalog=catalog)
        proj = engine.project(plan, catalog)
        ts = timings(partial(uncertainty.tornado, plan, catalog, projection=proj), repeat=3, warmup=1, cpu=True)
        inputs = len(uncertainty.tornado(plan, catalog, projection=proj).bars)
        per_input.append((n, inputs, median_ms(ts), median_ms(ts) * 1000 / inputs))
    rows = [(f"tornado, {n:,} lines ({k:,} inputs), CPU median", f"{ms:.0f} ms ({us:.1f} µs per input)", "")
            for n, k, ms, us in per_input]
    rows.append(("tornado: time per input at 5,000 lines / at 250 lines (1.0 = linear)",
                 f"{per_input[-1][3] / per_input[0][3]:.2f}", "about 1"))
    return rows


MC_CHILD = """
import dataclasses, json, sys, time
from pricing import engine, uncertainty
from pricing.load import load_checked
plan = dataclasses.replace(load_checked(sys.argv[1]), months=240)
engine.project(plan)
uncertainty.monte_carlo(plan, samples=100)  # everything it imports and caches, loaded


def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key)) / 1024


with open("/proc/self/clear_refs", "w") as fh:  # Linux: reset the peak RSS (VmHWM) to the current RSS
    fh.write("5")
before = status("VmRSS")
t0 = time.perf_counter()
mc = uncertainty.monte_carlo(plan, samples=int(sys.argv[2]))
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "before_mb": before, "after_mb": status("VmHWM"), "p50": mc.total_p50}))
"""


def _mc_rows() -> list[tuple]:
    example = os.path.join(EXAMPLES, "support-assistant.yaml")
    out = {}
    for samples in (100_000, 1_000_000):
        run = subprocess.run([sys.executable, "-c", MC_CHILD, example, str(samples)], cwd=ROOT, check=True,
                             capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
        out[samples] = json.loads(run.stdout.strip().splitlines()[-1])
    rows = []
    for samples, d in out.items():
        held = 16 * samples * 240 / 2**30
        rows.append((f"Monte Carlo {samples:,} samples x 240 months (support-assistant.yaml): peak memory "
                     "above the loaded engine (RSS)",
                     f"{d['after_mb'] - d['before_mb']:.0f} MB in {d['seconds']:.0f} s "
                     f"(holding every sample: {held:.2f} GiB)", "bounded"))
    return rows


def _gui(plan: str, edits: int, bands: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="aicost-bench-scale-") as tmp:
        env = bench_gui._child_env(os.path.join(tmp, "pycache"), os.path.join(tmp, "settings"))
        return bench_gui._run_child(["--child-edits", "Monthly", plan, str(edits), str(bands)], env)


def run() -> dict:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="aicost-bench-scale-") as tmp:
        paths = {n: bigplans.write(os.path.join(tmp, f"plan-{n}.yaml"), n) for n in (1000, 5000)}
        texts = {n: Path(p).read_text(encoding="utf-8") for n, p in paths.items()}
        rows = _load_rows(texts)
        rows.append(_report_row(paths[5000]))
        rows += _tornado_rows()
        rows += _mc_rows()
        small, big = _gui(paths[1000], 100, 5), _gui(paths[5000], 30, 15)
    rows += [
        ("window, 1,000 lines: edit -> Monthly chart redrawn, p95",
         f"{small['p95_ms']:.1f} ms (median {small['median_ms']:.1f})", "<= 50 ms"),
        ("window, 1,000 lines: longest event-loop turn while typing",
         f"{small['stall_max_ms']:.1f} ms", "<= 16 ms"),
        ("window, 1,000 lines: GUI-thread CPU per keystroke, median",
         f"{small['cpu_median_ms']:.1f} ms (recompute {small['recompute_ms']:.1f} ms)", ""),
        ("window, 1,000 lines: longest event-loop turn while the band and tornado compute",
         f"{small['busy_max_ms']:.1f} ms (longest processEvents call, several events: "
         f"{small['gap_max_ms']:.1f} ms, p95 {small['gap_p95_ms']:.1f})", "<= 16 ms"),
        ("window, 1,000 lines: typing pauses -> band shown (10,000 samples), median",
         f"{small['band_median_ms']:.0f} ms (of which {small['debounce_ms']} ms wait)", ""),
        ("window, 5,000 lines: edit -> Monthly chart redrawn, p95",
         f"{big['p95_ms']:.1f} ms (median {big['median_ms']:.1f})", ""),
        ("window, 5,000 lines: longest event-loop turn while typing", f"{big['stall_max_ms']:.1f} ms", ""),
        ("window, 5,000 lines: longest event-loop turn while the band and tornado compute",
         f"{big['busy_max_ms']:.1f} ms (longest processEvents call {big['gap_max_ms']:.1f} ms)", ""),
        ("window, 5,000 lines: 15 quick edits (one per 50 ms) -> band shown after the last",
         f"{big['quick_band_ms']:.0f} ms", ""),
    ]
    return {"title": "Speed at scale (issue 13)", "rows": rows,
            "notes": ["Plans from benchmarks/bigplans.py: every section, 1 line in 8 with ranges, a platform markup, "
                      "two scenarios (8 strategies, and 2). Window figures as in the desktop app's section (offscreen "
                      "Qt, keystrokes into an API line's requests field); an event-loop turn is one event's "
                      "handling, timed by an application event filter; the machine is shared (2 cores), so the "
                      f"GUI-thread CPU time is given too. Load average (1 min) at the start and end of this "
                      f"section: {load:.1f}, {os.getloadavg()[0]:.1f} (other processes' load lengthens every "
                      "wall-clock figure).", BEFORE]}


if __name__ == "__main__":
    for row in run()["rows"]:
        print(" | ".join(row))
