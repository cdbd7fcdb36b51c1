#!/usr/bin/env bash
# runner-vs-ansible.sh - `pot play` against ansible-playbook on one realistic host initialisation
# (bench/playbooks/host-init-bench.yml, ~30 tasks) over ssh on 1, 5 and 20 hosts of the sandbox in
# loopback mode (every host writes under $BENCH_DIR/<inventory_hostname>). Three contenders:
#   ansible default  ansible-playbook as installed (forks 5, its default ssh ControlPersist)
#   ansible tuned    ANSIBLE_PIPELINING=True, ANSIBLE_SSH_ARGS='-o ControlMaster=auto
#                    -o ControlPersist=60s', forks = hosts
#   pot              pot play -f hosts
# Each does a first run (after wiping the target directories) and an idempotent second run
# (checked: changed=0 on every host), 3 times; wall time and peak RSS come from
# /usr/bin/time -f '%e %M'. Writes its section of bench/RESULTS.md (between the runner:begin and
# runner:end markers) with the machine, the table and the speed ratios against the goals.
# The memory phase then runs each contender's first run once more on the largest host count under
# bench/tree-memory.py (peak PSS summed over the whole process tree: Ansible forks one process
# per host, pot runs one) and writes the runner-memory section with the memory goal.
# BENCH_PHASES="time memory" (default) picks the phases.
#
# Needs: tests/sandbox/sandbox.sh up --mode loopback --hosts 20 (BENCH_SANDBOX_ENV, default the
# env of the sandbox in $POT_SANDBOX_DIR); or BENCH_OWN_SANDBOX=1: this script brings that sandbox
# up itself (in $POT_SANDBOX_DIR, default /tmp/pot-bench-sandbox) and takes it down at the end.
# POT=binary (default build/pot), BENCH_HOSTS="1 5 20", BENCH_REPS=3, BENCH_SLOW_S=150 (a runner
# whose first run takes longer than that many seconds is run once, not BENCH_REPS times: Ansible
# on 20 hosts takes many minutes per run on a small machine; the table says how many runs it had),
# BENCH_RESULTS=bench/RESULTS.md, BENCH_PLAYBOOK (another playbook in bench/playbooks, for a smoke
# run of this script).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
POT=${POT:-$TOP/build/pot}
HOST_COUNTS=${BENCH_HOSTS:-1 5 20}
REPS=${BENCH_REPS:-3}
SLOW_S=${BENCH_SLOW_S:-150}
PHASES=${BENCH_PHASES:-time memory}
RESULTS=${BENCH_RESULTS:-$TOP/bench/RESULTS.md}
PLAYBOOK_DIR=$TOP/bench/playbooks
PLAYBOOK=${BENCH_PLAYBOOK:-host-init-bench.yml}
BENCH_DIR=/tmp/pot-bench-hosts
ANSIBLE_PLAYBOOK=/usr/bin/ansible-playbook
TIME=/usr/bin/time

die() { echo "runner-vs-ansible: $*" >&2; exit 1; }

max_hosts=$(echo "$HOST_COUNTS" | tr ' ' '\n' | sort -n | tail -n 1)
OWN_SANDBOX=${BENCH_OWN_SANDBOX:-0}
if [ "$OWN_SANDBOX" = 1 ]; then
    export POT_SANDBOX_DIR=${POT_SANDBOX_DIR:-/tmp/pot-bench-sandbox}
    "$TOP/tests/sandbox/sandbox.sh" up --mode loopback --hosts "$max_hosts" >&2 ||
        die "could not bring the loopback sandbox up"
    BENCH_SANDBOX_ENV=$("$TOP/tests/sandbox/sandbox.sh" env)
fi
ENV_FILE=${BENCH_SANDBOX_ENV:-$("$TOP/tests/sandbox/sandbox.sh" env 2>/dev/null || true)}
[ -n "$ENV_FILE" ] && [ -f "$ENV_FILE" ] || die "no sandbox: run tests/sandbox/sandbox.sh up --mode loopback --hosts 20"
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
[ "$SANDBOX_MODE" = loopback ] || die "the sandbox in $SANDBOX_DIR is in $SANDBOX_MODE mode, not loopback"
read -r -a NAMES <<<"$SANDBOX_NAMES"
for n in $HOST_COUNTS; do
    [ "$n" -le "${#NAMES[@]}" ] || die "$n hosts wanted, the sandbox has ${#NAMES[@]}"
