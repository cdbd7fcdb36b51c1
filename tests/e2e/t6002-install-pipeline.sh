#!/usr/bin/env bash
# t6002-install-pipeline.sh - `pot install` end to end against the sandbox's dockerd and the
# stand-in tke-installer (tests/fixtures/tke-installer): a full run to Success with every hook
# answered by pot, a second run that changes nothing, failure at step K then --resume, kill -9 of
# pot then --resume, business-only mode without tke-installer, the image loaded out of the .run
# alone, and the user errors (template choice, .run checksum, option conflicts). The kit renders
# tke.json from the real templates/tke.
# Every scenario that completes an install is followed by a rerun that must skip every stage
# (noop_rerun), and editing a role of the kit makes host-init run again.
. "$(dirname "$0")/lib.sh"
require_sandbox

export POT_TKE_PORT=18651 DOCKER_HOST=$SANDBOX_DOCKER_HOST
NAME=pot-t6002-installer

"$TOP/tests/fixtures/tke-installer/build.sh" --save "$T/installer.tar" >/dev/null

# new_kit DIR [business]: a kit (hooks, the real templates/tke, hosts with the variables of
# tke-single.json.j2) with ../tkestack and DIR-tgz unless business mode is wanted.
new_kit() {
    mkdir -p "$1/templates" && cp -r "$TOP/hooks" "$1/hooks" &&
        cp -r "$TOP/templates/tke" "$1/templates/tke" &&
        printf '%s\n' '[installer]' 'node1 ansible_host=127.0.0.1' '[masters]' 'node2' \
            '[all:vars]' "ansible_ssh_pass='secret-ssh-pw'" "tke_pwd='secret-tke-pw'" \
            "tke_admin_user='admin'" "tke_ha_type='none'" k8s_version=1.16.6 net_interface=eth0 \
            cluster_cidr=10.244.0.0/16 max_cluster_service_num=256 max_node_pod_num=128 \
            docker_data_root=/data/docker kubelet_root_dir=/data/kubelet \
            registry_domain=registry.tke.com tke_console_domain=console.tke.com ipvs=false \
            >"$1/hosts" || return 1
    if [ "${2:-}" != business ]; then
        mkdir -p "$1/../tkestack" "$1-tgz" && cp "$T/installer.tar" "$1/../tkestack/tke-installer.tar"
    fi
}

install() { pot install --container "$NAME" "$@"; }
cid() { dk inspect -f '{{.Id}}' "$NAME"; }

# noop_rerun KIT DATA-DIR STAGES [install options]: the project rule "every scenario runs twice":
# a plain rerun must skip all STAGES stages as done with the same inputs, start none, and leave
# tke.log and tke.json as they were.
noop_rerun() {
    local kit=$1 data=$2 n=$3 lines=none sum=none
    shift 3
    [ -f "$data/tke.log" ] && lines=$(wc -l <"$data/tke.log")
    [ -f "$data/tke.json" ] && sum=$(sha256sum <"$data/tke.json")
    install --kit-dir "$kit" --data-dir "$data" "$@" >"$data.rerun" 2>&1 || { cat "$data.rerun"; return 1; }
    cat "$data.rerun" &&
        assert_eq "$n" "$(grep -c "done earlier with the same inputs, skipped" "$data.rerun")" &&
        assert_not_contains "$data.rerun" ": started" &&
        { [ "$lines" = none ] || assert_eq "$lines" "$(wc -l <"$data/tke.log")"; } &&
        { [ "$sum" = none ] || assert_eq "$sum" "$(sha256sum <"$data/tke.json")"; }
}

new_kit "$T/full/offline-pot"
KIT=$T/full/offline-pot

