#!/usr/bin/env bash
# t8005-uninstall.sh - `pot uninstall` and `pot node` on the sandbox, twice in a row: a full
# install (host-init with the kit's playbooks, the stand-in tke-installer, a base component, the
# example business releases, a worker joined as a TKE Machine), then `pot uninstall --all`: pot's
# residue report and this test's own listing of every host (files with hashes, iptables rules,
# links, mounts, listening ports) both show no difference from before the install; a second
# uninstall changes nothing; the uninstalled hosts take a reinstall. Also: kill -9 during an
# uninstall then a rerun, an uninstall of a half-failed install, --check, the data disk refused
# without its device, `pot node add`/`remove` of a host (the stand-in's record of the Machine),
# and bad input (unknown host, the last master, an unreachable host, no --yes).
#
# What stands in for what: tke-installer is tests/fixtures/tke-installer (a busybox stand-in that
# installs nothing); what it would leave on the nodes is planted by
# tests/fixtures/cluster-standin/footprint.sh between stage host-init and the rest of the install
# (files, a pod mount, iptables chains, links, a listener on 10250), with the cluster stand-in
# (helm/kubectl recording releases and objects) on the first master. cluster_reset_extra_paths
# names the stand-in's own directories, as a field engineer names what their distribution adds.
. "$(dirname "$0")/lib.sh"
require_sandbox
fresh_hosts # earlier tests leave installs behind: "before" is a host as first made

export POT_TKE_PORT=18655 DOCKER_HOST=$SANDBOX_DOCKER_HOST FOOTPRINT_REGISTRY=$SANDBOX_REGISTRY
NAME=pot-t8005-installer
STANDIN=$TOP/tests/fixtures/cluster-standin
SD=/var/lib/pot-standin
MASTER_IP=$(ip_of node2)

"$TOP/tests/fixtures/tke-installer/build.sh" --save "$T/installer.tar" >/dev/null

# new_kit DIR: a full kit (playbooks, hooks, templates, charts with redis, the example helmfile,
# offline images for redis) for installer node1, master node2 and worker node3.
new_kit() {
    local dir=$1
    mkdir -p "$dir/templates" && cp -r "$TOP/hooks" "$TOP/playbooks" "$TOP/charts" "$TOP/images" \
        "$TOP/helmfile" "$dir/" && cp -r "$TOP/templates/tke" "$dir/templates/tke" &&
        {
            printf '%s\n' '[installer]' "node1 ansible_host=$(ip_of node1)" \
                '[masters]' "node2 ansible_host=$MASTER_IP" \
                '[workers]' "node3 ansible_host=$(ip_of node3)" '[all:vars]' ansible_user=root \
                "ansible_port=$SANDBOX_SSH_PORT" "ansible_ssh_private_key_file=$SANDBOX_KEY" \
                "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes'" \
                "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" \
                "tke_admin_user='admin'" "tke_ha_type='none'" k8s_version=1.16.6 net_interface=eth0 \
                cluster_cidr=172.16.0.0/19 max_cluster_service_num=256 max_node_pod_num=128 \
                docker_data_root=/data/docker kubelet_root_dir=/data/kubelet \
                "registry_domain=$SANDBOX_REGISTRY" "pot_registry_insecure='true'" \
                tke_console_domain=console.tke.com ipvs=false "customer='demo'" \
                "deploy_redis='true'" component_health_timeout=120 node_join_timeout=60 \
                data_disk_name=pot-no-such-disk "open_firewall='true'" check_data_disk_size=1 \
                "stress_perfor='true'" check_disk_size=16M check_net_time=1 \
                cluster_reset_extra_paths=/opt/pot-standin,/var/lib/pot-standin
        } >"$dir/hosts" &&
        mkdir -p "$dir/../tkestack" && cp "$T/installer.tar" "$dir/../tkestack/tke-installer.tar" &&
        /usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$dir-images" \
            --refs "$(grep -v '^#' "$TOP/images/redis.txt" | paste -sd,)" >/dev/null
}
KIT=$T/k/offline-pot
new_kit "$KIT"
DATA=$T/data
install() { pot install --kit-dir "$KIT" --data-dir "$DATA" --container "$NAME" "$@"; }
uninstall() { pot uninstall --kit-dir "$KIT" --data-dir "$DATA" --container "$NAME" "$@"; }

