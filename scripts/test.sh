#!/usr/bin/env bash
# test.sh - the one command that runs every test of pot on a fresh machine:
# installs dependencies, builds the release and the sanitizer variants, runs the unit tests (and the
# template corpus) under ASan+UBSan, runs the fuzzers for a bounded time, checks the code style
# (scripts/check-style.sh), brings the sandbox up,
# runs every tests/e2e/t*.sh against build/pot, brings the sandbox down, and prints
# "N passed, N failed". Exit status is non-zero on any failure.
#
# Environment: POT_TEST_ONLY=unit|e2e to run one half; POT_FUZZ_SECONDS (default 60) for the
# template fuzzer and POT_FUZZ_SECONDS_OTHER (default 30) for each other one; POT_E2E_FILTER=glob
# to pick e2e files.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
only=${POT_TEST_ONLY:-all}

step() { printf '\n==> %s\n' "$*"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

step "dependencies"
bash scripts/deps.sh || { echo "deps.sh failed"; exit 1; }

step "build: release (build/) and sanitizers (build-asan/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build build -j"$jobs" >/dev/null || { echo "release build failed"; cmake --build build 2>&1 | tail -30; exit 1; }
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPOT_SANITIZE=ON >/dev/null &&
    cmake --build build-asan -j"$jobs" >/dev/null || { echo "sanitizer build failed"; cmake --build build-asan 2>&1 | tail -30; exit 1; }

if [ "$only" = all ] || [ "$only" = unit ]; then
    step "unit tests under ASan+UBSan (ctest)"
    ctest_log=$(mktemp)
    (cd build-asan && ctest --output-on-failure -j"$jobs" -LE sandbox) | tee "$ctest_log"
    total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$ctest_log")
    bad=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$ctest_log")
    if [ -z "$total" ]; then
        count 0 1
    else
        count $((total - bad)) "$bad"
    fi
    rm -f "$ctest_log"

    if [ -x scripts/fuzz.sh ]; then
        step "fuzzers (template ${POT_FUZZ_SECONDS:-60}s, others ${POT_FUZZ_SECONDS_OTHER:-30}s each)"
        if bash scripts/fuzz.sh; then count 1 0; else count 0 1; fi
    fi

    step "style (scripts/check-style.sh: STYLE.md's mechanical rules)"
    if bash scripts/check-style.sh; then count 1 0; else count 0 1; fi
fi

if [ "$only" = all ] || [ "$only" = e2e ]; then
    step "sandbox up"
    export POT_E2E_TALLY
    POT_E2E_TALLY=$(mktemp)
    sandbox_env=""
    if bash tests/sandbox/sandbox.sh up --hosts 4; then
        sandbox_env=$(bash tests/sandbox/sandbox.sh env)
    else
        echo "sandbox did not come up"
        count 0 1
    fi
    export POT_SANDBOX_ENV=$sandbox_env
    export POT="$top/build/pot"

    step "unit tests against the sandbox (ctest -L sandbox, ASan+UBSan)"
    # They fail by themselves when the sandbox env is missing.
    if (if [ -n "$sandbox_env" ]; then set -a && . "$sandbox_env" && set +a; fi &&
        cd build-asan && ctest --output-on-failure -L sandbox); then
        count 1 0
    else
        count 0 1
    fi

    step "e2e tests"
    for t in tests/e2e/${POT_E2E_FILTER:-t*}.sh; do
        [ -f "$t" ] || continue
        echo "--- $t"
        before=$(wc -l <"$POT_E2E_TALLY")
        bash "$t"
        rc=$?
        after=$(wc -l <"$POT_E2E_TALLY")
        if [ "$after" -eq "$before" ]; then
            echo "not ok - $t ended without a summary (exit $rc)"
            count 0 1
        fi
    done
    while read -r _ p f; do
        count "$p" "$f"
    done <"$POT_E2E_TALLY"
    rm -f "$POT_E2E_TALLY"

    step "sandbox down"
    bash tests/sandbox/sandbox.sh down || { echo "sandbox down failed"; count 0 1; }
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
