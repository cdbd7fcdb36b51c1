#!/usr/bin/env bash
# t8004-components.sh - stage components of `pot install`: the base components switched on in the
# hosts (deploy_redis, deploy_mysql, deploy_nfs with an [nfs] group, deploy_prometheus,
# deploy_nginx_ingress) deployed from charts/components.yaml.gotmpl with helm on the first master
# (the cluster stand-in, tests/fixtures/cluster-standin), nfs-provisioner before every release
# with a volume; a rerun runs no helm upgrade; each switch alone deploys exactly its release; a
# switch turned off, or `--remove NAME`, uninstalls exactly that release; a missing offline image
# stops the stage before any helm call; generated passwords never show (output, install.log, the
# stand-in's calls.log, nor their base64) and are kept across reruns.
# Health: on the stand-in, `kubectl rollout status` answers from the recorded releases and
# `kubectl exec` runs nothing: it records the probe and prints exec-output/POD-PREFIX, which this
# test fills (PONG for redis, 1 for mysql), so the probes are recorded commands here.
# Master: node2 by default; T8004_HOST=node3 keeps development runs apart from other tests.
. "$(dirname "$0")/lib.sh"
require_sandbox

STANDIN=$TOP/tests/fixtures/cluster-standin
MASTER=${T8004_HOST:-node2}
MASTER_IP=$(echo "$SANDBOX_HOSTS" | tr " " "\n" | sed -n "${MASTER#node}p")
NFS_IP=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f4)
INSTALLER_IP=$(echo "$SANDBOX_HOSTS" | cut -d" " -f1)
SD=/var/lib/pot-standin
on_master() {
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" \
        "root@$MASTER_IP" "$@"
}
upgrades() { on_master "cat $SD/calls.log 2>/dev/null | grep -c '	helm upgrade' || true"; }
# upgraded: the releases upgraded, in the order the stand-in recorded them
upgraded() { on_master "cat $SD/calls.log 2>/dev/null | grep '	helm upgrade' || true" | awk '{print $6}' | paste -sd' '; }
deployed() {
    on_master "helm list -A -o json" |
        python3 -c 'import json,sys; print(" ".join(sorted(r["name"] for r in json.load(sys.stdin) if r["status"] == "deployed")))'
}
reset_standin() {
    bash "$STANDIN/install.sh" --reset "$MASTER" >/dev/null &&
        on_master "mkdir -p $SD/exec-output && printf 'PONG\n' >$SD/exec-output/redis && printf '1\n' >$SD/exec-output/mysql &&
            printf '127.0.0.1:5432 - accepting connections\n' >$SD/exec-output/postgres &&
            printf '{\"cluster_name\":\"pot\",\"status\":\"green\"}\n' >$SD/exec-output/elasticsearch &&
            printf 'imok\n' >$SD/exec-output/zookeeper"
}

bash "$STANDIN/install.sh" "$MASTER" >/dev/null && reset_standin

ALL="deploy_redis='true' deploy_mysql='true' deploy_nfs='true' deploy_prometheus='true' deploy_nginx_ingress='true'"

