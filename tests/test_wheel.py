"""The wheel a user installs: built from the sdist as PyPA's ``build`` does, it holds every package and data file.

A wheel once lacked ``gui.editors`` (a hand-written package list) and every data file (the catalog,
``o200k_base.tiktoken``, the examples): the installed app failed where the editable install worked.
These tests build the sdist and, from it, the wheel (``python -m build``, a few seconds), compare
them with the source tree, then run the command line from the unpacked wheel in another folder.
.ci/run also installs the wheel into a fresh virtual environment and runs ``aicost smoke-test``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gui", "pricing")
RESOURCE_PACKAGE = "aicost_resources"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
"""SHA-256 of OpenAI's o200k_base.tiktoken, as tiktoken_ext.openai_public expects it (checked below)."""

_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".hypothesis", "out", "*.whl")


def _source_files(folder: Path) -> set[str]:
    """Files under ``folder`` (relative, '/'-separated), less caches."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel built from it, from a copy of the checkout (a build writes build/ and
    *.egg-info into its source folder: the checkout stays as it is)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
    out = subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp / "dist"), str(src)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    wheels = sorted((tmp / "dist").glob("aicost-*.whl"))
    sdists = sorted((tmp / "dist").glob("aicost-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in (tmp / "dist").iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0], "tmp": tmp}


@pytest.fixture(scope="module")
def wheel_names(built) -> set[str]:
    with zipfile.ZipFile(built["wheel"]) as z:
        return set(z.namelist())


def test_wheel_holds_every_module_of_every_package(wheel_names):
    """Every .py file of gui/ and pricing/ (any subpackage, e.g. gui/editors/) is in the wheel."""
    for package in PACKAGES:
        expected = {f"{package}/{name}" for name in _source_files(ROOT / package) if name.endswith(".py")}
        assert expected, f"no modules found under {package}/"
        missing = sorted(expected - wheel_names)
        assert not missing, f"modules missing from the wheel: {missing}"
    assert "gui/editors/__init__.py" in wheel_names  # the subpackage the old hand-written list left out


def test_wheel_holds_every_resource_file_under_its_package_name(wheel_names):
    """resources/ installs as aicost_resources/ (never a top-level ``resources`` package), with every file."""
    files = _source_files(ROOT / "resources")
    for folder in ("catalog", "tiktoken", "icons", "examples", "examples/prompts"):
        assert any(f.startswith(folder + "/") for f in files), f"resources/{folder} is empty"
    missing = sorted(f for f in files if f"{RESOURCE_PACKAGE}/{f}" not in wheel_names)
    assert not missing, f"resource files missing from the wheel (pyproject.toml package-data): {missing}"
    assert not any(n.startswith("resources/") for n in wheel_names)
    catalog = {n for n in wheel_names if n.startswith(f"{RESOURCE_PACKAGE}/catalog/") and n.endswith(".yaml")}
    assert len(catalog) == len(list((ROOT / "resources" / "catalog").glob("*.yaml"))) >= 7


def test_wheel_o200k_base_is_byte_identical_to_openais(built, monkeypatch):
    """The shipped o200k_base.tiktoken has the SHA-256 tiktoken itself expects of OpenAI's file."""
    import tiktoken_ext.openai_public as openai_public
    seen = {}

    def fake_load(url, expected_hash=None):  # what tiktoken would download, and the hash it would demand
        seen[url.rsplit("/", 1)[1]] = expected_hash
        return {}
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", fake_load)
    openai_public.o200k_base()
    assert seen == {"o200k_base.tiktoken": O200K_SHA256}
    with zipfile.ZipFile(built["wheel"]) as z:
        data = z.read(f"{RESOURCE_PACKAGE}/tiktoken/o200k_base.tiktoken")
    assert hashlib.sha256(data).hexdigest() == O200K_SHA256
    assert data == (ROOT / "resources" / "tiktoken" / "o200k_base.tiktoken").read_bytes()


