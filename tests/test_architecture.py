"""The import contracts of pyproject.toml ([tool.importlinter]) hold: pricing's and gui's layers, no import cycles,
no Qt in pricing, the CLI's commands."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
from importlinter import configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import ContractCheck

from gui import cli

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    """lint-imports checks every import (function-level ones too) against the layers; a broken one fails here."""
    done = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
    text = " ".join(done.stdout.split())  # contract names wrap in the report
    for contract in ("pricing layers:", "gui layers:", "no import cycles inside gui or pricing",
                     "pricing never imports Qt"):
        assert text[text.index(contract):].split(" KEPT", 1)[0].count("BROKEN") == 0, contract
    assert "Contracts: 4 kept, 0 broken." in text


def test_the_layer_contracts_are_not_blind():
    """import-linter finds an upward import between gui's layers and a cycle between siblings (the contracts of
    pyproject.toml, checked against the real graph with one bad import added)."""
    configuration.configure()  # import-linter's settings (timer, printer), as its command sets them

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    by_type = {c["type"]: c for c in config["contracts"] if c["name"].startswith(("gui layers", "no import cycles"))}
    graph = grimp.build_graph("gui", "pricing", include_external_packages=False, exclude_type_checking_imports=True)

    def check(kind: type, options: dict) -> ContractCheck:
        fields = {k: v for k, v in options.items() if k not in ("name", "type")}
        return kind(name="test", session_options={"root_packages": ["gui", "pricing"]},
                    contract_options=fields).check(graph, verbose=False)
    assert check(LayersContract, by_type["layers"]).kept
    assert check(AcyclicSiblingsContract, by_type["acyclic_siblings"]).kept
    graph.add_import(importer="gui.widgets", imported="gui.main_window", line_number=1, line_contents="x")
    assert not check(LayersContract, by_type["layers"]).kept            # widgets may not import the window
    graph.add_import(importer="gui.editors.ops", imported="gui.editors.form", line_number=1, line_contents="x")
    assert not check(AcyclicSiblingsContract, by_type["acyclic_siblings"]).kept  # form -> ops -> form


def test_every_command_module_is_registered():
    """Each module of gui/cli/ with a command is imported by gui/cli/__init__ and listed in --help."""
    modules = {p.stem for p in (ROOT / "gui" / "cli").glob("*.py") if p.stem not in ("__init__", "common")}
    assert {c.__name__.rsplit(".", 1)[1] for c in cli.COMMANDS} == modules
    names = set(cli.build_parser()._subparsers._group_actions[0].choices)
    assert names == {"report", "drivers", "validate", "catalog", "tokens", "compare", "savings", "breakeven",
                     "providers", "prices", "actuals", "focus", "commitments", "smoke-test", "open"}


def test_every_gui_module_has_a_layer():
    """A new module of gui/ must be placed in the layers (an unlisted one is checked by nothing)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["name"].startswith("gui layers"))["layers"]
    listed = {name for layer in layers for name in re.split(r"[|:]", layer.replace("(", "").replace(")", ""))}
    listed = {n.strip() for n in listed}
    modules = {p.stem for p in (ROOT / "gui").glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in (ROOT / "gui").iterdir() if (p / "__init__.py").exists()}
    assert modules <= listed, sorted(modules - listed)
