#!/usr/bin/env bash
# t9104-check-host.sh - `pot check host` on the sandbox's 4 hosts: the probe's facts judged.
#  - prepared hosts (ip_forward on, distinct machine-ids, limits the sandbox meets, the kernel
#    modules this machine's kernel has): every check passes on every host, in the documented
#    order, exit 0; nothing is left on the hosts;
#  - each check made to fail on purpose, at once: node1's data directory on a 1 MiB tmpfs
#    (host.data_disk), a route into the pod CIDR on node2 (host.pod_cidr), port 6443 taken on node3
#    (host.ports), a module that is not loaded and ip_forward off on node4 (host.kernel_modules,
#    host.sysctl), node3 and node4 with one machine-id (host.machine_id_unique on both), node1
#    reaching an "internet" address (node2's sshd: host.internet warns); each with its value and
#    hint, the other checks of those hosts still passing, exit 2;
#  - an unreachable host: host.probe fails, exit 4; a bad cluster_cidr or threshold: exit 5.
# Needs: tests/sandbox/sandbox.sh up (docker mode) and POT_SANDBOX_ENV.
. "$(dirname "$0")/lib.sh"
require_sandbox
if [ "$SANDBOX_MODE" != docker ]; then
    echo "# $TEST_NAME: skipped: the sandbox is in $SANDBOX_MODE mode (its hosts are this machine)"
    test_done
fi

TINY=/mnt/pot-t9104
LISTENER_PID_FILE=/tmp/t9104-listener.pid
on() { pot exec -i "$SANDBOX_INVENTORY" "$1" -- "$2"; }
cleanup() {
    on node1 "umount $TINY 2>/dev/null; rmdir $TINY 2>/dev/null; true" >/dev/null 2>&1
    on node2 "ip route del 172.16.4.0/24 2>/dev/null; true" >/dev/null 2>&1
    on node3 "test -f $LISTENER_PID_FILE && kill \$(cat $LISTENER_PID_FILE); rm -f $LISTENER_PID_FILE; true" >/dev/null 2>&1
    on all "sysctl -qw net.ipv4.ip_forward=0; : >/etc/machine-id" >/dev/null 2>&1
}
trap cleanup EXIT

# the default modules this machine's kernel has (the hosts share it)
present=$(for m in iptable_nat br_netfilter overlay nf_conntrack; do [ -d /sys/module/$m ] && echo $m; done | paste -sd,)
[ -n "$present" ] || present=kernel # /sys/module/kernel is always there

NODE2=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f2)
UNUSED=${NODE2%.*}.250 # an address of the sandbox's subnet no host has
INV=$T/hosts
{
    cat "$SANDBOX_INVENTORY"
    printf '\n[all:vars]\ncheck_path=/root\ncheck_cpus=1\ncheck_cpus_warn=1\ncheck_memory_mb=64\n'
    printf 'check_memory_warn_mb=64\ncheck_data_disk_size=0.5\ncheck_root_free_gb=0.01\n'
    printf 'check_root_free_warn_gb=0.01\ncheck_swap_warn_mb=1000000\ncheck_binaries_optional=""\n'
    printf 'check_sysctls=net.ipv4.ip_forward=1\ncheck_kernel_modules=%s\n' "$present"
    printf 'check_internet_target=%s:53\n' "$UNUSED"
} >"$INV"

expect_success 'the hosts prepared: ip_forward on, a machine-id each' '
    on all "sysctl -qw net.ipv4.ip_forward=1 && cat /proc/sys/kernel/random/uuid | tr -d - >/etc/machine-id"
'

