"""`aicost prices update/reset`: a newer catalog or genai-prices data file, diffed, installed on confirm, undone;
offline: no socket is ever opened."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from pricing import apiprices, price_update, userprices
from pricing.catalog import CATALOG_FILES, Catalog, default_directory
from pricing.catalog.reader import bundled_directory

# A genai-prices data file in the package's own format (the JSON list of providers of its data.json): gpt-4o at
# 3.00 / 1.25 / 10.00 USD per million tokens, and a model whose price starts on 2026-12-01.
DATA = [{"id": "openai", "name": "OpenAI", "api_pattern": "https://api\\.openai\\.com", "models": [
    {"id": "gpt-4o", "name": "GPT-4o", "match": {"equals": "gpt-4o"},
     "prices": {"input_mtok": 3, "cache_read_mtok": 1.25, "output_mtok": 10}},
    {"id": "gpt-new", "match": {"equals": "gpt-new"},
     "prices": [{"constraint": {"start_date": "2026-12-01"}, "prices": {"input_mtok": 1, "output_mtok": 4}}]}]}]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AICOST_DATA_DIR", str(tmp_path / "data"))
    apiprices.reload()
    yield tmp_path / "data"
    apiprices.reload()


@pytest.fixture
def no_network(monkeypatch):
    """Any socket connection fails the test (price updates from files must never touch the network)."""
    def refuse(*a, **k):
        raise AssertionError("a socket was opened")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def bundle(tmp_path, value="7.568"):
    d = tmp_path / "bundle"
    d.mkdir()
    for f in CATALOG_FILES:
        shutil.copy(bundled_directory() / f, d / f)
    text = (d / "gpus.yaml").read_text(encoding="utf-8")
    (d / "gpus.yaml").write_text(text.replace("value: 6.88\n", f"value: {value}\n"), encoding="utf-8")
    return d


def test_a_catalog_bundle_is_diffed_installed_preferred_and_reset(tmp_path, data_dir, no_network):
    u = price_update.inspect(bundle(tmp_path))
    assert u.kind == "catalog" and u.counts == {"added": 0, "removed": 0, "changed": 1}
    c = u.catalog.changes[0]
    assert (c.key, c.old.value, c.new.value) == ("gpu.H100-80GB.aws.on_demand", 6.88, 7.568)
    assert default_directory() == bundled_directory()  # nothing installed by looking
    target = price_update.install(u)
    assert default_directory() == target == data_dir / "prices" / "catalog"
    assert Catalog.load().gpu_price("H100", "aws").value == 7.568
    rec = userprices.record("catalog")
    assert rec["from"] == str(tmp_path / "bundle") and len(rec["sha256"]) == 64
    assert price_update.reset() and default_directory() == bundled_directory()
    assert Catalog.load().gpu_price("H100", "aws").value == 6.88


def test_a_broken_bundle_is_refused_and_the_installed_catalog_stays(tmp_path, data_dir):
    price_update.install(price_update.inspect(bundle(tmp_path)))
    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "bundle", bad)
    (bad / "egress.yaml").write_text("egress: [not, a, mapping\n", encoding="utf-8")
    from pricing.errors import PlanError
    with pytest.raises(PlanError) as exc:
        price_update.inspect(bad)
    assert "egress.yaml" in str(exc.value)
    assert Catalog.load().gpu_price("H100", "aws").value == 7.568


def test_a_genai_prices_data_file_is_diffed_with_dates_and_used_once_installed(tmp_path, data_dir, no_network):
    f = tmp_path / "data.json"
    f.write_text(json.dumps(DATA), encoding="utf-8")
    bundled = apiprices.resolve("openai", "gpt-4o")
    u = price_update.inspect(f, today=__import__("datetime").date(2026, 12, 3))
    assert u.kind == "genai" and u.data_date.isoformat() == "2026-12-01"  # its latest date up to the day read
    changes = {c.key: c for c in u.api.changes}
    assert changes["api.openai.gpt-4o"].kind == "changed"
    assert changes["api.openai.gpt-4o"].old == (bundled.input_per_mtok, bundled.cached_input_per_mtok,
                                                bundled.output_per_mtok)
    assert changes["api.openai.gpt-4o"].new == (3.0, 1.25, 10.0)
    assert changes["api.openai.gpt-new"].kind == "added" and changes["api.openai.gpt-new"].dated == "from 2026-12-01"
    assert changes["api.anthropic.claude-sonnet-4-5"].kind == "removed"  # the file has only OpenAI
    price_update.install(u)
    m = apiprices.resolve("openai", "gpt-4o")
    assert (m.input_per_mtok, m.output_per_mtok) == (3.0, 10.0)
    assert "installed" in m.source.source and apiprices.data_date().isoformat() == "2026-12-01"
    price_update.reset()
    assert apiprices.resolve("openai", "gpt-4o").input_per_mtok == bundled.input_per_mtok


def test_a_file_that_is_not_genai_prices_data_says_so(tmp_path, data_dir):
    from pricing.errors import PlanError
    f = tmp_path / "x.json"
    f.write_text('{"prices": 1}', encoding="utf-8")
    with pytest.raises(PlanError, match="expected a JSON list of providers"):
        price_update.inspect(f)
    f.write_text('[{"id": 3}]', encoding="utf-8")
    with pytest.raises(PlanError, match="not in genai-prices' data format"):
        price_update.inspect(f)


def test_fetching_never_happens_offline(no_network):
    assert userprices.offline()  # tests/conftest.py sets AICOST_OFFLINE
    with pytest.raises(price_update.OfflineError, match="switched off"):
        price_update.fetch_latest()


def test_fetching_uses_genai_prices_url_and_installs_nothing(tmp_path, data_dir, monkeypatch):
    monkeypatch.delenv("AICOST_OFFLINE")
    from genai_prices.update_prices import DEFAULT_UPDATE_URL
    asked = []

    class Reply:
        content = json.dumps(DATA).encode()

        def raise_for_status(self):
            pass

    def get(url, timeout):
        asked.append(url)
        return Reply()
    u = price_update.fetch_latest(get=get)
    assert asked == [DEFAULT_UPDATE_URL] and u.source == DEFAULT_UPDATE_URL and u.kind == "genai"
    assert userprices.genai_file() is None  # shown first; installed only on confirm


def test_the_command_asks_and_yes_installs(tmp_path, data_dir):
    b = bundle(tmp_path)
    env = dict(os.environ, AICOST_DATA_DIR=str(data_dir))
    run = lambda *a: subprocess.run([sys.executable, "-m", "gui", "prices", *a], capture_output=True, text=True,  # noqa: E731
                                    env=env, stdin=subprocess.DEVNULL)
    r = run("update", "--from", str(b))
    assert r.returncode == 0 and "0 added, 0 removed, 1 changed" in r.stdout
    assert "~ gpu.H100-80GB.aws.on_demand: 6.88 -> 7.568 (+10.0%)" in r.stdout
    assert "Not installed" in r.stdout and not (data_dir / "prices" / "catalog").exists()
    r = run("update", "--from", str(b), "--yes")
    assert "Installed into" in r.stdout and (data_dir / "prices" / "catalog" / "installed.json").is_file()
    assert "Catalog: installed" in run("status").stdout
    r = run("reset", "--yes")
    assert "Removed" in r.stdout and "Catalog: bundled" in run("status").stdout


def test_a_build_without_the_http_stack_says_how_to_update_instead(monkeypatch):
    # the desktop bundle leaves httpx2 out (packaging/bundle_config.py): importing it fails there
    monkeypatch.delenv("AICOST_OFFLINE")
    monkeypatch.setitem(sys.modules, "httpx2", None)
    ok, why = price_update.fetch_available()
    assert not ok and "From a file" in why
    with pytest.raises(price_update.OfflineError, match="no network client"):
        price_update.fetch_latest()
