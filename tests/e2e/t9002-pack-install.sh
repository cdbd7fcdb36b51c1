#!/usr/bin/env bash
# t9002-pack-install.sh - the package as a field engineer receives it: `pot pack` of this
# repository's kit (redis, the example helmfile's product1 releases, the tke-installer stand-in as
# tkestack/tke-installer.tar), split into volumes and joined again; unpacked on a fresh directory,
# where the engineer only writes offline-pot/hosts; the portable pot (offline-pot/pot, its own
# libraries and loader) runs in the oldest Debian release the mirror serves (`sandbox.sh
# old-root`: an older glibc and none of pot's libraries): version, inventory --list and a
# playbook; then install-offline-pot.sh verifies the package and runs the whole sandbox install
# with the packed pot, twice (the second run changes nothing and runs no helm upgrade).
#
# What stands in for what: tke-installer is tests/fixtures/tke-installer (busybox), the cluster is
# tests/fixtures/cluster-standin on_node node2 (the real helm template for every upgrade).
. "$(dirname "$0")/lib.sh"
require_sandbox
fresh_hosts

export POT_TKE_PORT=18657 DOCKER_HOST=$SANDBOX_DOCKER_HOST
NAME=pot-t9002-installer
HELM=${HELM:-/opt/pot-tools/bin/helm}
MK="/usr/bin/python3 $TOP/tests/fixtures/images/make-images.py"
STANDIN=$TOP/tests/fixtures/cluster-standin
SD=/var/lib/pot-standin
PKG=offline-pot-demo-3.0
MASTER_IP=$(ip_of node2)
upgrades() { on_node node2 "grep -c '	helm upgrade' $SD/calls.log 2>/dev/null || true"; }
SITE=$T/site/$PKG
CLEAN_PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin # no pot in it: only the packed one runs

expect_success 'pack the kit with its images and the tke-installer, in 8 MiB volumes' '
    "$TOP/tests/fixtures/tke-installer/build.sh" --save "$T/installer.tar" >/dev/null &&
    $MK "$T/src" --refs "$(grep -hv "^#" "$TOP/images/redis.txt" | paste -sd,)" >/dev/null &&
    $MK "$T/extra" >/dev/null &&
    printf "%s\n" "customer: demo" "center: product1" "version: \"3.0\"" "kit: $TOP" \
        "components: [redis]" "image_sources: [$T/src, $T/extra]" \
        "helmfile: {dir: $TOP/helmfile, environments: [demo], selectors: [center=product1], helm: $HELM}" \
        "files: [{src: $T/installer.tar, dest: tkestack/tke-installer.tar}]" >"$T/builder.yaml" &&
    pot pack -q -f "$T/builder.yaml" -o "$T/out" --volume-size 8M >pack.out 2>&1; cat pack.out &&
    ls "$T/out" >vols && cat vols &&
    assert_eq "" "$(ls "$T/out" | grep -x "$PKG.tar")" &&
    test "$(grep -c "^$PKG.tar.[0-9][0-9][0-9]$" vols)" -ge 2 &&
    for v in "$T/out/$PKG".tar.[0-9]*; do test "$(stat -c %s "$v")" -le $((8 << 20)) || exit 1; done &&
    pot verify-package "$T/out/$PKG.tar" >v.out 2>&1 && cat v.out &&
    cat "$T/out/$PKG".tar.[0-9]* >"$T/$PKG.tar" && pot verify-package "$T/$PKG.tar" >/dev/null &&
    pot pack -q -f "$T/builder.yaml" -o "$T/whole" >/dev/null && cmp "$T/$PKG.tar" "$T/whole/$PKG.tar"
'

expect_success 'a missing volume is named' '
    mkdir "$T/gap" && cp "$T/out/$PKG".tar.* "$T/gap/" && rm "$T/gap/$PKG.tar.001" &&
    assert_exit 2 pot verify-package "$T/gap/$PKG.tar" >gap.out 2>&1; cat gap.out &&
    assert_contains gap.out "$PKG.tar.001"
'

expect_success 'unpacked on a fresh directory: the kit, the images, the stand-in installer and the portable pot' '
    mkdir -p "$T/site" && tar -xf "$T/$PKG.tar" -C "$T/site" &&
    test -x "$SITE/offline-pot/pot" && test -x "$SITE/offline-pot/lib/pot/pot" &&
    test -f "$SITE/offline-pot-images/index.json" && test -f "$SITE/tkestack/tke-installer.tar" &&
    "$SITE/offline-pot/pot" version | grep -q "^pot "
'