# new_kit DIR [VAR=VALUE...]: a business-mode kit (no ../tkestack) with the component charts,
# their image lists, hosts for one master and an [nfs] host, and offline images for the charts
# of the switches above.
new_kit() {
    local dir=$1
    shift
    mkdir -p "$dir" && cp -r "$TOP/charts" "$TOP/images" "$dir/" &&
        {
            printf '%s\n' '[installer]' "node1 ansible_host=$INSTALLER_IP" \
                '[masters]' "$MASTER ansible_host=$MASTER_IP" '[nfs]' "node4 ansible_host=$NFS_IP" \
                '[all:vars]' ansible_user=root \
                "ansible_port=$SANDBOX_SSH_PORT" "ansible_ssh_private_key_file=$SANDBOX_KEY" \
                "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes'" \
                "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" "tke_admin_user='admin'" \
                "registry_domain=$SANDBOX_REGISTRY" "pot_registry_insecure='true'" \
                "component_health_timeout=120" "$@"
        } >"$dir/hosts" &&
        refs=$(cat "$TOP"/images/*.txt | grep -v '^#' | sort -u | paste -sd,) &&
        /usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$dir-images" --refs "$refs" >/dev/null
}
# passwords: the generated passwords of a data dir, one a line
passwords() { sed -n 's/^  password: "\(.*\)"$/\1/p' "$1"/pot/secrets/*.yaml; }
# assert_no_secrets DATA FILES...: no generated password nor its base64 in FILES or calls.log
assert_no_secrets() {
    local data=$1 pw b64
    shift
    on_master "cat $SD/calls.log $SD/exec.log" >"$T/calls.log" || return 1
    for pw in $(passwords "$data"); do
        b64=$(printf %s "$pw" | base64 -w0)
        for f in "$@" "$T/calls.log" "$data/pot/install.log"; do
            if grep -qF -e "$pw" -e "$b64" "$f"; then
                echo "# a password or its base64 is in $f" >&2
                return 1
            fi
        done
    done
}

# comes_before "A B C" X Y: X is upgraded before Y in the space-separated list.
comes_before() {
    local i=0 x=-1 y=-1 w
    for w in $1; do
        [ "$w" = "$2" ] && x=$i
        [ "$w" = "$3" ] && y=$i
        i=$((i + 1))
    done
    [ "$x" -ge 0 ] && [ "$y" -gt "$x" ] || { echo "# $2 is not upgraded before $3 in: $1" >&2; return 1; }
}

KIT=$T/full/offline-pot
eval "new_kit \"\$KIT\" $ALL"

expect_success 'the switched-on components are deployed, nfs-provisioner before every volume, and healthy' '
    pot install --kit-dir "$KIT" --data-dir "$T/d1" >out1 2>&1; cat out1 &&
    assert_contains out1 "stage components: done" &&
    assert_contains out1 "components: 5 of 12 switched on" &&
    assert_contains out1 "components: 12 releases: deployed=5 unchanged=0 uninstalled=0 failed=0 changed=5" &&
    assert_eq "ingress-nginx mysql nfs-provisioner prometheus redis" "$(deployed)" &&
    order=$(upgraded) &&
    for r in redis mysql prometheus; do comes_before "$order" nfs-provisioner "$r" || return 1; done &&
    assert_contains out1 "components: redis healthy: 2 workloads rolled out, probe ok" &&
    assert_contains out1 "components: mysql healthy:" &&
    on_master "cat $SD/exec.log" | grep -q "redis-cli -p 10101 ping" &&
    on_master "helm get values nfs-provisioner -n pot-system -o json" | grep -q "\"server\":\"$NFS_IP\"" &&
    assert_eq "post-install components business" \
        "$(sed -n "s/^stage \(post-install\|components\|business\): started$/\1/p" out1 | paste -sd" ")"
'

expect_success 'passwords: one per component that needs one, 0600 in a 0700 dir, never shown' '
    assert_eq "mysql.yaml prometheus.yaml redis.yaml" "$(ls "$T/d1/pot/secrets" | paste -sd" ")" &&
    assert_eq 700 "$(stat -c %a "$T/d1/pot/secrets")" &&
    assert_eq "600 600 600" "$(stat -c %a "$T/d1"/pot/secrets/*.yaml | paste -sd" ")" &&
    assert_eq 3 "$(passwords "$T/d1" | grep -c "^[A-Za-z0-9]\{24\}$")" &&
    on_master "helm get values redis -n pot-system -o json" | grep -q "$(passwords "$T/d1" | sed -n 3p)" &&
    assert_no_secrets "$T/d1" out1
'

expect_success 'a rerun runs no helm upgrade (changed=0) and keeps the passwords; pot health' '
    passwords "$T/d1" >pw1 && before=$(upgrades) &&
    pot install --kit-dir "$KIT" --data-dir "$T/d1" >out2 2>&1; cat out2 &&
    assert_contains out2 "stage components: done earlier with the same inputs, skipped" &&
    assert_contains out2 "components: 12 releases: deployed=0 unchanged=5 uninstalled=0 failed=0 changed=0" &&
    assert_eq "$before" "$(upgrades)" &&
    pot install --kit-dir "$KIT" --data-dir "$T/d1" --only components --reset >out3 2>&1; cat out3 &&
    assert_contains out3 "changed=0" && assert_eq "$before" "$(upgrades)" &&
    passwords "$T/d1" >pw2 && cmp pw1 pw2 &&
    pot health --kit-dir "$KIT" --data-dir "$T/d1" >health 2>&1; cat health &&
    assert_eq 5 "$(grep -c ": healthy: " health)" &&
    assert_contains health "redis: healthy: 2 workloads rolled out" &&
    assert_no_secrets "$T/d1" out2 out3 health
'

# switch:releases deployed (sorted):first release upgraded, for every switch of the kit
SWITCHES="deploy_redis:redis:redis deploy_mysql:mysql:mysql deploy_postgres:postgres:postgres
    deploy_prometheus:prometheus:prometheus deploy_nginx_ingress:ingress-nginx:ingress-nginx
    deploy_kafka:kafka,zookeeper:zookeeper deploy_elk:elasticsearch,filebeat,kibana:elasticsearch
    deploy_nfs:nfs-provisioner:nfs-provisioner deploy_minio:minio:minio"

expect_success 'each switch alone deploys exactly its releases, in the order of their needs' '
    for sw in $SWITCHES; do
        name=${sw%%:*} rest=${sw#*:} && want=${rest%%:*} first=${rest#*:} &&
        reset_standin && rm -rf "$T/one" "$T/one-images" "$T/d-one" &&
        new_kit "$T/one" "$name='\''true'\''" &&
        pot install --kit-dir "$T/one" --data-dir "$T/d-one" --only components >one.out 2>&1 ||
            { cat one.out; exit 1; }
        grep "components: .* releases:" one.out &&
        assert_eq "${want//,/ }" "$(deployed)" "$name" &&
        assert_eq "$first" "$(upgraded | cut -d" " -f1)" "$name" || exit 1
    done
'

expect_success 'every switch together: all twelve releases, nfs before every volume, dependents after what they need' '
    reset_standin && rm -rf "$T/all" "$T/all-images" "$T/d-all" &&
    new_kit "$T/all" $(for sw in $SWITCHES; do printf "%s='\''true'\'' " "${sw%%:*}"; done) &&
    pot install --kit-dir "$T/all" --data-dir "$T/d-all" --only components >all.out 2>&1; cat all.out &&
    assert_contains all.out "components: 12 of 12 switched on" &&
    assert_eq "elasticsearch filebeat ingress-nginx kafka kibana minio mysql nfs-provisioner postgres prometheus redis zookeeper" "$(deployed)" &&
    order=$(upgraded) &&
    for r in redis mysql postgres prometheus zookeeper kafka elasticsearch minio; do
        comes_before "$order" nfs-provisioner "$r" || return 1
    done &&
    comes_before "$order" zookeeper kafka && comes_before "$order" elasticsearch kibana &&
    comes_before "$order" elasticsearch filebeat &&
    before=$(upgrades) &&
    pot install --kit-dir "$T/all" --data-dir "$T/d-all" --only components >all2.out 2>&1 &&
    assert_contains all2.out "changed=0" && assert_eq "$before" "$(upgrades)" &&
    assert_no_secrets "$T/d-all" all.out all2.out
'

expect_success 'redis switched off: only redis is uninstalled' '
    reset_standin && rm -rf "$T/d1" &&
    pot install --kit-dir "$KIT" --data-dir "$T/d1" --only components >out4 2>&1 &&
    assert_eq "ingress-nginx mysql nfs-provisioner prometheus redis" "$(deployed)" &&
    sed -i "s/^deploy_redis=.*/deploy_redis='\''false'\''/" "$KIT/hosts" &&
    before=$(upgrades) &&
    pot install --kit-dir "$KIT" --data-dir "$T/d1" --only components >out5 2>&1; cat out5 &&
    assert_contains out5 "release pot-system/redis: uninstalled" &&
    assert_contains out5 "deployed=0 unchanged=4 uninstalled=1" &&
    assert_eq "ingress-nginx mysql nfs-provisioner prometheus" "$(deployed)" &&
    assert_eq "$before" "$(upgrades)" &&
    pot install --kit-dir "$KIT" --data-dir "$T/d1" --only components >out6 2>&1 &&
    assert_contains out6 "changed=0"
'

expect_success 'install-offline-pot.sh -f remove_mysql uninstalls exactly mysql' '
    cp "$TOP/install-offline-pot.sh" "$KIT/" && mkdir -p "$KIT/build" && ln -sf "$POT" "$KIT/build/pot" &&
    before=$(upgrades) &&
    "$KIT/install-offline-pot.sh" -f remove_mysql --data-dir "$T/d1" >out7 2>&1; cat out7 &&
    assert_contains out7 "release pot-system/mysql: uninstalled" &&
    assert_contains out7 "components: 1 releases: uninstalled=1" &&
    assert_eq "ingress-nginx nfs-provisioner prometheus" "$(deployed)" &&
    assert_eq "$before" "$(upgrades)" &&
    assert_exit 5 pot install --kit-dir "$KIT" --data-dir "$T/d1" --remove nosuch >out8 2>&1; cat out8 &&
    assert_contains out8 "no component '\''nosuch'\''"
'

expect_success 'an image the kit lacks but the registry has passes; one in neither stops the stage before any helm call' '
    reset_standin && rm -rf "$T/d2" &&
    rm "$KIT-images/redis.6.2.tar" && sed -i "s/^deploy_redis=.*/deploy_redis='\''true'\''/" "$KIT/hosts" &&
    pot install --kit-dir "$KIT" --data-dir "$T/d2" --only components >out8b 2>&1; cat out8b &&
    assert_contains out8b "are in $KIT-images or the cluster registry" &&
    reset_standin && rm -rf "$T/d3" && before=$(upgrades) &&
    echo "deploy_minio='\''true'\''" >>"$KIT/hosts" &&
    echo "registry.tke.com/library/minio-console:v0.1" >>"$KIT/images/minio.txt" &&
    assert_exit 5 pot install --kit-dir "$KIT" --data-dir "$T/d3" --only components >out9 2>err9; cat out9 err9 &&
    assert_contains err9 "component '\''minio'\'': image '\''registry.tke.com/library/minio-console:v0.1'\''" &&
    assert_contains err9 "is neither in the kit'\''s offline images" &&
    assert_eq "$before" "$(upgrades)" &&
    assert_eq 0 "$(on_master "cat $SD/calls.log 2>/dev/null | grep -c helm || true")" &&
    assert_not_contains out9 "generated the password" &&
    sed -i "/^deploy_minio=/d" "$KIT/hosts"
'

test_done
