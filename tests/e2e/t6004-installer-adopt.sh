#!/usr/bin/env bash
# t6004-installer-adopt.sh - `pot install` meets a tke-installer container it did not label (#15):
# one with our image and data mount (left by a run killed before labelling it, or by the kit's own
# `docker run`) is adopted and restarted, never recreated; one from another image is refused with
# one message naming it and how to remove it, and left alone. Runs against the sandbox's dockerd
# and the stand-in tke-installer (tests/fixtures/tke-installer).
. "$(dirname "$0")/lib.sh"
require_sandbox

export POT_TKE_PORT=18654 DOCKER_HOST=$SANDBOX_DOCKER_HOST
NAME=pot-t6004-installer
SOCK=${SANDBOX_DOCKER_HOST#unix://}
install() { pot install --container "$NAME" "$@"; }

"$TOP/tests/fixtures/tke-installer/build.sh" --save "$T/installer.tar" >/dev/null
KIT=$T/full/offline-pot
mkdir -p "$KIT/templates" "$T/full/tkestack" "$KIT-tgz" && cp -r "$TOP/hooks" "$KIT/hooks" &&
    cp -r "$TOP/templates/tke" "$KIT/templates/tke" &&
    cp "$T/installer.tar" "$T/full/tkestack/tke-installer.tar" &&
    printf '%s\n' '[installer]' 'node1 ansible_host=127.0.0.1' '[masters]' 'node2' \
        '[all:vars]' "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" \
        "tke_admin_user='admin'" "tke_ha_type='none'" k8s_version=1.16.6 net_interface=eth0 \
        cluster_cidr=10.244.0.0/16 max_cluster_service_num=256 max_node_pod_num=128 \
        docker_data_root=/data/docker kubelet_root_dir=/data/kubelet \
        registry_domain=registry.tke.com tke_console_domain=console.tke.com ipvs=false \
        >"$KIT/hosts"

# unlabelled IMAGE: replaces the container by one created through the docker API with the same
# settings but without pot's label (and from IMAGE); it stays in state "created".
unlabelled() {
    dk inspect "$NAME" >"$T/inspect.json" &&
        /usr/bin/python3 -c 'import json,sys
c = json.load(open(sys.argv[1]))[0]
print(json.dumps({"Image": sys.argv[2], "Env": c["Config"]["Env"], "HostConfig": c["HostConfig"]}))' \
            "$T/inspect.json" "$1" >"$T/create.json" &&
        dk rm -f "$NAME" >/dev/null &&
        curl -sf --unix-socket "$SOCK" -H 'Content-Type: application/json' \
            -d @"$T/create.json" "http://localhost/containers/create?name=$NAME" >/dev/null &&
        assert_eq created "$(dk inspect -f '{{.State.Status}}' "$NAME")" &&
        assert_eq "" "$(dk inspect -f '{{index .Config.Labels "pot.spec"}}' "$NAME")"
}

expect_success 'a first full run creates the container' '
    dk rm -f "$NAME" >/dev/null 2>&1 || true
    install --kit-dir "$KIT" --data-dir "$T/d1" >out1 2>&1 || { cat out1; exit 1; }
    assert_contains out1 "creating container" &&
    assert_contains out1 "install task finished: Success"
'

for round in 1 2; do
    export round
    expect_success "round $round: an unlabelled container with our image and data mount is adopted" '
        unlabelled tkestack/tke-installer:v1.2.4 &&
        id=$(dk inspect -f "{{.Id}}" "$NAME") &&
        { install --kit-dir "$KIT" --data-dir "$T/d1" --from tke-installer >adopt 2>&1 ||
            { cat adopt; exit 1; }; } &&
        assert_contains adopt "adopting container '"'"'$NAME'"'"' (created, same image" &&
        assert_not_contains adopt "creating container" &&
        assert_contains adopt "install task finished: Success" &&
        assert_eq "$id" "$(dk inspect -f "{{.Id}}" "$NAME")"
    '
done

expect_success 'a container from another image is refused, named, and left alone' '
    dk tag tkestack/tke-installer:v1.2.4 pot-t6004/other:1 &&
    unlabelled pot-t6004/other:1 &&
    id=$(dk inspect -f "{{.Id}}" "$NAME") &&
    rc=0 &&
    { install --kit-dir "$KIT" --data-dir "$T/d1" --from tke-installer >foreign 2>&1 || rc=$?; } &&
    cat foreign &&
    test "$rc" -ne 0 &&
    assert_contains foreign "container '"'"'$NAME'"'"' exists and is not pot'"'"'s tke-installer" &&
    assert_contains foreign "pot-t6004/other:1" &&
    assert_contains foreign "docker rm -f $NAME" &&
    assert_eq "$id" "$(dk inspect -f "{{.Id}}" "$NAME")"
'

dk rm -f "$NAME" >/dev/null 2>&1
dk rmi pot-t6004/other:1 >/dev/null 2>&1
test_done