def test_wheel_entry_point_names_a_module_it_holds(built, wheel_names):
    with zipfile.ZipFile(built["wheel"]) as z:
        dist_info = next(n for n in wheel_names if n.endswith(".dist-info/entry_points.txt"))
        entry = z.read(dist_info).decode()
    line = next(s for s in entry.splitlines() if s.startswith("aicost"))
    module = line.split("=", 1)[1].strip().split(":")[0].replace(".", "/")
    assert f"{module}.py" in wheel_names or f"{module}/__init__.py" in wheel_names, line


def test_sdist_holds_the_resources_and_the_build_configuration(built):
    """The wheel above was built from this sdist; it carries resources/ as in the repository."""
    with tarfile.open(built["sdist"]) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for needed in ("pyproject.toml", "setup.py", "README.md", "resources/__init__.py"):
        assert needed in names
    missing = sorted(f for f in _source_files(ROOT / "resources") if f"resources/{f}" not in names)
    assert not missing, f"resource files missing from the sdist: {missing}"


def test_unpacked_wheel_runs_from_another_folder(built, tmp_path):
    """The wheel's own files, not the checkout's: a report and an exact gpt-4o count from another folder."""
    site = tmp_path / "site"
    with zipfile.ZipFile(built["wheel"]) as z:
        z.extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(ROOT / "resources" / "examples" / "support-assistant.yaml", work)
    shutil.copytree(ROOT / "resources" / "examples" / "prompts", work / "prompts")
    (work / "hello.txt").write_text("Hello, world! How much will this cost?\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site), "TIKTOKEN_CACHE_DIR": str(tmp_path / "tiktoken-cache"),
           "AICOST_CACHE_DIR": str(tmp_path / "cache")}  # an empty tiktoken cache: the wheel's copy must serve

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True, text=True,
                              timeout=120)

    where = run("-c", "import gui, pricing; from pricing import resources; "
                      "print(gui.__file__); print(pricing.__file__); print(resources.root())")
    assert where.returncode == 0, where.stderr
    assert [Path(p) for p in where.stdout.split()] == [site / "gui" / "__init__.py",
                                                       site / "pricing" / "__init__.py", site / RESOURCE_PACKAGE]

    report = run("-m", "gui", "report", "support-assistant.yaml", "--json")
    assert report.returncode == 0, report.stderr
    from_checkout = subprocess.run([sys.executable, "-m", "gui", "report", "support-assistant.yaml", "--json"],
                                   cwd=work, capture_output=True, text=True, timeout=120,
                                   env={**env, "PYTHONPATH": str(ROOT)})
    assert from_checkout.returncode == 0, from_checkout.stderr
    document = json.loads(report.stdout)
    assert document["total"] > 0 and document == json.loads(from_checkout.stdout)  # the same catalog, the same figures

    counted = run("-m", "gui", "tokens", "--model", "gpt-4o", "--json", "hello.txt")
    assert counted.returncode == 0, counted.stderr
    row = json.loads(counted.stdout)["models"][0]
    assert (row["encoding"], row["exact"], row["reason"]) == ("o200k_base", True, "")
    assert row["tokens"] == _tiktoken_o200k_count((work / "hello.txt").read_text(encoding="utf-8"))


def _tiktoken_o200k_count(text: str) -> int:
    """The count by tiktoken itself: its own o200k_base definition, ranks read from the shipped file."""
    import tiktoken
    import tiktoken.load
    import tiktoken_ext.openai_public as openai_public
    shipped = str(ROOT / "resources" / "tiktoken" / "o200k_base.tiktoken")
    real = tiktoken.load.load_tiktoken_bpe
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(openai_public, "load_tiktoken_bpe", lambda url, expected_hash=None: real(shipped, expected_hash))
        encoding = tiktoken.Encoding(**openai_public.o200k_base())
    return len(encoding.encode_ordinary(text))
