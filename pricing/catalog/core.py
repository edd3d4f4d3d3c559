"""The catalog: prices with sources and dates from one catalog directory, plus a plan's overrides."""
from __future__ import annotations

import functools
import math
import pathlib
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from pricing.catalog.names import _Data, _norm, _norm_gpu
from pricing.catalog.reader import _Reader, default_directory
from pricing.catalog.values import (_PRICING_ALIASES, _PRICING_LABEL, _UNIT, ANY_PROVIDER, CATALOG_FILES, SECTIONS,
                                    CatalogEntry, GpuInstance, GpuSpec, MissingPriceError, Price, PriceSource,
                                    PricingNotOfferedError, RankedUnknownNameError, ThroughputFigure, Tier, weakest)
from pricing.errors import CatalogError, Problem, QuantityError, UnknownNameError, closest
from pricing.quantities import parse_number, parse_share


def _stamp(directory: pathlib.Path) -> tuple:
    out = []
    for name in CATALOG_FILES:
        try:
            st = (directory / name).stat()
            out.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((name, None, None))
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _load(directory: str, stamp: tuple) -> "Catalog":
    """The catalog of a directory; cached by directory and file stamps (the catalog is immutable)."""
    return Catalog(_Reader(pathlib.Path(directory)).read(), {})


# ---------------------------------------------------------------------------------------------
# The catalog
# ---------------------------------------------------------------------------------------------


