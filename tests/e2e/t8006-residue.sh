#!/usr/bin/env bash
# t8006-residue.sh - host residue snapshots, `pot diff-host`:
#  - baselines of node3 and node4 (0600 files in a 0700 dir, no file contents in them); a second
#    --record keeps them; two snapshots of an untouched host compare clean (no churn);
#  - one change of each kind on node3 (a file added under /etc, one removed, a mode changed, a
#    tmpfs mount, an iptables chain with a jump, a dummy interface (a bridge where the kernel has
#    no dummy driver), a sysctl value, a listening socket, a file under /data): exactly those
#    lines for node3 and "node4: clean", exit 1; everything undone: both clean, exit 0;
#  - an unknown host and a host without a baseline: exit 5 with a clear message; an unreachable
#    host is reported (exit 4) while the other host is still compared.
# The hosts are left as they were found (an EXIT trap undoes what a failure left behind).
# Needs: tests/sandbox/sandbox.sh up (docker mode: the changes are real, on node3) and
# POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox
if [ "$SANDBOX_MODE" != docker ]; then
    echo "# $TEST_NAME: skipped: the sandbox is in $SANDBOX_MODE mode (its hosts are this machine)"
    test_done
fi

read -r _ _ IP3 _ <<<"$SANDBOX_HOSTS"
DATA=$T/data
SNAPS=$DATA/pot/residue
TAB=$(printf '\t')
on3() {
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" \
        "root@$IP3" "$@"
}
# the sandbox inventory plus 'ghost', whose port points nowhere
INV=$T/hosts
{ cat "$SANDBOX_INVENTORY"; printf '\n[ghosts]\nghost ansible_host=127.0.0.1 ansible_port=1\n'; } >"$INV"
diff_host() { pot diff-host -i "$INV" --data-dir "$DATA" "$@"; }

# What node3 has before the baseline: a file to remove, one whose mode changes, the mount point,
# /data (check_path) when it is missing; every kernel facility the changes use touched once, so
# that a module they load shows in the baseline already.
# shellcheck disable=SC2016 # expanded on node3
on3 'set -e
    [ -d /data ] || { mkdir /data && touch /run/pot-t8006-made-data; }
    printf "content-t8006\n" >/etc/pot-t8006-gone && chmod 0644 /etc/pot-t8006-gone
    printf "mode\n" >/etc/pot-t8006-mode && chmod 0644 /etc/pot-t8006-mode
    mkdir -p /mnt/pot-t8006
    mount -t tmpfs pot-t8006 /mnt/pot-t8006 && umount /mnt/pot-t8006
    iptables -N POT-T8006 && iptables -A INPUT -j POT-T8006
    iptables -D INPUT -j POT-T8006 && iptables -X POT-T8006
    if ip link add pott8006 type dummy 2>/dev/null; then echo dummy; else
        ip link add pott8006 type bridge && echo bridge; fi >/run/pot-t8006-link
    ip link del pott8006
    cat /proc/sys/net/ipv4/ip_forward >/run/pot-t8006-forward' || {
    echo "not ok - node3 could be prepared" >&2
    exit 1
}
LINK=$(on3 cat /run/pot-t8006-link)
FWD=$(on3 cat /run/pot-t8006-forward)
NEWFWD=$((1 - FWD))

# change_node3: one change of each kind
change_node3() {
    # shellcheck disable=SC2016 # expanded on node3
    on3 'set -e
        printf "secret-content-t8006\n" >/etc/pot-t8006.conf
        rm /etc/pot-t8006-gone
        chmod 0600 /etc/pot-t8006-mode
        mount -t tmpfs pot-t8006 /mnt/pot-t8006
        iptables -N POT-T8006 && iptables -A INPUT -j POT-T8006
        ip link add pott8006 type "$(cat /run/pot-t8006-link)"
        echo '"$NEWFWD"' >/proc/sys/net/ipv4/ip_forward
        printf "data\n" >/data/pot-t8006.txt
        nohup python3 -m http.server 18006 --bind 127.0.0.1 >/dev/null 2>&1 </dev/null &
        echo $! >/run/pot-t8006-http.pid
        for i in $(seq 100); do
            ss -lnt | grep -q "127.0.0.1:18006 " && exit 0
            sleep 0.1
        done
        echo "the http server does not listen" >&2
        exit 1'
}

# undo_node3: every change undone (each step also when it was never made)
undo_node3() {
    # shellcheck disable=SC2016 # expanded on node3
    on3 'rm -f /etc/pot-t8006.conf /data/pot-t8006.txt
        printf "content-t8006\n" >/etc/pot-t8006-gone && chmod 0644 /etc/pot-t8006-gone
        chmod 0644 /etc/pot-t8006-mode
        umount /mnt/pot-t8006 2>/dev/null
        iptables -D INPUT -j POT-T8006 2>/dev/null
        iptables -X POT-T8006 2>/dev/null
        ip link del pott8006 2>/dev/null
        cat /run/pot-t8006-forward >/proc/sys/net/ipv4/ip_forward
        if [ -f /run/pot-t8006-http.pid ]; then
            kill "$(cat /run/pot-t8006-http.pid)" 2>/dev/null
            rm -f /run/pot-t8006-http.pid
        fi
        for i in $(seq 100); do
            ss -lnt | grep -q "127.0.0.1:18006 " || exit 0
            sleep 0.1
        done
        exit 1'
}