# listing HOST: this test's own view of a host, one sorted line per item: files under the paths
# an install touches (type, mode, content hash), iptables rules, links, mounts, listening ports.
# Logs and package-manager caches are left out, as the residue report leaves them out.
listing() {
    on_node "$1" '
        find /etc /opt /usr/local /usr/bin /var/lib /root /data /srv /run/flannel -xdev \
            \( -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/lib/systemd \
               -o -path /var/lib/sudo -o -path /root/.ansible -o -path /root/.cache \
               -o -path /etc/ld.so.cache -o -path /root/.bash_history \) -prune -o \
            -printf "%y %m %p\n" 2>/dev/null | sort >/tmp/t8005.files
        while read -r type mode path; do
            if [ "$type" = f ]; then
                echo "file $mode $path $(sha256sum "$path" | cut -c1-16)"
            else
                echo "file $type $mode $path"
            fi
        done </tmp/t8005.files
        rm -f /tmp/t8005.files
        for t in filter nat mangle raw; do iptables -t $t -S | sed "s/^/iptables $t /"; done
        ip -o link show | awk -F": " "{print \"link \" \$2}" | sed "s/@.*//"
        awk "{print \"mount \" \$5}" /proc/self/mountinfo
        ss -ltnH | awk "{print \"listen \" \$4}"
    ' | sort
}
listings() { for h in node1 node2 node3 node4; do listing $h | sed "s/^/$h /"; done; }
# the install: host-init, then what tke-installer would leave on the nodes, then the rest
full_install() {
    install --only host-init >"$1" 2>&1 &&
        bash "$STANDIN/install.sh" node2 >/dev/null && bash "$STANDIN/install.sh" --reset node2 >/dev/null &&
        on_node node2 "mkdir -p $SD/exec-output && printf 'PONG\n' >$SD/exec-output/redis &&
            printf 'node2 $MASTER_IP master\n' >$SD/nodes" &&
        bash "$STANDIN/footprint.sh" plant node2 node3 >/dev/null &&
        install >>"$1" 2>&1
}
machines() { on_node node2 "ls $SD/objects/_cluster/Machine 2>/dev/null | sed 's/\.json$//' | paste -sd' '"; }

dk rm -f "$NAME" >/dev/null 2>&1 || true
listings >"$T/before"

for round in 1 2; do
    expect_success "round $round: a full install deploys the component, the business releases and joins the worker" '
        { full_install inst'$round' || true; }; cat inst'$round' &&
        assert_contains inst'$round' "install complete" && assert_contains inst'$round' "step 1/32 " &&
        assert_contains inst'$round' "business: 3 releases: deployed=3" &&
        assert_contains inst'$round' "components: redis healthy" &&
        assert_contains inst'$round' "node node3: joined the global cluster" &&
        assert_eq "mc-$(ip_of node3 | tr . -)" "$(machines)" &&
        test -n "$(bash "$STANDIN/footprint.sh" list node3)" &&
        on_node node3 "test -f /var/lib/pot/host-init/hosts-added && grep -q offline.yum.pot.tke.com /etc/hosts" &&
        for kind in host disk net; do
            assert_contains inst'$round' "host-init: pot check $kind (report: $T/k/perfor-reports/report.html)" &&
                jq -e ".hosts // .pairs | length > 0" "$T/k/perfor-reports/check-$kind.json" >/dev/null || exit 1
        done &&
        assert_contains inst'$round' "node3 | FAIL host.kernel_modules" &&
        assert_not_contains inst'$round' "check_perfor | "
    '
    expect_success "round $round: pot uninstall --all leaves every host as before (residue report and own listing)" '
        { uninstall --all --yes >un'$round' 2>&1 || true; }; cat un'$round' &&
        assert_contains un'$round' "business: 3 releases: uninstalled=3" &&
        assert_contains un'$round' "components: 12 releases: uninstalled=1" &&
        assert_contains un'$round' "cluster: container '\''$NAME'\'' removed" &&
        for h in node1 node2 node3; do assert_contains un'$round' "residue: $h: clean" || exit 1; done &&
        assert_contains un'$round' "uninstall complete: 4 scopes undone" &&
        assert_eq "" "$(bash "$STANDIN/footprint.sh" list node2 node3)" &&
        listings >after'$round' && diff -u "$T/before" after'$round' &&
        assert_eq "" "$(dk ps -aq --filter name="$NAME")" &&
        assert_not_contains un'$round' "secret-ssh-pw" && assert_not_contains un'$round' "secret-tke-pw"
    '
    expect_success "round $round: a second uninstall changes nothing" '
        { uninstall --all --yes >again'$round' 2>&1 || true; }; cat again'$round' &&
        assert_eq 4 "$(grep -c "nothing to undo" again'$round')" &&
        assert_contains again'$round' "changed=0" &&
        assert_contains again'$round' "residue: node3: clean"
    '
done

