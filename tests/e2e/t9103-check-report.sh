#!/usr/bin/env bash
# t9103-check-report.sh - the host-check report: `pot check host`, `pot check disk` and
# `pot check net` with --report DIR on the sandbox's 4 hosts (node4's limits out of reach), then
# the page opened in Debian's headless Chromium:
#  - DIR holds check-host.json, check-disk.json and check-net.json (the documents --json prints)
#    and report.html, rebuilt from all three by whichever ran last;
#  - the page as Chromium parsed it (its DOM): a column per host and a row per check in the
#    verdict table, node4's failures among the problems with their hints, both disk charts and
#    both network maps;
#  - Chromium logs no console message for the page, and does log one for a copy of it that
#    loads an image from elsewhere (its Content-Security-Policy blocks the load): the page needs
#    nothing from the network and the console check can fail;
#  - a screenshot of the page is taken: build/test-artifacts/check-report.png.
# Needs: tests/sandbox/sandbox.sh up (docker mode), POT_SANDBOX_ENV, and chromium.
. "$(dirname "$0")/lib.sh"
require_sandbox
if [ "$SANDBOX_MODE" != docker ]; then
    echo "# $TEST_NAME: skipped: the sandbox is in $SANDBOX_MODE mode (its hosts share one address space)"
    test_done
fi
ARTIFACTS=${POT_TEST_ARTIFACTS:-$(dirname "$POT")/test-artifacts}
mkdir -p "$ARTIFACTS"

# chromium_run OUT ERR ARGS...: headless Chromium as the workplace runs it (no sandbox as root,
# nothing in the background reaching for the network), console messages logged to ERR.
chromium_run() {
    local out=$1 err=$2
    shift 2
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/chromium-profile" --enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
}

INV=$T/hosts
{
    cat "$SANDBOX_INVENTORY"
    printf '\n[all:vars]\ncheck_disk_fdatasync_p99_ms=100000\ncheck_disk_fdatasync_p999_warn_ms=100000\n'
    printf 'disk_iops=1\ncheck_disk_iops_warn=1\ncheck_net_mbps=1\ncheck_net_mbps_warn=1\n'
    printf 'check_net_rtt_p99_ms=1000\ncheck_net_rtt_p99_warn_ms=1000\n'
    printf 'check_net_retransmit_pct=100\ncheck_net_retransmit_pct_warn=100\n'
    printf 'check_ex_net=false\ncheck_path=/root\n'
    printf '\n[masters]\nnode4 disk_iops=1000000000 check_net_mbps=10000000\n'
} >"$INV"

expect_success 'check host, disk and net with --report: three JSON documents and one page' '
    pot check host -i "$INV" --report "$T/reports" --json >host.json || true
    assert_eq host "$(jq -r .check host.json)"
    assert_exit 2 pot check disk -i "$INV" --path /root --size 8M --report "$T/reports" --json >disk.json 2>disk.err
    assert_contains disk.err "report: $T/reports/report.html"
    assert_exit 2 pot check net -i "$INV" --time 1 --report "$T/reports" >net.txt
    assert_eq "check-disk.json check-host.json check-net.json report.html" "$(ls "$T/reports" | tr "\n" " " | sed "s/ $//")"
    assert_eq "$(jq -S . host.json)" "$(jq -S . "$T/reports/check-host.json")"
    assert_eq "$(jq -S . disk.json)" "$(jq -S . "$T/reports/check-disk.json")"
    assert_eq net "$(jq -r .check "$T/reports/check-net.json")"
    assert_eq 12 "$(jq ".pairs | length" "$T/reports/check-net.json")"
    assert_eq 644 "$(stat -c %a "$T/reports/report.html")"
'

expect_success 'the page as Chromium parsed it: hosts, checks, problems with hints, charts and maps' '
    chromium_run dom.html dom.err --dump-dom "file://$T/reports/report.html"
    assert_contains dom.html "<h1>Host checks</h1>"
    assert_contains dom.html "<tr><th>check</th><th>node1</th><th>node2</th><th>node3</th><th>node4</th></tr>"
    for c in host.os host.kernel_modules host.machine_id_unique disk.fdatasync_p99 disk.randwrite_iops; do
        assert_contains dom.html "<tr><th>$c</th>"
    done
    assert_contains dom.html "<tr><th>net.throughput*</th>"
    assert_contains dom.html "<td>node4</td><td><span class=\"v fail\">fail</span></td><td>disk.randwrite_iops</td>"
    assert_contains dom.html "the disk is slow at random writes"
    assert_contains dom.html "<td>node4 → node1</td><td><span class=\"v fail\">fail</span></td><td>net.throughput</td>"
    assert_contains dom.html "Disk: 4 KiB random IOPS"
    assert_contains dom.html "Disk: fdatasync latency"
    assert_contains dom.html "Network: TCP throughput, one stream"
    assert_contains dom.html "Network: round trip p99"
    # as many problems as outcomes that did not pass in the two documents
    n=$(jq -s "[.[0].hosts[].checks[], .[1].hosts[].checks[], .[2].pairs[].checks[] | select(.verdict != \"pass\")] | length" \
        "$T/reports/check-host.json" "$T/reports/check-disk.json" "$T/reports/check-net.json")
    test "$n" -ge 8
    assert_contains dom.html "<h2>Checks that did not pass ($n)</h2>"
'

expect_success 'no console message for the page; one for a copy loading an image from elsewhere' '
    chromium_run dom.html console.err --dump-dom "file://$T/reports/report.html"
    assert_not_contains console.err "CONSOLE"
    sed "s|<h1>|<img src=\"http://127.0.0.1:9/x.png\"><h1>|" "$T/reports/report.html" >"$T/calibration.html"
    chromium_run calibration.dom calibration.err --dump-dom "file://$T/calibration.html"
    assert_contains calibration.err "CONSOLE"
    assert_contains calibration.err "Content Security Policy"
'

expect_success 'a screenshot of the page: build/test-artifacts/check-report.png' '
    rm -f "$ARTIFACTS/check-report.png"
    chromium_run shot.out shot.err --window-size=1200,2300 --screenshot="$ARTIFACTS/check-report.png" \
        "file://$T/reports/report.html"
    assert_eq "89504e47" "$(head -c 4 "$ARTIFACTS/check-report.png" | od -An -tx1 | tr -d " \n")"
    test "$(stat -c %s "$ARTIFACTS/check-report.png")" -gt 50000
    echo "# screenshot: $ARTIFACTS/check-report.png"
'

test_done
