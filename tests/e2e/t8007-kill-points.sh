#!/usr/bin/env bash
# t8007-kill-points.sh - crash safety of a whole install: `pot install` (tke-config,
# tke-installer with its hooks, post-install, business releases) is killed with kill -9 at
# POT_KILL_POINTS moments (default 5; bench/kill-points.sh runs 100) spread over the length of an
# uninterrupted run, each from a fresh start; every time a plain rerun must complete, and nothing
# may have been done twice: each business release deployed once (one helm revision), each
# tke-installer step succeeded once, one installer container; a further rerun changes nothing.
# The kill takes pot's whole process group (its `pot play`/`pot images` children too), as a
# crash of the installer node's session would; tke-installer's container lives on in dockerd.
# Seeded: POT_KILL_SEED (default: random, printed) replays a run.
. "$(dirname "$0")/lib.sh"
require_sandbox

export POT_TKE_PORT=18657 DOCKER_HOST=$SANDBOX_DOCKER_HOST
NAME=pot-t8007-installer
STANDIN=$TOP/tests/fixtures/cluster-standin
MASTER_IP=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f2)
POINTS=${POT_KILL_POINTS:-5}
SEED=${POT_KILL_SEED:-$RANDOM}
echo "# kill points: $POINTS, seed $SEED (POT_KILL_SEED=$SEED replays them)"
on_master() {
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" \
        "root@$MASTER_IP" "$@"
}

"$TOP/tests/fixtures/tke-installer/build.sh" --save "$T/installer.tar" >/dev/null
bash "$STANDIN/install.sh" node2 >/dev/null

KIT=$T/k/offline-pot
mkdir -p "$KIT/templates" "$T/k/tkestack" "$KIT-tgz" && cp -r "$TOP/hooks" "$TOP/helmfile" "$KIT/" &&
    cp -r "$TOP/templates/tke" "$KIT/templates/tke" && cp "$T/installer.tar" "$T/k/tkestack/" &&
    printf '%s\n' '[installer]' "node1 ansible_host=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f1)" \
        '[masters]' "node2 ansible_host=$MASTER_IP" '[all:vars]' ansible_user=root \
        "ansible_port=$SANDBOX_SSH_PORT" "ansible_ssh_private_key_file=$SANDBOX_KEY" \
        "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes'" \
        "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" "tke_admin_user='admin'" \
        "tke_ha_type='none'" k8s_version=1.16.6 net_interface=eth0 cluster_cidr=10.244.0.0/16 \
        max_cluster_service_num=256 max_node_pod_num=128 docker_data_root=/data/docker \
        kubelet_root_dir=/data/kubelet "registry_domain=$SANDBOX_REGISTRY" \
        tke_console_domain=console.tke.com ipvs=false "customer='demo'" >"$KIT/hosts"

# fresh DATA: no container, no data dir, no releases
fresh() {
    dk rm -f "$NAME" >/dev/null 2>&1 || true
    rm -rf "$1" && bash "$STANDIN/install.sh" --reset node2 >/dev/null
}
install() { "$POT" install --kit-dir "$KIT" --container "$NAME" --data-dir "$@"; }
# revisions: "release=N" for every release the stand-in has, sorted
revisions() {
    on_master "helm list -A -o json" | python3 -c '
import json, subprocess, sys
for r in sorted(json.load(sys.stdin), key=lambda r: r["name"]):
    print("%s=%s" % (r["name"], r["revision"]))'
}
# steps_done_twice DATA: the installer steps with more than one [Success] line in tke.log
steps_done_twice() { grep -o '^[^ ]* [^ ]* [0-9]*\..* \[Success\]' "$1/tke.log" | sed 's/^[^ ]* [^ ]* //' | sort | uniq -d; }

expect_success 'an uninterrupted install, to measure its length' '
    fresh "$T/ref" && start=$(date +%s%N) && install "$T/ref" >ref.out 2>&1; cat ref.out | tail -3 &&
    assert_contains ref.out "install complete" &&
    echo $((($(date +%s%N) - start) / 1000000)) >"$T/ref.ms" &&
    assert_eq "product1-api-demo=1 product1-web-demo=1 product2-worker-demo=1" "$(revisions | paste -sd" ")"
'
REF_MS=$(cat "$T/ref.ms" 2>/dev/null || echo 10000)
RANDOM=$SEED

for i in $(seq 1 "$POINTS"); do
    # spread over the run: point i falls in the i-th slice, at a random place within it
    delay=$(((REF_MS * (i - 1) + RANDOM % (REF_MS + 1)) / POINTS))
    expect_success "kill -9 at ${delay} ms of ${REF_MS}: the rerun completes, nothing done twice" '
        D=$T/d'$i'
        fresh "$D" || exit 1
        setsid "$POT" install --kit-dir "$KIT" --container "$NAME" --data-dir "$D" >kill'$i'.out 2>&1 &
        pid=$!
        sleep "$(echo "scale=3; '$delay' / 1000" | bc)"
        kill -9 -- -$pid 2>/dev/null || true; wait $pid 2>/dev/null || true
        echo "# killed after: $(tail -1 kill'$i'.out)"
        { install "$D" >rerun'$i'.out 2>&1 || true; }; tail -3 rerun'$i'.out &&
        assert_contains rerun'$i'.out "install complete" &&
        assert_eq "product1-api-demo=1 product1-web-demo=1 product2-worker-demo=1" \
            "$(revisions | paste -sd" ")" "helm revisions" &&
        assert_eq "" "$(steps_done_twice "$D")" "installer steps that succeeded twice" &&
        assert_eq 1 "$(dk ps -aq --filter name="^$NAME\$" | wc -l)" "installer containers" &&
        install "$D" >again'$i'.out 2>&1 &&
        assert_eq 6 "$(grep -c "done earlier with the same inputs, skipped" again'$i'.out)"
    '
done

dk rm -f "$NAME" >/dev/null 2>&1 || true
test_done
