#!/usr/bin/env bash
# images-vs-peers.sh - issue #7's benchmark: `pot images push|seed` beside skopeo and
# `docker load/tag/push`, and beside the floors (disk read, sha256, gzip, the registry's own ingest),
# all in one run; writes its section of bench/RESULTS.md.
#
#   bench/images-vs-peers.sh [--clean]     (as root: it starts its own dockerd)
#
# Dataset: six docker-save tarballs (about 1.8 GB) sharing a debootstrap rootfs base layer, built
# once by bench/make-bench-images.py and cached in $POT_BENCH_IMAGES_DIR (default
# /var/tmp/pot-bench-images); --clean removes that directory at the end instead of keeping it.
# Every target is a docker-registry of its own on 127.0.0.1 (fresh storage for each EMPTY run;
# WARM runs push again into what the previous run left). skopeo runs as 'nobody' with a blob-info
# cache of its own (emptied before each EMPTY run, kept for WARM runs, like a rerun on one machine).
# The docker peer uses a private dockerd (vfs, no iptables, no bridge; fresh data root before each
# EMPTY run). Each case runs $POT_BENCH_RUNS times (default 3; the docker cases drop to 1 run when
# one run takes longer than $POT_BENCH_DOCKER_MAX_S seconds, default 240).
# Compression: pot gzips layers deterministically with its own fast deflate encoder (greedy LZ77,
# one hash probe, then the cheapest of dynamic Huffman, fixed or stored per ~60 KiB:
# installer/images/img-deflate.h) in 64 KiB segments, storing (not deflating) near-uniform
# segments such as the random layers (img-gzip.h); the 1 MiB blocks of one layer are deflated by
# up to -j (at most the cores) threads at once, with the same bytes for any -j; the gzip -1/pigz
# floors are zlib's level 1 over everything, so pot can go below them on this dataset.
# Environment: POT (default build-bench/pot), POT_BENCH_IMAGES_DIR, POT_BENCH_RUNS,
# POT_BENCH_DOCKER_MAX_S. Needs: skopeo, docker.io, docker-registry, pigz, curl, jq, time, setpriv.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$TOP/bench/images-vs-peers.sh
WORK=$(realpath -m "${POT_BENCH_IMAGES_DIR:-/var/tmp/pot-bench-images}")
POT=$(realpath -m "${POT:-$TOP/build-bench/pot}")
RUNS=${POT_BENCH_RUNS:-3}
DOCKER_MAX_S=${POT_BENCH_DOCKER_MAX_S:-240}
RESULTS=$TOP/bench/RESULTS.md
DATASET_VERSION=1
SANDBOX_CACHE=${POT_SANDBOX_CACHE:-/var/cache/pot-sandbox}
DATA=$WORK/dataset
RUN=$WORK/run
NS=bench
DOCKER=/usr/bin/docker
ID=$(printf '%s' "$WORK" | sha256sum | cut -c1-8)
EXEC_ROOT=/run/pot-bench-img-$ID
SOCK=$RUN/docker.sock
DOCKERD_PID=""
NOBODY=65534

. "$TOP/tests/fixtures/images/registry.sh"

