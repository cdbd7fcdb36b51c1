#!/usr/bin/env bash
# pack-size.sh - issue #19's benchmark: the size of the package `pot pack` writes against the sum
# of per-image docker-save tarballs for the same images (the original kit's way, as they are and
# each gzipped with pigz -1), the time of `pot pack`, and the time `pot verify-package` takes per
# GB (the tar, and the unpacked folder) beside `openssl dgst -sha256` (the floor: the same SHA-256
# code) and sha256sum; writes its section of bench/RESULTS.md.
#
#   bench/pack-size.sh
#
# Dataset: bench/images-vs-peers.sh's six docker-save tarballs (about 1.8 GB sharing a debootstrap
# rootfs base layer), built by bench/make-bench-images.py from the sandbox's cached rootfs
# ($POT_SANDBOX_CACHE/host-bookworm-1.tar) and cached in $POT_BENCH_IMAGES_DIR (default
# /var/tmp/pot-bench-images, shared with that benchmark). The package: this repository's kit
# (no components) with the six images as extra images. Each timed case runs $POT_BENCH_RUNS times
# (default 3); the packs of every run are compared byte for byte.
# Environment: POT (default build/pot), POT_BENCH_IMAGES_DIR, POT_BENCH_RUNS, POT_SANDBOX_CACHE.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(realpath -m "${POT_BENCH_IMAGES_DIR:-/var/tmp/pot-bench-images}")
POT=$(realpath -m "${POT:-$TOP/build/pot}")
RUNS=${POT_BENCH_RUNS:-3}
ROOTFS=${POT_SANDBOX_CACHE:-/var/cache/pot-sandbox}/host-bookworm-1.tar
RESULTS=$TOP/bench/RESULTS.md
DATA=$WORK/dataset
OUT=$WORK/pack
PKG=offline-pot-bench-1

log() { printf '[pack-bench] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The same dataset (and stamp) as bench/images-vs-peers.sh.
build_dataset() {
    [ -f "$DATA/.done-v1" ] && return
    [ -f "$ROOTFS" ] || die "no cached rootfs $ROOTFS (bring the sandbox up once)"
    log "building the dataset in $DATA (once)"
    rm -rf "$DATA" "$DATA.tmp"
    mkdir -p "$DATA.tmp"
    cp "$ROOTFS" "$DATA.tmp/base.tar"
    /usr/bin/python3 "$TOP/bench/make-bench-images.py" "$DATA.tmp" "$DATA.tmp/base.tar"
    rm -f "$DATA.tmp/base.tar"
    chmod -R a+rX "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
    touch "$DATA/.done-v1"
}

now() { date +%s.%N; }
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }
# timed NAME CMD...: runs CMD $RUNS times, appending each wall time to $OUT/NAME.times
timed() {
    local name=$1 i t0
    shift
    : >"$OUT/$name.times"
    for i in $(seq "$RUNS"); do
        t0=$(now)
        "$@" "$i" >/dev/null
        awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f\n", b - a }' >>"$OUT/$name.times"
    done
}
med() { median <"$OUT/$1.times"; }
minimum() { sort -g "$OUT/$1.times" | head -n1; }

do_pack() { rm -rf "$OUT/o$1" && "$POT" pack -q -f "$OUT/builder.yaml" -o "$OUT/o$1"; }
do_verify_tar() { "$POT" verify-package "$OUT/o1/$PKG.tar"; }
do_verify_dir() { "$POT" verify-package "$OUT/u/$PKG"; }
do_sha256() { sha256sum "$OUT/o1/$PKG.tar"; }
do_openssl() { openssl dgst -sha256 "$OUT/o1/$PKG.tar"; }

