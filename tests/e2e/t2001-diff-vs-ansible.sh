#!/bin/bash
# t2001-diff-vs-ansible.sh - every playbook in tests/diff/ runs through Debian's ansible-playbook
# (ansible-core 2.14, forks 1) and `pot play` on the same 3-host local inventory, twice, and both
# must agree on: the exit code, the PLAY RECAP counters per host, the files left under
# {{ out }}/{{ inventory_hostname }}/ (path, type, mode, sha256), and the second run's recap.
# Playbooks marked '# diff-output: exact' must also print the same stdout byte for byte.
#
# Header lines in a playbook:
#   # diff-args: ARGS        one variant per line (e.g. --tags web); none = one plain run
#   # diff-output: exact     compare stdout too
#   # diff-rerun: changes    the second run may report changes (commands without changed_when)
# ansible's results are cached by content (the playbook and the subdirectories it can use, never
# the other top-level playbooks; role and task files count) in POT_DIFF_CACHE (default ~/.cache/pot-diff), so a rerun with
# unchanged playbooks takes seconds; POT_DIFF_ONLY=NAME runs one playbook.
. "$(dirname "$0")/lib.sh"

ANSIBLE_PLAYBOOK=/usr/bin/ansible-playbook
ansible_local_env
DIFF="$TOP/tests/diff"
CACHE=${POT_DIFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pot-diff}
mkdir -p "$CACHE"
"$ANSIBLE_PLAYBOOK" --version >"$T/ansible.version"

diff_inventory "$T/hosts"

# snapshot OUTDIR LOG RC: what a run leaves behind that both tools must agree on.
snapshot() {
    echo "rc=$3"
    awk '/^PLAY RECAP/ {r=1; next} r && NF {$1=$1; print}' "$2"
    if [ -d "$1" ]; then
        (cd "$1" && find . -mindepth 1 -printf '%P %y %m\n' | LC_ALL=C sort &&
            find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -r -d '\n' sha256sum)
    fi
}

# run_twice TAG NAME CMD...: two runs of CMD -i hosts ... NAME.yml into $T/o; writes
# $T/TAG.snap1, $T/TAG.snap2 and $T/TAG.out (the first run's stdout).
run_twice() {
    local tag=$1 name=$2 rc
    shift 2
    rm -rf "$T/o" && mkdir -p "$T/o"
    for n in 1 2; do
        rc=0
        (cd "$DIFF" && "$@" -i "$T/hosts" -e "out=$T/o" "$name.yml") \
            >"$T/$n.log" 2>"$T/$n.err" || rc=$?
        snapshot "$T/o" "$T/$n.log" "$rc" >"$T/$tag.snap$n"
    done
    sed -e "s|$T|@T@|g" "$T/1.log" >"$T/$tag.out"
}

ansible_ref() {
    local name=$1 key
    shift
    key=$( { cat "$T/hosts"; echo "$name $*"; cat "$T/ansible.version"
             echo "$DIFF" # the output names included files by absolute path
             cd "$DIFF" && find . -type f \( -name "$name.yml" -o -path './*/*' -o ! -name '*.yml' \) |
                 LC_ALL=C sort | xargs -d '\n' sha256sum; } |
           sha256sum | cut -c1-32)
    if [ -f "$CACHE/$key.snap2" ]; then
        for f in snap1 snap2 out; do cp "$CACHE/$key.$f" "$T/ansible.$f"; done
        return
    fi
    run_twice ansible "$name" "$ANSIBLE_PLAYBOOK" -f 1 "$@"
    for f in snap1 snap2 out; do cp "$T/ansible.$f" "$CACHE/$key.$f"; done
}

# check NAME ARGS...: one variant of one playbook.
check() {
    local name=$1 file="$DIFF/$1.yml"
    shift
    ansible_ref "$name" "$@"
    run_twice pot "$name" "$POT" play "$@"
    diff -u "$T/ansible.snap1" "$T/pot.snap1" >&2 || { cat "$T/1.err" >&2; return 1; }
    diff -u "$T/ansible.snap2" "$T/pot.snap2" >&2 || { cat "$T/2.err" >&2; return 1; }
    if ! grep -q '^# diff-rerun: changes' "$file"; then
        ! grep -E ' changed=[1-9]' "$T/pot.snap2" >&2
    fi
    if grep -q '^# diff-output: exact' "$file"; then
        sed -i -E 's/"(delta|end|start)": "[^"]*"/"\1": "..."/g' "$T/ansible.out" "$T/pot.out"
        # -v: Ansible's config-file line and the remote temp file its copy module names as
        # "src" (pot names no config file and sends content over its own channel)
        sed -i -E -e '/^No config file found; using defaults$/d' \
            -e 's/, "src": "[^"]*\/\.ansible\/tmp\/[^"]*"//' "$T/ansible.out"
        diff -u "$T/ansible.out" "$T/pot.out" >&2
    fi
}

for file in "$DIFF"/*.yml; do
    name=$(basename "$file" .yml)
    [ -n "${POT_DIFF_ONLY:-}" ] && [ "$name" != "$POT_DIFF_ONLY" ] && continue
    variants=$(sed -n 's/^# diff-args: *//p' "$file")
    if [ -z "$variants" ]; then
        expect_success "diff: $name" "check $name"
        continue
    fi
    while IFS= read -r args; do
        expect_success "diff: $name $args" "check $name $args"
    done <<<"$variants"
done
test_done
