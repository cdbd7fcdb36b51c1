#!/usr/bin/env bash
# t3002-diff-over-ssh.sh - every playbook in tests/diff-ssh/ runs over ssh against the sandbox's
# hosts through Debian's ansible-playbook (ansible-core 2.14) and `pot play`, twice each, side by
# side. Both must agree on: the exit code, the PLAY RECAP counters per host, the files left under
# $OUT on every host (path, type, mode, owner uid, sha256 and the text of small files), and the
# second run must report changed=0 for both. `# diff-ssh-login: pot` playbooks log in as the sudo
# user 'pot' and get ansible_become_password from a 0600 vars file passed with -e @file;
# `# diff-ssh-args: ARGS` adds ARGS to both tools' command lines; `# diff-ssh-output: exact`
# also compares the first run's output byte for byte (times and Ansible's temporary paths
# masked).
# Needs: tests/sandbox/sandbox.sh up (docker mode, 3+ hosts) and POT_SANDBOX_ENV pointing at its
# env. POT_DIFF_ONLY=NAME runs one playbook. Ansible over ssh is slow (minutes per playbook), so
# its snapshots are cached in POT_DIFF_CACHE (default ~/.cache/pot-diff) keyed by everything they
# depend on: tests/diff-ssh/, the ansible version, the sandbox (sandbox.sh, its hosts and
# inventory) and the kernel the hosts share.
. "$(dirname "$0")/lib.sh"
require_sandbox

ANSIBLE_PLAYBOOK=/usr/bin/ansible-playbook
# Host key checking as the inventory's ssh args ask (the sandbox's: StrictHostKeyChecking=yes).
ANSIBLE_HOST_KEY_CHECKING=True
if grep -q 'StrictHostKeyChecking=no' "$SANDBOX_INVENTORY"; then
    ANSIBLE_HOST_KEY_CHECKING=False
fi
export ANSIBLE_HOST_KEY_CHECKING ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DEPRECATION_WARNINGS=False \
    ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$T/.cp" ANSIBLE_PIPELINING=True
