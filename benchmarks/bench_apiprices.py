"""API costing against raw genai-prices: the same usages priced by both (issue 9's peer comparison)."""
from __future__ import annotations

import time


def run() -> dict:
    from genai_prices import Usage, calc_price

    from pricing import apiprices
    models = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet"),
              ("google", "gemini-1.5-pro")]
    usages = [(1000 + 37 * i, 200 + 11 * i, (1000 + 37 * i) // 2) for i in range(500)]
    resolved = [apiprices.resolve(p, m) for p, m in models]
    worst = 0.0
    for (p, m), model in zip(models, resolved):
        for inp, out, cached in usages[:50]:
            ours = apiprices.request_cost(model, inp, out, cached)
            theirs = float(calc_price(Usage(input_tokens=inp, output_tokens=out, cache_read_tokens=cached), m,
                                      provider_id=p).total_price)
            worst = max(worst, abs(ours - theirs))

    def ours_all():
        for model in resolved:
            for inp, out, cached in usages:
                apiprices.request_cost(model, inp, out, cached)

    def theirs_all():
        for p, m in models:
            for inp, out, cached in usages:
                calc_price(Usage(input_tokens=inp, output_tokens=out, cache_read_tokens=cached), m, provider_id=p)

    def best(fn, n=5):
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return sorted(ts)[n // 2]

    n = len(models) * len(usages)
    t_ours, t_theirs = best(ours_all), best(theirs_all)
    return {"title": "API costing vs raw genai-prices", "rows": [
        (f"{n:,} request costs, pricing.apiprices.request_cost (median of 5)", f"{t_ours * 1e3:.1f} ms", ""),
        (f"{n:,} request costs, genai_prices.calc_price (median of 5)", f"{t_theirs * 1e3:.1f} ms", ""),
        ("ratio (genai-prices time / ours)", f"{t_theirs / t_ours:.1f}x", ">= 1x"),
        ("largest difference between the two on 200 usages", f"${worst:.2e}", "0 (same prices)"),
    ]}


if __name__ == "__main__":
    for row in run()["rows"]:
        print(" | ".join(row))
