#!/usr/bin/env bash
# kill-points.sh - the crash-safety record of issue #15: tests/e2e/t8007-kill-points.sh with 100
# kill -9 moments (POT_KILL_POINTS, default 100) through a whole sandbox install; writes how many
# resumed cleanly with nothing done twice, and the seed, to its section of bench/RESULTS.md.
# CI runs the same test with 5 points.
#   POT_SANDBOX_ENV=<env> bench/kill-points.sh [POT]     (default: build/pot)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
POT=${1:-$TOP/build/pot}
POINTS=${POT_KILL_POINTS:-100}
RESULTS=$TOP/bench/RESULTS.md
log=$(mktemp)
section=$(mktemp)
trap 'rm -f "$log" "$section"' EXIT

[ -n "${POT_SANDBOX_ENV:-}" ] || { echo "kill-points.sh: set POT_SANDBOX_ENV (sandbox.sh env)" >&2; exit 5; }
start=$(date +%s)
POT=$POT POT_KILL_POINTS=$POINTS bash "$TOP/tests/e2e/t8007-kill-points.sh" >"$log" 2>&1 || true
secs=$(($(date +%s) - start))
seed=$(sed -n 's/^# kill points: [0-9]*, seed \([0-9]*\).*/\1/p' "$log")
passed=$(grep -c '^ok [0-9]* - kill -9' "$log" || true)
failed=$(grep '^not ok [0-9]* - kill -9' "$log" | sed 's/^not ok [0-9]* - //' || true)

{
    echo "<!-- kill-points:begin (written by bench/kill-points.sh; do not edit by hand) -->"
    echo "## Crash safety (issue #15): kill -9 at $POINTS moments of a whole install"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/kill-points.sh\` ($secs s), pot" \
        "$(git -C "$TOP" rev-parse --short HEAD)$([ -z "$(git -C "$TOP" status --porcelain -- installer)" ] || echo " + uncommitted changes"), seed $seed (\`POT_KILL_SEED=$seed\` replays it)."
    echo "Each point: a fresh install killed with kill -9 (pot's whole process group) at a moment"
    echo "spread over an uninterrupted run's length, then a plain rerun; it passes when the rerun"
    echo "completes, each business release has one helm revision, each tke-installer step succeeded"
    echo "once, there is one installer container, and a further rerun skips every stage."
    echo
    echo "**$passed of $POINTS** kill points resumed cleanly with nothing done twice."
    if [ -n "$failed" ]; then
        echo
        echo "Failed:"
        printf '%s\n' "$failed" | sed 's/^/- /'
    fi
    echo "<!-- kill-points:end -->"
} >"$section"

python3 - "$RESULTS" "$section" <<'PY'
import os, re, sys
path, section = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
pat = re.compile(r"<!-- kill-points:begin.*?<!-- kill-points:end -->\n?", re.S)
text = pat.sub(lambda m: section, text, count=1) if pat.search(text) else text.rstrip("\n") + "\n\n" + section
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PY
cat "$section"