# (pipelining: without it Ansible cannot hand its module files to an unprivileged become_user
# when the hosts have no setfacl)
DIFF="$TOP/tests/diff-ssh"
CACHE=${POT_DIFF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pot-diff}
mkdir -p "$CACHE"
OUT=/tmp/pot-diff-ssh
read -r -a NAMES <<<"$SANDBOX_NAMES"
read -r -a ADDRS <<<"$SANDBOX_HOSTS"
SSH=(ssh -p "$SANDBOX_SSH_PORT" -i "$SANDBOX_KEY" -o IdentitiesOnly=yes -o BatchMode=yes
    -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" -o StrictHostKeyChecking=yes)

# The login-as-pot inventory (key auth) and the 0600 vars file with the become password.
sed -e 's/^ansible_user=root$/ansible_user=pot/' "$SANDBOX_INVENTORY" >"$T/inventory-pot"
(
    umask 077
    pw=$(cat "$SANDBOX_USER_PASSWORD_FILE")
    printf "ansible_become_password: '%s'\n" "${pw//\'/\'\'}" >"$T/become-vars.yml"
)

# on_hosts CMD: runs CMD as root on every host, output prefixed by the host's name.
on_hosts() {
    local i
    for i in "${!NAMES[@]}"; do
        "${SSH[@]}" "root@${ADDRS[$i]}" "$1" | sed -e "s/^/${NAMES[$i]} /"
    done
}

# snapshot LOG RC: the exit code, the recap and every host's $OUT.
snapshot() {
    echo "rc=$2"
    awk '/^PLAY RECAP/ {r=1; next} r && NF {$1=$1; print}' "$1"
    on_hosts "cd $OUT 2>/dev/null || exit 0
        find . -mindepth 1 -printf '%P %y %m %U %l\n' | LC_ALL=C sort
        find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -r -d '\n' sha256sum
        find . -type f -size -4k -printf '%P\n' | LC_ALL=C sort |
            while read -r f; do sed -e \"s|^|\$f: |\" \"\$f\"; done"
}

# run_twice TAG NAME CMD...: wipes $OUT on the hosts, runs CMD twice; $T/TAG.snap1, TAG.snap2.
run_twice() {
    local tag=$1 name=$2 inv=$SANDBOX_INVENTORY n rc
    local extra=(-e "out=$OUT")
    shift 2
    if grep -q '^# diff-ssh-login: pot' "$DIFF/$name.yml"; then
        inv=$T/inventory-pot
        extra+=(-e "@$T/become-vars.yml")
    fi
    read -r -a args <<<"$(sed -n 's/^# diff-ssh-args: *//p' "$DIFF/$name.yml")"
    on_hosts "rm -rf $OUT" >/dev/null
    for n in 1 2; do
        rc=0
        (cd "$DIFF" && "$@" -i "$inv" "${extra[@]}" "${args[@]}" "$name.yml") \
            >"$T/$tag.$n.log" 2>"$T/$tag.$n.err" || rc=$?
        snapshot "$T/$tag.$n.log" "$rc" >"$T/$tag.snap$n"
    done
    # the first run's output with times, config-file lines and Ansible's temporary paths masked
    sed -E -e 's/"(delta|end|start)": "[^"]*"/"\1": "..."/g' -e '/^Using .* as config file$/d' \
        -e '/^No config file found; using defaults$/d' \
        -e 's/, "src": "[^"]*\/\.ansible\/tmp\/[^"]*"//' "$T/$tag.1.log" >"$T/$tag.out"
}

# ansible_ref NAME: $T/ansible.snap1 and ansible.snap2, from the cache when they are there.
ansible_ref() {
    local name=$1 key f
    key=$( { echo "ssh $name pipelining"; "$ANSIBLE_PLAYBOOK" --version | head -n 1; uname -r
             echo "$SANDBOX_MODE $SANDBOX_NAMES $SANDBOX_HOSTS"
             cat "$SANDBOX_INVENTORY" "$TOP/tests/sandbox/sandbox.sh"
             cd "$DIFF" && find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum; } |
           sha256sum | cut -c1-32)
    if [ -f "$CACHE/ssh-$key.out" ]; then
        for f in snap1 snap2 out; do cp "$CACHE/ssh-$key.$f" "$T/ansible.$f"; done
        return
    fi
    run_twice ansible "$name" "$ANSIBLE_PLAYBOOK"
    if grep -qx 'rc=0' "$T/ansible.snap1" && grep -qx 'rc=0' "$T/ansible.snap2" &&
        ! grep -E ' changed=[1-9]' "$T/ansible.snap2" >/dev/null; then
        for f in snap1 snap2 out; do cp "$T/ansible.$f" "$CACHE/ssh-$key.$f"; done
    fi
}

# check NAME: one playbook through both tools.
check() {
    local name=$1 tag n
    ansible_ref "$name"
    run_twice pot "$name" "$POT" play
    for tag in ansible pot; do
        if grep -E ' changed=[1-9]' "$T/$tag.snap2" >&2; then
            echo "$tag: the second run changed something" >&2
            [ -f "$T/$tag.2.log" ] && cat "$T/$tag.2.log" >&2
            return 1
        fi
    done
    for n in 1 2; do
        if ! diff -u "$T/ansible.snap$n" "$T/pot.snap$n" >"$T/snap.diff"; then
            grep -E '^(fatal|failed)' "$T/pot.$n.log" | head -n 5 >&2
            cat "$T/pot.$n.err" "$T/snap.diff" >&2
            return 1
        fi
    done
    if grep -q '^# diff-ssh-output: exact' "$DIFF/$name.yml"; then
        diff -u "$T/ansible.out" "$T/pot.out" >&2
    fi
}

expect_success 'ansible-playbook reaches the hosts over ssh' '
    "$ANSIBLE_PLAYBOOK" --version >/dev/null &&
    (cd "$DIFF" && ANSIBLE_NOCOLOR=1 /usr/bin/ansible -i "$SANDBOX_INVENTORY" all -m ping) >out &&
    assert_contains out "${NAMES[0]} | SUCCESS"
'

for file in "$DIFF"/*.yml; do
    name=$(basename "$file" .yml)
    [ -n "${POT_DIFF_ONLY:-}" ] && [ "$name" != "$POT_DIFF_ONLY" ] && continue
    expect_success "diff over ssh: $name" "check $name"
done

expect_success 'the become password never reaches pot'"'"'s output' '
    pw=$(cat "$SANDBOX_USER_PASSWORD_FILE") &&
    (cd "$DIFF" && "$POT" play -vvv -i "$T/inventory-pot" -e "out=$OUT" -e "@$T/become-vars.yml" \
        become.yml) >out 2>&1 || true
    assert_not_contains out "$pw"
'
on_hosts "rm -rf $OUT" >/dev/null
for s in "$T"/.cp/*; do
    [ -S "$s" ] && ssh -o ControlPath="$s" -O exit sandbox-host >/dev/null 2>&1
done
test_done
