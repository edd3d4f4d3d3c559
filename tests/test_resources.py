"""pricing/resources.py: the data files are found installed, frozen (PyInstaller) and in a bare checkout."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from pricing import resources

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("catalog", "examples", "icons", "tiktoken")


def test_installed_package_is_the_checkouts_resources_folder():
    """The editable install (make venv) maps aicost_resources onto resources/ of this checkout."""
    import aicost_resources
    assert Path(aicost_resources.__file__).parent == ROOT / "resources"
    assert resources.root() == ROOT / "resources"
    for folder in FOLDERS:
        assert resources.resource_path(folder).is_dir(), folder
    assert resources.resource_path("examples", "support-assistant.yaml").is_file()


def test_frozen_bundle_reads_resources_under_meipass(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.root() == tmp_path / "resources"
    assert resources.resource_path("catalog", "gpus.yaml") == tmp_path / "resources" / "catalog" / "gpus.yaml"


def test_meipass_without_frozen_is_ignored(tmp_path, monkeypatch):
    """Only a frozen app takes sys._MEIPASS (a stray attribute must not redirect a normal run)."""
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.root() == ROOT / "resources"


def test_checkout_without_install_falls_back_to_resources_beside_pricing(monkeypatch):
    monkeypatch.setattr(resources, "PACKAGE", "aicost_resources_not_installed")
    assert resources.root() == ROOT / "resources"


def test_resources_inside_a_zip_are_refused_with_a_clear_message(tmp_path, monkeypatch):
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_resources/__init__.py", "")
        z.writestr("zipped_resources/catalog/gpus.yaml", "gpus: {}\n")
    monkeypatch.syspath_prepend(str(archive))
    monkeypatch.setattr(resources, "PACKAGE", "zipped_resources")
    with pytest.raises(RuntimeError, match="not a folder on disk.*install aicost with pip"):
        resources.root()


def test_call_sites_use_the_one_place():
    """The catalog, tiktoken copies, icons and examples all come from pricing/resources.py."""
    from gui import smoke, theme
    from pricing import catalog, tokens
    assert catalog.default_directory() == resources.resource_path("catalog")
    assert (resources.resource_path("tiktoken"),) == tokens.RESOURCE_DIRS
    assert resources.resource_path("icons") == theme.ICON_DIR
    assert smoke.examples_dir() == resources.resource_path("examples")


def test_bundle_copies_every_resource_folder_where_the_frozen_app_looks():
    """packaging/bundle_config.py's DATA_DIRS put each folder of resources/ under _MEIPASS/resources/."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bundle_config", ROOT / "packaging" / "bundle_config.py")
    cfg = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cfg)
    folders = sorted(p.name for p in (ROOT / "resources").iterdir() if p.is_dir() and p.name != "__pycache__")
    copied = {src: dest for src, dest, _required in cfg.DATA_DIRS}
    assert set(FOLDERS) <= set(folders)
    for name in folders:
        assert copied.get(f"resources/{name}") == f"{resources.FROZEN_FOLDER}/{name}", name
