#!/usr/bin/env bash
# t7001-kit-playbooks.sh - the kit's playbooks/host-init.yml and host-check.yml over ssh against
# the sandbox hosts, with ansible-playbook (ansible-core 2.14, the reference) and `pot play`: the
# same PLAY RECAP counters per host, the same resulting files on the hosts, and a second run with
# changed=0 for both; a mandatory check that fails stops the host with its reason, a
# non-mandatory one is only ignored; the TKEStack-only tag subset runs. host-init takes its
# packages from an offline repository built here (Debian's real chrony .deb, downloaded by apt on
# this machine, and two packages made for the test), so the offline repository, time sync with
# a real chronyd, the registry CA, kernel settings, data links and the kernel update all run; and
# host-undo.yml puts every host back as it was, then changes nothing.
. "$(dirname "$0")/lib.sh"
require_sandbox

INV=$SANDBOX_INVENTORY
PB=$TOP/playbooks
# The sandbox has no data disk (the name below does not exist, so nothing is partitioned), no
# firewall service (open_firewall='true' exercises the iptables rules anyway), a small /data check,
# and no fio/iperf (benchmarks are skipped with a message; the offline repository lacks them).
# Its kernel has no br_netfilter or ip_vs (reported by kernel_init); update_kernel installs a
# stand-in kernel package whose version any running kernel is older than.
make_offline_repo "$T/package/offline-pot-repo"
mkdir -p "$T/package/offline-pot-tgz/registry.tke.com.cert"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pot-test-registry-ca -days 2 \
    -keyout "$T/registry-ca.key" -out "$T/package/offline-pot-tgz/registry.tke.com.cert/ca.crt" 2>/dev/null
cat >"$T/vars.yml" <<VARS
data_disk_name: pot-no-such-disk
open_firewall: 'true'
check_data_disk_size: '1'
stress_perfor: 'true'
perfor_reports_dir: /data/perfor-reports
offline_repo_src: $T/package/offline-pot-repo
registry_cert_dir: $T/package/offline-pot-tgz/registry.tke.com.cert
base_packages_debian: [pot-test-tool]
update_kernel: 'true'
kernel_min_version: '99.0'
kernel_packages_debian: [pot-test-kernel]
VARS

ap() { ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 /usr/bin/ansible-playbook -i "$INV" -e @"$T/vars.yml" "$@"; }
pp() { pot play -i "$INV" -e @"$T/vars.yml" "$@"; }

# Puts the hosts back as the sandbox made them (what host-init changes): host-undo.yml first,
# then by hand what it keeps (the kernel package) or in case it missed something.
reset_hosts() {
    pp "$PB/host-undo.yml" >>"$T/reset.log" 2>&1
    pot exec -i "$INV" all -- '
        if [ -f /etc/ssh/sshd_config.pot-bak ]; then
            cp -p /etc/ssh/sshd_config.pot-bak /etc/ssh/sshd_config && rm -f /etc/ssh/sshd_config.pot-bak
        fi
        grep -v "pot\.tke\.com$\|registry\.tke\.com$" /etc/hosts >/tmp/hosts.reset
        cat /tmp/hosts.reset >/etc/hosts && rm -f /tmp/hosts.reset
        dpkg --purge pot-test-kernel pot-test-tool chrony >/dev/null 2>&1
        iptables -F INPUT && rm -rf /data /var/lib/pot /storage /var/lib/influxdb' >/dev/null
}

# What the playbooks leave on the hosts, one sorted listing.
snapshot() {
    pot exec -i "$INV" all -- '
        h=$(hostname)
        sha256sum /etc/ssh/sshd_config /etc/ssh/sshd_config.pot-bak /etc/hosts \
            /etc/chrony/chrony.conf /etc/apt/sources.list.d/offline-pot.list \
            /etc/modules-load.d/pot.conf /etc/sysctl.d/90-pot.conf 2>/dev/null | sed "s/^/$h /"
        iptables -S INPUT | sed "s/^/$h iptables /"
        dpkg-query -W -f "$h package \${Package} \${Status}\n" chrony pot-test-tool pot-test-kernel 2>/dev/null
        echo "$h ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
        find /data /var/lib/pot /etc/docker /etc/containerd /storage /var/lib/influxdb \
            \( -type l -printf "$h %p -> %l\n" \) -o -printf "$h %p %y %m\n" 2>/dev/null
        find /var/lib/pot -type f -exec sha256sum {} + 2>/dev/null | sed "s/^/$h /"' |
        grep -v ' | CHANGED | ' | sort
}

