"""A made-up FOCUS 1.2 cost export for the support-assistant example, to try the Actuals tab (and take its screenshot).

    .venv/bin/python tools/focus_sample.py OUT.csv [--until 2027-05-18]

Daily rows from 2027-01-01 up to ``--until`` (exclusive), in the shapes of the FOCUS spec's sample
data (specification/data/ of FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec): OpenAI token rows with
``SkuPriceDetails.ModelId``, AWS EC2 (g5.2xlarge, A10G), S3 storage in GB-Months on two buckets,
internet data transfer, EKS, ELB, CloudWatch Logs, CodeBuild and a tax row. The amounts are the
example plan's own figures times a made-up drift per line (answers 12% over and growing, the triage
classifier 10% under, notebooks 35% over...), with a deterministic wobble: NOT real account data.
Quantities are the cost over the list price of each SKU, so the usage variance has something to show.
"""
from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

COLUMNS = ("BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargeCategory",
           "ChargeDescription", "ChargePeriodStart", "ChargePeriodEnd", "ConsumedQuantity", "ConsumedUnit",
           "EffectiveCost", "BilledCost", "ListCost", "PricingUnit", "RegionId", "ResourceId", "ResourceName",
           "ServiceCategory", "ServiceName", "ServiceProviderName", "SkuId", "SkuMeter", "SkuPriceDetails", "Tags")

# (plan line key path, share of its cost, provider, category, service, SKU, meter, unit, price per unit,
#  SkuPriceDetails, resource, drift: actual/plan in month 1 and its change a month)
ROWS = (
    ("services.apis[0]", 0.46, "OpenAI", "AI and Machine Learning", "OpenAI API", "gpt-4o-input", "Input Tokens",
     "Tokens", 2.5e-6, {"ModelId": "gpt-4o-2024-08-06", "TokenDirection": "Input"}, "proj-support", (1.12, 0.015)),
    ("services.apis[0]", 0.09, "OpenAI", "AI and Machine Learning", "OpenAI API", "gpt-4o-cached-input",
     "Cached Input Tokens", "Tokens", 1.25e-6, {"ModelId": "gpt-4o-2024-08-06", "TokenDirection": "CachedInput"},
     "proj-support", (1.12, 0.015)),
    ("services.apis[0]", 0.45, "OpenAI", "AI and Machine Learning", "OpenAI API", "gpt-4o-output", "Output Tokens",
     "Tokens", 10e-6, {"ModelId": "gpt-4o-2024-08-06", "TokenDirection": "Output"}, "proj-support", (1.12, 0.015)),
    ("services.apis[1]", 1.0, "OpenAI", "AI and Machine Learning", "OpenAI API", "text-embedding-3-small",
     "Input Tokens", "Tokens", 0.02e-6, {"ModelId": "text-embedding-3-small"}, "proj-support", (1.0, 0.0)),
    ("services.apis[2]", 0.6, "OpenAI", "AI and Machine Learning", "OpenAI API", "gpt-4o-mini-input", "Input Tokens",
     "Tokens", 0.15e-6, {"ModelId": "gpt-4o-mini-2024-07-18", "TokenDirection": "Input"}, "proj-triage",
     (0.9, 0.0)),
    ("services.apis[2]", 0.4, "OpenAI", "AI and Machine Learning", "OpenAI API", "gpt-4o-mini-output",
     "Output Tokens", "Tokens", 0.6e-6, {"ModelId": "gpt-4o-mini-2024-07-18", "TokenDirection": "Output"},
     "proj-triage", (0.9, 0.0)),
    ("compute.exploration[0]", 1.0, "AWS", "Compute", "Amazon Elastic Compute Cloud", "g5.2xlarge-od",
     "Instance Hours", "Hours", 1.212, {"InstanceType": "g5.2xlarge", "GpuCount": 1}, "i-0notebooks",
     (1.35, 0.02)),
    ("data.storage[0]", 1.0, "AWS", "Storage", "Amazon Simple Storage Service", "S3-Standard", "Storage",
     "GB-Months", 0.023, {"StorageClass": "Standard"}, "ticket-corpus", (1.05, 0.0)),
    ("data.storage[1]", 1.0, "AWS", "Storage", "Amazon Simple Storage Service", "S3-Standard", "Storage",
     "GB-Months", 0.023, {"StorageClass": "Standard"}, "vector-index-snapshots", (1.0, 0.0)),
    ("data.egress[0]", 1.0, "AWS", "Networking", "AWS Data Transfer", "DataTransfer-Out-Internet", "Data Transfer",
     "GB", 0.09, {}, "helpdesk-egress", (0.8, 0.0)),
    ("mlops[0]", 1.0, "AWS", "Compute", "Amazon Elastic Kubernetes Service", "EKS-Cluster-Hours", "Cluster Hours",
     "Hours", 0.10, {}, "support-cluster", (1.0, 0.0)),
    ("mlops[1]", 1.0, "AWS", "Networking", "Elastic Load Balancing", "ALB-Hours", "LoadBalancer Hours", "Hours",
     0.0225, {}, "api-gateway-alb", (1.0, 0.0)),
    ("mlops[2]", 1.0, "AWS", "Management and Governance", "Amazon CloudWatch", "Logs-Ingestion", "Data Ingested",
     "GB", 0.50, {}, "app-logs", (1.25, 0.03)),
    ("mlops[3]", 1.0, "AWS", "Developer Tools", "AWS CodeBuild", "Build-Minutes", "Build Minutes", "Minutes",
     0.005, {}, "ci", (0.7, 0.0)),
)
TAGS = {"proj-support": {"team": "support", "env": "prod"}, "proj-triage": {"team": "support", "env": "prod"}}
TAX_SHARE = 0.04
"""Sales tax on the AWS rows of each month (a Tax row dated on the month's first day, like AWS's)."""


