# lib.sh - the harness every tests/e2e/tNNNN-*.sh sources.
# Gives each test file a scratch directory, expect_success/expect_failure that run a snippet in a
# subshell and print TAP-like "ok N - desc" / "not ok N - desc", assert_* helpers, and test_done,
# which prints "N passed, N failed" and appends the counts to $POT_E2E_TALLY for scripts/test.sh.
# Variables available to snippets: $POT (the binary), $TOP (repo root), $T (scratch dir), and
# everything tests/sandbox/sandbox.sh env exported (when the sandbox is up).

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
POT=${POT:-$TOP/build/pot}
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/pot-e2e-$TEST_NAME.XXXXXX")
test_count=0
test_failed=0
export TOP POT T

pot() { "$POT" "$@"; }

if [ -n "${POT_SANDBOX_ENV:-}" ] && [ -f "$POT_SANDBOX_ENV" ]; then
    set -a
    # shellcheck disable=SC1090
    . "$POT_SANDBOX_ENV"
    set +a
fi

# ansible_local_env: the settings every comparison with Debian's ansible-playbook runs under
# (quiet, no colour, no retry files, python3, its temp files in $T).
ansible_local_env() {
    export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False \
        ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=False \
        ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" \
        ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_COMMAND_WARNINGS=False
}

# diff_inventory FILE: the 3-host local inventory the tests/diff playbooks run against (t2001,
# t2003).
diff_inventory() {
    cat >"$1" <<'HOSTS'
[web]
h1 hv=one
h2
[db]
h3 port=5432
[web:vars]
tier=web
[all:vars]
ansible_connection=local
HOSTS
}

# require_sandbox: when no sandbox is up, record one failure and end the file.
require_sandbox() {
    if [ -z "${SANDBOX_INVENTORY:-}" ]; then
        echo "# $TEST_NAME: needs the sandbox (POT_SANDBOX_ENV unset)" >&2
        test_failed=$((test_failed + 1))
        test_count=$((test_count + 1))
        echo "not ok $test_count - sandbox is up"
        test_done
    fi
}

# dk ARGS: docker against the sandbox's own dockerd.
dk() { env -u DOCKER_CONTEXT /usr/bin/docker -H "$SANDBOX_DOCKER_HOST" "$@"; }
# ip_of NODE: the address of sandbox host NODE (node1 -> the first of $SANDBOX_HOSTS).
ip_of() { echo "$SANDBOX_HOSTS" | tr ' ' '\n' | sed -n "${1#node}p"; }
# on_node NODE COMMAND...: COMMAND as root on sandbox host NODE over ssh (the sandbox key, strict
# host key checking).
on_node() {
    local host=$1
    shift
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" \
        "root@$(ip_of "$host")" "$@"
}

# fresh_hosts: the sandbox's hosts recreated as first made (sandbox.sh up brings removed hosts
# back with their own keys), for a test that compares hosts before and after and must not see what
# earlier tests left on them (an install's records, the cluster stand-in). Docker mode only.
fresh_hosts() {
    local name
    [ "$SANDBOX_MODE" = docker ] || return 0
    for name in $SANDBOX_NAMES; do
        dk rm -f "pot-host${name#node}" >/dev/null
    done
    POT_SANDBOX_DIR=$SANDBOX_DIR bash "$TOP/tests/sandbox/sandbox.sh" up >/dev/null
}

# make_offline_repo DIR: an offline package repository as the kit's dpl_yum_repo takes it, with
# DIR/debs/ a flat apt repository of Debian's chrony (apt-get download on this machine, from its
# own bookworm mirror, as the package builder would) and two packages made here, pot-test-tool
# and pot-test-kernel (version 99.0), and its Packages index (dpkg-scanpackages).
make_offline_repo() {
    local dir=$1/debs name version root
    mkdir -p "$dir"
    (cd "$dir" && apt-get download -q chrony >/dev/null 2>&1) || {
        echo "make_offline_repo: apt-get download chrony failed" >&2
        return 1
    }
    for name in pot-test-tool:1.0 pot-test-kernel:99.0; do
        version=${name#*:} name=${name%%:*}
        root=$(mktemp -d)
        mkdir -p "$root/DEBIAN" "$root/usr/bin"
        printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: pot tests <pot@localhost>\nDescription: a package of the host-init tests of pot\n' \
            "$name" "$version" >"$root/DEBIAN/control"
        printf '#!/bin/sh\necho %s %s\n' "$name" "$version" >"$root/usr/bin/$name"
        chmod 0755 "$root/usr/bin/$name"
        dpkg-deb --root-owner-group -b "$root" "$dir/${name}_${version}_all.deb" >/dev/null
        rm -rf "$root"
    done
    (cd "$dir" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null)
}

run_snippet() {
    local desc=$1 snippet=$2 expect=$3 rc
    test_count=$((test_count + 1))
    (cd "$T" && set -e && eval "$snippet") >"$T/.out.$test_count" 2>&1
    rc=$?
    if { [ "$expect" = success ] && [ $rc -eq 0 ]; } || { [ "$expect" = failure ] && [ $rc -ne 0 ]; }; then
        echo "ok $test_count - $desc"
    else
        test_failed=$((test_failed + 1))
        echo "not ok $test_count - $desc (exit $rc)"
        sed -e 's/^/#   /' "$T/.out.$test_count" | tail -n 40
    fi
}

expect_success() { run_snippet "$1" "$2" success; }
expect_failure() { run_snippet "$1" "$2" failure; }

# assert_eq EXPECTED ACTUAL [what]
assert_eq() {
    if [ "$1" != "$2" ]; then
        echo "assert_eq failed${3:+ ($3)}: expected '$1', got '$2'" >&2
        return 1
    fi
}

# assert_contains FILE TEXT: FILE contains the fixed string TEXT.
assert_contains() {
    if ! grep -qF -- "$2" "$1"; then
        echo "assert_contains failed: '$2' not in $1:" >&2
        sed -e 's/^/    /' "$1" | tail -n 20 >&2
        return 1
    fi
}

# assert_not_contains FILE TEXT
assert_not_contains() {
    if grep -qF -- "$2" "$1"; then
        echo "assert_not_contains failed: '$2' found in $1" >&2
        return 1
    fi
}

# assert_exit CODE CMD...: CMD exits with exactly CODE.
assert_exit() {
    local want=$1 rc=0
    shift
    "$@" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "assert_exit failed: '$*' exited $rc, expected $want" >&2
        return 1
    fi
}

# assert_recap FILE HOST key=value...: the PLAY RECAP line of HOST in FILE has these counters.
assert_recap() {
    local file=$1 host=$2 line kv
    shift 2
    line=$(awk -v h="$host" '/^PLAY RECAP/ {r=1; next} r && $1 == h {print; exit}' "$file")
    if [ -z "$line" ]; then
        echo "assert_recap failed: no recap line for '$host' in $file" >&2
        return 1
    fi
    for kv in "$@"; do
        case " $line " in
        *" $kv "*) ;;
        *)
            echo "assert_recap failed: '$kv' not in: $line" >&2
            return 1
            ;;
        esac
    done
}

test_done() {
    local passed=$((test_count - test_failed))
    echo "# $TEST_NAME: $passed passed, $test_failed failed"
    if [ -n "${POT_E2E_TALLY:-}" ]; then
        echo "$TEST_NAME $passed $test_failed" >>"$POT_E2E_TALLY"
    fi
    rm -rf "$T"
    [ "$test_failed" -eq 0 ]
    exit
}
