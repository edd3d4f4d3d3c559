"""Exact percentiles of the columns of a matrix too big to hold, read as replayable blocks of rows.

The Monte Carlo's samples x months matrix reaches gigabytes (1M samples x 240 months is 1.9 GB, and
``np.percentile`` copies it), yet each month's P10/P50/P90 depends on a few order statistics only.
``column_percentiles`` finds them in passes over the rows, each pass replaying the same blocks (the
Monte Carlo redraws them from its seed), and holds about ``memory`` bytes whatever the row count:

1. pass one counts every column's values into a histogram (bins between the first block's extremes,
   one more below and one above), with each bin's smallest and largest value: the bin holding each
   order statistic needed, and how many values lie below it, are then known;
2. the next pass collects the values inside those bins (from their smallest to their largest value)
   when they fit the memory, else counts them into a finer histogram, and so on; a bin whose smallest
   and largest values are equal has settled its order statistic without another pass;
3. each order statistic is picked from the sorted values of its bin, and the percentiles interpolated
   with ``np.percentile``'s own arithmetic (its default, "linear", method).

Bins are defined by explicit edge values and every value is placed by comparison with them, so the
counts of one pass and the windows of the next agree to the last bit: the results equal
``np.percentile(matrix, q, axis=0)`` bit for bit (tests/pricing/test_percentiles.py). Monte Carlo
output needs two passes.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np

BINS = 1024
"""Bins of each histogram: a pass narrows an order statistic's window about a thousand-fold."""
CHUNK = 1 << 16
"""Most values binned or compared at once (512 kB of floats per temporary array)."""


def order_indexes(n: int, q: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.percentile``'s linear method on ``n`` values: for each percentile the positions (0-based, in
    sorted order) of the values below and above it and the interpolation weight, with numpy's arithmetic."""
    quantiles = np.true_divide(np.asanyarray(q, dtype=float), 100)
    virtual = (n - 1) * quantiles
    prev = np.floor(virtual)
    gamma = virtual - prev
    prev = prev.astype(np.intp)
    nxt = prev + 1
    top = virtual >= n - 1
    prev[top] = nxt[top] = n - 1  # numpy takes the largest value (both ends equal: gamma does not matter)
    low = virtual < 0
    prev[low] = nxt[low] = 0
    return prev, nxt, gamma