measure() {
    rm -rf "$OUT"
    mkdir -p "$OUT"
    printf '%s\n' "customer: bench" "center: bench" 'version: "1"' "kit: $TOP" \
        "images: [$DATA/images]" >"$OUT/builder.yaml"
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    log "pot pack x$RUNS"
    timed pack do_pack
    for i in $(seq 2 "$RUNS"); do
        cmp "$OUT/o1/$PKG.tar" "$OUT/o$i/$PKG.tar" || die "pack $i differs from pack 1"
    done
    log "verify-package x$RUNS (tar, folder), sha256sum floor"
    timed verify-tar do_verify_tar
    mkdir -p "$OUT/u" && tar -xf "$OUT/o1/$PKG.tar" -C "$OUT/u"
    timed verify-dir do_verify_dir
    timed sha256 do_sha256
    timed openssl do_openssl
    log "pigz -p$(nproc) -1 of each docker-save tarball (sizes only)"
    GZ_BYTES=0
    for f in "$DATA"/images/*.tar; do
        GZ_BYTES=$((GZ_BYTES + $(pigz -1 -c "$f" | wc -c)))
    done
}

row() { echo "| $2 | $RUNS | $(minimum "$1") | $(med "$1") |"; }
per_gb() { awk -v t="$(med "$1")" -v b="$TAR_BYTES" 'BEGIN { printf "%.2f", t / (b / 1e9) }'; }

write_section() {
    local out=$1 saves images_bytes nimg
    saves=$(cat "$DATA"/images/*.tar | wc -c)
    nimg=$(find "$DATA/images" -name '*.tar' | wc -l)
    TAR_BYTES=$(stat -c %s "$OUT/o1/$PKG.tar")
    images_bytes=$(awk '$3 ~ /^offline-pot-images\// { s += $2 } END { print s + 0 }' "$OUT/u/$PKG/MANIFEST")
    portable_bytes=$(awk '$3 ~ /^offline-pot\/(lib\/pot\/|pot$|pot-probe$)/ { s += $2 } END { print s + 0 }' "$OUT/u/$PKG/MANIFEST")
    {
        echo "<!-- pack-size:begin (written by bench/pack-size.sh; do not edit by hand) -->"
        echo "## pot pack: package size, pack and verify time (issue #19)"
        echo
        echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/pack-size.sh\`, pot $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$TOP" diff --quiet HEAD -- installer 2>/dev/null || echo ' + uncommitted changes')."
        echo
        echo "- Machine: $(nproc) CPUs ($(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other work runs beside the benchmark)."
        echo "- Dataset: bench/images-vs-peers.sh's $nimg docker-save tarballs ($(jq '.layers | length' "$DATA/dataset.json") distinct layers, $(mb "$(jq '[.layers[].size] | add' "$DATA/dataset.json")") uncompressed; a 201 MB base layer in all six, two runtime layers in three each, 157 MB of random data). Package: this repository's kit, no components, the $nimg images as extra images; the $RUNS packs were byte-identical."
        echo
        echo "| what | bytes |"
        echo "|---|---|"
        echo "| per-image docker-save tarballs, summed (the original kit) | $(mb "$saves") |"
        echo "| the same, each gzipped (pigz -1), summed | $(mb "$GZ_BYTES") |"
        echo "| \`pot pack\` package (tar: kit, portable pot, one OCI layout, MANIFEST) | $(mb "$TAR_BYTES") |"
        echo "| of which offline-pot-images/ (every layer once, gzip) | $(mb "$images_bytes") |"
        echo "| of which the portable pot (launcher, binary, its libraries and loader, pot-probe) | $(mb "$portable_bytes") |"
        echo
        echo "| case | runs | wall min s | wall median s |"
        echo "|---|---|---|---|"
        row pack "pot pack (load, compress layers with -j = cores, write the tar)"
        row verify-tar "pot verify-package, the tar ($(mb "$TAR_BYTES"))"
        row verify-dir "pot verify-package, the unpacked folder"
        row openssl "floor: openssl dgst -sha256 of the tar (the SHA-256 pot uses)"
        row sha256 "for reference: sha256sum of the tar (coreutils)"
        echo
        echo "- package / docker-save tarballs: $(awk -v a="$TAR_BYTES" -v b="$saves" 'BEGIN { printf "%.2f", a / b }'); package / gzipped tarballs: $(awk -v a="$TAR_BYTES" -v b="$GZ_BYTES" 'BEGIN { printf "%.2f", a / b }')."
        echo "- verify time per GB of package: tar $(per_gb verify-tar) s, folder $(per_gb verify-dir) s; openssl floor $(per_gb openssl) s, sha256sum $(per_gb sha256) s."
        echo "<!-- pack-size:end -->"
    } >"$out"
}

# put_section FILE: replace this benchmark's section of bench/RESULTS.md (re-read right now).
put_section() {
    /usr/bin/python3 "$TOP/bench/put-section.py" pack-size "$1" "$RESULTS"
}

[ -x "$POT" ] || die "no pot at $POT (set POT)"
build_dataset
measure
write_section "$OUT/section.md"
put_section "$OUT/section.md"
cat "$OUT/section.md"
rm -rf "$OUT"
