"""The plan as FOCUS-shaped forecast rows: one row per line and month, so it loads beside actuals in any FOCUS tool.

Columns are FOCUS's own names (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec ``specification/columns``),
``ChargeCategory`` Usage, and custom columns prefixed ``x_`` as the specification's "Custom Columns"
feature asks (``specification/supported_features/custom_columns.md``): ``x_AicostRecordType`` is
``Forecast`` on every row, so a FOCUS tool can tell the plan from the bill. FOCUS has no forecast
dataset yet (FOCUS_Spec issue 1029 asks for one); these columns are what this export adds.

Amounts are the projection's cells rounded half-even to the cent, exactly as ``aicost report``
rounds them: the rows add up to the report's total. Cells of zero (a line before it starts) are
left out. The four cost columns carry the same figure: the plan prices at its own assumptions
(catalog list prices and the plan's overrides), so list, contracted, billed and effective agree.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from pricing.actuals.analysis import _to_cents
from pricing.actuals.units import LINE_UNIT, line_quantity

COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency", "BillingPeriodStart",
           "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass",
           "ChargeDescription", "ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "ServiceCategory",
           "ServiceName", "ServiceProviderName", "SkuId", "SkuPriceDetails", "Tags",
           "x_AicostRecordType", "x_AicostPlan", "x_AicostLineKeyPath", "x_AicostCategory", "x_AicostScenario")

_SERVICE_CATEGORY = {"compute.training": "Compute", "compute.fine_tuning": "Compute", "compute.inference": "Compute",
                     "compute.exploration": "Compute", "data.storage": "Storage", "data.egress": "Networking",
                     "services.apis": "AI and Machine Learning", "services.platform": "AI and Machine Learning",
                     "annotation": "Other", "mlops": "Management and Governance", "people": "Other"}
"""FOCUS ServiceCategory (its allowed values, specification/columns/servicecategory.md) of each plan section."""
_SERVICE_NAME = {"compute.training": "GPU training", "compute.fine_tuning": "GPU fine-tuning",
                 "compute.inference": "GPU inference", "compute.exploration": "GPU notebooks",
                 "data.storage": "Object storage", "data.egress": "Data transfer", "services.platform": "ML platform",
                 "annotation": "Data annotation", "mlops": "MLOps", "people": "Infrastructure toil"}
_FOCUS_UNIT = {"GPU-hours": "GPU-Hours", "tokens": "Tokens", "GB-months": "GB-Months", "GB": "GB"}


def focus_rows(proj: Any, scenario: str | None = None) -> list[dict]:
    """The forecast rows of a projection (dicts keyed by ``COLUMNS``)."""
    plan = proj.plan
    cells = _to_cents(proj.matrix) if len(proj.line_items) else np.zeros((0, len(proj.months)), dtype=np.int64)
    rows = []
    for li, line_cells in zip(proj.line_items, cells):
        section = li.section
        line = _line(plan, li.key_path)
        provider = getattr(line, "provider", None) or plan.provider
        unit = LINE_UNIT.get(section)
        qty = line_quantity(li.quantities, unit) if unit else None
        details: dict[str, Any] = {}
        if getattr(line, "model", None):
            details["ModelId"] = line.model
        if getattr(line, "gpu", None):
            details["x_Gpu"] = line.gpu
        service = (f"{str(provider).capitalize()} API" if section == "services.apis"
                   else _SERVICE_NAME.get(section, section))
        for k, (month, cents) in enumerate(zip(proj.months, line_cells)):
            if int(cents) == 0:
                continue
            start = f"{month.year:04d}-{month.month:02d}-01T00:00:00Z"
            nxt = month.plus(1)
            end = f"{nxt.year:04d}-{nxt.month:02d}-01T00:00:00Z"
            amount = f"{int(cents) / 100:.2f}"
            rows.append({
                "BilledCost": amount, "EffectiveCost": amount, "ListCost": amount, "ContractedCost": amount,
                "BillingCurrency": plan.currency, "BillingPeriodStart": start, "BillingPeriodEnd": end,
                "ChargePeriodStart": start, "ChargePeriodEnd": end, "ChargeCategory": "Usage", "ChargeClass": "",
                "ChargeDescription": f"{li.name} (forecast)", "ChargeFrequency": "Usage-Based",
                "ConsumedQuantity": "" if qty is None else f"{float(qty[k]):.6g}",
                "ConsumedUnit": "" if qty is None else _FOCUS_UNIT[unit],
                "ServiceCategory": _SERVICE_CATEGORY.get(section, "Other"), "ServiceName": service,
                "ServiceProviderName": str(provider), "SkuId": f"aicost:{li.key_path}",
                "SkuPriceDetails": json.dumps(details) if details else "",
                "Tags": json.dumps({"aicost-plan": plan.name, "aicost-line": li.key_path}),
                "x_AicostRecordType": "Forecast", "x_AicostPlan": plan.name, "x_AicostLineKeyPath": li.key_path,
                "x_AicostCategory": li.category.value, "x_AicostScenario": scenario or "",
            })
    return rows


def focus_csv(proj: Any, scenario: str | None = None) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(focus_rows(proj, scenario))
    return buf.getvalue()


def write_focus(proj: Any, path: str, scenario: str | None = None) -> int:
    """Write the forecast rows as CSV through the atomic writer; returns the number of rows."""
    from pricing.planfile import write_atomically
    text = focus_csv(proj, scenario)
    write_atomically(path, text)
    return text.count("\n") - 1


def _line(plan: Any, key_path: str) -> Any:
    import re
    m = re.fullmatch(r"(.+)\[(\d+)\]", key_path)
    if not m:
        return plan.services.platform if key_path == "services.platform" else None
    return plan.section(m.group(1))[int(m.group(2))]