expect_success 'a failed check with its *_mandatory switch on stops host-init with its reason; off, the install goes on' '
    cp "$KIT/hosts" "$T/hosts-mandatory" &&
    echo "check_host_kernel_modules_mandatory=true" >>"$T/hosts-mandatory" &&
    assert_exit 2 install -i "$T/hosts-mandatory" --only host-init >mand 2>&1 && cat mand &&
    assert_contains mand "node2 | FAIL (mandatory) host.kernel_modules" &&
    assert_contains mand "pot check host failed" &&
    assert_not_contains mand "pot check disk" &&
    install --only host-init >mand2 2>&1 && cat mand2 &&
    assert_contains mand2 "node2 | FAIL host.kernel_modules" && assert_contains mand2 "pot check net" &&
    uninstall --hosts --yes >mand3 2>&1 || { cat mand3; exit 1; }
'

expect_success 'kill -9 during an uninstall, then a rerun completes' '
    full_install inst3 || { cat inst3; exit 1; }
    # in its own process group, so that the kill takes its `pot play` child too (a crash)
    setsid "$POT" uninstall --kit-dir "$KIT" --data-dir "$DATA" --container "$NAME" --all --yes \
        >kill.out 2>&1 &
    pid=$!
    for _ in $(seq 600); do grep -q "TASK \[cluster-reset" kill.out && break; sleep 0.1; done
    kill -9 -- -$pid; wait $pid || true; cat kill.out
    grep -q "TASK \[cluster-reset" kill.out && ! grep -q "uninstall complete" kill.out &&
    { uninstall --all --yes >kill2.out 2>&1 || true; }; cat kill2.out &&
    assert_contains kill2.out "business: nothing to undo" &&
    assert_contains kill2.out "uninstall complete" &&
    listings >after3 && diff -u "$T/before" after3
'

expect_success 'an install that failed in tke-installer is uninstalled as far as it went' '
    echo 3 >"$DATA/fail-step" &&
    { install >half.out 2>&1 || true; }; cat half.out &&
    assert_contains half.out "stage tke-installer: failed" &&
    { uninstall --yes >half-un.out 2>&1 || true; }; cat half-un.out &&
    assert_contains half-un.out "business: nothing to undo" &&
    assert_contains half-un.out "components: nothing to undo" &&
    assert_contains half-un.out "uninstall complete: 2 scopes undone" &&
    listings >after4 && diff -u "$T/before" after4
'

expect_success 'uninstall --check prints the plan and changes nothing' '
    install --only host-init >chk.out 2>&1 &&
    { uninstall --check >plan.out 2>&1 || true; }; cat plan.out &&
    assert_contains plan.out "hosts: would run playbooks/host-undo.yml" &&
    assert_contains plan.out "cluster: nothing to undo" &&
    on_node node3 "test -d /var/lib/pot/host-init" &&
    cp "$TOP/install-offline-pot.sh" "$KIT/" && mkdir -p "$KIT/build" && ln -sf "$POT" "$KIT/build/pot" &&
    "$KIT/install-offline-pot.sh" -f uninstall --check --data-dir "$DATA" --container "$NAME" >plan2.out 2>&1 &&
    assert_contains plan2.out "hosts: would run playbooks/host-undo.yml" &&
    assert_exit 5 "$KIT/install-offline-pot.sh" -f remove_cluster --data-dir "$DATA" </dev/null >plan3.out 2>&1 &&
    assert_contains plan3.out "give --yes" &&
    "$KIT/install-offline-pot.sh" -f uninstall --yes --data-dir "$DATA" --container "$NAME" >chk2.out 2>&1 &&
    assert_contains chk2.out "residue: node3: clean"
'

expect_success 'the data disk: kept without its device, refused with another one' '
    install --only host-init >dd.out 2>&1 &&
    on_node node3 "echo /dev/vdb /dev/vdb1 vg_data lv_data /data >/var/lib/pot/host-init/data-disk" &&
    assert_exit 2 uninstall --hosts --yes --wipe-data-disk vdc >dd1.out 2>&1; cat dd1.out &&
    assert_contains dd1.out "refused: the data disk pot set up is /dev/vdb, not '\''vdc'\''" &&
    on_node node3 "test -f /var/lib/pot/host-init/data-disk" &&
    assert_exit 2 uninstall --hosts --yes >dd2.out 2>&1; cat dd2.out &&
    assert_contains dd2.out "kept: /dev/vdb holds vg_data/lv_data mounted at /data" &&
    assert_contains dd2.out "residue: node3: file /var/lib/pot/" &&
    on_node node3 "rm -rf /var/lib/pot" && uninstall --hosts --yes >dd3.out 2>&1 &&
    listings >after5 && diff -u "$T/before" after5
'

expect_success 'bad input: no --yes without a terminal, wipe without --hosts, unknown options' '
    assert_exit 5 uninstall </dev/null >b1 2>&1 && assert_contains b1 "give --yes" &&
    assert_exit 5 uninstall --business --yes --wipe-data-disk vdb >b2 2>&1 &&
    assert_contains b2 "--wipe-data-disk goes with --hosts or --all"
