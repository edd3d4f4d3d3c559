"""The model picker's search: API models of a line's provider matching what is typed (genai-prices)."""
from __future__ import annotations

from typing import Any, Sequence

from pricing import apiprices
from pricing.errors import PlanError


def search_models(form: Any, text: str, limit: int = 30) -> Sequence[tuple[str, str]]:
    """Models of the line's API provider matching ``text``: (model id, prices in USD) for the picker.
    ``form`` is the line's form (its ``target()`` is the line edited)."""
    line = form.target()
    provider = getattr(line, "provider", None)
    try:
        models = apiprices.list_models(text, provider=provider, limit=limit)
    except PlanError:  # a provider genai-prices doesn't know: search them all
        models = apiprices.list_models(text, limit=limit)

    def price(x: float | None) -> str:
        return "n/a" if x is None else f"${x:g}"
    return [(m.model, f"{m.name or m.model} ({m.provider}): {price(m.input_per_mtok)} in, "
             f"{price(m.output_per_mtok)} out per million tokens") for m in models]