expect_success 'a full run loads the image, runs every step to Success and answers the hook' '
    dk rmi tkestack/tke-installer:v1.2.4 >/dev/null 2>&1 || true
    dk rm -f "$NAME" >/dev/null 2>&1 || true
    install --kit-dir "$KIT" --data-dir "$T/d1" >out1 2>&1 &&
    cat out1 &&
    assert_contains out1 "mode: full" &&
    assert_contains out1 "host-init: the kit has no playbooks" &&
    assert_contains out1 "loading $T/full/tkestack/tke-installer.tar" &&
    assert_contains out1 "creating container" &&
    assert_contains out1 "step 1/32 Execute pre install hook" &&
    assert_contains out1 "step 32/32 Execute post deploy hook" &&
    assert_contains out1 "hook post-install asks for stage post-install" &&
    assert_contains out1 "install task finished: Success" &&
    assert_eq 1 "$(grep -c "stage post-install: started" out1)" &&
    assert_contains out1 "stage post-install: already run by this invocation" &&
    assert_eq 1 "$(grep -c "pot-hook pre-install: nothing to do" "$T/d1/tke.log")" &&
    assert_eq 1 "$(grep -c "pot-hook post-cluster-ready: nothing to do" "$T/d1/tke.log")" &&
    assert_eq 1 "$(grep -c "stage .post-install. done" "$T/d1/tke.log")" &&
    assert_eq 600 "$(stat -c %a "$T/d1/tke.json")" &&
    assert_contains "$T/d1/tke.json" "\"step\": 32" &&
    assert_contains "$T/d1/tke.json" "\"Replicas\": 1" &&
    assert_contains "$T/d1/tke.json" "\"phase\": \"Initializing\"" &&
    assert_contains "$T/d1/tke.json" "$(printf %s secret-ssh-pw | base64)" &&
    assert_not_contains out1 "secret-ssh-pw" &&
    assert_not_contains "$T/d1/pot/install.log" "$(printf %s secret-tke-pw | base64)"
'

expect_success 'a second run changes nothing: stages skipped, container kept' '
    before=$(cid) && lines=$(wc -l <"$T/d1/tke.log") &&
    install --kit-dir "$KIT" --data-dir "$T/d1" >out2 2>&1 && cat out2 &&
    assert_eq 6 "$(grep -c "done earlier with the same inputs, skipped" out2)" &&
    assert_eq "$before" "$(cid)" && assert_eq "$lines" "$(wc -l <"$T/d1/tke.log")"
'

expect_success 'pot status and pot logs report the finished install' '
    pot status --data-dir "$T/d1" >st && cat st &&
    assert_contains st "stage tke-installer  done" &&
    assert_contains st "step 32/32 Execute post deploy hook (install task finished)" &&
    assert_contains st "last error: none" &&
    pot logs --data-dir "$T/d1" >lg && assert_contains lg "===>install task [Sucesss]" &&
    assert_contains lg "stage post-install: done"
'

expect_success 'failure at step K, then --resume restarts the installer at K only' '
    mkdir -p "$T/d2" && echo 12 >"$T/d2/fail-step" &&
    assert_exit 2 install --kit-dir "$KIT" --data-dir "$T/d2" >out3 2>err3 &&
    cat out3 err3 &&
    assert_contains err3 "tke-installer failed at step 13/32 '\''Install etcd'\'': injected failure of step 12" &&
    pot status --data-dir "$T/d2" >st2 && assert_contains st2 "stage tke-installer  failed" &&
    install --kit-dir "$KIT" --data-dir "$T/d2" --resume >out4 2>&1 && cat out4 &&
    assert_contains out4 "resuming: stage tke-installer failed last time" &&
    assert_contains out4 "stage host-init: done earlier with the same inputs, skipped" &&
    assert_contains out4 "stage tke-config: done earlier with the same inputs, skipped" &&
    assert_contains out4 "restarting container" &&
    assert_contains out4 "step 13/32 Install etcd" && assert_not_contains out4 "step 12/32" &&
    assert_eq 1 "$(grep -c " 0.Execute pre install hook doing" "$T/d2/tke.log")" &&
    assert_eq 1 "$(grep -c " 11.Prepare baremetal provider config doing" "$T/d2/tke.log")" &&
    assert_eq 2 "$(grep -c " 12.Install etcd doing" "$T/d2/tke.log")" &&
    assert_eq 1 "$(grep -c "stage .post-install. done" "$T/d2/tke.log")" &&
    assert_contains "$T/d2/tke.log" "===>install task [Sucesss]" &&
    noop_rerun "$KIT" "$T/d2" 6