def rows(until: dt.date) -> list[list]:
    from pricing import engine, planfile
    from pricing.catalog import Catalog
    plan = planfile.load(ROOT / "resources" / "examples" / "support-assistant.yaml")
    proj = engine.project(plan, Catalog.load())
    by_path = {li.key_path: row for li, row in zip(proj.line_items, proj.matrix)}
    rnd = random.Random(18)
    out: list[list] = []
    day = dt.date(2027, 1, 1)
    aws_month = 0.0
    while day < until:
        m = day.month - 1  # plan month index (the example starts 2027-01)
        days = calendar.monthrange(day.year, day.month)[1]
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        end = start + dt.timedelta(days=1)
        period = (f"{day.year}-{day.month:02d}-01T00:00:00Z",
                  f"{day.year + (day.month == 12)}-{day.month % 12 + 1:02d}-01T00:00:00Z")
        for path, share, provider, cat, service, sku, meter, unit, price, details, res, (drift, slope) in ROWS:
            cost = float(by_path[path][m]) * share * (drift + slope * m) / days * rnd.uniform(0.9, 1.1)
            cost = round(cost, 6)
            if provider == "AWS":
                aws_month += cost
            out.append(["acct-042" if provider == "AWS" else "org-support", "USD", *period, "Usage",
                        f"{service} {meter}", start.isoformat().replace("+00:00", "Z"),
                        end.isoformat().replace("+00:00", "Z"), round(cost / price, 3), unit, f"{cost:.6f}",
                        f"{cost:.6f}", f"{cost:.6f}", unit, "us-east-1" if provider == "AWS" else "",
                        f"arn:{res}" if provider == "AWS" else res, res, cat, service, provider, sku, meter,
                        json.dumps(details) if details else "", json.dumps(TAGS.get(res, {"team": "platform"}))])
        nxt = day + dt.timedelta(days=1)
        if nxt.month != day.month or nxt >= until:  # the month's tax on what AWS billed in it
            tax = round(aws_month * TAX_SHARE, 2)
            out.append(["acct-042", "USD", *period, "Tax", "Sales tax", period[0], period[1], "", "",
                        f"{tax:.2f}", f"{tax:.2f}", "", "", "", "", "", "Tax", "Tax", "AWS", "", "", "", "{}"])
            aws_month = 0.0
        day = nxt
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="CSV file to write")
    ap.add_argument("--until", default="2027-05-18", help="first day NOT covered (default 2027-05-18)")
    args = ap.parse_args(argv)
    data = rows(dt.date.fromisoformat(args.until))
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(data)
    print(f"wrote {args.out}: {len(data):,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