expect_success 'the packed pot runs in the oldest Debian the mirror serves, which lacks its libraries' '
    tag=$(POT_SANDBOX_DIR=$SANDBOX_DIR bash "$TOP/tests/sandbox/sandbox.sh" old-root) &&
    printf "%s\n" "[web]" "w1 greeting=hello" "[all:vars]" "ansible_connection=local" >"$T/old-hosts" &&
    printf "%s\n" "- hosts: web" "  gather_facts: false" "  tasks:" \
        "    - copy: {content: \"{{ greeting }} from {{ inventory_hostname }}\n\", dest: /tmp/out.txt}" \
        "    - command: cat /tmp/out.txt" "      register: r" "    - debug: var=r.stdout" >"$T/old-play.yml" &&
    dk run --rm -v "$T/site:/site:ro" -v "$T:/t:ro" "$tag" sh -c "
        cat /etc/debian_version; ldd --version | head -n1
        if /site/$PKG/offline-pot/lib/pot/pot version >/dev/null 2>&1; then echo RAW-RUNS; fi
        /site/$PKG/offline-pot/pot version | head -n1
        /site/$PKG/offline-pot/pot inventory -i /t/old-hosts --list
        /site/$PKG/offline-pot/pot play -i /t/old-hosts /t/old-play.yml
    " >old.out 2>&1; cat old.out &&
    assert_not_contains old.out RAW-RUNS &&
    grep -q "^ldd (Debian GLIBC 2\.\(2[0-9]\|3[0-5]\)" old.out &&
    assert_contains old.out "\"greeting\": \"hello\"" &&
    assert_contains old.out "\"r.stdout\": \"hello from w1\"" &&
    assert_contains old.out "w1                         : ok=3    changed=2    unreachable=0    failed=0"
'

standin() {
    bash "$STANDIN/install.sh" node2 >/dev/null && bash "$STANDIN/install.sh" --reset node2 >/dev/null &&
        on_node node2 "mkdir -p $SD/exec-output && printf 'PONG\n' >$SD/exec-output/redis &&
            printf 'node2 $MASTER_IP master\n' >$SD/nodes"
}
hosts() {
    printf '%s\n' '[installer]' "node1 ansible_host=$(ip_of node1)" \
        '[masters]' "node2 ansible_host=$MASTER_IP" '[workers]' '[all:vars]' ansible_user=root \
        "ansible_port=$SANDBOX_SSH_PORT" "ansible_ssh_private_key_file=$SANDBOX_KEY" \
        "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes'" \
        "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" "tke_admin_user='admin'" "tke_ha_type='none'" k8s_version=1.16.6 \
        net_interface=eth0 cluster_cidr=172.16.0.0/19 max_cluster_service_num=256 \
        max_node_pod_num=128 docker_data_root=/data/docker kubelet_root_dir=/data/kubelet \
        "registry_domain=$SANDBOX_REGISTRY" "pot_registry_insecure='true'" \
        tke_console_domain=console.tke.com ipvs=false "customer='demo'" "center='product1'" \
        "deploy_redis='true'" component_health_timeout=120 data_disk_name=pot-no-such-disk \
        check_data_disk_size=1
}

dk rm -f "$NAME" >/dev/null 2>&1 || true
expect_success 'install-offline-pot.sh verifies the package, then the packed pot installs everything' '
    standin && hosts >"$SITE/offline-pot/hosts" &&
    ! env PATH=$CLEAN_PATH sh -c "command -v pot" && test ! -e "$SITE/offline-pot/build" &&
    { PATH=$CLEAN_PATH "$SITE/offline-pot/install-offline-pot.sh" --data-dir "$T/data" \
        --container "$NAME" >i1.out 2>&1 || true; }; cat i1.out &&
    assert_contains i1.out "not checked: offline-pot/hosts" &&
    assert_contains i1.out "match MANIFEST" &&
    assert_contains i1.out "install complete" && assert_contains i1.out "step 1/32 " &&
    assert_contains i1.out "components: redis healthy" &&
    assert_contains i1.out "business: 2 releases: deployed=2" &&
    test "$(upgrades)" -ge 3
'

expect_success 'a second run changes nothing: every stage skipped, no helm upgrade, changed=0' '
    before=$(upgrades) &&
    { PATH=$CLEAN_PATH "$SITE/offline-pot/install-offline-pot.sh" --data-dir "$T/data" \
        --container "$NAME" >i2.out 2>&1 || true; }; cat i2.out && assert_contains i2.out "install complete" &&
    assert_contains i2.out "not checked: perfor-reports/check-host.json" &&
    assert_contains i2.out "stage host-init: done earlier with the same inputs, skipped" &&
    assert_eq "$before" "$(upgrades)" &&
    ! grep -E "(^|[ :])changed=[1-9]" i2.out && assert_contains i2.out "business: 2 releases: deployed=0 unchanged=2 failed=0 changed=0" &&
    assert_not_contains i2.out "secret-tke-pw" && assert_not_contains i2.out "secret-ssh-pw"
'

dk rm -f "$NAME" >/dev/null 2>&1 || true
test_done
