"""Catalog names: lookup forms of names and the tables one load of a catalog directory holds."""
from __future__ import annotations

import functools
import pathlib
import re
from dataclasses import dataclass

from pricing.catalog.values import ANY_PROVIDER, CatalogEntry, GpuSpec, ThroughputFigure

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _norm(name: str) -> str:
    """Lookup form of a tier/kind/task/provider name: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


@functools.lru_cache(maxsize=4096)
def _norm_gpu(name: str) -> str:
    """Lookup form of a GPU name: lower case, runs of spaces/underscores/dashes as one dash."""
    return re.sub(r"[\s_\-]+", "-", str(name).strip().lower())


@dataclass(frozen=True, slots=True)
class _Provider:
    key: str
    name: str
    pricing: tuple[str, ...]
    notes: str


@dataclass(frozen=True, slots=True)
class _Shape:
    """An instance size a provider sells a GPU in besides the one its per-GPU price comes from."""

    gpus: int
    instance: str
    pricings: tuple[str, ...] = ()
    """How the size is sold that the catalog records (a price or a gap): a pricing it has no record for is
    unknown for this size, so that pricing's list of sizes is not complete."""


@dataclass(frozen=True, slots=True)
class _Lineup:
    """The instance sizes one provider sells one GPU in, as gpus.yaml lists them (``gpus_per_instance`` of each
    priced record, ``shapes`` for the other sizes, ``shapes_complete`` when those are all it sells)."""

    base: tuple[tuple[str, int | None], ...]
    """Pricing -> GPUs per instance of its priced record; None: billed per GPU whatever the count (pods,
    serverless workers, a GPU component), or not stated."""
    instance: tuple[tuple[str, str], ...]
    """Pricing -> the priced record's instance text."""
    shapes: tuple[_Shape, ...] = ()
    complete: bool = False
    """True when the priced instance and ``shapes`` are every size the provider sells the GPU in."""

    def shapes_for(self, pricing: str) -> tuple[_Shape, ...]:
        """The other sizes the catalog records for ``pricing`` (reserved: on-demand's)."""
        how = "on_demand" if pricing == "reserved" else pricing
        return tuple(s for s in self.shapes if how in s.pricings)

    def complete_for(self, pricing: str) -> bool:
        """Whether the sizes recorded for ``pricing`` are every size it is sold in."""
        return self.complete and len(self.shapes_for(pricing)) == len(self.shapes)

    def base_size(self, pricing: str) -> int | None:
        return dict(self.base).get("on_demand" if pricing == "reserved" else pricing)

    def instance_of(self, pricing: str) -> str:
        return dict(self.instance).get("on_demand" if pricing == "reserved" else pricing, "")


@dataclass(frozen=True, slots=True)
class _Gpu:
    key: str
    name: str
    spec: GpuSpec
    peak_gap: str
    peak_unit: str


class _Data:
    """Everything one load of a catalog directory read; never changed after the load."""

    __slots__ = ("directory", "entries", "providers", "provider_alias", "gpus", "gpu_alias", "gpu_compact",
                 "storage", "storage_alias", "standard_tiers", "egress", "egress_alias", "standard_kinds",
                 "platforms", "platform_alias", "tasks", "task_alias", "mlops", "mlops_alias", "mlops_unit",
                 "throughput", "gpu_lineups", "_known_keys")

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self.entries: dict[str, CatalogEntry] = {}
        self.providers: dict[str, _Provider] = {}
        self.provider_alias: dict[str, str] = {}
        self.gpus: dict[str, _Gpu] = {}
        self.gpu_alias: dict[str, str] = {}
        self.gpu_compact: dict[str, str | None] = {}        # alias without separators -> GPU (None: ambiguous)
        self.storage: dict[str, dict[str, str]] = {}       # provider -> tier -> display name
        self.storage_alias: dict[str, dict[str, str]] = {}  # provider -> alias -> tier
        self.standard_tiers: tuple[str, ...] = ()
        self.egress: dict[str, dict[str, str]] = {}
        self.egress_alias: dict[str, dict[str, str]] = {}
        self.standard_kinds: tuple[str, ...] = ()
        self.platforms: dict[str, str] = {}
        self.platform_alias: dict[str, str] = {}
        self.tasks: dict[str, str] = {}
        self.task_alias: dict[str, str] = {}
        self.mlops: dict[str, dict[str, str]] = {}
        self.mlops_alias: dict[str, str] = {}               # alias -> kind, across providers
        self.mlops_unit: dict[str, str] = {}                # kind -> unit
        self.throughput: tuple[ThroughputFigure, ...] = ()
        self.gpu_lineups: dict[tuple[str, str], _Lineup] = {}  # (GPU, provider) -> its instance sizes
        self._known_keys: tuple[str, ...] | None = None

    def known_keys(self) -> tuple[str, ...]:
        """Every key a plan may override (recorded entries and every well-formed price key)."""
        if self._known_keys is None:
            keys = dict.fromkeys(self.entries)
            for g in self.gpus:
                keys[f"gpu.{g}.peak_tflops"] = None
                for p, prov in self.providers.items():
                    for pricing in prov.pricing:
                        keys[f"gpu.{g}.{p}.{pricing}"] = None
                        lineup = self.gpu_lineups.get((g, p))
                        for shape in lineup.shapes_for(pricing) if lineup else ():
                            keys[f"gpu.{g}.{p}.{pricing}.{shape.gpus}gpu"] = None
            for p in self.providers:
                for t in (*self.standard_tiers, *self.storage.get(p, {})):
                    keys[f"storage.{p}.{t}"] = None
                for k in (*self.standard_kinds, *self.egress.get(p, {})):
                    keys[f"egress.{p}.{k}"] = None
                keys[f"reserved_discount.{p}"] = None
            for p in (*self.providers, ANY_PROVIDER):
                for k in self.mlops_unit:
                    keys[f"mlops.{p}.{k}"] = None
            for name in self.platforms:
                keys[f"platform.{name}"] = None
            for task in self.tasks:
                keys[f"annotation.{task}"] = None
            self._known_keys = tuple(keys)
        return self._known_keys
