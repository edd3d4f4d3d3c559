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
# and genai-prices' data), and the desktop files shipped with the bundle.
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
check "desktop file shipped" test -f "$bundle/packaging/aicost.desktop"
check "install script shipped" test -x "$bundle/install-linux.sh"

echo "bundle-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
