"""Where the app's data files live (catalog, tiktoken, icons, examples, templates, docs): the one module that knows.

The repository's ``resources/`` folder is found in one of three ways, depending on how the app runs:

- **frozen** (the PyInstaller bundle): ``resources/`` under ``sys._MEIPASS``, where
  ``packaging/bundle_config.py`` (``DATA_DIRS``) copies it;
- **installed** (a wheel, editable or not): the package data of ``aicost_resources``, the name
  pyproject.toml gives ``resources/`` in the wheel, found with ``importlib.resources``;
- **a source checkout run without installing** (``python -m gui`` from the repository, where
  ``aicost_resources`` is not importable): ``resources/`` beside ``pricing/``.
"""
from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

PACKAGE = "aicost_resources"
"""The importable name of ``resources/`` in an installed wheel (pyproject.toml, ``package-dir``)."""

FROZEN_FOLDER = "resources"
"""The folder under the bundle's ``sys._MEIPASS`` that holds the same files."""


def root() -> Path:
    """The folder holding ``catalog/``, ``tiktoken/``, ``icons/`` and ``examples/`` for this way of running."""
    frozen = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen:
        return Path(frozen) / FROZEN_FOLDER
    try:
        found = importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:  # not installed: running from a source checkout
        return Path(__file__).resolve().parent.parent / "resources"
    if not isinstance(found, Path):
        # e.g. imported from a zip file: the catalog reader, tiktoken and Qt all need real files
        raise RuntimeError(f"aicost's data files ({PACKAGE}) are not a folder on disk ({found}): "
                           "install aicost with pip, which unpacks them")
    return found


def resource_path(*parts: str) -> Path:
    """A file or folder of ``resources/``, e.g. ``resource_path("catalog")``; it may not exist (callers say so)."""
    return root().joinpath(*parts)


DOCS_PACKAGE = "aicost_docs"
"""The importable name of ``docs/`` in an installed wheel (pyproject.toml, ``package-dir``): the user guide and
the reference pages Help shows."""

DOCS_FOLDER = "docs"
"""The folder under the bundle's ``resources/`` that holds the same pages (packaging/bundle_config.py)."""


def docs_root() -> Path:
    """The folder holding the user documentation (``user-guide.md`` and the reference pages), found the same
    three ways as ``root()``; it may not exist (Help says so)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen:
        return Path(frozen) / FROZEN_FOLDER / DOCS_FOLDER
    try:
        found = importlib.resources.files(DOCS_PACKAGE)
    except ModuleNotFoundError:  # not installed: running from a source checkout
        return Path(__file__).resolve().parent.parent / "docs"
    return found if isinstance(found, Path) else Path(str(found))