'

expect_success 'kill -9 of pot mid-install, then --resume attaches and completes' '
    export TKE_STEP_DELAY=0.25 &&
    { "$POT" install --container "$NAME" --kit-dir "$KIT" --data-dir "$T/d3" >out5 2>&1 & pid=$!; } &&
    for i in $(seq 100); do grep -q " 5.Create global cluster doing" "$T/d3/tke.log" 2>/dev/null && break; sleep 0.1; done &&
    kill -9 $pid && { wait $pid 2>/dev/null || true; } &&
    { install --kit-dir "$KIT" --data-dir "$T/d3" --resume >out6 2>&1 || { cat out6; false; }; } &&
    cat out6 &&
    assert_contains out6 "ended without releasing its lock" &&
    assert_contains out6 "is still installing; following it" &&
    assert_contains out6 "install task finished: Success" &&
    assert_eq 1 "$(grep -c "===>starting install task" "$T/d3/tke.log")" &&
    assert_eq 1 "$(grep -c "stage .post-install. done" "$T/d3/tke.log")" &&
    noop_rerun "$KIT" "$T/d3" 6
'

expect_success 'business-only mode runs host checks and post-install without tke-installer' '
    new_kit "$T/biz/offline-pot" business && dk rm -f pot-t6002-biz >/dev/null 2>&1; true &&
    pot install --container pot-t6002-biz --kit-dir "$T/biz/offline-pot" --data-dir "$T/d4" >out7 2>&1 &&
    cat out7 && assert_contains out7 "mode: business" &&
    assert_contains out7 "stage tke-config: not part of the business mode, skipped" &&
    assert_contains out7 "stage tke-installer: not part of the business mode, skipped" &&
    assert_contains out7 "stage post-install: done" &&
    test ! -e "$T/d4/tke.json" && ! dk inspect pot-t6002-biz >/dev/null 2>&1 &&
    noop_rerun "$T/biz/offline-pot" "$T/d4" 4
'

expect_success 'an unsupported masters/HA combination is one clear error; fixing it continues' '
    new_kit "$T/bad/offline-pot" && sed -i "s/^node2$/node2\nnode3/" "$T/bad/offline-pot/hosts" &&
    assert_exit 5 pot install --container "$NAME" --kit-dir "$T/bad/offline-pot" --data-dir "$T/d5" 2>err8 &&
    cat err8 && assert_contains err8 "no tke.json template for 2 master(s) with tke_ha_type '\''none'\''" &&
    assert_contains err8 "3 masters with tke_ha_type '\''third'\''" &&
    test ! -e "$T/d5/tke.json" &&
    pot install --check --container "$NAME" --kit-dir "$KIT" --data-dir "$T/d5" >out9 &&
    assert_contains out9 "renders and validates" && test ! -e "$T/d5/tke.json"
'

expect_success 'a .run that does not match its .sha256 stops the installer stage' '
    echo payload >"$T/full/tkestack/tke-installer-x86_64-v1.2.4.run" &&
    echo "0000000000000000000000000000000000000000000000000000000000000000  x.run" \
        >"$T/full/tkestack/tke-installer-x86_64-v1.2.4.run.sha256" &&
    assert_exit 2 install --kit-dir "$KIT" --data-dir "$T/d6" 2>err10 && cat err10 &&
    assert_contains err10 "does not match" &&
    sha256sum "$T/full/tkestack/tke-installer-x86_64-v1.2.4.run" >"$T/full/tkestack/tke-installer-x86_64-v1.2.4.run.sha256" &&
    install --kit-dir "$KIT" --data-dir "$T/d6" >out11 2>&1 && assert_contains out11 "install task finished" &&
    noop_rerun "$KIT" "$T/d6" 6
