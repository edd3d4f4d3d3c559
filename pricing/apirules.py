"""Model API billing rules (resources/catalog/api_rules.yaml): prompt-caching minimums and increments, cache-write
billing and batch APIs per provider, read with problems at file, line and key path."""
from __future__ import annotations

import functools
import pathlib
from dataclasses import dataclass
from typing import Any

from pricing.errors import CatalogError, Problem

FILE = "api_rules.yaml"
BASES = ("prefix", "prompt")
WRITES = ("free", "priced")


@dataclass(frozen=True, slots=True)
class CacheRule:
    """When a provider bills input tokens at its cache price."""

    provider: str
    min_tokens: int
    """Fewest tokens cached (basis ``prefix``: the cached prefix; ``prompt``: the whole prompt) before caching."""
    basis: str
    increment: int
    """Cache hits come in steps of this many tokens (0: any length)."""
    writes: str
    """``free`` (writing the cache costs the input price) or ``priced`` (genai-prices' cache-write price)."""
    source: str
    as_of: str
    notes: str = ""

    def cached_tokens(self, input_tokens: float, cached: float) -> float:
        """The tokens of a request billed at the cache price, of ``cached`` the line says are cached."""
        length = cached if self.basis == "prefix" else input_tokens
        if length < self.min_tokens or cached <= 0:
            return 0.0
        if self.increment:
            return float(int(cached // self.increment) * self.increment)
        return float(cached)


@dataclass(frozen=True, slots=True)
class BatchRule:
    provider: str
    discount: float | None
    """Share off the interactive price; None: the provider has no batch API."""
    source: str
    as_of: str


@dataclass(frozen=True, slots=True)
class Rules:
    caching: dict[str, tuple[CacheRule, tuple[tuple[tuple[str, ...], int], ...]]]
    batch: dict[str, BatchRule]


def default_path() -> pathlib.Path:
    """The rules shipped with the app's catalog (a checkout, an installed wheel or the bundle)."""
    from pricing import resources
    return resources.resource_path("catalog") / FILE


@functools.lru_cache(maxsize=4)
def load(path: str | None = None) -> Rules:
    """The rules file (default resources/catalog/api_rules.yaml); CatalogError listing every problem with its line."""
    from pricing.catalog.reader import read_yaml
    p = pathlib.Path(path) if path else default_path()
    shown = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(Problem(f"cannot read the API rules: {exc.strerror}", file=shown)) from None
    doc, lines, problems = read_yaml(text, shown)
    problems = list(problems)

    def bad(path_: str, message: str) -> None:
        key = path_
        while key and key not in lines:
            key = key.rsplit(".", 1)[0] if "." in key else ""
        problems.append(Problem(message, path_, lines.get(key), shown))

    caching: dict[str, Any] = {}
    batch: dict[str, BatchRule] = {}
    providers = doc.get("providers") if isinstance(doc, dict) else None
    if not isinstance(providers, dict):
        bad("providers", "expected a mapping of API providers (providers: {openai: {caching: ..., batch: ...}})")
        providers = {}
    for pid, raw in providers.items():
        path_ = f"providers.{pid}"
        if not isinstance(raw, dict) or set(raw) - {"caching", "batch"}:
            bad(path_, "expected caching: and batch: (nothing else)")
            continue
        c = raw.get("caching")
        if c is not None:
            rule = _cache_rule(str(pid), c, f"{path_}.caching", bad)
            if rule is not None:
                caching[str(pid)] = rule
        b = raw.get("batch")
        if b is not None:
            bp = f"{path_}.batch"
            if not isinstance(b, dict) or not b.get("source") or "discount" not in b:
                bad(bp, "expected {discount: <share or null>, source: ..., as_of: ...}")
                continue
            d = b.get("discount")
            if d is not None and (isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 < d < 1):
                bad(f"{bp}.discount", f"found {d!r}, expected a share between 0 and 1 (0.5 = 50% off), or null")
                continue
            batch[str(pid)] = BatchRule(str(pid), None if d is None else float(d), str(b["source"]),
                                        str(b.get("as_of", "")))
    if problems:
        raise CatalogError(problems)
    return Rules(caching, batch)


def _cache_rule(pid: str, c: Any, path_: str, bad: Any) -> tuple[CacheRule, tuple] | None:
    if not isinstance(c, dict):
        bad(path_, "expected a mapping with min_tokens, basis, increment, writes, source, as_of")
        return None
    ok = True
    for key in ("min_tokens", "increment"):
        v = c.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            bad(f"{path_}.{key}", f"found {v!r}, expected a whole number of tokens (0 or more)")
            ok = False
    if c.get("basis") not in BASES:
        bad(f"{path_}.basis", f"found {c.get('basis')!r}, expected one of {', '.join(BASES)}")
        ok = False
    if c.get("writes") not in WRITES:
        bad(f"{path_}.writes", f"found {c.get('writes')!r}, expected one of {', '.join(WRITES)}")
        ok = False
    if not c.get("source") or not c.get("as_of"):
        bad(path_, "missing source or as_of: every rule says where it comes from and when")
        ok = False
    models = []
    for i, m in enumerate(c.get("models") or ()):
        mp = f"{path_}.models[{i}]"
        if (not isinstance(m, dict) or not isinstance(m.get("ids"), list) or not m["ids"]
                or isinstance(m.get("min_tokens"), bool) or not isinstance(m.get("min_tokens"), int)):
            bad(mp, "expected {ids: [model id prefixes], min_tokens: N}")
            ok = False
            continue
        models.append((tuple(str(x).lower() for x in m["ids"]), int(m["min_tokens"])))
    if not ok:
        return None
    rule = CacheRule(pid, c["min_tokens"], c["basis"], c["increment"], c["writes"], str(c["source"]),
                     str(c["as_of"]), str(c.get("notes") or ""))
    return rule, tuple(models)


def caching(provider: str, model: str) -> CacheRule | None:
    """The caching rule of a provider's model (its own minimum where the rules list one); None: no rule on file."""
    found = load().caching.get(provider)
    if found is None:
        return None
    rule, models = found
    mid = model.lower()
    for ids, minimum in models:
        if mid in ids:
            return CacheRule(rule.provider, minimum, rule.basis, rule.increment, rule.writes, rule.source,
                             rule.as_of, rule.notes)
    return rule


def batch(provider: str) -> BatchRule | None:
    """The provider's batch API rule; None: none on file."""
    return load().batch.get(provider)