expect_success 'prepared hosts pass every check, in the documented order, exit 0' '
    assert_exit 0 pot check host -i "$INV" --json >pass.json
    assert_eq pass "$(jq -r .verdict pass.json)"
    assert_eq "node1 node2 node3 node4" "$(jq -r "[.hosts[].host] | join(\" \")" pass.json)"
    assert_eq "host.os host.kernel host.cpus host.memory host.swap host.data_dir host.data_disk host.root_free host.kernel_modules host.sysctl host.pod_cidr host.ports host.time_offset host.dns host.internet host.binaries host.binaries_optional host.hostname_unique host.machine_id_unique" \
        "$(jq -r "[.hosts[0].checks[].id] | join(\" \")" pass.json)"
    assert_eq 0 "$(jq "[.hosts[].checks[] | select(.verdict != \"pass\")] | length" pass.json)"
    # the facts are the hosts own
    assert_eq "node1 node2 node3 node4" "$(jq -r "[.hosts[].probe.hostname] | join(\" \")" pass.json)"
    assert_eq 4 "$(jq "[.hosts[].probe.machine_id] | unique | length" pass.json)"
    assert_eq debian "$(jq -r ".hosts[0].probe.os.id" pass.json)"
    assert_eq "$(uname -r)" "$(jq -r ".hosts[0].probe.kernel" pass.json)"
    assert_eq true "$(jq "[.hosts[].checks[] | select(.id == \"host.time_offset\") | .value < 1000] | all" pass.json)"
'

expect_success 'nothing is left on any host' '
    on all "ls /tmp | grep pot-probe; echo clean" >left.out
    assert_eq 4 "$(grep -c "^clean$" left.out)"
'

expect_success 'the hosts broken on purpose, one way each' '
    on node1 "mkdir -p '"$TINY"' && mount -t tmpfs -o size=1m tmpfs '"$TINY"'"
    on node2 "ip route add 172.16.4.0/24 dev eth0"
    on node3 "nohup python3 -c \"import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\\\"0.0.0.0\\\", 6443)); s.listen(); time.sleep(300)\" >/dev/null 2>&1 & echo \$! >'"$LISTENER_PID_FILE"'; sleep 1"
    on node4 "sysctl -qw net.ipv4.ip_forward=0"
    id4=$(on node4 "cat /etc/machine-id" | tail -1)
    test ${#id4} -eq 32
    on node3 "echo $id4 >/etc/machine-id"
'

expect_success 'each check fails with its value and hint, the others still pass, exit 2' '
    {
        cat "$INV"
        printf "\n[installer]\nnode1 check_path=%s check_data_disk_size=1 check_internet_target=%s:22\n" "'"$TINY"'" "$NODE2"
        printf "\n[masters]\nnode4 check_kernel_modules=%s,pot_missing_module\n" "'"$present"'"
    } >broken-hosts
    assert_exit 2 pot check host -i broken-hosts >broken.txt
    check() { grep "^$1 | $2 $3 " broken.txt; }
    check node1 FAIL host.data_disk >l1
    assert_contains l1 "(pass: >= 1 GB) -> put the data directory on a disk of at least check_data_disk_size GB"
    check node1 WARN host.internet >l1i
    assert_contains l1i "$NODE2:22 answered -> the host reaches the internet"
    check node2 "FAIL (mandatory)" host.pod_cidr >l2  # check_network_mandatory is on unless set, as in the kit
    assert_contains l2 "1 conflicts (pass: <= 0 conflicts): 172.16.0.0/19 overlaps 172.16.4.0/24 on eth0 -> choose a cluster_cidr"
    check node3 FAIL host.ports >l3
    assert_contains l3 "1 in use (pass: <= 0 in use): 6443 in use -> stop what listens there"
    check node4 FAIL host.kernel_modules >l4
    assert_contains l4 "pot_missing_module not loaded -> load them (modprobe NAME)"
    check node4 FAIL host.sysctl >l4s
    assert_contains l4s "net.ipv4.ip_forward=0 (needs 1) -> set them"
    check node3 FAIL host.machine_id_unique >l3m
    assert_contains l3m "same as node4 -> a cloned machine"
    check node4 FAIL host.machine_id_unique >l4m
    assert_contains l4m "same as node3"
    # nothing else failed or warned
    assert_eq 8 "$(grep -c "| \(FAIL\|WARN\) " broken.txt)"
    assert_eq 4 "$(grep -c "^node[1-4] | PASS host.kernel " broken.txt)"
    # --gate: only a mandatory failure counts (the CIDR conflict, until its switch is off)
    assert_exit 2 pot check host -i broken-hosts --gate >gate.txt
    { cat broken-hosts; printf "\n[all:vars]\ncheck_network_mandatory=false\n"; } >gate-hosts
    assert_exit 0 pot check host -i gate-hosts --gate >gate2.txt
    assert_contains gate2.txt "node2 | FAIL host.pod_cidr"
'

expect_success 'an unreachable host: host.probe fails with the reason, exit 4' '
    { cat "$INV"; printf "\n[ghosts]\nghost ansible_host=127.0.0.1 ansible_port=1\n"; } >ghost-hosts
    assert_exit 4 pot check host -i ghost-hosts ghost --json >ghost.json
    assert_eq host.probe "$(jq -r ".hosts[0].checks[0].id" ghost.json)"
    assert_eq 1 "$(jq ".hosts[0].checks | length" ghost.json)"
'

expect_success 'bad input exits 5: a cluster_cidr that is no network, a threshold that is no number' '
    { cat "$INV"; printf "\n[all:vars]\ncluster_cidr=172.16.0.0/40\n"; } >cidr-hosts
    assert_exit 5 pot check host -i cidr-hosts node1 2>cidr.err
    assert_contains cidr.err "'"'"'172.16.0.0/40'"'"' is not an IPv4 network"
    { cat "$INV"; printf "\n[all:vars]\ncheck_cpus=many\n"; } >cpu-hosts
    assert_exit 5 pot check host -i cpu-hosts node1 2>cpu.err
    assert_contains cpu.err "host variable '"'"'check_cpus'"'"' is not a number"
'

test_done
