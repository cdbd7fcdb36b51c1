#!/usr/bin/env bash
# net-vs-iperf3.sh - issue #16's network benchmark: `pot check net` (the static probe pot copies
# to hosts) beside Debian's iperf3 3.12 on the same pair of sandbox hosts, in one run; writes its
# section of bench/RESULTS.md.
#
#   bench/net-vs-iperf3.sh          (needs the sandbox up in docker mode: POT_SANDBOX_ENV)
#
# The pair is node1 -> node2 (their own network namespaces on the sandbox bridge). Each round
# runs, probe first in odd rounds and iperf3 first in even ones:
#   pot:     pot check net -i INV node1:node2 --time T --streams 4 --json, the node1 -> node2
#            pair: one stream and 4 streams for T seconds each, counted by the receiver;
#   iperf3:  iperf3 -s -1 in node2's namespace and, in node1's, iperf3 -c NODE2 -t T -J;
#            "sum_received" (the receiver's count, as pot's). For 4 streams: 4 such pairs of
#            processes on 4 ports at once, their receivers summed (ESnet's advice for iperf3
#            before 3.16, which runs all of -P's streams in one thread; pot's probe gives each
#            stream a thread); and, for the record, iperf3 -P 4 as well.
# The host image does not carry iperf3: this machine's (Debian 12, as the hosts) is copied to both
# hosts with its two libraries and run there with docker exec, in the hosts' namespaces and
# cgroups as the probe is (run from this machine's cgroup, it would get a different share of
# the CPUs than the hosts' processes), and removed at the end.
# Environment: POT (default build-rel/pot), POT_BENCH_RUNS (default 5), POT_BENCH_TIME (5).
# Needs: iperf3, jq, bc, python3.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$TOP/bench/RESULTS.md
POT=$(realpath -m "${POT:-$TOP/build-rel/pot}")
RUNS=${POT_BENCH_RUNS:-5}
TIME_S=${POT_BENCH_TIME:-5}
PORT=5291 # iperf3's servers: 5291..5294, beside pot's 5201
OUT=$(mktemp -d /tmp/pot-bench-net.XXXXXX)

die() {
    echo "net-vs-iperf3: $*" >&2
    exit 1
}
log() { echo "net-vs-iperf3: $*" >&2; }

IPERF_DIR=/tmp/pot-bench-iperf3 # on the hosts

dk() { docker -H "$SANDBOX_DOCKER_HOST" "$@"; }

cleanup() {
    for h in pot-host1 pot-host2; do
        dk exec "$h" sh -c "for f in $IPERF_DIR/*.pid; do [ -f \"\$f\" ] && kill \$(cat \"\$f\") 2>/dev/null; done; rm -rf $IPERF_DIR" 2>/dev/null || true
    done
    rm -rf "$OUT"
}

# install_iperf3 CONTAINER: this machine's iperf3 and the libraries the host image lacks.
install_iperf3() {
    dk exec "$1" mkdir -p "$IPERF_DIR"
    for f in /usr/bin/iperf3 "$(readlink -f /lib/x86_64-linux-gnu/libiperf.so.0)" \
        "$(readlink -f /lib/x86_64-linux-gnu/libsctp.so.1)"; do
        dk cp "$f" "$1:$IPERF_DIR/"
    done
    dk exec "$1" sh -c "cd $IPERF_DIR && ln -sf libiperf.so.0.* libiperf.so.0 && ln -sf libsctp.so.1.* libsctp.so.1"
}

# on HOST ARGS...: iperf3 ARGS on sandbox host HOST (pot-hostN).
on() {
    local h=$1
    shift
    dk exec "$h" env LD_LIBRARY_PATH="$IPERF_DIR" "$IPERF_DIR/iperf3" "$@"
}

run_pot() {
    local r=$1
    "$POT" check net -i "$SANDBOX_INVENTORY" node1:node2 --time "$TIME_S" --streams 4 --json \
        >"$OUT/pot-$r.json" || die "pot check net failed (round $r): $(head -c 2000 "$OUT/pot-$r.json")"
    jq -r --arg r "$r" '.pairs[] | select(.from == "node1" and .to == "node2") | .probe |
        "\($r)\tsingle_mbps\t\(.single.mbps)", "\($r)\tparallel_mbps\t\(.parallel.mbps)"' \
        "$OUT/pot-$r.json" >>"$OUT/pot.tsv"
}

# start_servers N: N one-shot iperf3 servers on node2, on PORT..PORT+N-1, their pids in files.
start_servers() {
    for i in $(seq 0 $(($1 - 1))); do
        dk exec -d pot-host2 sh -c "echo \$\$ >$IPERF_DIR/s$i.pid; LD_LIBRARY_PATH=$IPERF_DIR exec $IPERF_DIR/iperf3 -s -1 -p $((PORT + i))"
    done
    for i in $(seq 0 $(($1 - 1))); do
        for _ in $(seq 50); do
            dk exec pot-host2 ss -ltn "sport = :$((PORT + i))" | grep -q LISTEN && break
            sleep 0.1
        done
    done
}

# wait_servers: until every one-shot server has exited after its test.
wait_servers() {
    for _ in $(seq 100); do
        dk exec pot-host2 sh -c "for f in $IPERF_DIR/*.pid; do [ -f \"\$f\" ] && kill -0 \$(cat \"\$f\") 2>/dev/null && exit 1; done; rm -f $IPERF_DIR/*.pid; exit 0" && return 0
        sleep 0.1
    done
    die "an iperf3 server on node2 did not exit after its test"
}

