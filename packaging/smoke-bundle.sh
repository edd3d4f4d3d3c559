#!/usr/bin/env bash
# Smoke-test a built bundle as a user's machine would run it: no Python, no network, no caches.
#
#   packaging/smoke-bundle.sh [BUNDLE_DIR]        (default dist/aicost; `make bundle-smoke`)
#
# Each command runs with a minimal environment (PATH=/usr/bin:/bin, a fresh HOME and TMPDIR, no
# PYTHON* variables) and, where `unshare -n` works (root, or user namespaces), inside a network
# namespace with no interfaces: anything that tried to download would fail. Checks: the window
# (`smoke-test` on every example plan, offscreen), `report` (text, --csv, --json, --pdf),
# `validate`, `tokens` (exact counts for o200k_base and cl100k_base models), `catalog` (prices
# and genai-prices' data), `actuals` (a tiny hand-made FOCUS file through DuckDB, its store
# beside the plan, then the window's Actuals tab reading that store), `focus`, and the desktop
# files shipped with the bundle.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bundle=$(cd "${1:-$root/dist/aicost}" 2>/dev/null && pwd) || { echo "no bundle at ${1:-dist/aicost}: run 'make bundle' first" >&2; exit 1; }
exe=$bundle/aicost
[ -x "$exe" ] || { echo "no executable $exe: run 'make bundle' first" >&2; exit 1; }
examples=$bundle/_internal/resources/examples
work=$(mktemp -d "${TMPDIR:-/tmp}/aicost-bundle-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/tmp"

offline=() network="network NOT isolated (unshare -n is not allowed here)"
if unshare -n true 2>/dev/null; then offline=(unshare -n) network="network namespace without interfaces"; fi

passed=0 failed=0
# run NAME CMD...: run the bundle's command in the clean, offline environment; output in $work/NAME.out
run() {
  local name=$1; shift
  local start end status=0
  start=$(date +%s%N)
  (cd "$work" && "${offline[@]}" env -i PATH=/usr/bin:/bin HOME="$work/home" TMPDIR="$work/tmp" \
      LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@") >"$work/$name.out" 2>"$work/$name.err" || status=$?
  end=$(date +%s%N)
  if [ "$status" -eq 0 ]; then
    printf '  ok    %-34s %6d ms\n' "$name" $(( (end - start) / 1000000 ))
    return 0
  fi
  echo "  exit status $status of: $*"
  sed 's/^/        /' "$work/$name.err" | tail -n 30
  return 1
}
check() {  # check NAME CONDITION-COMMAND...: count a pass or a failure
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "  FAIL  $name"; fi
}

echo "bundle smoke test of $bundle ($network)"
check "--help" run help "$exe" --help
check "help lists report" grep -q "report" "$work/help.out"

for plan in "$examples"/*.yaml; do
  name=$(basename "$plan" .yaml)
  check "smoke-test $name" run "smoke-$name" "$exe" smoke-test "$plan"
  check "smoke-test $name says ok" grep -q "^smoke test ok" "$work/smoke-$name.out"
done
check "smoke-test (default plan)" run smoke-default "$exe" smoke-test

plan=$examples/support-assistant.yaml
check "validate" run validate "$exe" validate "$examples"/*.yaml
check "report" run report "$exe" report "$plan"
check "report shows a total" grep -qi "total" "$work/report.out"
check "report --csv" run report-csv "$exe" report "$plan" --csv "$work/costs.csv"
check "CSV has rows" test "$(wc -l < "$work/costs.csv")" -gt 5
check "report --json" run report-json "$exe" report "$plan" --json
check "JSON is an object" grep -q '^{' "$work/report-json.out"
check "report --pdf" run report-pdf "$exe" report "$plan" --pdf "$work/report.pdf"
check "PDF starts with %PDF" grep -q "^%PDF" "$work/report.pdf"
check "tokens" run tokens "$exe" tokens "$examples/prompts/support-answer.txt" --model gpt-4o --model gpt-4 --json
check "tokens: both counts exact" test "$(grep -c '"exact": true' "$work/tokens.out")" -eq 2
check "tokens: o200k_base" grep -q '"encoding": "o200k_base"' "$work/tokens.out"
check "tokens: cl100k_base" grep -q '"encoding": "cl100k_base"' "$work/tokens.out"
check "catalog gpus" run catalog-gpus "$exe" catalog gpus --provider aws
check "catalog apis" run catalog-apis "$exe" catalog apis --search gpt-4o --limit 3
check "genai-prices data date" grep -q "price data of 20" "$work/catalog-apis.out"
# Actuals: a FOCUS export of three rows, written here (the bundle carries no test data). Effective cost:
# gpt-4o tokens 40.00 (a proposed rule maps the model to "Answers"), storage 23.00 (the plan's rule), tax
# 2.50 (no rule): imported 65.50 = mapped 63.00 + unmapped 2.50.
mkdir -p "$work/actuals"
cat > "$work/actuals/plan.yaml" <<'PLAN'
format: aicost-plan/1
name: Bundle actuals
start: 2027-01
months: 3
provider: aws
services:
  apis:
    - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 10k, input_tokens: 1000, output_tokens: 200}
data:
  storage:
    - {name: Raw, size_tb: 1}
actuals:
  rules:
    - match: {service_category: Storage}
      line: Raw
PLAN
cat > "$work/actuals/focus.csv" <<'FOCUS'
BillingCurrency,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,ServiceCategory,ServiceName,SkuId,ChargeCategory,ConsumedQuantity,ConsumedUnit,SkuPriceDetails
USD,2027-01-01T00:00:00Z,2027-02-01T00:00:00Z,40.00,40.00,AI and Machine Learning,Azure OpenAI,gpt-4o-input,Usage,16000000,Tokens,"{""ModelId"":""gpt-4o-2024-08-06""}"
USD,2027-01-01T00:00:00Z,2027-02-01T00:00:00Z,23.00,23.00,Storage,Amazon S3,s3-standard,Usage,1000,GB-Months,{}
USD,2027-02-01T00:00:00Z,2027-03-01T00:00:00Z,2.50,2.50,Other,Tax,,Tax,,,
FOCUS
check "validate (plan with actuals:)" run validate-actuals "$exe" validate "$work/actuals/plan.yaml"
check "actuals" run actuals "$exe" actuals "$work/actuals/plan.yaml" "$work/actuals/focus.csv" --json
check "actuals: imported 65.50" grep -q '"imported_total": 65.5,' "$work/actuals.out"
check "actuals: mapped 63.00" grep -q '"mapped_total": 63.0,' "$work/actuals.out"
check "actuals: unmapped 2.50" grep -q '"unmapped_total": 2.5,' "$work/actuals.out"
check "actuals: store beside the plan" test -s "$work/actuals/plan.yaml.actuals.duckdb"
check "actuals: from the store" run actuals-store "$exe" actuals "$work/actuals/plan.yaml"
check "actuals: same totals" grep -q 'Imported  \$65.50  = mapped \$63.00 + unmapped \$2.50' "$work/actuals-store.out"
check "window: Actuals tab reads the store" run smoke-actuals "$exe" smoke-test "$work/actuals/plan.yaml"
check "window: actuals figures" grep -q "actuals: imported 65.50 = mapped 63.00 + unmapped 2.50" \
  "$work/smoke-actuals.out"
check "focus" run focus "$exe" focus "$work/actuals/plan.yaml" "$work/actuals/forecast.csv"
check "focus: forecast rows" test "$(grep -c ',Forecast,' "$work/actuals/forecast.csv")" -eq 6
check "desktop file shipped" test -f "$bundle/packaging/aicost.desktop"
check "install script shipped" test -x "$bundle/install-linux.sh"

echo "bundle-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
