#!/usr/bin/env bash
# fuzz.sh - builds pot's libFuzzer targets with clang in build-fuzz/ (-DPOT_FUZZ=ON) and runs each
# for ${POT_FUZZ_SECONDS:-60} seconds with ASan+UBSan and leak detection, seeded from the template
# corpus. Exits non-zero on a crash, a sanitizer report, a leak or a timeout; the reproducer is
# left in build-fuzz/fuzz-artifacts/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-fuzz"
seconds=${POT_FUZZ_SECONDS:-60}
targets=(fuzz-template)

CC=clang cmake -S "$top" -B "$build" -DPOT_FUZZ=ON -DPOT_TESTS=ON -DCMAKE_BUILD_TYPE=Debug \
    >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}" >/dev/null

seeds_for() { # TARGET -> a fresh seed directory
    local dir="$build/fuzz-seeds/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$1" in
    fuzz-template)
        # each case's template section, prefixed by the options byte (trim_blocks on)
        for f in "$top"/tests/template/cases/*.case; do
            { printf '\001'; awk '/^--- /{p = ($2 == "template"); next} p' "$f"; } \
                >"$dir/$(basename "$f" .case)"
        done
        ;;
    esac
    echo "$dir"
}

mkdir -p "$build/fuzz-artifacts" "$build/fuzz-corpus"
status=0
for t in "${targets[@]}"; do
    seeds=$(seeds_for "$t")
    corpus="$build/fuzz-corpus/$t"
    mkdir -p "$corpus"
    echo "fuzz: $t for ${seconds}s"
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
        -max_len=4096 -artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 \
        "$corpus" "$seeds" >"$build/fuzz-artifacts/$t.log" 2>&1; then
        echo "fuzz: $t FAILED; see $build/fuzz-artifacts/$t.log"
        tail -40 "$build/fuzz-artifacts/$t.log"
        status=1
    else
        grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$build/fuzz-artifacts/$t.log" | tail -2
        echo "fuzz: $t ok"
    fi
done
exit $status