class Catalog:
    """Prices with sources and dates, read from a catalog directory, plus a plan's overrides.

    Immutable: :meth:`with_overrides` returns a new catalog. Build one with :meth:`load`.
    """

    __slots__ = ("_d", "_overrides", "_prices")

    def __init__(self, data: _Data, overrides: Mapping[str, Any]):
        self._d = data
        self._overrides = MappingProxyType(dict(overrides))
        self._prices: dict[str, Price] = {}
        """Prices looked up so far (the catalog is immutable, so they never go stale)."""

    def __repr__(self) -> str:
        return f"Catalog({str(self._d.directory)!r}, {len(self._d.entries)} entries, {len(self._overrides)} overrides)"

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: pathlib.Path | str | None = None) -> "Catalog":
        """The catalog in ``directory`` (default ``resources/catalog``); CatalogError with file and key path
        for a broken file. Parsed once per directory (re-read when a file changes)."""
        d = pathlib.Path(directory) if directory is not None else default_directory()
        d = d.resolve()
        return _load(str(d), _stamp(d))

    def with_overrides(self, prices: Mapping[str, Any]) -> "Catalog":
        """A new catalog where the plan's ``prices:`` replace (or fill in) catalog figures.

        Keys are validated (aliases and case are normalised, e.g. ``gpu.h100.aws.on_demand`` ->
        ``gpu.H100-80GB.aws.on_demand``): an unknown key raises UnknownNameError listing close keys;
        ``api.*`` keys are kept as given (the API price module checks them). Values must be finite
        numbers >= 0 (``"35%"`` is read as 0.35).
        """
        merged = dict(self._overrides)
        for raw_key, raw_value in prices.items():
            if isinstance(raw_key, str) and raw_key.startswith("api."):
                merged[raw_key] = raw_value
                continue
            try:
                key, unit = self._canonical_key(raw_key)
            except UnknownNameError as exc:
                raise exc.with_location(key_path=f"prices.{raw_key}") from None
            merged[key] = self._override_value(raw_key, key, unit, raw_value)
        return Catalog(self._d, merged)

    @property
    def overrides(self) -> Mapping[str, Any]:
        """The overrides applied, by canonical key (``api.*`` keys as given)."""
        return self._overrides

    @property
    def directory(self) -> pathlib.Path:
        """Where the catalog was read from."""
        return self._d.directory

    @property
    def providers(self) -> tuple[str, ...]:
        """Cloud providers known (aws, gcp, azure, lambda, nebius, runpod)."""
        return tuple(self._d.providers)

    # -- names ------------------------------------------------------------------------------

    def resolve_provider(self, name: str) -> str:
        """Canonical provider for a name or alias (case-insensitive); UnknownNameError otherwise."""
        p = self._d.provider_alias.get(_norm(name)) if isinstance(name, str) else None
        if p is None:
            raise self._unknown("provider", name, self._d.provider_alias)
        return p

    def resolve_gpu(self, name: str) -> str:
        """Canonical GPU key for a key or alias (case-insensitive): "h100" -> "H100-80GB"."""
        g = None
        if isinstance(name, str):  # "H100 80GB", "h100_80gb", then "H100SXM" (separators ignored)
            g = self._d.gpu_alias.get(_norm_gpu(name)) or self._d.gpu_compact.get(_norm_gpu(name).replace("-", ""))
        if g is None:
            near = closest(_norm_gpu(str(name)), self._d.gpu_alias, n=25)
            ranked = list(dict.fromkeys(self._d.gpu_alias[a] for a in near))[:5]
            raise RankedUnknownNameError("GPU", str(name), ranked)
        return g

    def gpu_keys(self) -> tuple[str, ...]:
        return tuple(self._d.gpus)

    def provider_pricing(self, provider: str) -> tuple[str, ...]:
        """How a provider sells GPU time (e.g. lambda: on_demand, reserved)."""
        return self._d.providers[self.resolve_provider(provider)].pricing

    def _pricing(self, pricing: str) -> str:
        value = getattr(pricing, "value", pricing)  # accept an Enum member
        p = _PRICING_ALIASES.get(_norm(value)) if isinstance(value, str) else None
        if p is None:
            raise self._unknown("pricing", value, _PRICING_ALIASES)
        return p

    @staticmethod
    def _resolve_in(table: Mapping[str, str], name: str) -> str | None:
        return table.get(_norm(name)) if isinstance(name, str) else None

    @staticmethod
    def _unknown(kind: str, name: Any, aliases: Mapping[str, str], extra: Iterable[str] = (),
                 hint: str = "") -> RankedUnknownNameError:
        """An unknown-name error whose suggestions match every alias, reported by canonical name."""
        table = {**{_norm(x): x for x in extra}, **aliases}
        near = closest(_norm(str(name)), table, n=25)
        return RankedUnknownNameError(kind, str(name), list(dict.fromkeys(table[a] for a in near))[:5], hint)

    # -- GPUs -------------------------------------------------------------------------------

    def gpu_spec(self, gpu: str) -> GpuSpec:
        """Specs of a GPU; the peak may be overridden with ``gpu.<KEY>.peak_tflops``."""
        g = self._d.gpus[self.resolve_gpu(gpu)]
        key = f"gpu.{g.key}.peak_tflops"
        if key in self._overrides:
            value = self._overrides[key]
            return replace(g.spec, peak_tflops=value, peak_note=f"peak {value:g} TFLOP/s set by the plan",
                           source=self._override_source(key, self._d.entries.get(key)))
        return g.spec

    def gpu_peak(self, gpu: str) -> Price:
        """The GPU's peak TFLOP/s as a price-like figure; MissingPriceError when unpublished (A10G)."""
        g = self.resolve_gpu(gpu)
        return self._lookup(f"gpu.{g}.peak_tflops", self._d.gpus[g].peak_unit, f"peak TFLOP/s of {g}")

    def gpu_price(self, gpu: str, provider: str, pricing: str = "on_demand", *,
                  gpus_per_instance: int | None = None) -> Price:
        """USD per GPU-hour of ``gpu`` at ``provider``; ``pricing`` is on_demand, spot, reserved (or serverless).

        Reserved = on-demand x (1 - ``reserved_discount.<provider>``) unless the plan sets
        ``gpu.<KEY>.<provider>.reserved``. MissingPriceError names the key to set when a figure is
        missing; PricingNotOfferedError when the provider does not sell that way (Lambda spot).
        ``gpus_per_instance``: the price per GPU-hour of the instance shape that holds that many GPUs
        (:meth:`gpu_instance`; its source's notes name the instance); without it, the catalog's figure.
        """
        if gpus_per_instance is not None:
            return self.gpu_instance(gpu, provider, pricing, gpus=gpus_per_instance).price
        g = self.resolve_gpu(gpu)
        p = self.resolve_provider(provider)
        how = self._pricing(pricing)
        prov = self._d.providers[p]
        if how not in prov.pricing:
            raise PricingNotOfferedError(
                f"{p} does not sell {_PRICING_LABEL[how]} GPU time"
                + (f" ({prov.notes.rstrip('.')})" if prov.notes else "")
                + f"; {p} sells: {', '.join(prov.pricing)}")
        key = f"gpu.{g}.{p}.{how}"
        if how == "reserved" and key not in self._overrides:
            return self._reserved(g, p, key)
        if how == "on_demand" and key not in self._d.entries and key not in self._overrides:
            have = [x for x in self.gpu_providers(g)]
            also = f"providers with an on-demand {g} price: {', '.join(have)}" if have else ""
            raise MissingPriceError(key, f"no {p} on-demand {g} price was collected, or {p} does not offer it",
                                    _UNIT["gpu"], known_gap=False, also=also)
        return self._lookup(key, _UNIT["gpu"], f"{p} {_PRICING_LABEL[how]} {g} price")

    # -- instance shapes ----------------------------------------------------------------------

    def gpu_sizes(self, gpu: str, provider: str, pricing: str = "on_demand") -> tuple[int, ...]:
        """GPUs per instance of every instance size the catalog (or the plan's overrides) knows for ``gpu`` at
        ``provider``; empty when its price is billed per GPU whatever the count (or the size is not stated)."""
        g, p, how = self.resolve_gpu(gpu), self.resolve_provider(provider), self._pricing(pricing)
        lineup = self._d.gpu_lineups.get((g, p))
        base = lineup.base_size(how) if lineup else None
        if base is None:
            return ()
        sizes = {base} | {s.gpus for s in lineup.shapes_for(how)}
        for key in self._overrides:  # a size the plan prices itself: gpu.<GPU>.<provider>.<pricing>.<N>gpu
            parts = key.split(".")
            if len(parts) == 5 and parts[:3] == ["gpu", g, p] and parts[4].endswith("gpu"):
                sizes.add(int(parts[4][:-3]))
        return tuple(sorted(sizes))

    def gpu_instance(self, gpu: str, provider: str, pricing: str = "on_demand", *, gpus: int) -> GpuInstance:
        """The instance shape a job that needs ``gpus`` GPUs in one machine is billed on, with its price per GPU-hour.

        Instances are rented whole. The smallest size the provider sells that holds the job is used (more GPUs
        are billed than used when no smaller size is sold); a job bigger than any one machine takes several of
        the largest size. Sizes come from gpus.yaml (``gpus_per_instance`` of the priced instance, ``shapes``
        for the others, ``shapes_complete`` when those are every size sold). Where the catalog's list is not
        known to be complete, a job smaller than the smallest listed size pays that size's price per GPU for
        its own GPUs (a note says so), and a job larger than every listed size up to one 8-GPU machine is a
        gap (MissingPriceError naming the key to set), never the 1-GPU instance's price. A price billed per
        GPU (pods, serverless workers, a GPU component) holds any count.
        """
        g, p, how = self.resolve_gpu(gpu), self.resolve_provider(provider), self._pricing(pricing)
        n = int(gpus)
        if n < 1:
            raise CatalogError(f"found {gpus!r} GPUs per instance, expected at least 1")
        lineup = self._d.gpu_lineups.get((g, p))
        sizes = self.gpu_sizes(g, p, how)
        base = lineup.base_size(how) if lineup else None
        if not sizes:  # billed per GPU, any count
            price = self.gpu_price(g, p, how)
            return GpuInstance(price, n, 1, lineup.instance_of(how) if lineup else "", "")
        complete = bool(lineup and lineup.complete_for(how))
        fit = [s for s in sizes if s >= n]
        largest = sizes[-1]
        instances, note = 1, ""
        if fit:
            size = fit[0]
            if size > n and not complete:  # a smaller size may exist that the catalog lacks: no rounding up
                price = self._size_price(g, p, how, size, base)
                instance = self._instance_name(lineup, how, size)
                note = (f"{p} {g} instances smaller than {size} GPUs are not in the catalog: priced per GPU of its "
                        f"{size}-GPU {instance} for {n} GPU{'s' if n > 1 else ''}")
                return GpuInstance(self._with_instance(price, instance), n, 1, instance, note)
            if size > n:
                note = (f"{p} sells {g} in instances of {', '.join(map(str, sizes))} GPUs: "
                        f"{n} GPU{'s take' if n > 1 else ' takes'} a whole {size}-GPU instance, {size} GPUs billed")
        elif largest >= 8 or complete:  # several machines of the largest size
            size = largest
            instances = -(-n // size)
            note = (f"{n} GPUs take {instances} instances of {size} GPUs" +
                    (f", {instances * size} GPUs billed" if instances * size != n else ""))
        else:
            want = next(s for s in (2, 4, 8) if s >= n) if n <= 8 else 8
            key = f"gpu.{g}.{p}.{how}.{want}gpu"
            raise MissingPriceError(
                key, f"{p}'s {g} instances in the catalog hold at most {largest} GPU{'s' if largest > 1 else ''} and "
                f"a job of {n} GPUs needs one machine of {n} or more; the 1-GPU price is not used for it",
                _UNIT["gpu"], known_gap=False, also=f"the price per GPU-hour of its {want}-GPU instance")
        price = self._size_price(g, p, how, size, base)
        instance = self._instance_name(lineup, how, size)
        return GpuInstance(self._with_instance(price, instance), size, instances, instance, note)

    def _instance_name(self, lineup: Any, how: str, size: int) -> str:
        if lineup is not None and lineup.base_size(how) == size:
            return lineup.instance_of(how) or f"{size}-GPU instance"
        shape = next((s for s in getattr(lineup, "shapes", ()) if s.gpus == size), None)
        return shape.instance if shape is not None else f"{size}-GPU instance (set by the plan)"

    @staticmethod
    def _with_instance(price: Price, instance: str) -> Price:
        if not instance or instance in price.source.notes:
            return price
        notes = f"Instance: {instance}. {price.source.notes}".strip()
        return Price(price.value, price.unit, replace(price.source, notes=notes), price.tiers)

    def _size_price(self, g: str, p: str, how: str, size: int, base: int | None) -> Price:
        """USD per GPU-hour of the ``size``-GPU instance: the catalog's own figure for the priced size; for the
        others their ``.<N>gpu`` entry or the plan's override of it. A plan's price of the GPU at the provider
        (``gpu.<GPU>.<provider>.<pricing>``) moves every size with it, in proportion to the catalog's figures
        (a negotiated $3.90 for an H100 the catalog lists at $6.88 is 57% of every size's price), or is the
        price of every size where the catalog has no figure to scale; reserved sizes follow on-demand."""
        if size == base:
            return self.gpu_price(g, p, how)
        key = f"gpu.{g}.{p}.{how}.{size}gpu"
        what = f"{p} {_PRICING_LABEL[how]} {g} {size}-GPU instance price"
        if key in self._overrides:
            return self._lookup(key, _UNIT["gpu"], what)
        plan_wide = f"gpu.{g}.{p}.{how}"
        if plan_wide in self._overrides:
            price = self.gpu_price(g, p, how)
            listed = Catalog(self._d, {k: v for k, v in self._overrides.items() if k != plan_wide})
            try:
                base_listed = listed.gpu_price(g, p, how).value
                size_listed = listed._size_price(g, p, how, size, base).value
            except CatalogError:
                base_listed = size_listed = None
            if base_listed and size_listed is not None:
                value = price.value * (size_listed / base_listed)  # sizes at one per-GPU rate stay exactly at it
                note = (f"the plan's price for {g} at {p} ({price.value:g} for the catalog's {base_listed:g}) "
                        f"scales its {size}-GPU instance's {size_listed:g} to {value:.6g} per GPU-hour")
            else:
                value = price.value
                note = f"the plan's price for {g} at {p} applies to its {size}-GPU instance (the catalog has none)"
            return Price(value, price.unit, replace(price.source, notes=f"{price.source.notes}; {note}"))
        if how == "reserved":
            return self._reserved(g, p, key, size=size)
        return self._lookup(key, _UNIT["gpu"], what)

    def _reserved(self, g: str, p: str, key: str, *, size: int | None = None) -> Price:
        dkey = f"reserved_discount.{p}"
        try:
            od = self.gpu_price(g, p, "on_demand") if size is None else self._size_price(
                g, p, "on_demand", size, self._d.gpu_lineups[(g, p)].base_size("on_demand"))
        except MissingPriceError as exc:
            raise MissingPriceError(exc.key, exc.why + "; the reserved price is derived from it", exc.unit,
                                    known_gap=exc.known_gap, also=f"or set {key} directly") from None
        try:
            disc = self._lookup(dkey, _UNIT["reserved_discount"], f"reserved discount at {p}")
        except MissingPriceError as exc:
            raise MissingPriceError(dkey, exc.why, exc.unit, known_gap=exc.known_gap,
                                    also=f"or set {key} (USD per GPU-hour) directly") from None
        d = disc.value
        os_, ds = od.source, disc.source
        dates = [x for x in (os_.as_of_date, ds.as_of_date) if x is not None]
        term = self._d.entries[dkey].description if dkey in self._d.entries else "plan discount"
        source = PriceSource(
            key,
            f"on-demand: {os_.source} | discount: {ds.source}",
            f"on-demand: {os_.as_of}; discount: {ds.as_of}",
            min(dates) if dates else None,
            "override" if os_.overridden and ds.overridden else weakest(os_.confidence, ds.confidence, "derived"),
            f"reserved = on-demand {od.value:g} x (1 - {d:g}) [{term}]. On-demand: {os_.notes} "
            f"Discount: {ds.notes}".strip(),
            os_.overridden or ds.overridden,
        )
        tiers = tuple(Tier(t.upto, t.price * (1 - d)) for t in od.tiers)
        return Price(od.value * (1 - d), _UNIT["gpu"], source, tiers)

    def gpu_providers(self, gpu: str) -> tuple[str, ...]:
        """Providers with an on-demand price for ``gpu`` (catalog or plan override)."""
        g = self.resolve_gpu(gpu)
        out = []
        for p in self._d.providers:
            key = f"gpu.{g}.{p}.on_demand"
            e = self._d.entries.get(key)
            if key in self._overrides or (e is not None and e.value is not None):
                out.append(p)
        return tuple(out)

    def throughput_figures(self, gpu: str | None = None) -> tuple[ThroughputFigure, ...]:
        """Published self-hosting throughput figures (all, or those measured on ``gpu``)."""
        if gpu is None:
            return self._d.throughput
        g = self.resolve_gpu(gpu)
        return tuple(f for f in self._d.throughput if f.gpu == g)

    # -- storage, egress ----------------------------------------------------------------------

    def storage_tiers(self, provider: str) -> tuple[str, ...]:
        """Storage tiers the catalog lists for a provider (priced or known gaps)."""
        return tuple(self._d.storage.get(self.resolve_provider(provider), {}))

    def _storage_tier(self, p: str, tier: str) -> str:
        t = self._resolve_in(self._d.storage_alias.get(p, {}), tier)
        if t is None and isinstance(tier, str) and _norm(tier) in self._d.standard_tiers:
            t = _norm(tier)
        if t is None:
            raise self._unknown("storage tier", tier, self._d.storage_alias.get(p, {}), self._d.standard_tiers,
                                hint=f"storage tiers of {p}")
        return t

    def storage_price(self, provider: str, tier: str) -> Price:
        """USD per GB-month stored (tiered by volume where the provider is); key ``storage.<provider>.<tier>``."""
        p = self.resolve_provider(provider)
        t = self._storage_tier(p, tier)
        return self._lookup(f"storage.{p}.{t}", _UNIT["storage"], f"{p} {t} storage price")

    def gb_bytes(self, provider: str) -> Price:
        """Bytes in the GB a provider bills storage, transfer and log volumes in (2^30 where the provider counts
        binary gigabytes); key ``gb_bytes.<provider>`` (storage.yaml ``billing_units``)."""
        p = self.resolve_provider(provider)
        return self._lookup(f"gb_bytes.{p}", _UNIT["gb_bytes"], f"{p} billing unit")

    def egress_kinds(self, provider: str) -> tuple[str, ...]:
        """Transfer kinds the catalog lists for a provider (priced or known gaps)."""
        return tuple(self._d.egress.get(self.resolve_provider(provider), {}))

    def _egress_kind(self, p: str, kind: str) -> str:
        value = getattr(kind, "value", kind)
        k = self._resolve_in(self._d.egress_alias.get(p, {}), value)
        if k is None and isinstance(value, str) and _norm(value) in self._d.standard_kinds:
            k = _norm(value)
        if k is None:
            raise self._unknown("egress kind", value, self._d.egress_alias.get(p, {}), self._d.standard_kinds,
                                hint=f"transfer kinds of {p}")
        return k

    def egress_price(self, provider: str, kind: str) -> Price:
        """USD per GB transferred (tiered by monthly volume where the provider is); key ``egress.<provider>.<kind>``."""
        p = self.resolve_provider(provider)
        k = self._egress_kind(p, kind)
        return self._lookup(f"egress.{p}.{k}", _UNIT["egress"], f"{p} {k} transfer price")

    # -- platforms, annotation, MLOps ------------------------------------------------------------

    def platform_names(self) -> tuple[str, ...]:
        return tuple(self._d.platforms)

    def _platform(self, name: str) -> str:
        n = self._resolve_in(self._d.platform_alias, name)
        if n is None:
            raise self._unknown("platform", name, self._d.platform_alias)
        return n

    def platform_markup(self, name: str) -> Price:
        """Markup of a managed platform as a fraction over the underlying compute; key ``platform.<name>``."""
        n = self._platform(name)
        return self._lookup(f"platform.{n}", _UNIT["platform"], f"markup of {n}")

    def annotation_tasks(self) -> tuple[str, ...]:
        return tuple(self._d.tasks)

    def _task(self, task: str) -> str:
        t = self._resolve_in(self._d.task_alias, task)
        if t is None:
            raise self._unknown("annotation task", task, self._d.task_alias)
        return t

    def annotation_price(self, task: str) -> Price:
        """Default USD per item per worker (one pass) for a labelling task; key ``annotation.<task>``."""
        t = self._task(task)
        key = f"annotation.{t}"
        return self._lookup(key, self._d.entries[key].unit, f"{t} annotation rate")

    def annotation_fee(self, service: str) -> Price:
        """A labelling service's fee per labeled object on top of worker pay; key ``annotation.fee.<service>_service``
        (MissingPriceError naming the key while the catalog records it as a gap)."""
        key = f"annotation.fee.{_norm(service)}_service"
        return self._lookup(key, self._d.entries[key].unit if key in self._d.entries else "USD per object",
                            f"{service} fee per object")

    def mlops_kinds(self, provider: str) -> tuple[str, ...]:
        """MLOps kinds priced (or known gaps) for a provider, then the provider-independent ones."""
        p = ANY_PROVIDER if _norm(provider) == ANY_PROVIDER else self.resolve_provider(provider)
        return tuple(dict.fromkeys((*self._d.mlops.get(p, {}), *self._d.mlops.get(ANY_PROVIDER, {}))))

    def _mlops_kind(self, kind: str) -> str:
        k = self._resolve_in(self._d.mlops_alias, kind)
        if k is None:
            raise self._unknown("mlops kind", kind, self._d.mlops_alias)
        return k

    def mlops_price(self, provider: str, kind: str) -> Price:
        """USD per unit of an MLOps kind (the unit says which, e.g. "USD per cluster-month"); key
        ``mlops.<provider>.<kind>``, falling back to ``mlops.any.<kind>``."""
        p = ANY_PROVIDER if _norm(provider) == ANY_PROVIDER else self.resolve_provider(provider)
        k = self._mlops_kind(kind)
        unit = self._d.mlops_unit[k]
        key = f"mlops.{p}.{k}"
        if key not in self._overrides and key not in self._d.entries:
            fallback = f"mlops.{ANY_PROVIDER}.{k}"
            if fallback in self._overrides or fallback in self._d.entries:
                return self._lookup(fallback, unit, f"{k} rate")
            priced = [q for q, kinds in self._d.mlops.items() if k in kinds]
            raise MissingPriceError(key, f"no {p} {k} rate was collected (the catalog has it for "
                                         f"{', '.join(priced)})", unit, known_gap=False)
        return self._lookup(key, unit, f"{p} {k} rate")

    # -- levers and generic lookups ---------------------------------------------------------------

    def lever(self, key: str) -> Price:
        """A levers.yaml figure by key: ``lever.quantization.fp8_throughput`` (the ``lever.`` prefix may be
        left out), ``lever.mfu.<name>``, ``lever.throughput.<id>``, ``reserved_discount.<provider>``."""
        known = [k for k, e in self._d.entries.items() if e.section == "levers"]
        lower = {k.lower(): k for k in known}
        text = str(key).strip().lower()
        found = lower.get(text) or lower.get(f"lever.{text}")
        if found is None:
            raise UnknownNameError("lever", str(key), known)
        e = self._d.entries[found]
        return self._lookup(found, e.unit, e.description)

    def price(self, key: str) -> Price:
        """Any catalog figure by its override key (aliases allowed), overrides applied."""
        k, unit = self._canonical_key(key)
        parts = k.split(".")
        if parts[0] == "gpu":
            if parts[2] == "peak_tflops":
                return self.gpu_peak(parts[1])
            if len(parts) == 5:  # one instance size: gpu.<GPU>.<provider>.<pricing>.<N>gpu
                lineup = self._d.gpu_lineups.get((parts[1], parts[2]))
                base = lineup.base_size(parts[3]) if lineup else None
                return self._size_price(parts[1], parts[2], parts[3], int(parts[4][:-3]), base)
            return self.gpu_price(*parts[1:4])
        if parts[0] == "mlops":
            return self.mlops_price(parts[1], parts[2])
        e = self._d.entries.get(k)
        return self._lookup(k, unit, e.description if e else k)

    def entries(self, section: str | None = None, provider: str | None = None) -> list[CatalogEntry]:
        """Every figure (and known gap), overrides applied and marked, in catalog order.

        Includes derived reserved GPU prices where the provider has a discount, and overrides of
        figures the catalog lacks. ``provider`` keeps that provider's rows (and the ``any`` MLOps rows).
        """
        if section is not None and section not in SECTIONS:
            raise UnknownNameError("catalog section", str(section), SECTIONS)
        want = None
        if provider is not None:
            want = ANY_PROVIDER if _norm(provider) == ANY_PROVIDER else self.resolve_provider(provider)
        rows: list[CatalogEntry] = []
        listed: set[str] = set()
        last_gpu_row: dict[str, int] = {}
        for e in self._d.entries.values():
            listed.add(e.key)
            rows.append(self._effective(e))
            if e.section == "gpus" and e.provider:
                last_gpu_row[f"{e.item}.{e.provider}"] = len(rows)
        # derived reserved rows, right after the GPU's rows at that provider
        inserts: list[tuple[int, CatalogEntry]] = []
        for gp, at in last_gpu_row.items():
            g, p = gp.split(".", 1)
            if "reserved" not in self._d.providers[p].pricing:
                continue
            try:
                price = self.gpu_price(g, p, "reserved")
            except CatalogError:
                continue
            key = f"gpu.{g}.{p}.reserved"
            listed.add(key)
            desc = f"{self._d.gpus[g].name} on {self._d.providers[p].name}, reserved (derived)"
            inserts.append((at, CatalogEntry(key, "gpus", p, g, desc, price.value, price.unit, price.tiers,
                                             price.source, "")))
        for at, row in sorted(inserts, key=lambda x: x[0], reverse=True):
            rows.insert(at, row)
        for key in self._overrides:
            if key in listed or key.startswith("api."):
                continue
            rows.append(self._override_row(key))
        return [r for r in rows
                if (section is None or r.section == section)
                and (want is None or r.provider == want or (r.provider == ANY_PROVIDER and want != ANY_PROVIDER))]

    # -- internals -----------------------------------------------------------------------------

    def _override_source(self, key: str, base: CatalogEntry | None) -> PriceSource:
        if base is None:
            note = "not in the catalog (the reference has no figure for it)"
        elif base.value is None:
            note = f"fills a known gap of the catalog: {base.gap}"
        else:
            note = (f"replaces the catalog's {base.value:g} {base.unit} ({base.source.confidence}, "
                    f"{base.source.as_of}; {base.source.source})")
        return PriceSource(key, "plan override", "plan", None, "override", note, True)

    def _lookup(self, key: str, unit: str, what: str) -> Price:
        hit = self._prices.get(key)
        if hit is not None:
            return hit
        price = self._lookup_uncached(key, unit, what)
        self._prices[key] = price
        return price

    def _lookup_uncached(self, key: str, unit: str, what: str) -> Price:
        e = self._d.entries.get(key)
        if key in self._overrides:
            return Price(float(self._overrides[key]), e.unit if e else unit, self._override_source(key, e))
        if e is None:
            raise MissingPriceError(key, f"no {what} was collected", unit, known_gap=False)
        if e.value is None:
            raise MissingPriceError(key, e.gap, e.unit or unit, known_gap=True)
        return Price(e.value, e.unit, e.source, e.tiers)

    def _effective(self, e: CatalogEntry) -> CatalogEntry:
        if e.key not in self._overrides:
            return e
        value = float(self._overrides[e.key])
        return replace(e, value=value, tiers=(), source=self._override_source(e.key, e), gap="")

    def _override_row(self, key: str) -> CatalogEntry:
        parts = key.split(".")
        section = {"gpu": "gpus", "storage": "storage", "egress": "egress", "platform": "platforms",
                   "annotation": "annotation", "mlops": "mlops"}.get(parts[0], "levers")
        provider, item = "", parts[-1]
        if parts[0] == "gpu":
            item = parts[1]
            provider = parts[2] if len(parts) in (4, 5) else ""
        elif parts[0] in ("storage", "egress", "mlops"):
            provider = parts[1]
        elif parts[0] == "reserved_discount":
            provider, item = parts[1], key
        _, unit = self._canonical_key(key)
        return CatalogEntry(key, section, provider, item, f"{key} (set by the plan)", float(self._overrides[key]),
                            unit, (), self._override_source(key, None), "")

    def _override_value(self, raw_key: Any, key: str, unit: str, raw: Any) -> float:
        try:
            if isinstance(raw, str) and raw.strip().endswith("%"):
                value = parse_share(raw, maximum=math.inf)
            else:
                value = parse_number(raw)
        except QuantityError as exc:
            raise CatalogError(Problem(exc.problems[0].message, f"prices.{raw_key}")) from None
        if key.startswith("reserved_discount.") and value >= 1:
            raise CatalogError(Problem(f"found {raw!r}, expected a discount below 1 (100%)", f"prices.{raw_key}"))
        if key.endswith(".peak_tflops") and value <= 0:
            raise CatalogError(Problem(f"found {raw!r}, expected a peak above 0 TFLOP/s", f"prices.{raw_key}"))
        return value

    def _canonical_key(self, raw_key: Any) -> tuple[str, str]:
        """(canonical key, unit) of an override key; UnknownNameError listing close keys otherwise."""
        d = self._d
        key = str(raw_key).strip()
        e = d.entries.get(key)
        if e is not None:
            return key, e.unit
        lowered = {k.lower(): k for k in d.entries}
        if key.lower() in lowered:
            k = lowered[key.lower()]
            return k, d.entries[k].unit
        resolved, hint = self._parse_key(key)
        if resolved is not None:
            return resolved
        raise RankedUnknownNameError("price key", key, closest(self._probe(key), d.known_keys()), hint=hint)

    def _probe(self, key: str) -> str:
        """``key`` with the parts that resolve replaced by their canonical names (to rank suggestions)."""
        parts = key.split(".")
        head = parts[0].lower()
        resolvers = {"gpu": (None, self.resolve_gpu, self.resolve_provider, self._pricing),
                     "storage": (None, self.resolve_provider), "egress": (None, self.resolve_provider),
                     "mlops": (None, self.resolve_provider), "reserved_discount": (None, self.resolve_provider)}
        out = [head if head in resolvers else parts[0]]
        for i, part in enumerate(parts[1:], start=1):
            fn = resolvers.get(head, ())[i] if i < len(resolvers.get(head, ())) else None
            try:
                out.append(fn(part) if fn else part)
            except UnknownNameError:
                out.append(part)
        return ".".join(out)

    def _parse_key(self, key: str) -> tuple[tuple[str, str] | None, str]:
        d = self._d
        head, _, rest = key.partition(".")
        head = head.lower()
        try:
            if head == "gpu":
                gpu_part, _, tail = rest.partition(".")
                g = self.resolve_gpu(gpu_part)
                tail_parts = tail.split(".")
                if len(tail_parts) == 1 and tail_parts[0].lower() == "peak_tflops":
                    return (f"gpu.{g}.peak_tflops", d.gpus[g].peak_unit), ""
                if len(tail_parts) in (2, 3):
                    p = self.resolve_provider(tail_parts[0])
                    how = self._pricing(tail_parts[1])
                    if how not in d.providers[p].pricing:
                        return None, f"{p} sells only {', '.join(d.providers[p].pricing)}"
                    if len(tail_parts) == 2:
                        return (f"gpu.{g}.{p}.{how}", _UNIT["gpu"]), ""
                    size = tail_parts[2].lower()
                    if size.endswith("gpu") and size[:-3].isdigit() and 1 <= int(size[:-3]) <= 72:
                        return (f"gpu.{g}.{p}.{how}.{int(size[:-3])}gpu", _UNIT["gpu"]), ""
                    return None, ("an instance size is written <N>gpu, e.g. gpu.L40S.aws.on_demand.4gpu "
                                  "(USD per GPU-hour on its 4-GPU instance)")
                return None, ("GPU keys are gpu.<GPU>.<provider>.<pricing>, gpu.<GPU>.<provider>.<pricing>.<N>gpu "
                              "(one instance size) or gpu.<GPU>.peak_tflops")
            parts = rest.split(".")
            if head in ("storage", "egress") and len(parts) == 2:
                p = self.resolve_provider(parts[0])
                if head == "storage":
                    return (f"storage.{p}.{self._storage_tier(p, parts[1])}", _UNIT["storage"]), ""
                return (f"egress.{p}.{self._egress_kind(p, parts[1])}", _UNIT["egress"]), ""
            if head == "platform" and len(parts) == 1:
                return (f"platform.{self._platform(parts[0])}", _UNIT["platform"]), ""
            if head == "annotation" and len(parts) == 1:
                t = self._task(parts[0])
                return (f"annotation.{t}", d.entries[f"annotation.{t}"].unit), ""
            if head == "mlops" and len(parts) == 2:
                p = ANY_PROVIDER if _norm(parts[0]) == ANY_PROVIDER else self.resolve_provider(parts[0])
                k = self._mlops_kind(parts[1])
                return (f"mlops.{p}.{k}", d.mlops_unit[k]), ""
            if head == "reserved_discount" and len(parts) == 1:
                return (f"reserved_discount.{self.resolve_provider(parts[0])}", _UNIT["reserved_discount"]), ""
        except UnknownNameError as exc:
            return None, str(exc.problems[0].message)
        return None, ""