# recaps FILE: "host ok changed unreachable failed skipped rescued ignored" per host.
recaps() {
    awk '/^PLAY RECAP/ {r=1; next} r && NF {print}' "$1" | sed 's/  */ /g' | sort
}

# The hosts as the sandbox made them, to compare with after host-undo.yml.
reset_hosts
snapshot >"$T/snap-before"

for book in host-init host-check; do
    expect_success "$book.yml: ansible-playbook applies it, then changes nothing" '
        reset_hosts &&
        ap "$PB/'$book'.yml" >a1.'$book' 2>&1 && ap "$PB/'$book'.yml" >a2.'$book' 2>&1 &&
        snapshot >"$T/snap-ansible.'$book'" &&
        for h in node1 node2 node3 node4; do assert_recap a2.'$book' $h changed=0 failed=0 || exit 1; done &&
        grep -q "changed=[1-9]" a1.'$book'
    '
    expect_success "$book.yml: pot play gives the same recap and files, then changes nothing" '
        reset_hosts &&
        pp "$PB/'$book'.yml" >p1.'$book' 2>&1 && pp "$PB/'$book'.yml" >p2.'$book' 2>&1 &&
        snapshot >snap-pot &&
        assert_eq "$(recaps "$T/a1.'$book'")" "$(recaps p1.'$book')" "first-run recap" &&
        assert_eq "$(recaps "$T/a2.'$book'")" "$(recaps p2.'$book')" "second-run recap" &&
        diff -u "$T/snap-ansible.'$book'" snap-pot
    '
done

expect_success 'host-init: the kit domains point at the installer, rules are not duplicated' '
    pp "$PB/host-init.yml" >p0 2>&1 &&
    pot exec -i "$INV" node3 -- "grep -c \"^172.30.*  offline.yum.pot.tke.com\$\" /etc/hosts; iptables -S INPUT | sort | uniq -d | wc -l; grep -c \"^PasswordAuthentication yes\" /etc/ssh/sshd_config; sshd -t && echo sshd-ok" >out &&
    cat out && assert_eq "1 0 1 sshd-ok" "$(grep -v "|" out | tr "\n" " " | sed "s/ $//")"
'

expect_success 'host-init: packages from the offline repository, CA, kernel settings, data links in place' '
    ca=$(sha256sum <"$T/package/offline-pot-tgz/registry.tke.com.cert/ca.crt" | cut -c1-64) &&
    pot exec -i "$INV" node3 -- "
        cat /etc/apt/sources.list.d/offline-pot.list | grep -v ^#
        pot-test-tool
        dpkg-query -W -f \"\\\${Package} \\\${Status}\\n\" chrony pot-test-kernel
        grep ^server /etc/chrony/chrony.conf
        sha256sum </etc/docker/certs.d/registry.tke.com/ca.crt | cut -c1-64
        sha256sum </etc/containerd/certs.d/registry.tke.com/ca.crt | cut -c1-64
        cat /proc/sys/net/ipv4/ip_forward /etc/modules-load.d/pot.conf
        ls /storage 2>&1 | sed s/:.*//" >out &&
    grep -v "|" out >got && cat got &&
    printf "%s\n" "deb [trusted=yes] file:/var/lib/pot/offline-repo ./" "pot-test-tool 1.0" \
        "chrony install ok installed" "pot-test-kernel install ok installed" \
        "server ntpd.pot.tke.com iburst" "$ca" "$ca" 1 "# written by pot (host-init, kernel_init)" \
        br_netfilter overlay nf_conntrack iptable_nat ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh "ls" >want &&
    diff -u want got &&
    pot exec -i "$INV" node2 -- "readlink /storage /var/lib/influxdb" >links && cat links &&
    assert_contains links /data/storage && assert_contains links /data/influxdb &&
    assert_contains p1.host-init "not available in this kernel: br_netfilter" &&
    assert_contains p1.host-init "reboot this host to run the new kernel" &&
    assert_contains p1.host-init "not in the offline repository: iperf fio sysbench"
