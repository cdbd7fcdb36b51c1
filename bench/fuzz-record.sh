#!/usr/bin/env bash
# fuzz-record.sh - the fuzzing record of issue #15: every libFuzzer target of scripts/fuzz.sh run
# for POT_FUZZ_RUNS executions (default 10^7) with ASan+UBSan and leak detection, one after the
# other; writes executions, time, rate and result per target to its section of
# bench/RESULTS.md. CI runs the same targets for a bounded time (scripts/fuzz.sh). A finding
# leaves its reproducer in build-fuzz/fuzz-artifacts/ and is listed.
#   bench/fuzz-record.sh [TARGET...]      (default: all of scripts/fuzz.sh's targets)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${POT_FUZZ_RUNS:-10000000}
RESULTS=$TOP/bench/RESULTS.md
build=$TOP/build-fuzz
section=$(mktemp)
rows=$(mktemp)
trap 'rm -f "$section" "$rows"' EXIT

# build the targets and learn their names from scripts/fuzz.sh (zero seconds: builds only)
mapfile -t targets < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else
    sed -n '/^all=(/,/)/p' "$TOP/scripts/fuzz.sh" | tr -d '()' | sed 's/^all=//' | tr ' ' '\n' | grep .; fi)
POT_FUZZ_SECONDS=1 POT_FUZZ_SECONDS_OTHER=1 bash "$TOP/scripts/fuzz.sh" "${targets[@]}" >/dev/null

for t in "${targets[@]}"; do
    log=$build/fuzz-artifacts/$t.record.log
    corpus=$build/fuzz-corpus/$t
    mkdir -p "$corpus"
    result=clean
    start=$(date +%s)
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/$t" -runs="$RUNS" -timeout=20 -rss_limit_mb=4096 -max_len=4096 \
        -artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 \
        "$corpus" "$build/fuzz-seeds/$t" >"$log" 2>&1; then
        result="FINDING (see $log)"
    fi
    secs=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    echo "| $t | ${runs:-?} | $secs | ${rate:-?} | $result ($(date -u +%Y-%m-%d)) |" | tee -a "$rows"
done

{
    echo "<!-- fuzz-record:begin (written by bench/fuzz-record.sh; do not edit by hand) -->"
    echo "## Fuzzing record (issue #15): $RUNS executions per target"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/fuzz-record.sh\` on $(nproc) CPUs, pot" \
        "$(git -C "$TOP" rev-parse --short HEAD); libFuzzer with ASan+UBSan and leak detection,"
    echo "seeded from tests/fuzz/corpus and the conformance cases."
    echo
    echo "| target | executions | seconds | per second | result |"
    echo "|---|---:|---:|---:|---|"
    # the rows of targets an earlier run recorded and this one did not run stay, with their date
    sed -n '/<!-- fuzz-record:begin/,/<!-- fuzz-record:end/p' "$RESULTS" | grep '^| fuzz-' |
        while IFS= read -r row; do
            t=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
            grep -q "^| $t |" "$rows" || echo "$row"
        done | cat - "$rows" | sort
    echo
    echo "Each row is from the run that measured it; a target without a row has no record yet."
    echo "<!-- fuzz-record:end -->"
} >"$section"

python3 - "$RESULTS" "$section" <<'PY'
import os, re, sys
path, section = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
pat = re.compile(r"<!-- fuzz-record:begin.*?<!-- fuzz-record:end -->\n?", re.S)
text = pat.sub(lambda m: section, text, count=1) if pat.search(text) else text.rstrip("\n") + "\n\n" + section
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PY
cat "$section"
