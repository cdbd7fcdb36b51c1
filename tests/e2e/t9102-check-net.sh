#!/usr/bin/env bash
# t9102-check-net.sh - `pot check net` with the static probe between the sandbox's 4 hosts:
#  - all 12 ordered pairs measured, in 6 phases where no host is in two pairs, with loose limits
#    in the inventory: every pair passes, the numbers are real (bytes moved both ways, one stream
#    and 4, round trips counted, p99 >= p50), exit 0;
#  - node4's check_net_mbps out of reach: the 3 pairs measured from node4 fail net.throughput
#    with the value, the limit and the hint (the measuring host's variables), the others pass,
#    exit 2; the text output shows the numbers and a line per check;
#  - a port taken on node3 (a listener started for the test on 5201, with SO_REUSEADDR as the
#    probe's own sockets leave it in TIME_WAIT): every pair measuring to
#    node3 fails net.probe naming node3, the port error and the hint; pairs from node3 pass;
#  - a host that cannot be reached: its pairs fail net.probe with the reason, exit 4;
#  - nothing is left on any host: no probe binary, no probe process;
#  - bad input (one host, --time 0, --streams 500, a check_net_port that is not a port): exit 5.
# Needs: tests/sandbox/sandbox.sh up and POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox
if [ "$SANDBOX_MODE" != docker ]; then
    echo "# $TEST_NAME: skipped: the sandbox is in $SANDBOX_MODE mode (its hosts share one address space)"
    test_done
fi

LISTENER_PID_FILE=/tmp/t9102-listener.pid
on_node() { pot exec -i "$SANDBOX_INVENTORY" "$1" -- "$2"; }
on_all() { pot exec -i "$SANDBOX_INVENTORY" all -- "$1"; }
cleanup() {
    on_node node3 "test -f $LISTENER_PID_FILE && kill \$(cat $LISTENER_PID_FILE); rm -f $LISTENER_PID_FILE; true" >/dev/null 2>&1
}
trap cleanup EXIT

# the sandbox inventory with limits every pair meets on a loaded CI machine
INV=$T/hosts
{
    cat "$SANDBOX_INVENTORY"
    printf '\n[all:vars]\ncheck_net_mbps=1\ncheck_net_mbps_warn=1\ncheck_net_rtt_p99_ms=1000\n'
    printf 'check_net_rtt_p99_warn_ms=1000\ncheck_net_retransmit_pct=100\ncheck_net_retransmit_pct_warn=100\n'
} >"$INV"

expect_success 'all 12 ordered pairs, 6 phases with no host in two pairs, every pair passes, exit 0' '
    assert_exit 0 pot check net -i "$INV" --time 1 --json >net.json
    assert_eq pass "$(jq -r .verdict net.json)"
    assert_eq "node1 node2 node3 node4" "$(jq -r ".hosts | join(\" \")" net.json)"
    assert_eq 12 "$(jq ".pairs | length" net.json)"
    assert_eq 12 "$(jq "[.pairs[] | .from + \">\" + .to] | unique | length" net.json)"
    assert_eq 0 "$(jq "[.pairs[] | select(.from == .to)] | length" net.json)"
    assert_eq "0 1 2 3 4 5" "$(jq -r "[.pairs[].phase] | unique | map(tostring) | join(\" \")" net.json)"
    # in every phase each host appears at most once
    assert_eq true "$(jq "[.pairs | group_by(.phase)[] | [.[] | .from, .to] | (length == (unique | length))] | all" net.json)"
    assert_eq true "$(jq "[.pairs[].verdict == \"pass\"] | all" net.json)"
    assert_eq "net.throughput net.throughput_parallel net.rtt_p99 net.retransmits" \
        "$(jq -r "[.pairs[0].checks[].id] | join(\" \")" net.json)"
    assert_eq true "$(jq "[.pairs[].probe | .single.bytes > 0 and .parallel.bytes > 0 and .single.mbps > 0 and .parallel.mbps > 0 and .streams == 4 and .rtt.count > 0 and .rtt.p99_us >= .rtt.p50_us and .rtt.p50_us > 0] | all" net.json)"
