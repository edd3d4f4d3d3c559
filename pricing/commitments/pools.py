"""Pools of GPU usage: one GPU type at one provider, month by month, with Monte Carlo samples of it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from pricing.drivers.commitments import (COMPUTE_SECTIONS, block, compute_lines, covered_by, covered_hours,
                                         load_curve, pool_key)
from pricing.engine import LineItem, Projection
from pricing.plan import Plan


# ---------------------------------------------------------------------------------------------
# Pools of GPU usage
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Pool:
    """The on-demand GPU usage of one GPU type at one provider, month by month, with its shape in the month.

    Each line contributes a *block* per month: ``gpus`` GPUs busy together for ``hours`` hours
    (serving: its GPUs all month; a training run: its GPUs for the run's hours; notebooks: every
    person's instance at once for the hours each runs). Blocks of a pool are assumed to run at the
    same time from the start of the month, which is what a commitment covers least (it covers at
    most its GPUs in any hour), so coverage and utilisation are never overstated.
    """

    provider: str
    gpu: str
    price: float
    """The plan's on-demand USD per GPU-hour (overrides included)."""
    source: Any
    lines: tuple[LineItem, ...]
    gpus: np.ndarray
    """GPUs of each block (months x lines), at the plan's likely values."""
    hours: np.ndarray
    """Hours of each block (months x lines)."""
    sample_gpus: np.ndarray | None = None
    """GPUs of each block per Monte Carlo sample (samples x months x lines), when the plan has ranges."""
    sample_hours: np.ndarray | None = None

    @property
    def label(self) -> str:
        return f"{self.gpu} at {self.provider}"

    @property
    def usage(self) -> np.ndarray:
        """GPU-hours per month at the likely values."""
        return (self.gpus * self.hours).sum(axis=-1)

    @property
    def samples(self) -> np.ndarray | None:
        """GPU-hours per month per sample (samples x months)."""
        return None if self.sample_gpus is None else (self.sample_gpus * self.sample_hours).sum(axis=-1)


@dataclass(frozen=True, slots=True)
class Excluded:
    """A compute line left out of the pools, and why."""

    key_path: str
    name: str
    reason: str


def pools(proj: Projection, catalog: Any = None, *, samples: int = 0, seed: int | None = None
          ) -> tuple[tuple[Pool, ...], tuple[Excluded, ...]]:
    """The GPU pools of a projection (with ``samples`` Monte Carlo samples of usage when the plan has ranges)."""
    from pricing import engine
    plan = proj.plan
    ctx = engine.context(plan, catalog)
    items = {li.key_path: li for li in proj.line_items}
    groups: dict[tuple[str, str], list[tuple[str, Any, LineItem]]] = {}
    excluded = []
    for section, i, line, why in compute_lines(plan):
        li = items[f"{section}[{i}]"]
        if why:
            excluded.append(Excluded(li.key_path, li.name, why))
            continue
        key = pool_key(ctx, line)
        groups.setdefault(key, []).append((section, line, li))
    drawn = _usage_samples(plan, ctx, samples, seed) if samples else {}
    n = plan.months
    out = []
    for (provider, gpu), members in groups.items():
        price = ctx.catalog.gpu_price(gpu, provider, "on_demand")
        blocks = [block(s, line, li) for s, line, li in members]
        g = np.stack([b[0] for b in blocks], axis=-1)
        h = np.stack([b[1] for b in blocks], axis=-1)
        sg = sh = None
        if drawn and any(li.key_path in drawn for _, _, li in members):
            sb = [drawn.get(li.key_path, blocks[j]) for j, (_, _, li) in enumerate(members)]
            sg = np.stack([np.broadcast_to(b[0], (samples, n)) for b in sb], axis=-1)
            sh = np.stack([np.broadcast_to(b[1], (samples, n)) for b in sb], axis=-1)
        out.append(Pool(provider, gpu, price.value, price.source, tuple(li for _, _, li in members), g, h, sg, sh))
    return tuple(out), tuple(excluded)


def pool_of(proj: Projection, ctx: Any, provider: str, gpu: str) -> Pool:
    """The pool of ``gpu`` at ``provider`` (empty when no on-demand line uses it)."""
    found, _ = pools(proj, ctx.catalog)
    for p in found:
        if p.provider == provider and p.gpu == gpu:
            return p
    price = ctx.catalog.gpu_price(gpu, provider, "on_demand")
    zero = np.zeros((len(proj.months), 1))
    return Pool(provider, gpu, price.value, price.source, (), zero, zero)


def committed(proj: Projection, catalog: Any = None) -> dict[tuple[str, str], np.ndarray]:
    """GPUs the plan's own commitments hold each month, by pool (provider, GPU); empty without commitments."""
    from pricing import engine
    from pricing.drivers.commitments import charges, resolve
    plan = proj.plan
    if not plan.commitments:
        return {}
    ctx = engine.context(plan, catalog)
    out: dict[tuple[str, str], np.ndarray] = {}
    for r in resolve(plan, ctx)[0]:
        gpus = charges(r.commitment, 1.0, plan.months).gpus
        out[(r.provider, r.gpu)] = out.get((r.provider, r.gpu), np.zeros(plan.months)) + gpus
    return out


def residual(pool: Pool, capacity: np.ndarray) -> Pool:
    """The usage of ``pool`` that ``capacity`` GPUs (each month) leave uncovered, as blocks of its own.

    Within a month the load is a step function (``load_curve``); what a capacity leaves is the load above
    it, max(load - capacity, 0), over the same steps. Written back as blocks (step k: the load's growth at
    that step, for the step's hours), a commitment of c GPUs covers min(that load, c): exactly what it adds
    to ``capacity``. The columns are the steps, longest first, no longer one per line (``lines`` names them
    all the same)."""
    def left(gpus: np.ndarray, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(-hours, axis=-1, kind="stable")
        hs = np.take_along_axis(hours, order, -1)
        load = np.cumsum(np.take_along_axis(gpus, order, -1), axis=-1)
        above = np.maximum(load - np.asarray(capacity, dtype=float)[..., None], 0.0)
        steps = np.diff(above, axis=-1, prepend=np.zeros(above.shape[:-1] + (1,)))
        return steps, np.where(steps > 0, hs, 0.0)
    g, h = left(pool.gpus, pool.hours)
    sg = sh = None
    if pool.sample_gpus is not None:
        sg, sh = left(pool.sample_gpus, pool.sample_hours)
    return dataclasses.replace(pool, gpus=g, hours=h, sample_gpus=sg, sample_hours=sh)


def _usage_samples(plan: Plan, ctx: Any, samples: int, seed: int | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(GPUs, hours) blocks of the compute lines with ranges per sample, by key path (samples x months each).

    Drawn exactly as ``uncertainty.monte_carlo`` draws them (same generator, seed, blocks and order
    over every line with ranges), so sample k here is sample k of the cost Monte Carlo.
    """
    from pricing import engine, uncertainty
    seed = uncertainty.DEFAULT_SEED if seed is None else seed
    rng = np.random.default_rng(seed)
    uncertain = [(s, i, line) for s, i, line in plan.lines() if getattr(line, "ranges", ())]
    if not uncertain:
        return {}
    wanted = {f"{s}[{i}]" for s, i, line, why in compute_lines(plan) if why is None}
    out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    done = 0
    while done < samples:
        size = min(uncertainty.BLOCK, samples - done)
        for section, i, line in uncertain:
            draws = {f: uncertainty.draw(rng, r.low, r.likely, r.high, size) for f, r in line.ranges}
            key = f"{section}[{i}]"
            if key not in wanted:
                continue
            values = {f: (np.rint(a) if f in _INTEGER else a)[:, None] for f, a in draws.items()}
            sampled = dataclasses.replace(line, **values)
            li = engine.price_line(section, i, sampled, ctx)
            g, h = block(section, sampled, li)
            out.setdefault(key, []).append((np.broadcast_to(g, (size, plan.months)),
                                            np.broadcast_to(h, (size, plan.months))))
        done += size
    return {k: (np.vstack([a for a, _ in v]), np.vstack([b for _, b in v])) for k, v in out.items()}


_INTEGER = {"gpus", "min_gpus", "people", "gpus_per_instance"}
"""Fields sampled as whole numbers (as ``uncertainty`` samples them)."""


__all__ = ["COMPUTE_SECTIONS", "Excluded", "Pool", "committed", "covered_by", "covered_hours", "load_curve", "pool_of",
           "pools", "residual"]
