"""UI state kept between runs (QSettings): recent files, window geometry and layout, last folder."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

MAX_RECENT = 8


class Settings:
    """A thin typed wrapper over QSettings (organisation and application names are set by the app)."""

    def __init__(self, settings: QSettings | None = None):
        self._s = settings if settings is not None else QSettings()

    # -- recent files ------------------------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """Recently opened or saved plans, newest first, those that still exist."""
        raw = self._s.value("recent_files", [])
        if isinstance(raw, str):  # QSettings returns a lone string for a one-item list on some backends
            raw = [raw]
        return [Path(p) for p in (raw or []) if Path(p).is_file()]

    def add_recent(self, path: Path) -> None:
        path = Path(path).resolve()
        files = [path] + [p for p in self.recent_files() if p.resolve() != path]
        self._s.setValue("recent_files", [str(p) for p in files[:MAX_RECENT]])

    def clear_recent(self) -> None:
        self._s.setValue("recent_files", [])

    # -- start -------------------------------------------------------------------------------

    def reopen_last(self) -> bool:
        """Whether the app reopens the last plan at start (default on; off: the start page)."""
        raw = self._s.value("start/reopen_last", True)
        return raw if isinstance(raw, bool) else str(raw).strip().lower() not in ("false", "0", "no", "")

    def set_reopen_last(self, on: bool) -> None:
        self._s.setValue("start/reopen_last", bool(on))

    def last_plan(self) -> Path | None:
        """The plan opened or saved last, if it still exists."""
        files = self.recent_files()
        return files[0] if files else None

    # -- folders -----------------------------------------------------------------------------

    def last_dir(self) -> str:
        return str(self._s.value("last_dir", "") or "")

    def set_last_dir(self, path: Path) -> None:
        self._s.setValue("last_dir", str(Path(path).parent))

    # -- exports -----------------------------------------------------------------------------

    EXPORT_DIR_KEY = "export/last_dir"

    def _export_key(self, plan_path: Path) -> str:
        import hashlib
        digest = hashlib.sha1(str(Path(plan_path).resolve()).encode()).hexdigest()[:16]
        return f"{self.EXPORT_DIR_KEY}_of/{digest}"

    def export_dir(self, plan_path: Path | None = None) -> Path:
        """Where an export's file dialog starts: where this plan's last export went, else the plan's own folder;
        for a plan never saved, the last export's folder; else home."""
        candidates = []
        if plan_path is not None:
            candidates += [str(self._s.value(self._export_key(plan_path), "") or ""), str(Path(plan_path).parent)]
        candidates.append(str(self._s.value(self.EXPORT_DIR_KEY, "") or ""))
        return Path(next((f for f in candidates if f and Path(f).is_dir()), str(Path.home())))

    def remember_export(self, target: Path, plan_path: Path | None = None) -> None:
        """An export went to ``target``: its folder is where the next one starts (for ``plan_path`` too)."""
        self._s.setValue(self.EXPORT_DIR_KEY, str(Path(target).parent))
        if plan_path is not None:
            self._s.setValue(self._export_key(plan_path), str(Path(target).parent))

    # -- window ------------------------------------------------------------------------------

    def restore_window(self, window: QMainWindow) -> bool:
        """Geometry and dock layout from the last run; False when there is none."""
        geometry = self._s.value("window/geometry")
        state = self._s.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
            if isinstance(state, QByteArray):
                window.restoreState(state)
            return True
        return False

    def save_window(self, window: QMainWindow) -> None:
        self._s.setValue("window/geometry", window.saveGeometry())
        self._s.setValue("window/state", window.saveState())

    # -- how commitments are charged in the months -----------------------------------------

    def commitment_view(self) -> str:
        """``amortised`` (the default) or ``cash``: the View menu's choice, kept between runs."""
        value = str(self._s.value("view/commitments", "amortised") or "amortised")
        return value if value in ("amortised", "cash") else "amortised"

    def set_commitment_view(self, view: str) -> None:
        self._s.setValue("view/commitments", view)

    def value(self, key: str, default: object = None) -> object:
        return self._s.value(key, default)

    def set_value(self, key: str, value: object) -> None:
        self._s.setValue(key, value)

    def sync(self) -> None:
        self._s.sync()
