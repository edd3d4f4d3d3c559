"""Memos of sample counts and API models: same answers as computing afresh; damage is harmless."""
import json

from pricing import apiprices, tokens, usercache


def test_sample_counts_are_remembered_and_equal_fresh_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("AICOST_CACHE_DIR", str(tmp_path))
    text = "Count this prompt exactly, twice."
    first = tokens.count_sample(text, "gpt-4")
    assert first == tokens.count_text(text, "gpt-4")
    usercache.flush()
    memo = json.loads((tmp_path / "token-counts.json").read_text())
    assert len(memo) == 1 and list(memo.values())[0]["tokens"] == first.tokens
    usercache._memos.clear()
    assert tokens.count_sample(text, "gpt-4") == first


def test_damaged_memo_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("AICOST_CACHE_DIR", str(tmp_path))
    (tmp_path / "api-models.json").write_text("{not json")
    usercache._memos.clear()
    apiprices._base_model.cache_clear()
    m = apiprices.resolve("openai", "gpt-4o")
    usercache.flush()
    usercache._memos.clear()
    apiprices._base_model.cache_clear()
    again = apiprices.resolve("openai", "gpt-4o")           # now from the memo
    assert again == m
    assert apiprices.request_cost(again, 1000, 200, 500) == apiprices.request_cost(m, 1000, 200, 500)
