"""Shared test set-up: Qt headless, and helpers to build plans from inline YAML."""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "resources" / "examples"

# Remembered token counts go to a throwaway folder, never the user's cache.
import tempfile as _tempfile  # noqa: E402

os.environ.setdefault("AICOST_CACHE_DIR", _tempfile.mkdtemp(prefix="aicost-test-cache-"))