'

expect_success 'pot node add, then remove: the Machine is applied with its fields, then deleted; the host is clean' '
    full_install inst4 || { cat inst4; exit 1; }
    sed -i "s/^\[workers\]$/[workers]\nnode4 ansible_host=$(ip_of node4)/" "$KIT/hosts" &&
    { pot node add --kit-dir "$KIT" --data-dir "$DATA" node4 >na.out 2>&1 || true; }; cat na.out &&
    assert_contains na.out "node node4: joined the global cluster" &&
    mc=mc-$(ip_of node4 | tr . -) &&
    on_node node2 "cat $SD/objects/_cluster/Machine/$mc.json" >mc.json &&
    python3 -c "
import json, sys, base64
o = json.load(open(\"mc.json\"))
s = o[\"spec\"]
assert o[\"apiVersion\"] == \"platform.tkestack.io/v1\" and o[\"kind\"] == \"Machine\", o
assert s[\"clusterName\"] == \"global\" and s[\"type\"] == \"Baremetal\" and s[\"tenantID\"] == \"default\", s
assert s[\"ip\"] == \"$(ip_of node4)\" and s[\"port\"] == $SANDBOX_SSH_PORT and s[\"username\"] == \"root\", s
assert base64.b64decode(s[\"password\"]) == b\"secret-ssh-pw\", \"password\"
assert o[\"status\"][\"phase\"] == \"Running\", o
" &&
    on_node node2 "cat $SD/calls.log" >calls && assert_not_contains calls "secret-ssh-pw" &&
    assert_not_contains calls "$(printf secret-ssh-pw | base64)" && assert_not_contains na.out "secret-ssh-pw" &&
    { pot node remove --kit-dir "$KIT" --data-dir "$DATA" node4 >nr.out 2>&1 || true; }; cat nr.out &&
    assert_contains nr.out "residue: node4: clean" &&
    assert_not_contains "$(machines)" "$mc" &&
    on_node node2 "grep -q \"kubectl drain $(ip_of node4)\" $SD/calls.log"
'

expect_success 'pot node: unknown host, the last master, an unreachable host among good ones' '
    assert_exit 5 pot node add --kit-dir "$KIT" --data-dir "$DATA" node9 >n1 2>&1 &&
    assert_contains n1 "host '\''node9'\'' is not in the inventory" &&
    assert_exit 5 pot node remove --kit-dir "$KIT" --data-dir "$DATA" node2 >n2 2>&1 &&
    assert_contains n2 "host '\''node2'\'' is the last master" &&
    sed -i "s/^\[workers\]$/[workers]\nnode9 ansible_host=127.0.0.9 ansible_port=1 ansible_timeout=3/" "$KIT/hosts" &&
    assert_exit 2 pot node add --kit-dir "$KIT" --data-dir "$DATA" node9 node4 >n3 2>&1; cat n3 &&
    assert_contains n3 "node node9: add failed" &&
    assert_contains n3 "node node4: joined the global cluster" &&
    assert_contains n3 "failed on 1 of 2 hosts: node9" &&
    sed -i "/^node9 /d" "$KIT/hosts" &&
    pot node remove --kit-dir "$KIT" --data-dir "$DATA" node4 >n4 2>&1 && cat n4 &&
    sed -i "/^node4 /d" "$KIT/hosts" &&
    { uninstall --all --yes >final.out 2>&1 || true; }; cat final.out &&
    listings >after6 && diff -u "$T/before" after6
'

expect_success 'without --yes, uninstall asks on the terminal: no leaves everything, yes goes on' '
    mkdir -p ask/kit && printf "[installer]\nnode1 ansible_host=127.0.0.1\n" >ask/kit/hosts &&
    { echo no | TERM=xterm script -qec "$POT uninstall --business --kit-dir $T/ask/kit --data-dir $T/ask/data" ask-no.out >/dev/null || true; } &&
    assert_contains ask-no.out "This removes business releases from the hosts of '\''$T/ask/kit/hosts'\''." &&
    assert_contains ask-no.out "Type yes to go on: " &&
    assert_contains ask-no.out "not confirmed; nothing was changed" &&
    assert_contains ask-no.out "COMMAND_EXIT_CODE=\"5\"" &&
    echo yes | TERM=xterm script -qec "$POT uninstall --business --kit-dir $T/ask/kit --data-dir $T/ask/data" ask-yes.out >/dev/null &&
    assert_contains ask-yes.out "uninstall complete" &&
    assert_exit 5 pot uninstall --business --kit-dir "$T/ask/kit" --data-dir "$T/ask/data" </dev/null 2>ask-pipe.err &&
    assert_contains ask-pipe.err "give --yes to go ahead"
'

dk rm -f "$NAME" >/dev/null 2>&1 || true
test_done