def interpolate(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``a`` to ``b`` at weight ``t``, as numpy's percentile does it (``numpy.lib._function_base_impl._lerp``)."""
    diff = b - a
    out = np.add(a, diff * t)
    np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out


def column_percentiles(replay: Callable[[], Iterable[np.ndarray]], samples: int, columns: int,
                       q: Sequence[float], *, memory: int, bins: int = BINS) -> np.ndarray:
    """``np.percentile(matrix, q, axis=0)`` of the ``samples`` x ``columns`` matrix whose rows ``replay()``
    yields in blocks (the same rows each time it is called). Holds at most about ``memory`` bytes of its
    own (histograms and collected values; the blocks are the caller's). Shape (len(q), columns)."""
    if samples < 1:
        raise ValueError("no samples")
    prev, nxt, gamma = order_indexes(samples, q)
    ranks = sorted(set(prev.tolist()) | set(nxt.tolist()))
    targets = _Targets(columns, ranks, *_first_pass(replay, columns, bins), samples)
    while targets.open.size:
        targets.next_pass(replay, columns, memory, bins)
    found = targets.value.reshape(columns, len(ranks)).T  # ranks x columns
    at = {r: i for i, r in enumerate(ranks)}
    return interpolate(found[[at[r] for r in prev.tolist()]], found[[at[r] for r in nxt.tolist()]], gamma[:, None])


def _first_pass(replay: Callable[[], Iterable[np.ndarray]], columns: int, bins: int) -> tuple[np.ndarray, ...]:
    """Every column's histogram with each bin's smallest and largest value: three (columns x bins + 2) arrays.

    The bins span the first block's extremes (one more below, one above), evenly in asinh(x / s): about
    logarithmic for costs that grow over orders of magnitude, about linear for a narrow spread, so the bins
    near the percentiles hold few values either way."""
    size = bins + 2
    hist = np.zeros(columns * size, dtype=np.int64)
    mins = np.full(columns * size, np.inf)
    maxs = np.full(columns * size, -np.inf)
    offsets = np.arange(columns, dtype=np.intp) * size
    cidx = np.arange(columns)
    edges = None
    for block in replay():
        block = np.asarray(block, dtype=float).reshape(-1, columns)
        if edges is None:
            lo, hi = block.min(axis=0), block.max(axis=0)
            hi = np.where(hi > lo, hi, lo + np.maximum(np.abs(lo), 1.0))  # a constant column: any width will do
            s = np.maximum(np.maximum(np.abs(lo), (hi - lo) * 1e-3), 1e-300)
            a, b = np.arcsinh(lo / s), np.arcsinh(hi / s)
            with np.errstate(over="ignore"):
                inner = s[:, None] * np.sinh(a[:, None] + (b - a)[:, None] * (np.arange(bins + 1) / bins))
            inner[:, 0], inner[:, -1] = lo, hi
            inner = np.maximum.accumulate(np.minimum(np.maximum(inner, lo[:, None]), hi[:, None]), axis=1)
            edges = np.hstack([np.full((columns, 1), -np.inf), inner, np.full((columns, 1), np.inf)])
            scale = bins / (b - a)
        step = max(1, CHUNK // columns)
        for start in range(0, len(block), step):
            rows = block[start:start + step]
            # the bin by arithmetic (right, or one off near an edge), then settled against the edges themselves
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # a wild guess is clipped, then settled
                guess = np.floor((np.arcsinh(rows / s) - a) * scale) + 1
            k = np.clip(np.nan_to_num(guess, nan=0.0), 0, size - 1).astype(np.intp)
            for _ in range(2):
                k -= rows < edges[cidx, k]
                k += rows >= edges[cidx, k + 1]
                np.clip(k, 0, size - 1, out=k)
            wrong = (rows < edges[cidx, k]) | (rows >= edges[cidx, k + 1])
            if wrong.any():  # arithmetic far off (a spread of a few ulps): place those values by search
                r, c = np.nonzero(wrong)
                for col in np.unique(c):
                    at = r[c == col]
                    k[at, col] = np.clip(np.searchsorted(edges[col], rows[at, col], side="right") - 1, 0, size - 1)
            flat = (k + offsets).ravel()
            hist += np.bincount(flat, minlength=hist.size)
            values = rows.ravel()
            np.minimum.at(mins, flat, values)
            np.maximum.at(maxs, flat, values)
    shape = (columns, size)
    return hist.reshape(shape), mins.reshape(shape), maxs.reshape(shape)


class _Targets:
    """The order statistics being searched for, one per (column, rank): each with its window [low, high] of
    values, how many values of its column lie below the window and how many inside, or its value once found."""

    def __init__(self, columns: int, ranks: list[int], hist: np.ndarray, mins: np.ndarray, maxs: np.ndarray,
                 samples: int):
        k = len(ranks)
        self.column = np.repeat(np.arange(columns), k)
        self.rank = np.tile(np.asarray(ranks, dtype=np.int64), columns)
        n = columns * k
        self.below = np.zeros(n, dtype=np.int64)
        self.count = np.full(n, samples, dtype=np.int64)
        self.low = np.full(n, -np.inf)
        self.high = np.full(n, np.inf)
        self.value = np.full(n, np.nan)
        for t in range(n):
            c = self.column[t]
            self._narrow(t, hist[c], mins[c], maxs[c])
        self.open = np.nonzero(np.isnan(self.value))[0]

    def _narrow(self, t: int, hist: np.ndarray, mins: np.ndarray, maxs: np.ndarray) -> None:
        """Move target ``t``'s window to the bin of ``hist`` (a histogram of its current window) holding its rank."""
        cum = np.cumsum(hist)
        j = int(np.searchsorted(cum, self.rank[t] - self.below[t], side="right"))
        self.below[t] += int(cum[j - 1]) if j else 0
        self.count[t] = int(hist[j])
        lo, hi = float(mins[j]), float(maxs[j])
        if lo == hi:  # every value in the bin is the same: that is the order statistic
            self.value[t] = lo
        self.low[t], self.high[t] = lo, hi  # the bin's values, and no others of the column, lie in [lo, hi]

    def next_pass(self, replay: Callable[[], Iterable[np.ndarray]], columns: int, memory: int, bins: int) -> None:
        """One more pass over the rows: collect the values of the windows that fit ``memory`` (fewest values
        first), histogram the others within their windows; then settle or narrow every open target."""
        open_ = self.open
        # targets of one column often share a window (both ends of a percentile in one bin): one window each
        keys = np.stack([self.column[open_].astype(float), self.low[open_], self.high[open_]], axis=1)
        windows, of_target = np.unique(keys, axis=0, return_inverse=True)
        of_target = of_target.ravel()
        count = np.zeros(len(windows), dtype=np.int64)
        count[of_target] = self.count[open_]
        # A collected value costs ~48 bytes at its peak (value and window, concatenated, sorted), a histogram 24 a
        # bin. Fewest passes: collect as many windows as fit (smallest first) while the others get histograms;
        # when not even the histograms fit, the windows that don't wait for a later pass.
        hist_cost = (bins + 1) * 24
        order = np.argsort(count, kind="stable")
        spent = np.concatenate(([0], np.cumsum(count[order] * 48)))
        fits = spent + (len(order) - np.arange(len(order) + 1)) * hist_cost <= memory
        collect = np.zeros(len(windows), dtype=bool)
        now = np.zeros(len(windows), dtype=bool)
        if fits.any():
            m = int(np.nonzero(fits)[0].max())
            collect[order[:m]] = True
            now[:] = True
        else:
            now[order[:max(1, memory // hist_cost)]] = True
        windows, of_window = windows[now], np.cumsum(now) - 1  # the windows of this pass
        collect = collect[now]
        binned = np.nonzero(~collect)[0]
        edges = {w: _edges(windows[w, 1], windows[w, 2], bins) for w in binned}
        hists = {w: np.zeros(bins + 1, dtype=np.int64) for w in binned}
        mins = {w: np.full(bins + 1, np.inf) for w in binned}
        maxs = {w: np.full(bins + 1, -np.inf) for w in binned}
        kept_at: list[np.ndarray] = []
        kept: list[np.ndarray] = []
        cols, low, high = windows[:, 0].astype(np.intp), windows[:, 1], windows[:, 2]
        rows = max(1, CHUNK // len(windows))
        for block in replay():
            block = np.asarray(block, dtype=float).reshape(-1, columns)
            for start in range(0, len(block), rows):
                sub = block[start:start + rows][:, cols]
                r, w = np.nonzero((sub >= low) & (sub <= high))
                x = sub[r, w]
                take = collect[w]
                if take.any():
                    kept_at.append(w[take].astype(np.int32))
                    kept.append(x[take])
                if len(binned):
                    bw, bx = w[~take], x[~take]
                    for k in np.unique(bw):
                        xs = bx[bw == k]
                        b = np.searchsorted(edges[k], xs, side="right") - 1  # in [0, bins]; bin `bins`: == high
                        hists[k] += np.bincount(b, minlength=bins + 1)
                        np.minimum.at(mins[k], b, xs)
                        np.maximum.at(maxs[k], b, xs)
        if kept:
            at, values = np.concatenate(kept_at), np.concatenate(kept)
            del kept_at, kept
            order = np.lexsort((values, at))
            at, values = at[order], values[order]
            starts = np.searchsorted(at, np.arange(len(windows)))
        for i, t in enumerate(open_):
            if not now[of_target[i]]:
                continue
            w = of_window[of_target[i]]
            if collect[w]:
                self.value[t] = values[starts[w] + self.rank[t] - self.below[t]]
            else:
                self._narrow(t, hists[w], mins[w], maxs[w])
        self.open = open_[np.isnan(self.value[open_])]


def _edges(low: float, high: float, bins: int) -> np.ndarray:
    """``bins`` + 1 non-decreasing edges from ``low`` to ``high``: bin i holds edges[i] <= x < edges[i+1], and
    a last bin the values equal to ``high``."""
    edges = low + (high - low) * (np.arange(bins + 1) / bins)
    edges[0], edges[-1] = low, high
    return np.maximum.accumulate(edges)