'

expect_success 'time_sync: a host follows the chronyd of the installer through ntpd.pot.tke.com' '
    pot exec -i "$INV" node1 -- "grep -c ^allow /etc/chrony/chrony.conf; chronyd -x -f /etc/chrony/chrony.conf" >srv &&
    assert_eq 4 "$(grep -v "|" srv)" "allow lines on the installer" &&
    rc=0 && pot exec -i "$INV" node4 -- "timeout 60 chronyd -Q -t 40 -f /etc/chrony/chrony.conf 2>&1" >sync || rc=$?
    pot exec -i "$INV" node1 -- "kill \$(cat /run/chrony/chronyd.pid)" >/dev/null
    cat sync && [ $rc = 0 ] && assert_contains sync "System clock wrong by"
'

expect_success 'host-check: missing fio/iperf are skipped with a message, reports dir exists' '
    assert_contains "$T/a1.host-check" "fio is not installed on this host" &&
    assert_contains "$T/a1.host-check" "iperf is not installed on this host" &&
    grep -q "^node2 /data/perfor-reports/net d 755$" "$T/snap-ansible.host-check"
'

# The hosts' network (a /24 of the sandbox) and CIDRs that overlap it.
first_host=${SANDBOX_HOSTS%% *}
HOST_NET=${first_host%.*}.0/24
WIDE_CIDR=${first_host%.*.*}.0.0/16
HALF_CIDR=${first_host%.*}.128/25
export HOST_NET WIDE_CIDR HALF_CIDR

expect_success 'a failing check that is not mandatory is reported and ignored (both tools)' '
    ap "$PB/host-check.yml" --tags check_network -e cluster_cidr=$WIDE_CIDR \
        -e check_network_mandatory=false >a3 2>&1 &&
    pp "$PB/host-check.yml" --tags check_network -e cluster_cidr=$WIDE_CIDR \
        -e check_network_mandatory=false >p3 2>&1 &&
    assert_eq "$(recaps a3)" "$(recaps p3)" &&
    assert_recap p3 node2 failed=0 ignored=1 &&
    assert_contains p3 "cluster_cidr $WIDE_CIDR overlaps this host'"'"'s network $HOST_NET"
'

expect_success 'a failing mandatory check fails the host with its reason (both tools)' '
    assert_exit 2 ap "$PB/host-check.yml" --tags check_network -e cluster_cidr=$HALF_CIDR >a4 2>&1 &&
    assert_exit 2 pp "$PB/host-check.yml" --tags check_network -e cluster_cidr=$HALF_CIDR >p4 2>&1 &&
    assert_eq "$(recaps a4)" "$(recaps p4)" && assert_recap p4 node3 failed=1 &&
    assert_contains p4 "cluster_cidr $HALF_CIDR overlaps this host'"'"'s network $HOST_NET"
'

expect_success 'the TKEStack-only tag subset runs and changes nothing more' '
    tags=sshd_config_init,selinux_init,remove_devnet_proxy,add_domains,data_disk_init,check_iptables &&
    ap "$PB/host-init.yml" --tags $tags >a5 2>&1 && pp "$PB/host-init.yml" --tags $tags >p5 2>&1 &&
    assert_eq "$(recaps a5)" "$(recaps p5)" && assert_recap p5 node1 changed=0 failed=0 &&
    assert_not_contains p5 "install_base_tools"
'

expect_success 'host-undo.yml puts the hosts back as before host-init (the kernel kept), then changes nothing' '
    pp "$PB/host-undo.yml" >u1 2>&1 && pp "$PB/host-undo.yml" >u2 2>&1 &&
    for h in node1 node2 node3 node4; do assert_recap u2 $h changed=0 failed=0 || exit 1; done &&
    assert_contains u1 "kept: the kernel packages update_kernel installed: pot-test-kernel" &&
    pot exec -i "$INV" all -- "dpkg --purge pot-test-kernel >/dev/null" >/dev/null &&
    snapshot >snap-after-undo && diff -u "$T/snap-before" snap-after-undo
'

reset_hosts
test_done