'

expect_success 'nothing is left on any host: no probe binary, no probe process' '
    on_all "ls /tmp | grep pot-probe; pgrep -f pot-probe-net; echo clean" >left.out
    assert_eq 4 "$(grep -c "^clean$" left.out)"
    assert_not_contains left.out "pot-probe"
'

expect_success 'node4 expects 10 Tbit/s: its 3 pairs fail net.throughput with the hint, exit 2' '
    { cat "$INV"; printf "\n[masters]\nnode4 check_net_mbps=10000000\n"; } >fast-hosts
    assert_exit 2 pot check net -i fast-hosts --time 1 >fast.txt
    assert_eq 3 "$(grep -c "^node4 -> node[123] | FAIL net.throughput " fast.txt)"
    assert_eq 3 "$(grep -c "^node4 -> node[123] | FAIL net.throughput_parallel " fast.txt)"
    assert_eq 0 "$(grep -c "^node[123] -> .* | FAIL" fast.txt)"
    assert_contains fast.txt "(pass: >= 10000000 Mbit/s) -> one TCP stream is slow between these hosts"
    assert_contains fast.txt "node1 -> node2 | net: 1 stream "
    assert_contains fast.txt "node1 -> node2 | PASS net.rtt_p99"
'

expect_success 'port 5201 taken on node3: pairs to node3 fail net.probe naming it, exit 2' '
    on_node node3 "nohup python3 -c \"import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\\\"0.0.0.0\\\", 5201)); s.listen(); time.sleep(300)\" >/dev/null 2>&1 & echo \$! >$LISTENER_PID_FILE; sleep 1"
    assert_exit 2 pot check net -i "$INV" --time 1 --json >taken.json
    assert_eq 3 "$(jq "[.pairs[] | select(.to == \"node3\" and .verdict == \"fail\" and .checks[0].id == \"net.probe\")] | length" taken.json)"
    jq -r "[.pairs[] | select(.to == \"node3\")][0].checks[0] | .detail + \" -> \" + .hint" taken.json >taken.detail
    assert_contains taken.detail "on node3: listening on * port 5201: Address in use"
    assert_contains taken.detail "open the TCP port (check_net_port"
    assert_eq 9 "$(jq "[.pairs[] | select(.to != \"node3\" and .verdict == \"pass\")] | length" taken.json)"
    cleanup
'

expect_success 'an unreachable host: its pairs fail net.probe with the reason, exit 4' '
    { cat "$INV"; printf "\n[ghosts]\nghost ansible_host=127.0.0.1 ansible_port=1\n"; } >ghost-hosts
    assert_exit 4 pot check net -i ghost-hosts "node1:ghost" --time 1 --json >ghost.json
    assert_eq 2 "$(jq ".pairs | length" ghost.json)"
    assert_eq true "$(jq "[.pairs[] | .checks[0].id == \"net.probe\" and .verdict == \"fail\"] | all" ghost.json)"
    jq -r ".pairs[0].checks[0].detail" ghost.json >ghost.detail
    assert_contains ghost.detail "ghost: "
'

expect_success 'bad input exits 5: one host, --time 0, --streams 500, check_net_port not a port' '
    assert_exit 5 pot check net -i "$INV" node1 2>one.err
    assert_contains one.err "needs at least two hosts, 1 selected"
    assert_exit 5 pot check net -i "$INV" --time 0
    assert_exit 5 pot check net -i "$INV" --streams 500
    { cat "$INV"; printf "\n[masters]\nnode2 check_net_port=99999\n"; } >port-hosts
    assert_exit 5 pot check net -i port-hosts 2>port.err
    assert_contains port.err "check_net_port 99999 is not a port"
'

test_done
