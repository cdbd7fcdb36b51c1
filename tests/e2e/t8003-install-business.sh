#!/usr/bin/env bash
# t8003-install-business.sh - `pot install` with a kit that carries the example helmfile: after
# the stand-in tke-installer (tests/fixtures/tke-installer) finishes, stage business deploys the
# releases with helm on the first master (the cluster stand-in, tests/fixtures/cluster-standin);
# a rerun skips every stage, runs no helm upgrade and still finds a release removed behind pot's
# back; business-only mode (no ../tkestack) deploys onto the installed cluster; `center` in the
# hosts picks one center's releases; deploy_business='false' turns the stage off.
. "$(dirname "$0")/lib.sh"
require_sandbox

export POT_TKE_PORT=18653 DOCKER_HOST=$SANDBOX_DOCKER_HOST
NAME=pot-t8003-installer
STANDIN=$TOP/tests/fixtures/cluster-standin
MASTER=node2
MASTER_IP=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f2)
INSTALLER_IP=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f1)
on_master() {
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" \
        "root@$MASTER_IP" "$@"
}
upgrades() { on_master "grep -c '	helm upgrade' /var/lib/pot-standin/calls.log || true"; }
deployed() {
    on_master "helm list -A -o json" |
        python3 -c 'import json,sys; print(" ".join(sorted(r["name"] for r in json.load(sys.stdin) if r["status"] == "deployed")))'
}

"$TOP/tests/fixtures/tke-installer/build.sh" --save "$T/installer.tar" >/dev/null
bash "$STANDIN/install.sh" "$MASTER" >/dev/null && bash "$STANDIN/install.sh" --reset "$MASTER" >/dev/null

# new_kit DIR [business] [VAR=VALUE...]: the kit (hooks, templates/tke, the example helmfile) with
# hosts for the sandbox's installer and one master, reached over ssh; ../tkestack unless business
# mode is wanted.
new_kit() {
    local dir=$1 mode=${2:-full}
    shift 2 || shift $#
    mkdir -p "$dir/templates" && cp -r "$TOP/hooks" "$dir/hooks" &&
        cp -r "$TOP/templates/tke" "$dir/templates/tke" && cp -r "$TOP/helmfile" "$dir/helmfile" &&
        {
            printf '%s\n' '[installer]' "node1 ansible_host=$INSTALLER_IP" \
                '[masters]' "node2 ansible_host=$MASTER_IP" '[all:vars]' ansible_user=root \
                "ansible_port=$SANDBOX_SSH_PORT" "ansible_ssh_private_key_file=$SANDBOX_KEY" \
                "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes'" \
                "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" \
                "tke_admin_user='admin'" "tke_ha_type='none'" k8s_version=1.16.6 net_interface=eth0 \
                cluster_cidr=10.244.0.0/16 max_cluster_service_num=256 max_node_pod_num=128 \
                docker_data_root=/data/docker kubelet_root_dir=/data/kubelet \
                "registry_domain=$SANDBOX_REGISTRY" tke_console_domain=console.tke.com ipvs=false \
                "customer='demo'" "$@"
        } >"$dir/hosts" || return 1
    if [ "$mode" != business ]; then
        mkdir -p "$dir/../tkestack" "$dir-tgz" && cp "$T/installer.tar" "$dir/../tkestack/tke-installer.tar"
    fi
}
install() { pot install --container "$NAME" "$@"; }

KIT=$T/full/offline-pot
new_kit "$KIT"

expect_success 'a full install deploys the business releases after the cluster' '
    dk rm -f "$NAME" >/dev/null 2>&1 || true
    install --kit-dir "$KIT" --data-dir "$T/d1" >out1 2>&1; cat out1 &&
    assert_contains out1 "install task finished: Success" &&
    assert_contains out1 "stage business: done" &&
    assert_eq 3 "$(grep -c "business: release .*: deployed revision 1" out1)" &&
    assert_contains out1 "business: 3 releases: deployed=3 unchanged=0 failed=0 changed=3" &&
    assert_eq "product1-api-demo product1-web-demo product2-worker-demo" "$(deployed)" &&
    on_master "helm get values product1-api-demo -n product1 -o json" | grep -q "$SANDBOX_REGISTRY" &&
    assert_not_contains out1 "secret-ssh-pw" && assert_not_contains "$T/d1/pot/install.log" "secret-tke-pw"
'

expect_success 'a rerun skips every stage and runs no helm upgrade; pot status lists business' '
    before=$(upgrades) &&
    install --kit-dir "$KIT" --data-dir "$T/d1" >out2 2>&1 && cat out2 &&
    assert_eq 6 "$(grep -c "done earlier with the same inputs, skipped" out2)" &&
    assert_not_contains out2 ": started" &&
    assert_contains out2 "business: 3 releases: deployed=0 unchanged=3 failed=0 changed=0" &&
    assert_eq "$before" "$(upgrades)" &&
    pot status --data-dir "$T/d1" >st && cat st && assert_contains st "stage business       done" &&
    assert_contains st "release product1/product1-web-demo  deployed revision=1"