# restore_node3: node3 as it was before this test
restore_node3() {
    undo_node3 >/dev/null 2>&1
    # shellcheck disable=SC2016 # expanded on node3
    on3 'rm -f /etc/pot-t8006-gone /etc/pot-t8006-mode /run/pot-t8006-link
        rm -f /run/pot-t8006-forward
        rmdir /mnt/pot-t8006 2>/dev/null
        if [ -f /run/pot-t8006-made-data ]; then
            rmdir /data && rm -f /run/pot-t8006-made-data
        fi
        true' >/dev/null 2>&1
}
trap restore_node3 EXIT

expect_success 'baselines of node3 and node4: 0600 files in a 0700 dir, names and hashes only' '
    diff_host --record node3 node4 >out &&
    assert_eq 2 "$(grep -c "^node[34]: baseline recorded ([0-9]* entries)$" out)" &&
    assert_eq 700 "$(stat -c %a "$SNAPS")" &&
    assert_eq "600 600" "$(stat -c %a "$SNAPS/node3.snap" "$SNAPS/node4.snap" | paste -sd" ")" &&
    head -n1 "$SNAPS/node3.snap" | grep -q "^# pot-residue 1${TAB}host=node3${TAB}time=" &&
    grep -q "^file${TAB}/etc/pot-t8006-mode${TAB}file 0644 0:0 sha256=[0-9a-f]\{64\}$" "$SNAPS/node3.snap" &&
    grep -q "^sysctl${TAB}net.ipv4.ip_forward${TAB}$FWD$" "$SNAPS/node3.snap" &&
    grep -q "^listen${TAB}tcp 0.0.0.0:22${TAB}$" "$SNAPS/node3.snap" &&
    grep -q "^package${TAB}openssh-server${TAB}" "$SNAPS/node3.snap" &&
    assert_not_contains "$SNAPS/node3.snap" content-t8006
'

expect_success 'a second --record keeps the baselines; --replace retakes them' '
    cp "$SNAPS/node3.snap" before.snap &&
    diff_host --record node3 >out && cat out &&
    grep -q "^node3: baseline of 20[0-9-]*T[0-9:]*Z kept$" out &&
    cmp before.snap "$SNAPS/node3.snap" &&
    sleep 1 && diff_host --record --replace node3 >out2 &&
    grep -q "^node3: baseline recorded" out2 &&
    ! cmp -s before.snap "$SNAPS/node3.snap" &&
    assert_eq "$(tail -n +2 before.snap)" "$(tail -n +2 "$SNAPS/node3.snap")"
'

expect_success 'untouched hosts compare clean, twice (no churn)' '
    diff_host node3 node4 >out1 && diff_host node4 node3 >out2 &&
    assert_eq "node3: clean
node4: clean" "$(cat out1)" &&
    assert_eq "$(cat out1)" "$(cat out2)"
'

expect_success 'one change of each kind on node3: exactly those lines, node4 clean, exit 1' '
    change_node3 &&
    assert_exit 1 diff_host node3 node4 >out; cat out &&
    assert_eq "node3: file /data/pot-t8006.txt: added
node3: file /etc/pot-t8006-gone: removed
node3: file /etc/pot-t8006-mode: mode 0644 -> 0600
node3: file /etc/pot-t8006.conf: added
node3: iptables filter: added -A INPUT -j POT-T8006
node3: iptables filter: added chain POT-T8006
node3: link pott8006 ($LINK): added
node3: listen tcp 127.0.0.1:18006: added
node3: mount /mnt/pot-t8006 (tmpfs): added
node3: sysctl net.ipv4.ip_forward: $FWD -> $NEWFWD
node4: clean" "$(cat out)" &&
    assert_not_contains out secret-content-t8006
'

expect_success 'everything undone: both clean, exit 0' '
    undo_node3 &&
    rc=0 && diff_host node3 node4 >out || rc=$?
    cat out &&
    assert_eq 0 "$rc" &&
    assert_eq "node3: clean
node4: clean" "$(cat out)"
'

expect_success 'an unknown host, a host without baseline: exit 5, clear messages' '
    assert_exit 5 diff_host node3 nodeX 2>err1 &&
    assert_contains err1 "host '\''nodeX'\'' is not in the inventory" &&
    assert_exit 5 diff_host node2 node3 >out 2>err2 &&
    assert_contains err2 "no snapshot of '\''node2'\'' in '\''$SNAPS'\''; \`pot diff-host --record node2\` takes one" &&
    assert_eq "" "$(cat out)" &&
    assert_exit 5 diff_host 2>err3 &&
    assert_contains err3 "name the hosts"
'

expect_success 'an unreachable host is reported; the other host is still compared (exit 4)' '
    sed "s/host=node4/host=ghost/" "$SNAPS/node4.snap" >"$SNAPS/ghost.snap" &&
    chmod 600 "$SNAPS/ghost.snap" &&
    assert_exit 4 diff_host node3 ghost >out 2>err; cat out err &&
    assert_contains out "node3: clean" &&
    grep -q "^ghost: unreachable: " out &&
    assert_contains err "no snapshot could be taken of '\''ghost'\''" &&
    assert_exit 4 diff_host --record --replace ghost node4 >out2 2>/dev/null &&
    grep -q "^node4: baseline recorded" out2 && grep -q "^ghost: unreachable: " out2
'

expect_success 'pot diff-host --help' '
    pot diff-host --help >help &&
    assert_contains help "usage: pot diff-host" &&
    assert_contains help "--record" && assert_contains help "exit codes:"
'

test_done
