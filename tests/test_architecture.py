"""The import contracts of pyproject.toml ([tool.importlinter]) hold: pricing's layers, no Qt in pricing, the CLI's commands."""
import subprocess
import sys
from pathlib import Path

from gui import cli

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    """lint-imports checks every import (function-level ones too) against the layers; a broken one fails here."""
    done = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_every_command_module_is_registered():
    """Each module of gui/cli/ with a command is imported by gui/cli/__init__ and listed in --help."""
    modules = {p.stem for p in (ROOT / "gui" / "cli").glob("*.py") if p.stem not in ("__init__", "common")}
    assert {c.__name__.rsplit(".", 1)[1] for c in cli.COMMANDS} == modules
    names = set(cli.build_parser()._subparsers._group_actions[0].choices)
    assert names == {"report", "drivers", "validate", "catalog", "tokens", "compare", "savings", "breakeven",
                     "providers", "prices", "actuals", "focus", "commitments", "smoke-test", "open"}
