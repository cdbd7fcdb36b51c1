#!/usr/bin/env bash
# worst-case-inputs.sh - how long pot takes, and how much memory, to refuse (or read) each class of
# worst-case input of issue #15 (tests/fixtures/worst-case/make.py: 10 MiB each, the alias bomb
# 1 KiB): the goal is under 10 s and 1 GiB before the first task or the error. Writes its section
# of bench/RESULTS.md. tests/e2e/t2006-worst-case-inputs.sh checks the messages; this only
# measures.
#   bench/worst-case-inputs.sh [POT]     (default: build/pot, a release build)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
POT=${1:-$TOP/build/pot}
RESULTS=$TOP/bench/RESULTS.md
dir=$(mktemp -d)
section=$(mktemp)
trap 'rm -rf "$dir" "$section"' EXIT

python3 "$TOP/tests/fixtures/worst-case/make.py" "$dir"
cd "$dir"

# class|input|pot arguments
cases=(
    "YAML nesting (-e @file)|deep.yml|play -i local.ini -e @deep.yml pb.yml"
    "YAML alias bomb (1 KiB)|bomb.yml|play -i local.ini -e @bomb.yml pb.yml"
    "JSON nesting (from_json)|deep.json|template fromjson.j2"
    "Jinja operator chain|ops.j2|template ops.j2"
    "Jinja filter chain|filters.j2|template filters.j2"
    "Jinja parentheses|parens.j2|template parens.j2"
    "Jinja block nesting|blocks.j2|template blocks.j2"
    "Jinja format width|width.j2|template width.j2"
    "Go template if nesting|goif.tpl|template --go goif.tpl"
    "Go template parentheses|goparen.tpl|template --go goparen.tpl"
    "INI literal nesting (read as a string)|inv.ini|inventory -i inv.ini --list"
    "binary inventory|garbage.ini|inventory -i garbage.ini --list"
    "helmfile state nesting|helmfile.yaml|helmfile -f helmfile.yaml list"
)

{
    echo "<!-- worst-case:begin (written by bench/worst-case-inputs.sh; do not edit by hand) -->"
    echo "## Worst-case inputs (issue #15): time and peak memory to the error"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/worst-case-inputs.sh\` on $(nproc) CPUs," \
        "load $(cut -d' ' -f1-3 /proc/loadavg); pot $(git -C "$TOP" rev-parse --short HEAD)" \
        "($("$POT" version | head -1)). Goal: every case under 10 s and 1 GiB."
    echo
    echo "| class | input | exit | seconds | peak RSS (MiB) | goal met |"
    echo "|---|---:|---:|---:|---:|---|"
    for c in "${cases[@]}"; do
        IFS='|' read -r class input args <<<"$c"
        rc=0
        # shellcheck disable=SC2086 # args are words
        /usr/bin/time -f "%e %M" -o timing timeout 600 "$POT" $args >/dev/null 2>&1 || rc=$?
        read -r secs kib <<<"$(tail -1 timing)"
        mib=$((kib / 1024))
        ok=yes
        if [ "$(echo "$secs >= 10" | bc)" = 1 ] || [ "$mib" -ge 1024 ]; then ok=NO; fi
        echo "| $class | $(($(stat -c %s "$input") / 1024)) KiB | $rc | $secs | $mib | $ok |"
    done
    echo "<!-- worst-case:end -->"
} >"$section"

[ -f "$RESULTS" ] || echo "# pot benchmark results" >"$RESULTS"
python3 - "$RESULTS" "$section" <<'PY'
import os, re, sys
path, section = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
pat = re.compile(r"<!-- worst-case:begin.*?<!-- worst-case:end -->\n?", re.S)
text = pat.sub(lambda m: section, text, count=1) if pat.search(text) else text.rstrip("\n") + "\n\n" + section
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PY
cat "$section"