log() { printf '[images-bench] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Dataset

# base_rootfs OUT: the sandbox's cached debootstrap rootfs tar, else a fresh minbase debootstrap.
base_rootfs() {
    local out=$1 mirror root
    if [ -f "$SANDBOX_CACHE/host-bookworm-1.tar" ]; then
        cp "$SANDBOX_CACHE/host-bookworm-1.tar" "$out"
        return
    fi
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    root=$(mktemp -d "$WORK/rootfs.XXXXXX")
    log "no cached rootfs; debootstrap --variant=minbase from $mirror"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1
    tar --numeric-owner -C "$root" -cf "$out" .
    rm -rf "$root"
}

build_dataset() {
    local stamp=$DATA/.done-v$DATASET_VERSION
    if [ -f "$stamp" ]; then
        log "dataset cached in $DATA"
        return
    fi
    log "building the dataset in $DATA (once)"
    rm -rf "$DATA" "$DATA.tmp"
    mkdir -p "$DATA.tmp"
    base_rootfs "$DATA.tmp/base.tar"
    /usr/bin/python3 "$TOP/bench/make-bench-images.py" "$DATA.tmp" "$DATA.tmp/base.tar"
    rm -f "$DATA.tmp/base.tar"
    chmod -R a+rX "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
    touch "$stamp"
}

# refs: "file name tag" per image.
refs() { jq -r --arg d "$DATA/images" '.images[] | "\($d)/\(.file) \(.name) \(.tag)"' "$DATA/dataset.json"; }

# ---------------------------------------------------------------------------------------------
# Daemons: registries (registry.sh, one dir each) and a private dockerd

REG_DIRS=()

# reg_fresh DIR: (re)start the registry of DIR on empty storage; same port as before if any.
reg_fresh() {
    local dir=$1
    reg_stop "$dir"
    rm -rf "$dir/storage"
    if [ -f "$dir/port" ]; then
        mkdir -p "$dir/storage"
        reg_restart "$dir"
    else
        mkdir -p "$dir"
        reg_start "$dir"
        REG_DIRS+=("$dir")
    fi
}

reg_port() { cat "$1/port"; }

dk() { "$DOCKER" -H "unix://$SOCK" "$@"; }

dockerd_start() {
    local i
    mkdir -p "$RUN/docker" "$EXEC_ROOT"
    rm -f "$EXEC_ROOT/dockerd.pid"
    setsid /usr/sbin/dockerd --storage-driver=vfs --iptables=false --ip-masq=false \
        --ip-forward=false --bridge=none --userland-proxy=false --log-level=warn \
        --host "unix://$SOCK" --data-root "$RUN/docker" --exec-root "$EXEC_ROOT" \
        --pidfile "$EXEC_ROOT/dockerd.pid" --containerd-namespace "pot-bench-$ID" \
        --containerd-plugins-namespace "pot-bench-$ID-plugins" \
        </dev/null >>"$RUN/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    for ((i = 0; i < 300; i++)); do
        dk version >/dev/null 2>&1 && return 0
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "$RUN/dockerd.log" >&2
    die "dockerd did not start"
}

dockerd_stop() {
    local i m
    [ -n "$DOCKERD_PID" ] || return 0
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=""
    # dockerd may leave its data root (or parts of it) mounted; deepest first.
    for m in $(findmnt -rn -o TARGET | grep -F "$RUN/docker" | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}

dockerd_fresh() {
    dockerd_stop
    rm -rf "$RUN/docker"
    dockerd_start
}

cleanup() {
    local d
    dockerd_stop
    for d in "${REG_DIRS[@]}"; do
        reg_stop "$d"
    done
    rm -rf "$EXEC_ROOT"
    if [ -d "$RUN" ]; then
        rm -rf "$RUN"
    fi
}

# ---------------------------------------------------------------------------------------------
# Timed commands (run as '$SELF --run NAME ARGS' under /usr/bin/time)

run_pot_push() { "$POT" images push -q --registry "127.0.0.1:$1" --insecure --namespace "$NS" "$2"; }

run_pot_seed() { "$POT" images seed -q --storage "$1" --namespace "$NS" "$2"; }

run_skopeo() {
    local port=$1 file name tag
    while read -r file name tag; do
        setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
            env HOME="$RUN/skopeo-home" TMPDIR="$RUN/skopeo-home/tmp" \
            skopeo copy -q --dest-tls-verify=false "docker-archive:$file" \
            "docker://127.0.0.1:$port/$NS/$name:$tag" >/dev/null
    done < <(refs)
}

run_docker() {
    local port=$1 file name tag ref
    while read -r file name tag; do
        ref=$(jq -r --arg n "$name" '.images[] | select(.name == $n) | .ref' "$DATA/dataset.json")
        dk load -q -i "$file" >/dev/null
        dk tag "$ref" "127.0.0.1:$port/$NS/$name:$tag"
        dk push -q "127.0.0.1:$port/$NS/$name:$tag" >/dev/null
    done < <(refs)
}

run_read() { cat "$DATA"/images/*.tar >/dev/null; }
run_sha256() { sha256sum "$DATA"/images/*.tar >/dev/null; }
run_pigz() { pigz -p 2 -1 -c "$DATA"/layers/*.tar >/dev/null; }
run_gzip() { gzip -1 -c "$DATA"/layers/*.tar >/dev/null; }

# run_ingest PORT BLOB DIGEST: one monolithic upload, POST then PUT ?digest=.
run_ingest() {
    local port=$1 blob=$2 digest=$3 loc code
    loc=$(curl -sS -o /dev/null -D - -X POST "http://127.0.0.1:$port/v2/floor/blob/blobs/uploads/" |
        tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
    case $loc in http*) ;; *) loc="http://127.0.0.1:$port$loc" ;; esac
    case $loc in *\?*) loc="$loc&digest=$digest" ;; *) loc="$loc?digest=$digest" ;; esac
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT -T "$blob" \
        -H 'Content-Type: application/octet-stream' "$loc")
    [ "$code" = 201 ] || die "registry ingest: PUT returned $code"
}

# ---------------------------------------------------------------------------------------------
# Measuring

# proc_cpu PID: user+system seconds of a process so far (0 when there is none).
proc_cpu() {
    local pid=$1
    if [ -z "$pid" ] || [ ! -r "/proc/$pid/stat" ]; then
        echo 0
        return
    fi
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$pid/stat"
}

# measure KEY RUNS PREP RUN_ARGS...: RUNS timed runs of '$SELF --run RUN_ARGS', each after an
# untimed PREP (a function name or ':'). Appends one line per run to $RUN/runs.tsv:
# key wall cpu rss_kb registry_cpu. CPU is the command's process tree plus dockerd's share for
# the docker cases (DAEMON_CPU=1); peak RSS is the largest process (dockerd's peak for docker).
MEASURE_PORT=""
DAEMON_CPU=0
measure() {
    local key=$1 runs=$2 prep=$3 i t0 t1 c0 c1 r0 r1 user sys rss dpeak regpid
    shift 3
    for ((i = 1; i <= runs; i++)); do
        $prep
        regpid=""
        if [ -n "$MEASURE_PORT" ]; then
            regpid=$(cat "$MEASURE_REG/pid")
        fi
        c0=0
        if [ "$DAEMON_CPU" = 1 ]; then
            c0=$(proc_cpu "$DOCKERD_PID")
            echo 5 >"/proc/$DOCKERD_PID/clear_refs"
        fi
        r0=$(proc_cpu "$regpid")
        t0=$(date +%s.%N)
        /usr/bin/time -f '%U %S %M' -o "$RUN/time.out" "$BASH" "$SELF" --run "$@" >>"$RUN/commands.log" ||
            die "$key: run $i failed"
        t1=$(date +%s.%N)
        r1=$(proc_cpu "$regpid")
        read -r user sys rss <"$RUN/time.out"
        c1=0
        if [ "$DAEMON_CPU" = 1 ]; then
            c1=$(proc_cpu "$DOCKERD_PID")
            dpeak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DOCKERD_PID/status")
            [ "$dpeak" -gt "$rss" ] && rss=$dpeak
        fi
        awk -v k="$key" -v t0="$t0" -v t1="$t1" -v u="$user" -v s="$sys" -v c0="$c0" \
            -v c1="$c1" -v rss="$rss" -v r0="$r0" -v r1="$r1" \
            'BEGIN { printf "%s\t%.3f\t%.2f\t%d\t%.2f\n", k, t1 - t0, u + s + c1 - c0, rss, r1 - r0 }' \
            >>"$RUN/runs.tsv"
        log "$(tail -n 1 "$RUN/runs.tsv" | awk '{ printf "%-22s run '"$i"': %8.3f s wall  %7.2f s CPU  %5.0f MB RSS", $1, $2, $3, $4 / 1024 }')"
    done
}

# stat KEY FIELD: min|median|max of a column over the key's runs (wall=2 cpu=3 rss=4 reg=5).
stat_of() {
    local key=$1 col=$2 what=$3
    awk -F'\t' -v k="$key" -v c="$col" '$1 == k { print $c }' "$RUN/runs.tsv" | sort -g |
        awk -v w="$what" '{ v[NR] = $1 } END {
            if (NR == 0) { print "nan"; exit }
            if (w == "min") print v[1]
            else if (w == "max") print v[NR]
            else if (NR % 2) print v[(NR + 1) / 2]
            else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

runs_of() { awk -F'\t' -v k="$1" '$1 == k' "$RUN/runs.tsv" | wc -l; }

# ---------------------------------------------------------------------------------------------
# Cases

prep_none() { :; }
prep_reg() { reg_fresh "$MEASURE_REG"; }
prep_skopeo() {
    reg_fresh "$MEASURE_REG"
    rm -rf "$RUN/skopeo-home"
    mkdir -p "$RUN/skopeo-home/tmp"
    chown -R $NOBODY:$NOBODY "$RUN/skopeo-home"
}
prep_docker() {
    reg_fresh "$MEASURE_REG"
    dockerd_fresh
}
prep_seed() {
    rm -rf "$RUN/seed"
    mkdir -p "$RUN/seed"
}

bench_pot() {
    MEASURE_REG=$RUN/reg-pot
    reg_fresh "$MEASURE_REG"
    MEASURE_PORT=$(reg_port "$MEASURE_REG")
    measure pot-tar-empty "$RUNS" prep_reg pot_push "$MEASURE_PORT" "$DATA/images"
    measure pot-tar-warm "$RUNS" prep_none pot_push "$MEASURE_PORT" "$DATA/images"
    measure pot-oci-empty "$RUNS" prep_reg pot_push "$MEASURE_PORT" "$RUN/packed"
    measure pot-oci-warm "$RUNS" prep_none pot_push "$MEASURE_PORT" "$RUN/packed"
    reg_stop "$MEASURE_REG"
    MEASURE_PORT=""
}

bench_skopeo() {
    MEASURE_REG=$RUN/reg-skopeo
    reg_fresh "$MEASURE_REG"
    MEASURE_PORT=$(reg_port "$MEASURE_REG")
    measure skopeo-empty "$RUNS" prep_skopeo skopeo "$MEASURE_PORT"
    measure skopeo-warm "$RUNS" prep_none skopeo "$MEASURE_PORT"
    reg_stop "$MEASURE_REG"
    MEASURE_PORT=""
}

bench_docker() {
    local runs=$RUNS first
    MEASURE_REG=$RUN/reg-docker
    reg_fresh "$MEASURE_REG"
    MEASURE_PORT=$(reg_port "$MEASURE_REG")
    DAEMON_CPU=1
    measure docker-empty 1 prep_docker docker "$MEASURE_PORT"
    first=$(stat_of docker-empty 2 min)
    if awk -v t="$first" -v m="$DOCKER_MAX_S" 'BEGIN { exit !(t > m) }'; then
        log "one docker run took ${first}s (> ${DOCKER_MAX_S}s): docker cases run once"
        runs=1
        DOCKER_REDUCED=1
    fi
    if [ "$runs" -gt 1 ]; then
        measure docker-empty $((runs - 1)) prep_docker docker "$MEASURE_PORT"
    fi
    measure docker-warm "$runs" prep_none docker "$MEASURE_PORT"
    DAEMON_CPU=0
    dockerd_stop
    rm -rf "$RUN/docker"
    reg_stop "$MEASURE_REG"
    MEASURE_PORT=""
}

bench_seed() {
    local port name tag
    MEASURE_PORT=""
    measure pot-seed-tar "$RUNS" prep_seed pot_seed "$RUN/seed/storage" "$DATA/images"
    # Untimed check: a registry on the seeded storage serves an image.
    mkdir -p "$RUN/seed"
    reg_start "$RUN/seed"
    REG_DIRS+=("$RUN/seed")
    port=$(reg_port "$RUN/seed")
    read -r _ name tag < <(refs | head -n 1)
    skopeo inspect --tls-verify=false "docker://127.0.0.1:$port/$NS/$name:$tag" >"$RUN/seed-inspect.json"
    jq -e '.Layers | length > 0' "$RUN/seed-inspect.json" >/dev/null ||
        die "seeded registry does not serve $NS/$name:$tag"
    SEED_CHECK="skopeo inspect of $NS/$name:$tag on a registry started on the seeded storage: ok ($(jq '.Layers | length' "$RUN/seed-inspect.json") layers)"
    reg_stop "$RUN/seed"
    rm -rf "$RUN/seed"
}

bench_floors() {
    local blob digest
    measure floor-read "$RUNS" prep_none read
    measure floor-sha256 "$RUNS" prep_none sha256
    measure floor-pigz "$RUNS" prep_none pigz
    measure floor-gzip1 1 prep_none gzip
    blob=$RUN/floor.blob
    find "$RUN/packed/blobs" -type f -print0 | sort -z | xargs -0 cat >"$blob"
    digest=sha256:$(sha256sum "$blob" | cut -d' ' -f1)
    FLOOR_BYTES=$(stat -c %s "$blob")
    MEASURE_REG=$RUN/reg-floor
    reg_fresh "$MEASURE_REG"
    MEASURE_PORT=$(reg_port "$MEASURE_REG")
    measure floor-ingest "$RUNS" prep_reg ingest "$MEASURE_PORT" "$blob" "$digest"
    reg_stop "$MEASURE_REG"
    MEASURE_PORT=""
    rm -f "$blob"
}

# ---------------------------------------------------------------------------------------------
# Report

mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }

row() {
    local key=$1 label=$2
    [ "$(runs_of "$key")" -gt 0 ] || return 0
    printf '| %s | %s | %.2f | %.2f | %.1f | %.0f | %.1f |\n' "$label" "$(runs_of "$key")" \
        "$(stat_of "$key" 2 min)" "$(stat_of "$key" 2 median)" "$(stat_of "$key" 3 median)" \
        "$(awk -v k="$(stat_of "$key" 4 max)" 'BEGIN { print k / 1024 }')" \
        "$(stat_of "$key" 5 median)"
}

# ratio A B: median wall of A / median wall of B.
ratio() { awk -v a="$(stat_of "$1" 2 median)" -v b="$(stat_of "$2" 2 median)" 'BEGIN { printf "%.2f", a / b }'; }

verdict() { if awk "BEGIN { exit !($1) }"; then echo MET; else echo "NOT MET"; fi; }

write_section() {
    local out=$1 total unique nlayers shared sk_pot cpu_pot cpu_sk oci_floor sk_oci warm warm_oci
    total=$(jq '[.images[].size] | add' "$DATA/dataset.json")
    unique=$(jq '[.layers[].size] | add' "$DATA/dataset.json")
    nlayers=$(jq '.layers | length' "$DATA/dataset.json")
    shared=$(jq -r '[.layers[] | select((.images | length) > 1) | "\(.kind) (\(.size / 1e6 | floor) MB, in \(.images | length) images)"] | join(", ")' "$DATA/dataset.json")
    sk_pot=$(ratio skopeo-empty pot-tar-empty)
    cpu_pot=$(stat_of pot-tar-empty 3 median)
    cpu_sk=$(stat_of skopeo-empty 3 median)
    oci_floor=$(ratio pot-oci-empty floor-ingest)
    sk_oci=$(ratio skopeo-empty pot-oci-empty)
    warm=$(stat_of pot-tar-warm 2 median)
    warm_oci=$(stat_of pot-oci-warm 2 median)
    {
        echo "<!-- images-vs-peers:begin (written by bench/images-vs-peers.sh; do not edit by hand) -->"
        echo "## images: pot images push/seed vs skopeo and docker (issue #7)"
        echo
        echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/images-vs-peers.sh\`, pot $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$TOP" diff --quiet HEAD -- installer 2>/dev/null || echo ' + uncommitted changes')."
        echo
        echo "- Machine: $(nproc) CPUs ($(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r); load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other work runs beside the benchmark)."
        echo "- Tools: $(skopeo --version), $("$DOCKER" --version | cut -d, -f1) (dockerd vfs), $(/usr/bin/docker-registry --version 2>/dev/null | awk '{ print $1, $3 }' || echo docker-registry), pigz $(pigz --version 2>&1 | awk '{ print $2 }')."
        echo "- Dataset: $(jq '.images | length' "$DATA/dataset.json") docker-save tarballs, $(mb "$total") in total, $nlayers distinct layers holding $(mb "$unique") uncompressed; shared: $shared. Layers: the debootstrap rootfs, files from /usr (compressible) and seeded random data (incompressible: $(mb "$(jq '[.layers[] | select(.kind == "random") | .size] | add' "$DATA/dataset.json")"))."
        echo "- Packed OCI layout (\`pot images pack\`, untimed): $(mb "$FLOOR_BYTES") of blobs."
        echo "- EMPTY: a registry with fresh storage before each run; WARM: the same push again into a registry that has everything. pot uses -j default (= cores); skopeo and docker go image by image, as the kit's scripts do. skopeo runs with an empty blob-info cache for EMPTY and keeps it for WARM; docker EMPTY starts from a fresh dockerd data root."
        echo "- CPU s: user+system of the command's process tree (median), plus dockerd's for docker; registry CPU s is the docker-registry's own (median). Peak RSS: the largest single process (dockerd for docker). Page cache is warm (1.8 GB fits in RAM; nothing is dropped)."
        if [ "${DOCKER_REDUCED:-0}" = 1 ]; then
            echo "- docker: one run took longer than ${DOCKER_MAX_S}s, so the docker cases ran once (min = median)."
        fi
        echo
        echo "| case | runs | wall min s | wall median s | CPU s | peak RSS MB | registry CPU s |"
        echo "|---|---|---|---|---|---|---|"
        row pot-tar-empty "pot images push, tarballs, EMPTY"
        row pot-oci-empty "pot images push, packed layout, EMPTY"
        row skopeo-empty "skopeo copy docker-archive: per image, EMPTY"
        row docker-empty "docker load+tag+push per image, EMPTY"
        row pot-seed-tar "pot images seed, tarballs, empty storage"
        row pot-tar-warm "pot images push, tarballs, WARM"
        row pot-oci-warm "pot images push, packed layout, WARM"
        row skopeo-warm "skopeo copy per image, WARM"
        row docker-warm "docker load+tag+push per image, WARM"
        row floor-read "floor: cat tarballs > /dev/null"
        row floor-sha256 "floor: sha256sum tarballs"
        row floor-pigz "floor: pigz -p2 -1 of the distinct layers"
        row floor-gzip1 "floor: gzip -1 of the distinct layers (1 core)"
        row floor-ingest "floor: registry ingest, one PUT of $(mb "$FLOOR_BYTES")"
        echo
        echo "Goals (ratios of median wall times):"
        echo
        echo "- pot from tarballs >= 1.5x faster than skopeo and less CPU: ${sk_pot}x, CPU ${cpu_pot} s vs ${cpu_sk} s -> **$(verdict "$sk_pot >= 1.5 && $cpu_pot < $cpu_sk")**"
        echo "- pot from packed layout within 1.3x of the registry-ingest floor: ${oci_floor}x -> **$(verdict "$oci_floor <= 1.3")**"
        echo "- pot from packed layout >= 2.5x faster than skopeo: ${sk_oci}x -> **$(verdict "$sk_oci >= 2.5")**"
        echo "- warm rerun under 0.5 s for the whole set: tarballs ${warm} s, packed ${warm_oci} s -> **$(verdict "$warm < 0.5 && $warm_oci < 0.5")**"
        echo "- for reference: docker load+tag+push takes $(ratio docker-empty pot-tar-empty)x pot's time (EMPTY), $(ratio docker-warm pot-tar-warm)x (WARM); seed takes $(ratio pot-seed-tar pot-tar-empty)x of push from tarballs."
        echo "- seed check: $SEED_CHECK."
        echo "<!-- images-vs-peers:end -->"
    } >"$out"
}

# put_section FILE: replace this benchmark's section of bench/RESULTS.md (re-read right now).
put_section() {
    /usr/bin/python3 "$TOP/bench/put-section.py" images-vs-peers "$1" "$RESULTS"
}

# ---------------------------------------------------------------------------------------------

main() {
    local clean=0
    [ "${1:-}" = --clean ] && clean=1
    [ "$(id -u)" -eq 0 ] || die "must run as root (private dockerd, skopeo as nobody)"
    [ -x "$POT" ] || die "no pot binary at $POT (build it: cmake --build build-bench)"
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    mkdir -p "$WORK"
    chmod 755 "$WORK"
    build_dataset
    rm -rf "$RUN"
    mkdir -p "$RUN"
    chmod 755 "$RUN"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    : >"$RUN/runs.tsv"
    log "packing the OCI layout (untimed)"
    "$POT" images pack -q "$RUN/packed" "$DATA/images" >/dev/null
    bench_floors
    bench_pot
    bench_skopeo
    bench_seed
    bench_docker
    write_section "$RUN/section.md"
    put_section "$RUN/section.md"
    cp "$RUN/runs.tsv" "$WORK/last-runs.tsv"
    cat "$RUN/section.md"
    if [ $clean = 1 ]; then
        cleanup
        rm -rf "$WORK"
    fi
}

if [ "${1:-}" = --run ]; then
    shift
    name=$1
    shift
    "run_$name" "$@"
    exit
fi
main "$@"
