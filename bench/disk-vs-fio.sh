#!/usr/bin/env bash
# disk-vs-fio.sh - issue #16's benchmark: pot's static host probe (installer/probe/, the binary
# `pot check disk` copies to hosts) beside Debian's fio 3.33 running the equivalent job on the
# same directory of the same disk, in one run; writes its section of bench/RESULTS.md.
#
#   bench/disk-vs-fio.sh [DIR]     (default /var/tmp/pot-bench-disk, created and removed)
#
# Each round runs the probe once (it measures everything) and the five fio jobs below, probe
# first in odd rounds and fio first in even ones so that drift of the disk does not favour one
# side; the table shows the median of $POT_BENCH_RUNS rounds (default 3) and probe/fio ratios.
# The fio jobs (SIZE is the probe's --size, $POT_BENCH_SIZE, default 256M; F is DIR/fio-bench.data):
#   etcd:      fio --name=etcd --directory=DIR --rw=write --ioengine=sync --fdatasync=1
#                  --size=22m --bs=2300                     (etcd's documented recipe)
#   seqwrite:  fio --name=seqwrite --filename=F --rw=write --bs=1M --size=SIZE --direct=1
#                  --ioengine=psync --end_fsync=1
#   seqread:   fio --name=seqread --filename=F --rw=read --bs=1M --size=SIZE --direct=1
#                  --ioengine=psync
#   randread:  fio --name=randread --filename=F --rw=randread --bs=4k --size=SIZE --direct=1
#                  --ioengine=psync --numjobs=32 --thread --group_reporting --time_based
#                  --runtime=5
#   randwrite: the same with --rw=randwrite
# The probe's side: `pot-probe disk DIR --size SIZE` (queue depth 32 = 32 threads with one
# pread/pwrite in flight each, 5 s per random test, 1 MiB sequential blocks, 2300-byte appends
# with fdatasync after each over 22 MiB). Both print JSON; fio's with --output-format=json.
# Environment: POT_PROBE (default build-probe/pot-probe), POT_BENCH_RUNS, POT_BENCH_SIZE.
# Needs: fio, jq, python3.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$TOP/bench/RESULTS.md
PROBE=$(realpath -m "${POT_PROBE:-$TOP/build-probe/pot-probe}")
RUNS=${POT_BENCH_RUNS:-3}
SIZE=${POT_BENCH_SIZE:-256M}
DIR=$(realpath -m "${1:-/var/tmp/pot-bench-disk}")
OUT=$(mktemp -d /tmp/pot-bench-disk.XXXXXX)

die() {
    echo "disk-vs-fio: $*" >&2
    exit 1
}
log() { echo "disk-vs-fio: $*" >&2; }

cleanup() {
    rm -rf "$OUT"
    rm -f "$DIR/fio-bench.data" "$DIR"/etcd.0.0 "$DIR"/pot-probe.data "$DIR"/pot-probe.wal
    rmdir "$DIR" 2>/dev/null || true
}

size_bytes() { numfmt --from=iec "$1"; }

fio_job() {
    local name=$1
    shift
    fio --output-format=json --name="$name" "$@" >"$OUT/fio-$name.json"
}

# run_fio ROUND: the five jobs; one line of TSV per measure to $OUT/fio.tsv.
run_fio() {
    local r=$1 f=$DIR/fio-bench.data common
    common=(--filename="$f" --size="$SIZE" --direct=1 --ioengine=psync)
    fio_job etcd --directory="$DIR" --rw=write --ioengine=sync --fdatasync=1 --size=22m --bs=2300
    rm -f "$DIR"/etcd.0.0
    fio_job seqwrite "${common[@]}" --rw=write --bs=1M --end_fsync=1
    fio_job seqread "${common[@]}" --rw=read --bs=1M
    fio_job randread "${common[@]}" --rw=randread --bs=4k --numjobs=32 --thread --group_reporting \
        --time_based --runtime=5
    fio_job randwrite "${common[@]}" --rw=randwrite --bs=4k --numjobs=32 --thread \
        --group_reporting --time_based --runtime=5
    rm -f "$f"
    {
        jq -r --arg r "$r" '.jobs[0].sync.lat_ns.percentile | "\($r)\tfdatasync_p50_us\t\(.["50.000000"] / 1000)\n\($r)\tfdatasync_p99_us\t\(.["99.000000"] / 1000)\n\($r)\tfdatasync_p999_us\t\(.["99.900000"] / 1000)"' "$OUT/fio-etcd.json"
        jq -r --arg r "$r" '"\($r)\tseq_write_mibps\t\(.jobs[0].write.bw_bytes / 1048576)"' "$OUT/fio-seqwrite.json"
        jq -r --arg r "$r" '"\($r)\tseq_read_mibps\t\(.jobs[0].read.bw_bytes / 1048576)"' "$OUT/fio-seqread.json"
        jq -r --arg r "$r" '"\($r)\trandread_iops\t\(.jobs[0].read.iops)"' "$OUT/fio-randread.json"
        jq -r --arg r "$r" '"\($r)\trandwrite_iops\t\(.jobs[0].write.iops)"' "$OUT/fio-randwrite.json"
    } >>"$OUT/fio.tsv"
}