# client PORT OUT [ARGS...]: one iperf3 client node1 -> node2.
client() {
    local port=$1 out=$2
    shift 2
    on pot-host1 -c "$NODE2" -p "$port" -t "$TIME_S" -J "$@" >"$out"
}

received() { jq '.end.sum_received.bits_per_second / 1e6' "$@" | paste -sd+ | bc -l; }

run_iperf3() {
    local r=$1 pids=()
    start_servers 1
    client "$PORT" "$OUT/single-$r.json"
    wait_servers
    printf '%s\tsingle_mbps\t%s\n' "$r" "$(received "$OUT/single-$r.json")" >>"$OUT/iperf3.tsv"

    start_servers 4
    for i in 0 1 2 3; do
        client $((PORT + i)) "$OUT/multi-$r-$i.json" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid"
    done
    wait_servers
    printf '%s\tparallel_mbps\t%s\n' "$r" "$(received "$OUT"/multi-"$r"-*.json)" >>"$OUT/iperf3.tsv"

    start_servers 1
    client "$PORT" "$OUT/p4-$r.json" -P 4
    wait_servers
    printf '%s\tone_thread_p4_mbps\t%s\n' "$r" "$(received "$OUT/p4-$r.json")" >>"$OUT/iperf3.tsv"
}

# section FILE: the markdown section, medians and ratios, from the two TSVs.
section() {
    /usr/bin/python3 - "$OUT/pot.tsv" "$OUT/iperf3.tsv" "$1" "$RUNS" "$TIME_S" \
        "$(iperf3 --version | head -1)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
pot_tsv, iperf_tsv, out, runs, time_s, version, cpus, load = sys.argv[1:]
def read(path):
    vals = {}
    for line in open(path):
        r, key, v = line.rstrip("\n").split("\t")
        vals.setdefault(key, []).append(float(v))
    return vals
p, f = read(pot_tsv), read(iperf_tsv)
rows = [("TCP throughput, 1 stream", "single_mbps"),
        ("TCP throughput, 4 streams (iperf3: 4 processes)", "parallel_mbps")]
with open(out, "w") as o:
    o.write("<!-- net-vs-iperf3:begin -->\n")
    o.write("## Network probe (issue #16): pot check net vs iperf3 on the same pair of hosts\n\n")
    o.write(f"`bench/net-vs-iperf3.sh`: {version}; sandbox hosts node1 -> node2 (containers "
            f"on one bridge of this {cpus}-CPU machine, both tools run inside them), {time_s} s per test, median of "
            f"{runs} rounds (order swapped every round), load average at the end {load}. "
            f"Both count what the receiver read. Ratio = pot / iperf3.\n\n")
    o.write("| measure | unit | pot | iperf3 | ratio | runs (pot / iperf3) |\n"
            "|---|---|---:|---:|---:|---|\n")
    outside = []
    for name, key in rows:
        pm, fm = statistics.median(p[key]), statistics.median(f[key])
        ratio = pm / fm if fm else float("nan")
        flag = "" if 0.85 <= ratio <= 1.15 else " **(outside 0.85-1.15)**"
        if flag:
            outside.append(name)
        o.write(f"| {name} | Mbit/s | {pm:.0f} | {fm:.0f} | {ratio:.2f}{flag} | "
                f"{' '.join(f'{v:.0f}' for v in p[key])} / {' '.join(f'{v:.0f}' for v in f[key])} |\n")
    one = statistics.median(f["one_thread_p4_mbps"])
    o.write(f"\nFor the record, in the same rounds: `iperf3 -P 4` (3.12 runs the 4 streams in one "
            f"thread) {one:.0f} Mbit/s, pot's 4 streams / that = "
            f"{statistics.median(p['parallel_mbps']) / one:.2f}; runs "
            f"{' '.join(f'{v:.0f}' for v in f['one_thread_p4_mbps'])}.\n\n")
    if outside:
        o.write("Outside 0.85-1.15 in this run: " + "; ".join(outside) + " (see the notes below).\n\n")
    o.write("<!-- net-vs-iperf3:notes -->\n")
    o.write("<!-- net-vs-iperf3:end -->\n")
PY
}

# put_section FILE: replace this benchmark's section of bench/RESULTS.md (re-read right now).
put_section() {
    /usr/bin/python3 "$TOP/bench/put-section.py" net-vs-iperf3 "$1" "$RESULTS"
}

main() {
    [ -n "${POT_SANDBOX_ENV:-}" ] || die "POT_SANDBOX_ENV is not set (tests/sandbox/sandbox.sh up)"
    # shellcheck disable=SC1090
    . "$POT_SANDBOX_ENV"
    [ "$SANDBOX_MODE" = docker ] || die "the sandbox must be in docker mode (hosts with their own network)"
    [ -x "$POT" ] || die "no pot at $POT"
    command -v iperf3 >/dev/null || die "iperf3 is not installed (scripts/deps.sh)"
    trap cleanup EXIT
    install_iperf3 pot-host1
    install_iperf3 pot-host2
    NODE2=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f2)
    : >"$OUT/pot.tsv"
    : >"$OUT/iperf3.tsv"
    for r in $(seq 1 "$RUNS"); do
        log "round $r/$RUNS"
        if [ $((r % 2)) -eq 1 ]; then
            run_pot "$r"
            run_iperf3 "$r"
        else
            run_iperf3 "$r"
            run_pot "$r"
        fi
    done
    section "$OUT/section.md"
    cat "$OUT/section.md"
    put_section "$OUT/section.md"
}

main "$@"
