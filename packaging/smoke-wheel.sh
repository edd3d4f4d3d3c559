#!/usr/bin/env bash
# Build the wheel and try it as a new user would: a fresh virtual environment outside the checkout,
# commands run from another folder, offline.
#
#   packaging/smoke-wheel.sh            (`make wheel-smoke`; .ci/run)
#
# Builds the sdist and, from it, the wheel (`python -m build`, with the interpreter in $BUILD_PYTHON,
# default .venv/bin/python: `build` is a test extra), installs the wheel with its dependencies into a
# new venv under mktemp -d, then runs in another temporary folder (where the checkout is not on the
# path), with empty caches and, where `unshare -n` works, no network:
#   aicost smoke-test                  the window on the example shipped in the wheel
#   aicost report PLAN --json          an example plan copied out of the installed package; exit 0, a total
#   aicost tokens --model gpt-4o       counted exactly with o200k_base (the wheel's copy of its file)
# Everything it makes is removed at the end: running it twice does the same.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_python=${BUILD_PYTHON:-$root/.venv/bin/python}
[ -x "$build_python" ] || { echo "no $build_python: run 'make venv' first" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aicost-wheel-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$build_python" -m build --outdir "$tmp/dist" "$root" >"$tmp/build.log" 2>&1 \
  || { tail -n 40 "$tmp/build.log"; echo "wheel build FAILED" >&2; exit 1; }
wheel=$(echo "$tmp"/dist/aicost-*.whl)
[ -f "$wheel" ] || { echo "no wheel in $tmp/dist" >&2; exit 1; }
echo "built $(basename "$wheel"): $(( $(stat -c %s "$wheel") / 1024 )) KiB (sdist $(( $(stat -c %s "$tmp"/dist/aicost-*.tar.gz) / 1024 )) KiB)"

# A venv of the base interpreter (not .venv's packages), the wheel and its dependencies from the registry
"$build_python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet "$wheel" 2>&1 | grep -v "^WARNING: Location" || true
"$tmp/venv/bin/python" -m pip show --quiet aicost >/dev/null || { echo "the wheel did not install" >&2; exit 1; }
aicost=$tmp/venv/bin/aicost

offline=() network="network NOT isolated (unshare -n is not allowed here)"
if unshare -n true 2>/dev/null; then offline=(unshare -n) network="no network"; fi
work=$tmp/work
mkdir -p "$work" "$tmp/home"
# run NAME CMD...: in $work, a clean environment (no PYTHONPATH, empty HOME, tiktoken and memo caches),
# offline where possible; output in $tmp/NAME.out
run() {
  local name=$1; shift
  local status=0
  (cd "$work" && "${offline[@]}" env -i PATH=/usr/bin:/bin HOME="$tmp/home" TMPDIR="$tmp" LANG=C.UTF-8 \
      QT_QPA_PLATFORM=offscreen TIKTOKEN_CACHE_DIR="$tmp/tiktoken-cache" AICOST_CACHE_DIR="$tmp/cache" \
      "$@") >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "  FAILED ($status): $*"; tail -n 30 "$tmp/$name.err" "$tmp/$name.out"; exit 1
  fi
}

echo "installed in a fresh venv; running from $work ($network)"
run smoke "$aicost" smoke-test
echo "  ok  aicost smoke-test: $(head -n 1 "$tmp/smoke.out")"

# An example plan and its prompts/, copied out of the installed package (never from the checkout)
run where "$tmp/venv/bin/python" -c 'from pricing.resources import resource_path; print(resource_path("examples"))'
examples=$(cat "$tmp/where.out")
case "$examples" in
  "$tmp/venv/"*) ;;
  *) echo "  FAILED: the installed app reads its examples from $examples, not from the venv" >&2; exit 1 ;;
esac
cp "$examples/support-assistant.yaml" "$work/"
cp -r "$examples/prompts" "$work/"
run report "$aicost" report support-assistant.yaml --json
"$tmp/venv/bin/python" - "$tmp/report.out" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(doc.get("total"), (int, float)) and doc["total"] > 0, f"no total in the report: {list(doc)}"
print(f"  ok  aicost report support-assistant.yaml --json: total {doc['total']:,.2f} {doc['currency']}")
EOF

printf 'How much will it cost to answer this question for a thousand customers a day?\n' >"$work/question.txt"
run tokens "$aicost" tokens --model gpt-4o --json question.txt
"$tmp/venv/bin/python" - "$tmp/tokens.out" <<'EOF'
import json, sys
row = json.load(open(sys.argv[1], encoding="utf-8"))["models"][0]
assert row["exact"] and row["encoding"] == "o200k_base", f"gpt-4o counted approximately: {row['reason']}"
print(f"  ok  aicost tokens --model gpt-4o: {row['tokens']} tokens, exact ({row['encoding']})")
EOF
# The start page's templates and Help's pages are package data: read from the venv, every template loads and
# checks, the user guide is there
run starters "$tmp/venv/bin/python" -c '
import sys
from pricing.templates import from_template, templates
from gui.help_viewer import HOME, pages
from pricing.resources import docs_root
found = templates()
assert len(found) >= 5, f"{len(found)} templates in the installed package"
for t in found:
    assert str(t.path).startswith(sys.argv[1]), f"template read from {t.path}, not the venv"
    from_template(t.path)
assert str(docs_root()).startswith(sys.argv[1]) and (docs_root() / HOME).is_file(), f"no user guide in {docs_root()}"
print(f"{len(found)} templates load; {len(pages())} help pages")
' "$tmp/venv/"
echo "  ok  package data: $(cat "$tmp/starters.out")"
echo "wheel smoke test passed"