run_probe() {
    local r=$1
    "$PROBE" disk "$DIR" --size "$(size_bytes "$SIZE")" >"$OUT/probe-$r.json"
    jq -r --arg r "$r" '
        "\($r)\tfdatasync_p50_us\t\(.fdatasync.p50_us)",
        "\($r)\tfdatasync_p99_us\t\(.fdatasync.p99_us)",
        "\($r)\tfdatasync_p999_us\t\(.fdatasync.p999_us)",
        "\($r)\tseq_write_mibps\t\(.seq_write_mibps)",
        "\($r)\tseq_read_mibps\t\(.seq_read_mibps)",
        "\($r)\trandread_iops\t\(.randread_iops)",
        "\($r)\trandwrite_iops\t\(.randwrite_iops)"' "$OUT/probe-$r.json" >>"$OUT/probe.tsv"
}

# section FILE: the markdown section, medians and ratios, from the two TSVs.
section() {
    /usr/bin/python3 - "$OUT/probe.tsv" "$OUT/fio.tsv" "$1" "$RUNS" "$SIZE" "$DIR" \
        "$(fio --version)" "$(df -T "$DIR" | awk 'NR == 2 {print $1 " (" $2 ")"}')" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
probe_tsv, fio_tsv, out, runs, size, d, fio_version, fs, load = sys.argv[1:]
def read(path):
    vals = {}
    for line in open(path):
        r, key, v = line.rstrip("\n").split("\t")
        vals.setdefault(key, []).append(float(v))
    return vals
p, f = read(probe_tsv), read(fio_tsv)
rows = [("fdatasync p50 (2300 B appends)", "fdatasync_p50_us", "µs"),
        ("fdatasync p99", "fdatasync_p99_us", "µs"),
        ("fdatasync p99.9", "fdatasync_p999_us", "µs"),
        ("sequential write, 1 MiB, O_DIRECT", "seq_write_mibps", "MiB/s"),
        ("sequential read, 1 MiB, O_DIRECT", "seq_read_mibps", "MiB/s"),
        ("4 KiB random read, QD 32, O_DIRECT", "randread_iops", "IOPS"),
        ("4 KiB random write, QD 32, O_DIRECT", "randwrite_iops", "IOPS")]
with open(out, "w") as o:
    o.write("<!-- disk-vs-fio:begin -->\n")
    o.write("## Disk probe (issue #16): pot-probe vs fio 3.33 on the same directory\n\n")
    o.write(f"`bench/disk-vs-fio.sh`: {fio_version}, directory {d} on {fs}, test file {size}, "
            f"median of {runs} rounds (each round: the probe once, then the five fio jobs, "
            f"order swapped every round), load average at the end {load}. Ratio = probe / fio.\n\n")
    o.write("| measure | unit | pot-probe | fio | ratio | runs (probe / fio) |\n|---|---|---:|---:|---:|---|\n")
    outside = []
    for name, key, unit in rows:
        pm, fm = statistics.median(p[key]), statistics.median(f[key])
        ratio = pm / fm if fm else float("nan")
        flag = "" if 0.85 <= ratio <= 1.15 else " **(outside 0.85-1.15)**"
        if flag:
            outside.append(name)
        fmt = lambda v: f"{v:.0f}" if v >= 100 else f"{v:.2f}"
        o.write(f"| {name} | {unit} | {fmt(pm)} | {fmt(fm)} | {ratio:.2f}{flag} | "
                f"{' '.join(fmt(v) for v in p[key])} / {' '.join(fmt(v) for v in f[key])} |\n")
    o.write("\n")
    if outside:
        o.write("Outside 0.85-1.15 in this run: " + "; ".join(outside) + " (see the notes below).\n\n")
    o.write("<!-- disk-vs-fio:notes -->\n")
    o.write("<!-- disk-vs-fio:end -->\n")
PY
}

# put_section FILE: replace this benchmark's section of bench/RESULTS.md (re-read right now).
put_section() {
    /usr/bin/python3 "$TOP/bench/put-section.py" disk-vs-fio "$1" "$RESULTS"
}

main() {
    [ -x "$PROBE" ] || die "no probe at $PROBE (build the target host-probe)"
    command -v fio >/dev/null || die "fio is not installed (scripts/deps.sh)"
    mkdir -p "$DIR"
    trap cleanup EXIT
    : >"$OUT/probe.tsv"
    : >"$OUT/fio.tsv"
    for r in $(seq 1 "$RUNS"); do
        log "round $r/$RUNS"
        if [ $((r % 2)) -eq 1 ]; then
            run_probe "$r"
            run_fio "$r"
        else
            run_fio "$r"
            run_probe "$r"
        fi
    done
    section "$OUT/section.md"
    cat "$OUT/section.md"
    put_section "$OUT/section.md"
}

main "$@"
