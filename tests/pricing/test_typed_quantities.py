"""Numbers typed with units and arithmetic, and ranges, read by the one parser the plan file and the editors share."""
import pytest

from pricing import fields
from pricing.errors import PlanError, QuantityError
from pricing.fields import units as U
from pricing.fields.ranges import is_range, range_text, read_range
from pricing.load import loads_checked
from pricing.quantities import Quantity, parse_quantity


@pytest.mark.parametrize("text, expected", [
    ("100 GB", Quantity(100.0, "GB")),
    ("$2.5/h", Quantity(2.5, "$/h")),
    ("2.5 EUR/h", Quantity(2.5, "EUR/h")),
    ("2*0.3*160", Quantity(96.0, "", arithmetic=True)),      # 2 x 0.3 = 0.6; 0.6 x 160 = 96
    ("(10+5)%", Quantity(0.15, "", percent=True, arithmetic=True)),  # 15% = 0.15
    ("100/2 GB", Quantity(50.0, "GB", arithmetic=True)),
    ("1.2M requests/month", Quantity(1.2e6, "requests/month", suffixes="M")),
    ("7B parameters", Quantity(7e9, "parameters", suffixes="B")),
    ("-$5", Quantity(-5.0, "$")),
    ("1.6x", Quantity(1.6, "x")),
])
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("bad, needle", [("2*", "expected a number"), ("1/0", "division by zero"),
                                         ("(2+3", "not closed"), ("2 ** 3", "expected a number"),
                                         ("__import__('os')", "expected a number"), ("5% GB", "takes no unit")])
def test_bad_expressions_are_refused_saying_why(bad, needle):
    with pytest.raises(QuantityError, match=needle.replace("(", r"\(")):
        parse_quantity(bad)


@pytest.mark.parametrize("value, text, unit, expected", [
    (100, "GB", U.TERABYTES, 0.1),                 # 100 x 10^9 B / 10^12 B = 0.1 TB
    (100, "GB/month", U.TB_PER_MONTH, 0.1),
    (100, "GB", U.TB_PER_MONTH, 0.1),              # the field's own "per month" when left out
    (1, "TiB", U.TERABYTES, 1.099511627776),       # 2^40 / 10^12
    (2, "PB", U.TERABYTES, 2000.0),
    (60, "$/month", U.MONEY_PER_HOUR, 60 / 730),   # a month is 730 h
    (3, "weeks", U.DAYS, 21.0),
    (1500, "tokens/s", U.TOKENS_PER_SECOND_PER_GPU, 1500.0),
    (8, "GPUs", U.GPUS, 8.0),
])
def test_in_unit(value, text, unit, expected):
    assert U.in_unit(value, text, unit, currency="USD") == pytest.approx(expected, rel=1e-12)


def test_in_unit_refuses_what_does_not_convert():
    with pytest.raises(ValueError, match="does not convert to TB"):
        U.in_unit(100, "h", U.TERABYTES)
    with pytest.raises(ValueError, match="this plan is in EUR"):
        U.in_unit(2.5, "$/h", U.MONEY_PER_HOUR, currency="EUR")
    with pytest.raises(ValueError, match="unknown unit 'parsecs'"):
        U.in_unit(1, "parsecs", U.TERABYTES)
    with pytest.raises(ValueError, match="takes no unit"):
        U.in_unit(1, "GB", None)


def test_fields_read_units_and_arithmetic():
    size = fields.field("data.storage", "size_tb")
    assert size.read("100 GB") == pytest.approx(0.1)
    assert size.read("2 PB") == 2000.0
    assert fields.field("compute.training", "hours").read("2*0.3*160") == pytest.approx(96.0)
    assert fields.field("compute.training", "hours").read("3 days") == 72.0
    assert fields.field("people", "hourly_rate").read("$2.5/h", currency="USD") == 2.5
    assert fields.field("compute.training", "gpus").read("8 GPUs") == 8


@pytest.mark.parametrize("key_path, text, needle", [
    ("data.storage.size_tb", "100 G", "write the data size with its unit"),  # the half-typed "100 GB"
    ("data.storage.size_tb", "100 h", "h does not convert to TB"),
    ("compute.training.gpus", "2.5*3", "2.5*3 (= 7.5), expected a whole number"),
    ("data.storage.size_tb", "1e7", "at most 1M"),
])
def test_fields_refuse_typed_values_saying_why(key_path, text, needle):
    section, key = key_path.rsplit(".", 1)
    with pytest.raises(PlanError) as exc:
        fields.field(section, key).read(text)
    assert needle in str(exc.value)


def test_money_in_another_currency_is_refused():
    with pytest.raises(PlanError, match="this plan is in EUR"):
        fields.field("people", "hourly_rate").read("$2.5/h", currency="EUR")


@pytest.mark.parametrize("text, low, likely, high, spread", [
    ("1.2M ± 30%", 840_000, 1.2e6, 1.56e6, 0.3),     # 1.2M x 0.7 and x 1.3
    ("500k +/- 30%", 350_000, 500_000, 650_000, 0.3),
    ("1M..2M", 1e6, 1.5e6, 2e6, None),               # likely halfway
    ("1M..1.2M..2M", 1e6, 1.2e6, 2e6, None),
    ("500 GB..2 TB", 0.5, 1.25, 2.0, None),          # units in each bound: TB
])
def test_ranges_typed(text, low, likely, high, spread):
    spec = fields.field("data.storage", "size_tb") if "B" in text and "TB" in text or "GB" in text else \
        fields.field("compute.inference", "requests_per_month")
    assert is_range(text)
    rng = read_range(text, spec.read, spec.share)
    assert (rng.low, rng.likely, rng.high, rng.spread) == pytest.approx((low, likely, high, spread)) \
        if spread is not None else (rng.low, rng.likely, rng.high) == pytest.approx((low, likely, high))
    # shown back, it reads to the same range
    again = read_range(range_text(rng, lambda v: repr(float(v))), spec.read, spec.share)
    assert again == rng


def test_range_text_forms():
    from pricing.plan import Range
    num = lambda v: f"{v:g}"  # noqa: E731
    assert range_text(Range(0.7, 1.0, 1.3, 0.3), num) == "1 ± 30%"
    assert range_text(Range(1.0, 1.5, 2.0), num) == "1..2"
    assert range_text(Range(1.0, 1.2, 2.0), num) == "1..1.2..2"


@pytest.mark.parametrize("bad", ["1M..", "..2M", "1M...2M", "2M..1M", "1M..2M..3M..4M", "1M ±"])
def test_bad_ranges(bad):
    spec = fields.field("compute.inference", "requests_per_month")
    with pytest.raises(PlanError):
        read_range(bad, spec.read, spec.share)


def test_a_plan_file_takes_the_same_forms():
    from pricing.catalog import Catalog
    base_catalog = Catalog.load()
    plan = loads_checked("""
name: typed
months: 12
data:
  storage:
    - {name: Lake, size_tb: 500 GB..2 TB, growth_tb_per_month: 100 GB}
compute:
  inference:
    - {name: Chat, gpu: L4, requests_per_month: 1M..2M, input_tokens: 800, output_tokens: 250,
       tokens_per_second_per_gpu: 1500}
""", catalog=base_catalog)
    lake = plan.data.storage[0]
    assert lake.size_tb == 1.25 and lake.growth_tb_per_month == pytest.approx(0.1)
    assert dict(lake.ranges)["size_tb"].low == 0.5
    assert dict(plan.compute.inference[0].ranges)["requests_per_month"].likely == 1.5e6