done
[ -x "$POT" ] || die "no pot binary at $POT"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"

W=$(mktemp -d "${TMPDIR:-/tmp}/pot-bench-runner.XXXXXX")
cleanup() {
    close_masters
    rm -rf "$W" "$BENCH_DIR"
    if [ "$OWN_SANDBOX" = 1 ]; then
        "$TOP/tests/sandbox/sandbox.sh" down >&2 || true
    fi
}
trap cleanup EXIT
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DEPRECATION_WARNINGS=False \
    ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_LOCAL_TEMP="$W/ansible-local"

# inventory N: the first N sandbox hosts in group nodes, with the sandbox's connection vars.
inventory() {
    awk -v n="$1" '
        /^\[all:vars\]/ { v = 1; print "[nodes]"; for (i = 1; i <= n; i++) print h[i]; print ""; print; next }
        v { print; next }
        /^node[0-9]+ / { h[substr($1, 5) + 0] = $0 }' "$SANDBOX_INVENTORY" >"$W/hosts-$1"
    echo "$W/hosts-$1"
}

# close_masters: ends the ssh ControlPersist masters ansible left in this run's control dir, so
# no run profits from the previous one's connections.
close_masters() {
    local s
    for s in "$W"/cp/*; do
        [ -S "$s" ] && ssh -o ControlPath="$s" -O exit bench-host >/dev/null 2>&1 || true
    done
    rm -rf "$W/cp"
}

# tool_cmd TOOL N: the command line of TOOL on N hosts (without inventory and playbook) in CMD.
tool_cmd() {
    case $1 in
    ansible-default) CMD=(env ANSIBLE_SSH_CONTROL_PATH_DIR="$W/cp" "$ANSIBLE_PLAYBOOK") ;;
    ansible-tuned)
        CMD=(env ANSIBLE_SSH_CONTROL_PATH_DIR="$W/cp" ANSIBLE_PIPELINING=True
            ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s'
            "$ANSIBLE_PLAYBOOK" -f "$2") ;;
    pot) CMD=("$POT" play -f "$2") ;;
    esac
}

# run_one TOOL N RUN [MEASURE...]: one run under MEASURE (default: /usr/bin/time, "wall rss" left
# in $W/time); checks exit 0 (and changed=0 on the second run).
run_one() {
    local tool=$1 n=$2 run=$3 inv log=$W/$1-$2-$3.log
    local -a CMD measure=("${@:4}")
    [ ${#measure[@]} -gt 0 ] || measure=("$TIME" -f '%e %M' -o "$W/time")
    inv=$(inventory "$n")
    tool_cmd "$tool" "$n"
    mkdir -p "$W/cp"
    if ! (cd "$PLAYBOOK_DIR" && "${measure[@]}" "${CMD[@]}" -i "$inv" \
        -e "bench_dir=$BENCH_DIR" "$PLAYBOOK") >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "$tool on $n hosts, run $run failed (log above)"
    fi
    close_masters
    if [ "$run" = second ] && awk '/^PLAY RECAP/ {r=1; next} r' "$log" | grep -q ' changed=[1-9]'; then
        awk '/^PLAY RECAP/ {r=1} r' "$log" >&2
        die "$tool on $n hosts: the second run changed something"
    fi
}

# snapshot: what the hosts' directories hold (for the same-result check).
snapshot() {
    (cd "$BENCH_DIR" && find . -mindepth 1 -printf '%P %y %m %l\n' | LC_ALL=C sort &&
        find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -r -d '\n' sha256sum)
}

# stats FILE: "min median" of the numbers in FILE.
stats() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s\n", v[1], m }'
}

# write_section NAME FILE: replaces (or appends) the NAME:begin..NAME:end section of RESULTS with
# FILE, re-reading RESULTS right before writing it.
write_section() {
    [ -f "$RESULTS" ] || printf '# pot benchmark results\n' >"$RESULTS"
    python3 - "$RESULTS" "$2" "$1" <<'PY'
import os, re, sys
path, section, name = sys.argv[1], open(sys.argv[2]).read().rstrip("\n"), sys.argv[3]
text = open(path).read()
pat = re.compile(r"<!-- %s:begin.*?<!-- %s:end -->" % (name, name), re.S)
text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
with open(path + ".tmp-" + name, "w") as f:
    f.write(text)
os.replace(path + ".tmp-" + name, path)
PY
    cat "$2"
}

machine() {
    echo "$(nproc) CPUs ($(uname -m), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); $(uname -sr); $("$ANSIBLE_PLAYBOOK" --version | head -n 1 | tr -d '[]');"
    echo "pot $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$TOP" diff --quiet 2>/dev/null || echo '+local changes')."
}

label() {
    case $1 in
    ansible-default) echo "ansible-playbook, defaults (forks 5)" ;;
    ansible-tuned) echo "ansible-playbook, tuned (pipelining, ControlPersist, forks = hosts)" ;;
    pot) echo "pot play -f hosts" ;;
    esac
}

TOOLS=(ansible-default ansible-tuned pot)

time_phase() {
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
    T0=$(date +%s)
    for n in $HOST_COUNTS; do
        for tool in "${TOOLS[@]}"; do
            for rep in $(seq "$REPS"); do
                rm -rf "$BENCH_DIR"
                run_one "$tool" "$n" first
                read -r wall rss < <(tail -n 1 "$W/time")
                echo "$wall" >>"$W/$tool-$n-first.wall"
                echo "$rss" >>"$W/$tool-$n-first.rss"
                [ "$rep" = 1 ] && snapshot >"$W/$tool-$n.snap"
                run_one "$tool" "$n" second
                read -r wall rss < <(tail -n 1 "$W/time")
                echo "$wall" >>"$W/$tool-$n-second.wall"
                echo "$rss" >>"$W/$tool-$n-second.rss"
                echo "runner-vs-ansible: $n hosts, $tool, rep $rep: first $(tail -n 1 "$W/$tool-$n-first.wall") s, second $wall s" >&2
                if awk -v w="$(tail -n 1 "$W/$tool-$n-first.wall")" -v s="$SLOW_S" 'BEGIN { exit !(w > s) }'; then
                    break
                fi
            done
        done
    done
    ELAPSED=$(( $(date +%s) - T0 ))
    LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

    # ---- the section ----
    med() { stats "$1" | cut -d' ' -f2; }
    mn() { stats "$1" | cut -d' ' -f1; }
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
    {
        echo "<!-- runner:begin (written by bench/runner-vs-ansible.sh) -->"
        echo "## Playbook runner (issue #5): host-init-bench.yml over ssh, pot play vs ansible-playbook"
        echo
        echo "Run $STARTED, load $LOAD_BEFORE before, $LOAD_AFTER after, on $(machine)"
        echo "Hosts: sandbox loopback sshd processes (127.0.1.x, one machine, one filesystem), key login as root;"
        echo "$(grep -c '^    - name:' "$PLAYBOOK_DIR/$PLAYBOOK") tasks, loops over every host's /etc/hosts entry. First run = target directories wiped;"
        echo "second run = idempotent rerun (changed=0 checked). $REPS runs each (once when a first run took over"
        echo "${SLOW_S} s: see the runs column), min / median wall seconds;"
        echo "peak RSS = /usr/bin/time %M (median, MiB): for Ansible that is its largest single process"
        echo "(the controller or one fork), not the sum of its forks; the memory goal is judged on whole"
        echo "process trees in the runner-memory section."
        echo "Whole benchmark: ${ELAPSED}s."
        echo
        echo "| hosts | runner | runs | first run min / median (s) | second run min / median (s) | peak RSS (MiB) |"
        echo "|---:|---|---:|---:|---:|---:|"
        for n in $HOST_COUNTS; do
            for tool in "${TOOLS[@]}"; do
                rss=$(awk -v k="$(med "$W/$tool-$n-first.rss")" -v l="$(med "$W/$tool-$n-second.rss")" \
                    'BEGIN { m = k > l ? k : l; printf "%.1f", m / 1024 }')
                printf '| %s | %s | %s | %s / %s | %s / %s | %s |\n' "$n" "$(label "$tool")" \
                    "$(wc -l <"$W/$tool-$n-first.wall")" \
                    "$(mn "$W/$tool-$n-first.wall")" "$(med "$W/$tool-$n-first.wall")" \
                    "$(mn "$W/$tool-$n-second.wall")" "$(med "$W/$tool-$n-second.wall")" "$rss"
            done
        done
        echo
        for n in $HOST_COUNTS; do
            same=identical
            for tool in ansible-default ansible-tuned; do
                cmp -s "$W/$tool-$n.snap" "$W/pot-$n.snap" || same="DIFFERENT (from $tool)"
            done
            printf 'Files left on %s host(s) by pot and both Ansible runs: %s. ' "$n" "$same"
            echo "pot vs tuned Ansible, medians: first run $(ratio "$(med "$W/ansible-tuned-$n-first.wall")" "$(med "$W/pot-$n-first.wall")")x faster," \
                "second run $(ratio "$(med "$W/ansible-tuned-$n-second.wall")" "$(med "$W/pot-$n-second.wall")")x faster;" \
                "vs default Ansible first run $(ratio "$(med "$W/ansible-default-$n-first.wall")" "$(med "$W/pot-$n-first.wall")")x."
            echo
        done
        n=$(echo "$HOST_COUNTS" | awk '{ print $NF }')
        speed_first=$(ratio "$(med "$W/ansible-tuned-$n-first.wall")" "$(med "$W/pot-$n-first.wall")")
        speed_second=$(ratio "$(med "$W/ansible-tuned-$n-second.wall")" "$(med "$W/pot-$n-second.wall")")
        echo "Goal at $n hosts, against tuned Ansible:"
        echo "- at least 10x faster: first run ${speed_first}x, second run ${speed_second}x:" \
            "**$(verdict "$speed_first" 10 ge)** (first), **$(verdict "$speed_second" 10 ge)** (second)."
        echo "<!-- runner:end -->"
    } >"$W/section.md"
    write_section runner "$W/section.md"
}

# memory_phase: each contender's first run once on the largest host count under tree-memory.py.
memory_phase() {
    local n tool started load_before
    n=$(echo "$HOST_COUNTS" | tr ' ' '\n' | sort -n | tail -n 1)
    started=$(date -u +%Y-%m-%dT%H:%MZ)
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    for tool in "${TOOLS[@]}"; do
        rm -rf "$BENCH_DIR"
        run_one "$tool" "$n" first /usr/bin/python3 "$TOP/bench/tree-memory.py" "$W/$tool.mem" --
        echo "runner-vs-ansible: memory, $n hosts, $tool: $(cat "$W/$tool.mem")" >&2
    done
    {
        echo "<!-- runner-memory:begin (written by bench/runner-vs-ansible.sh) -->"
        echo "## Playbook runner memory (issue #5): whole process trees, $n hosts, first run"
        echo
        echo "Run $started, load $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after, on $(machine)"
        echo "Same playbook, hosts and contenders as the runner section; one first run each, sampled every"
        echo "0.1 s by bench/tree-memory.py: PSS summed over the command and all its descendants (a page"
        echo "shared by k processes counts 1/k in each, so Ansible's forked workers are not counted twice),"
        echo "and the largest single process's RSS. Local processes only (the hosts' sshd and module"
        echo "processes are not counted, for any contender)."
        echo
        echo "| runner | wall (s) | peak PSS of the tree (MiB) | largest process RSS (MiB) | processes at most |"
        echo "|---|---:|---:|---:|---:|"
        for tool in "${TOOLS[@]}"; do
            read -r wall pss rss procs <"$W/$tool.mem"
            printf '| %s | %s | %.1f | %.1f | %s |\n' "$(label "$tool")" "$wall" \
                "$(awk -v k="$pss" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$procs"
        done
        echo
        frac=$(awk -v p="$(cut -d' ' -f2 "$W/pot.mem")" -v a="$(cut -d' ' -f2 "$W/ansible-tuned.mem")" \
            'BEGIN { printf "%.3f", p / a }')
        echo "Goal at $n hosts: pot at most 1/5 of tuned Ansible's memory: pot's tree PSS is ${frac} of" \
            "Ansible's: **$(verdict "$frac" 0.2 le)**."
        echo "<!-- runner-memory:end -->"
    } >"$W/memory.md"
    write_section runner-memory "$W/memory.md"
}

verdict() { awk -v v="$1" -v g="$2" -v dir="$3" 'BEGIN { ok = dir == "ge" ? v >= g : v <= g; print ok ? "met" : "MISSED" }'; }
case " $PHASES " in *" time "*) time_phase ;; esac
case " $PHASES " in *" memory "*) memory_phase ;; esac
