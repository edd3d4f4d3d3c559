"""The desktop bundle (dist/aicost, built by `make bundle`): size on disk and as .tar.gz, start-up times.

Measures an existing bundle and never builds one (a build takes about a minute of both cores):
when dist/aicost is missing the result says so. Start-up is measured as a user meets it:
``launch to window shown`` runs ``aicost smoke-test`` offscreen (the real main window on the
support-assistant example) and takes the time from the process launch to the window shown;
the first launch starts with empty caches (tiktoken's encodings and the memo of sample counts),
the next ones reuse them, as a user's second launch does. ``report --csv`` is a whole process,
launch to exit.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import EXAMPLES  # noqa: E402

BUNDLE = ROOT / "dist" / "aicost"
EXAMPLE = "support-assistant.yaml"
RUNS = 5

MAX_DISK_MB = 250.0  # issue 18: DuckDB (the actuals import) pushes the bundle past 200 MB; new budget 250 MB
MAX_TGZ_MB = 100.0  # and 100 MB as .tar.gz (docs/bundle.md, "What DuckDB adds")
MAX_WINDOW_S = 1.5
MAX_CSV_S = 1.0


def folder_bytes(folder: Path) -> tuple[int, int]:
    """(bytes the files of ``folder`` take on disk (allocated blocks, as `du` counts them), their sizes)."""
    disk = files = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            disk += getattr(st, "st_blocks", 0) * 512 or st.st_size
            files += st.st_size
    return disk, files


def tgz_bytes(folder: Path) -> int:
    """Size of ``folder`` as a .tar.gz (gzip's default level 6, as `tar czf` writes it)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bundle.tar.gz"
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return out.stat().st_size


def _env(home: Path, **extra: str) -> dict[str, str]:
    """A user's environment without Python: no venv on PATH, no PYTHON* variables, a fresh home."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen"}
    env.update(extra)
    return env


def launch_to_window(exe: Path, plan: Path, home: Path, cache: Path) -> float:
    """Seconds from launching ``aicost smoke-test PLAN`` to its window shown (the smoke test reports it)."""
    t0 = time.time()
    out = subprocess.run([str(exe), "smoke-test", str(plan)], capture_output=True, text=True, timeout=120,
                         env=_env(home, AICOST_SMOKE_T0=repr(t0), AICOST_SMOKE_CACHE=str(cache)))
    if out.returncode != 0:
        raise RuntimeError(f"smoke-test failed ({out.returncode}): {out.stderr[-2000:]}")
    for line in out.stdout.splitlines():
        if line.startswith("launch-to-window-ms:"):
            return float(line.split(":", 1)[1]) / 1000
    raise RuntimeError(f"smoke-test did not report its launch time: {out.stdout[-1000:]}")


def process_seconds(args: list[str], home: Path) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, env=_env(home))
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return time.perf_counter() - t0


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB ({n / 2**20:.1f} MiB)"


def run() -> dict:
    exe = BUNDLE / ("aicost.exe" if os.name == "nt" else "aicost")
    title = "Desktop bundle (dist/aicost)"
    if not exe.is_file():
        return {"title": title, "rows": [("bundle", f"missing: no {exe.relative_to(ROOT)}; run `make bundle` "
                                          "(about a minute) and run this again", "")]}
    plan = BUNDLE / "_internal" / "resources" / "examples" / EXAMPLE
    if not plan.is_file():
        plan = Path(EXAMPLES) / EXAMPLE
    (disk, files), tgz = folder_bytes(BUNDLE), tgz_bytes(BUNDLE)
    with tempfile.TemporaryDirectory(prefix="aicost-bench-bundle-") as tmp:
        home, cache = Path(tmp) / "home", Path(tmp) / "cache"
        home.mkdir()
        first = launch_to_window(exe, plan, home, cache)
        warm = [launch_to_window(exe, plan, home, cache) for _ in range(RUNS)]
        process_seconds([str(exe), "report", str(plan), "--csv", str(Path(tmp) / "c.csv")], home)  # page cache
        csv = [process_seconds([str(exe), "report", str(plan), "--csv", str(Path(tmp) / "c.csv")], home)
               for _ in range(RUNS)]
        help_s = statistics.median(process_seconds([str(exe), "--help"], home) for _ in range(RUNS))
    w, c = statistics.median(warm), statistics.median(csv)
    ok = lambda good: "" if good else " **over**"  # noqa: E731
    return {
        "title": title,
        "rows": [
            ("bundle size on disk", _mb(disk) + ok(disk <= MAX_DISK_MB * 1e6) + f"; files {_mb(files)}",
             f"<= {MAX_DISK_MB:.0f} MB"),
            ("bundle as .tar.gz (gzip -6)", _mb(tgz) + ok(tgz <= MAX_TGZ_MB * 1e6), f"<= {MAX_TGZ_MB:.0f} MB"),
            (f"launch to window shown, warm caches (median of {RUNS})",
             f"{w:.2f} s (min {min(warm):.2f}, max {max(warm):.2f})" + ok(w <= MAX_WINDOW_S), f"<= {MAX_WINDOW_S} s"),
            ("launch to window shown, first launch (empty caches)", f"{first:.2f} s", "(reported)"),
            (f"`report --csv` of {EXAMPLE}, launch to exit (median of {RUNS})",
             f"{c:.2f} s (min {min(csv):.2f})" + ok(c <= MAX_CSV_S), f"<= {MAX_CSV_S} s"),
            ("`aicost --help`, launch to exit (bootloader + Python start)", f"{help_s:.2f} s", "(reported)"),
        ],
        "notes": ["Window times are offscreen (Qt's offscreen platform), support-assistant example plan, "
                  "1440x900 window; the smoke test prints the moment the window is shown and processed its "
                  "first events. Sizes count every file of dist/aicost; what is in the bundle and what is left "
                  "out is in docs/bundle.md."],
    }


if __name__ == "__main__":
    result = run()
    print(result["title"])
    for row in result["rows"]:
        print("  " + " | ".join(str(x) for x in row))
