#!/usr/bin/env bash
# fuzz.sh - builds pot's libFuzzer targets with clang in build-fuzz/ (-DPOT_FUZZ=ON) and runs each
# with ASan+UBSan and leak detection, seeded from tests/fuzz/corpus/<target>/ (and, for the
# template target, the template cases): fuzz-template for ${POT_FUZZ_SECONDS:-60} seconds, every
# other target for ${POT_FUZZ_SECONDS_OTHER:-30} seconds (three minutes in all by default).
# Prints one line per target with its runs per second and result. Exits non-zero on a crash, a
# sanitizer report, a leak or a timeout; the reproducer is left in build-fuzz/fuzz-artifacts/.
# Arguments, when given, name the targets to run (default: all).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-fuzz"
seconds=${POT_FUZZ_SECONDS:-60}
seconds_other=${POT_FUZZ_SECONDS_OTHER:-30}
all=(fuzz-template fuzz-yaml fuzz-json fuzz-ini fuzz-manifest fuzz-deflate fuzz-gotpl fuzz-residue
    fuzz-pack-manifest)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

CC=clang cmake -S "$top" -B "$build" -DPOT_FUZZ=ON -DPOT_TESTS=ON -DCMAKE_BUILD_TYPE=Debug \
    >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}" >/dev/null

seeds_for() { # TARGET -> a fresh seed directory
    local dir="$build/fuzz-seeds/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ -d "$top/tests/fuzz/corpus/$1" ]; then
        cp "$top/tests/fuzz/corpus/$1"/* "$dir"/
    fi
    case "$1" in
    fuzz-template)
        # each case's template section, prefixed by the options byte (trim_blocks on)
        for f in "$top"/tests/template/cases/*.case; do
            { printf '\001'; awk '/^--- /{p = ($2 == "template"); next} p' "$f"; } \
                >"$dir/$(basename "$f" .case)"
        done
        ;;
    fuzz-gotpl)
        # each Helm conformance case's template section, prefixed by the options byte (Helm)
        for f in "$top"/tests/gotpl/cases/*.case; do
            { printf '\000'; awk '/^--- /{p = ($2 == "template"); next} p' "$f"; } \
                >"$dir/$(basename "$f" .case)"
        done
        ;;
    fuzz-yaml)
        # every playbook the differential tests use
        for f in "$top"/tests/diff/*.yml; do
            if [ -f "$f" ]; then cp "$f" "$dir/diff-$(basename "$f")"; fi
        done
        ;;
    esac
    echo "$dir"
}

mkdir -p "$build/fuzz-artifacts" "$build/fuzz-corpus"
status=0
for t in "${targets[@]}"; do
    if [ "$t" = fuzz-template ]; then secs=$seconds; else secs=$seconds_other; fi
    seeds=$(seeds_for "$t")
    corpus="$build/fuzz-corpus/$t"
    log="$build/fuzz-artifacts/$t.log"
    mkdir -p "$corpus"
    result=ok
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
        -max_len=4096 -artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 \
        "$corpus" "$seeds" >"$log" 2>&1; then
        result=FAILED
        status=1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ -z "$runs" ]; then # no final stats after a crash: take the last status line
        runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    printf 'fuzz: %-14s %3ss %10s runs %7s/s  %s\n' "$t" "$secs" "${runs:-?}" "${rate:-?}" \
        "$result"
    if [ $result = FAILED ]; then
        echo "fuzz: $t: see $log"
        tail -40 "$log"
    fi
done
exit $status
