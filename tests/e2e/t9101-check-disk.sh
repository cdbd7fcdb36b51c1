#!/usr/bin/env bash
# t9101-check-disk.sh - `pot check disk` with the static probe on the sandbox's 4 hosts:
#  - the probe is a static binary (no program interpreter, `file` says statically linked), and
#    SIGTERM makes it remove its test file before it dies;
#  - one run on all hosts with loose limits in the inventory, and node4's disk_iops set
#    impossibly high: node1..3 pass every check, node4 fails disk.randread_iops and
#    disk.randwrite_iops with the value, the limit and the hint; exit 2; the JSON has the numbers
#    and a verdict per stable ID; leftovers of a killed run (test files under their names) are
#    removed, and nothing is left on any host (no probe binary, no test file);
#  - a warn limit out of reach: WARN, exit 1; an unreachable host: disk.probe fails, exit 4;
#  - a 1 MiB tmpfs as --path: disk.probe fails with "No space left on device" and its hint, exit 2;
#  - bad --size, check_disk_size, check_net_time and a threshold that is not a number: exit 5.
# Needs: tests/sandbox/sandbox.sh up (docker mode: the tmpfs is mounted on node1) and
# POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox
if [ "$SANDBOX_MODE" != docker ]; then
    echo "# $TEST_NAME: skipped: the sandbox is in $SANDBOX_MODE mode (its hosts are this machine)"
    test_done
fi

PROBE=$(dirname "$POT")/pot-probe
export PROBE
TINY=/mnt/pot-t9101
on_all() { pot exec -i "$SANDBOX_INVENTORY" all -- "$1"; }
on_node1() { pot exec -i "$SANDBOX_INVENTORY" node1 -- "$1"; }
cleanup() {
    on_node1 "umount $TINY 2>/dev/null; rmdir $TINY 2>/dev/null; rm -f /root/pot-probe.wal /root/pot-probe.data; true" >/dev/null 2>&1
}
trap cleanup EXIT

# the sandbox inventory with limits every host meets, and node4's disk_iops out of reach
INV=$T/hosts
{
    cat "$SANDBOX_INVENTORY"
    printf '\n[all:vars]\ncheck_disk_fdatasync_p99_ms=100000\ncheck_disk_fdatasync_p999_warn_ms=100000\n'
    printf 'disk_iops=1\ncheck_disk_iops_warn=1\n'
    printf '\n[masters]\nnode4 disk_iops=1000000000\n'
} >"$INV"

expect_success 'the probe is one static binary with no program interpreter' '
    test -x "$PROBE"
    file "$PROBE" >file.out
    assert_contains file.out "statically linked"
    readelf -l "$PROBE" >readelf.out
    assert_not_contains readelf.out "INTERP"
    assert_not_contains readelf.out "Requesting program interpreter"
'

expect_success 'a probe stopped by SIGTERM removes its test file (here, on this machine)' '
    mkdir killed
    "$PROBE" disk "$T/killed" --size 67108864 >killed.out &
    pid=$!
    for _ in $(seq 50); do [ -e killed/pot-probe.wal ] && break; sleep 0.1; done
    test -e killed/pot-probe.wal
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    assert_eq 143 "$rc"
    assert_eq "" "$(ls -A killed)"
'

expect_success 'a killed run left test files behind on node1 (planted)' '
    on_node1 "head -c 4096 /dev/zero >/root/pot-probe.wal && head -c 4096 /dev/zero >/root/pot-probe.data"
'