'

expect_success 'a release removed behind pot'\''s back is deployed again by the next install' '
    on_master "helm uninstall product2-worker-demo -n product2" >/dev/null &&
    before=$(upgrades) && install --kit-dir "$KIT" --data-dir "$T/d1" >out3 2>&1 && cat out3 &&
    assert_contains out3 "business: release product2/product2-worker-demo: deployed" &&
    assert_eq $((before + 1)) "$(upgrades)" &&
    install --kit-dir "$KIT" --data-dir "$T/d1" >out4 2>&1 && assert_contains out4 "changed=0"
'

expect_success 'business-only mode deploys onto the installed cluster, center picks its releases' '
    bash "$STANDIN/install.sh" --reset "$MASTER" >/dev/null &&
    new_kit "$T/biz/offline-pot" business "center='\''product2'\''" &&
    cp -r "$TOP/playbooks" "$T/biz/offline-pot/playbooks" &&
    printf "%s\n" "- hosts: all" "  gather_facts: false" "  tasks:" \
        "    - fail: msg=\"host-init changes hosts: it must not run in business mode\"" \
        >"$T/biz/offline-pot/playbooks/host-init.yml" &&
    pot install --kit-dir "$T/biz/offline-pot" --data-dir "$T/d2" >out5 2>&1; cat out5 &&
    assert_contains out5 "mode: business" &&
    assert_contains out5 "stage tke-installer: not part of the business mode, skipped" &&
    assert_not_contains out5 "host-init.yml" &&
    assert_contains out5 "host-init: pot play $T/biz/offline-pot/playbooks/host-check.yml" &&
    assert_eq "product2-worker-demo" "$(deployed)" &&
    before=$(upgrades) && pot install --kit-dir "$T/biz/offline-pot" --data-dir "$T/d2" >out6 2>&1 &&
    cat out6 && assert_contains out6 "changed=0" && assert_eq "$before" "$(upgrades)"
'

expect_success 'deploy_business='\''false'\'' turns the stage off' '
    new_kit "$T/off/offline-pot" business "deploy_business='\''false'\''" &&
    before=$(upgrades) && pot install --kit-dir "$T/off/offline-pot" --data-dir "$T/d3" >out7 2>&1 &&
    cat out7 && assert_contains out7 "deploy_business is '\''false'\''; no business releases" &&
    assert_eq "$before" "$(upgrades)"
'

expect_success 'a failed release fails the stage with its name; the rerun resumes at it' '
    on_master "touch /var/lib/pot-standin/fail-once/product2-worker-demo" &&
    sed -i "s/tag: latest/tag: \"2\"/" "$T/biz/offline-pot/helmfile/config/product2-demo/worker.yaml.gotmpl" &&
    assert_exit 2 pot install --kit-dir "$T/biz/offline-pot" --data-dir "$T/d2" >out8 2>err8; cat out8 err8 &&
    assert_contains err8 "product2-worker-demo" &&
    pot install --kit-dir "$T/biz/offline-pot" --data-dir "$T/d2" >out9 2>&1; cat out9 &&
    assert_contains out9 "resuming: stage business failed last time" &&
    assert_contains out9 "business: release product2/product2-worker-demo: deployed revision 3" &&
    pot install --kit-dir "$T/biz/offline-pot" --data-dir "$T/d2" >out10 2>&1 &&
    assert_contains out10 "changed=0"
'

expect_success 'install-offline-pot.sh: remove_business uninstalls every release, dpl_business brings them back' '
    KB=$T/biz/offline-pot && cp "$TOP/install-offline-pot.sh" "$KB/" &&
    mkdir -p "$KB/build" && ln -sf "$POT" "$KB/build/pot" &&
    "$KB/install-offline-pot.sh" -f remove_business --data-dir "$T/d2" >rb1 2>&1; cat rb1 &&
    assert_contains rb1 "uninstalled=1" && assert_eq "" "$(deployed)" &&
    "$KB/install-offline-pot.sh" -f remove_business --data-dir "$T/d2" >rb2 2>&1 &&
    assert_contains rb2 "changed=0" &&
    "$KB/install-offline-pot.sh" -f dpl_business --data-dir "$T/d2" >db1 2>&1; cat db1 &&
    assert_contains db1 "business: release product2/product2-worker-demo: deployed" &&
    assert_eq "product2-worker-demo" "$(deployed)" &&
    "$KB/install-offline-pot.sh" -f dpl_business --data-dir "$T/d2" >db2 2>&1 &&
    assert_contains db2 "changed=0" &&
    assert_exit 5 pot install --kit-dir "$KB" --data-dir "$T/d2" --remove business --remove redis 2>rb3 &&
    assert_contains rb3 "--remove business goes alone"
'

dk rm -f "$NAME" >/dev/null 2>&1 || true
test_done
