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
# Prices a developer installed (`aicost prices update`) never reach the tests: an empty user data folder, and
# nothing is ever fetched from the network (pricing/userprices.py).
os.environ["AICOST_DATA_DIR"] = _tempfile.mkdtemp(prefix="aicost-test-data-")
os.environ["AICOST_OFFLINE"] = "1"


# A small plan whose hourly rate is the one thing tests vary (the Compare window and `aicost compare`).
import pytest  # noqa: E402

RATE_PLAN = """\
format: aicost-plan/1
name: {name}
start: 2027-01
months: 3
provider: aws
people:
  - {{name: Toil, hours_per_month: 10, hourly_rate: {rate}}}
mlops:
  - {{name: Logs, kind: log_ingest_gb, quantity: 100, unit_price: 0.5}}
"""
"""3 months: Toil 10 h x ``rate`` a month, Logs 100 GB x $0.50 = $50 a month."""


@pytest.fixture
def write_rate_plan(tmp_path):
    """``write_rate_plan(file, name, rate, settings="")`` writes RATE_PLAN to ``tmp_path/file`` and returns its
    path; ``settings`` (YAML lines, e.g. ``"currency: EUR\\n"``) go before ``start:``."""
    def write(file: str, name: str, rate: float, settings: str = "") -> Path:
        path = tmp_path / file
        path.write_text(RATE_PLAN.format(name=name, rate=rate).replace("start:", settings + "start:"))
        return path
    return write