expect_success 'all 4 hosts measured in parallel: node1..3 pass, node4 fails its IOPS limit, exit 2' '
    assert_exit 2 pot check disk -i "$INV" --path /root --size 32M --json >check.json
    assert_eq 4 "$(jq ".hosts | length" check.json)"
    assert_eq fail "$(jq -r .verdict check.json)"
    for h in node1 node2 node3; do
        assert_eq pass "$(jq -r ".hosts[] | select(.host == \"$h\") | .verdict" check.json)" "$h"
    done
    assert_eq "disk.fdatasync_p99 disk.fdatasync_p999 disk.randread_iops disk.randwrite_iops" \
        "$(jq -r "[.hosts[] | select(.host == \"node1\") | .checks[].id] | join(\" \")" check.json)"
    n4() { jq -r ".hosts[] | select(.host == \"node4\") | $1" check.json; }
    assert_eq fail "$(n4 .verdict)"
    assert_eq fail "$(n4 ".checks[] | select(.id == \"disk.randwrite_iops\") | .verdict")"
    assert_eq 1000000000 "$(n4 ".checks[] | select(.id == \"disk.randwrite_iops\") | .threshold")"
    assert_eq ">=" "$(n4 ".checks[] | select(.id == \"disk.randwrite_iops\") | .pass_if")"
    n4 ".checks[] | select(.id == \"disk.randwrite_iops\") | .hint" >hint.out
    assert_contains hint.out "provisioned IOPS"
    assert_eq pass "$(n4 ".checks[] | select(.id == \"disk.fdatasync_p99\") | .verdict")"
    # the numbers are real measurements: 10029 fdatasyncs of 2300 bytes, positive IOPS and MiB/s
    assert_eq "10029 10029 10029 10029" "$(jq -r "[.hosts[].probe.fdatasync.count] | join(\" \")" check.json)"
    assert_eq true "$(jq "[.hosts[].probe | .randread_iops > 0 and .randwrite_iops > 0 and .seq_write_mibps > 0 and .seq_read_mibps > 0 and .fdatasync.p50_us > 0 and .fdatasync.p99_us >= .fdatasync.p50_us and .fdatasync.p999_us >= .fdatasync.p99_us and .direct] | all" check.json)"
'

expect_success 'nothing is left on any host: no probe binary, no test file (planted ones removed)' '
    on_all "ls -a /tmp /root | grep pot-probe || echo clean" >left.out
    assert_eq 4 "$(grep -c "^clean$" left.out)"
'

expect_success 'the text output: the numbers, then a line per check with its verdict and hint' '
    assert_exit 2 pot check disk -i "$INV" node4 --path /root --size 8M >check.txt
    assert_contains check.txt "node4 | disk /root: fdatasync p50 "
    assert_contains check.txt "node4 | PASS disk.fdatasync_p99"
    assert_contains check.txt "node4 | FAIL disk.randwrite_iops"
    assert_contains check.txt "(pass: >= 1000000000 IOPS) -> the disk is slow at random writes"
'

expect_success 'a warn limit out of reach on node3 (fail limits met): WARN lines, exit 1' '
    sed "s/^node3 .*/& check_disk_iops_warn=1000000000/" "$INV" >warn-hosts
    assert_exit 1 pot check disk -i warn-hosts node3 --path /root --size 8M >warn.txt
    assert_contains warn.txt "node3 | WARN disk.randwrite_iops"
    assert_contains warn.txt "(pass: >= 1000000000 IOPS) -> the disk is slow at random writes"
    assert_not_contains warn.txt "FAIL"
'

expect_success 'an unreachable host: disk.probe fails with the reason, exit 4' '
    { cat "$INV"; printf "\n[ghosts]\nghost ansible_host=127.0.0.1 ansible_port=1\n"; } >ghost-hosts
    assert_exit 4 pot check disk -i ghost-hosts ghost --json >ghost.json
    assert_eq true "$(jq ".hosts[0].unreachable" ghost.json)"
    assert_eq disk.probe "$(jq -r ".hosts[0].checks[0].id" ghost.json)"
    assert_eq fail "$(jq -r ".hosts[0].checks[0].verdict" ghost.json)"
    jq -r ".hosts[0].checks[0].detail" ghost.json >ghost.detail
    assert_contains ghost.detail "ghost"
'

expect_success 'a full disk (a 1 MiB tmpfs as --path) fails disk.probe with its hint, exit 2' '
    on_node1 "mkdir -p '"$TINY"' && mount -t tmpfs -o size=1m tmpfs '"$TINY"'"
    assert_exit 2 pot check disk -i "$INV" node1 --path '"$TINY"' >tiny.txt
    assert_contains tiny.txt "node1 | FAIL disk.probe"
    assert_contains tiny.txt "No space left on device"
    assert_contains tiny.txt "-> the test could not run: make room on the directory"
    on_node1 "ls -a '"$TINY"' /tmp | grep pot-probe || echo clean" >tiny-left.out
    assert_contains tiny-left.out clean
'

expect_success 'bad input: --size, check_disk_size, check_net_time and a threshold that are not numbers exit 5' '
    assert_exit 5 pot check disk -i "$INV" --size 12X
    assert_exit 5 pot check disk -i "$INV" --size -1M
    assert_exit 5 pot check -i "$INV"
    sed "s/^node4 disk_iops=.*/node4 disk_iops=fast/" "$INV" >bad
    assert_exit 5 pot check disk -i bad node4 --path /root --size 1M 2>bad.err
    assert_contains bad.err "host variable '"'"'disk_iops'"'"' is not a number"
    { cat "$INV"; printf "\n[all:vars]\ncheck_disk_size=12X\n"; } >bad-size
    assert_exit 5 pot check disk -i bad-size 2>size.err
    assert_contains size.err "check_disk_size '"'"'12X'"'"': expected a positive number with K, M or G"
    { cat "$INV"; printf "\n[all:vars]\ncheck_net_time=soon\n"; } >bad-time
    assert_exit 5 pot check net -i bad-time 2>time.err
    assert_contains time.err "pot check: --time (or check_net_time) takes 1 to 3600 seconds"
'

test_done