'

# make_run FILE [no-image]: a TKEStack-style .run (build/docker/tools/tke-installer/build.sh:
# a script ending in the marker line, then `tar -czf - install.sh res` with res/tke-installer.tgz
# = the gzipped docker-save tarball).
make_run() {
    local d
    d=$(mktemp -d "$T/run.XXXXXX") && mkdir "$d/res" && echo 'echo install' >"$d/install.sh" &&
        echo docker >"$d/res/docker.tgz" || return 1
    [ "${2:-}" = no-image ] || gzip -c "$T/installer.tar" >"$d/res/tke-installer.tgz" || return 1
    { printf '%s\n' '#!/usr/bin/env bash' \
        'n=`sed -n '"'/^#real installing packages append below/{=;q;}'"' "$0"`' \
        'tail -n +$((n + 1)) "$0" | tar -zxf - && ./install.sh "$@"' 'exit 0' '' \
        '#real installing packages append below' && tar -czf - -C "$d" install.sh res; } >"$1"
}

expect_success 'with only the .run in the kit, the image is loaded out of it' '
    new_kit "$T/run/offline-pot" && rm "$T/run/tkestack/tke-installer.tar" &&
    RUN=$T/run/tkestack/tke-installer-x86_64-v1.2.4.run &&
    make_run "$RUN" no-image &&
    { dk rm -f "$NAME" >/dev/null 2>&1 || true; } &&
    { dk rmi tkestack/tke-installer:v1.2.4 >/dev/null 2>&1 || true; } &&
    assert_exit 2 install --kit-dir "$T/run/offline-pot" --data-dir "$T/d9" 2>err12 && cat err12 &&
    assert_contains err12 "$RUN'\'' has no installer image" &&
    make_run "$RUN" && sha256sum "$RUN" >"$RUN.sha256" &&
    n=$(sed -n "/^#real installing packages append below/{=;q;}" "$RUN") &&
    tail -n +$((n + 1)) "$RUN" | tar -tzf - | grep -qx res/tke-installer.tgz &&
    install --kit-dir "$T/run/offline-pot" --data-dir "$T/d9" >out12 2>&1 && cat out12 &&
    assert_contains out12 "unpacking the image from $RUN" &&
    assert_contains out12 "loading $RUN (res/tke-installer.tgz)" &&
    assert_contains out12 "install task finished: Success" &&
    test ! -e "$T/d9/pot/tke-installer-image.tmp" &&
    noop_rerun "$T/run/offline-pot" "$T/d9" 6
'

expect_failure 'conflicting options are refused' '
    pot install --resume --reset --kit-dir "$KIT" --data-dir "$T/d7"
'

expect_success 'install-offline-pot.sh maps the kit functions onto pot install' '
    new_kit "$T/wrap/offline-pot" business && cp "$TOP/install-offline-pot.sh" "$T/wrap/offline-pot/" &&
    mkdir -p "$T/wrap/offline-pot/build" && ln -s "$POT" "$T/wrap/offline-pot/build/pot" &&
    "$T/wrap/offline-pot/install-offline-pot.sh" -f init_and_check --data-dir "$T/d8" >w1 &&
    assert_contains w1 "stage host-init: done" && assert_not_contains w1 "post-install" &&
    "$T/wrap/offline-pot/install-offline-pot.sh" -f defaut --data-dir "$T/d8" >w2 &&
    assert_contains w2 "stage host-init: done earlier with the same inputs, skipped" &&
    assert_contains w2 "stage post-install: done" &&
    assert_exit 5 "$T/wrap/offline-pot/install-offline-pot.sh" -f no_such_func 2>w3 &&
    assert_contains w3 "unknown function '\''no_such_func'\''" &&
    "$T/wrap/offline-pot/install-offline-pot.sh" -f defaut --data-dir "$T/d8" >w4 &&
    assert_eq 4 "$(grep -c "done earlier with the same inputs, skipped" w4)" &&
    assert_not_contains w4 ": started"
'

expect_success 'on a terminal the steps share one updating status line; the log stays plain' '
    TERM=xterm script -qec "$POT install --container $NAME --kit-dir $KIT --data-dir $T/d10" \
        tty.out >/dev/null && cat -v tty.out | tail -c 400 &&
    assert_contains tty.out "$(printf "\r\033[K")step 32/32 Execute post deploy hook [" &&
    assert_contains tty.out "install task finished: Success" &&
    assert_eq 0 "$(grep -c "^step 1/32 Execute pre install hook" tty.out)" &&
    assert_contains "$T/d10/pot/install.log" " step 1/32 Execute pre install hook" &&
    assert_not_contains "$T/d10/pot/install.log" "$(printf "\033")" &&
    noop_rerun "$KIT" "$T/d10" 6
'

expect_success 'editing a role of the kit makes host-init run again on --resume' '
    new_kit "$T/role/offline-pot" business &&
    mkdir -p "$T/role/offline-pot/playbooks/roles/mark/tasks" &&
    printf "%s\n" "- hosts: installer" "  connection: local" "  gather_facts: false" \
        "  roles: [{role: mark, tags: check_disk}]" >"$T/role/offline-pot/playbooks/host-check.yml" &&
    echo "- debug: msg=\"mark role v1\"" >"$T/role/offline-pot/playbooks/roles/mark/tasks/main.yml" &&
    pot install --kit-dir "$T/role/offline-pot" --data-dir "$T/d9" >r1 2>&1 && cat r1 &&
    assert_contains r1 "mark role v1" &&
    noop_rerun "$T/role/offline-pot" "$T/d9" 4 &&
    echo "- debug: msg=\"mark role v2\"" >"$T/role/offline-pot/playbooks/roles/mark/tasks/main.yml" &&
    pot install --kit-dir "$T/role/offline-pot" --data-dir "$T/d9" --resume >r2 2>&1 && cat r2 &&
    assert_contains r2 "stage host-init: started" && assert_contains r2 "mark role v2" &&
    noop_rerun "$T/role/offline-pot" "$T/d9" 4
'

expect_success 'on a terminal a playbook shows as one status line: task N/M, tasks done per host, ETA' '
    new_kit "$T/prog/offline-pot" business &&
    mkdir -p "$T/prog/offline-pot/playbooks" &&
    printf "%s\n" "- hosts: installer" "  connection: local" "  gather_facts: false" "  tasks:" \
        "    - {name: first, debug: {msg: one}, tags: check_disk}" \
        "    - {name: second, command: sleep 2, changed_when: false, tags: check_disk}" \
        "    - {name: third, debug: {msg: three}, loop: [a, b], tags: check_disk}" \
        >"$T/prog/offline-pot/playbooks/host-check.yml" &&
    TERM=xterm script -qec "$POT install --kit-dir $T/prog/offline-pot --data-dir $T/d11" \
        ptty.out >/dev/null && cat -v ptty.out | tail -c 600 &&
    cr=$(printf "\r\033[K") &&
    assert_contains ptty.out "${cr}host-check.yml: task 1/3 first | [" &&
    assert_contains ptty.out "${cr}host-check.yml: task 1/3 first | node1 1 [" &&
    assert_contains ptty.out "${cr}host-check.yml: task 2/3 second | node1 1 | ETA 0:0" &&
    assert_contains ptty.out "${cr}host-check.yml: task 3/3 third | node1 3 [" &&
    assert_contains ptty.out "install complete" &&
    assert_not_contains "$T/d11/pot/install.log" "host-check.yml: task" &&
    assert_contains "$T/d11/pot/install.log" "TASK [second]" &&
    pot install --kit-dir "$T/prog/offline-pot" --data-dir "$T/d12" >plain.out 2>&1 &&
    assert_not_contains plain.out "host-check.yml: task" &&
    assert_contains plain.out "ok: [node1] => (item=b)"
'

dk rm -f "$NAME" >/dev/null 2>&1 || true
test_done
