#!/usr/bin/env bash
# t6001-tke-standin-hooks.sh - the stand-in tke-installer (tests/fixtures/tke-installer) with pot's
# real hooks (hooks/) mounted on /app/hooks: all 32 steps in order, hooks once each, step persisted
# after every step, resume at the failed step after a container restart, and the post-install hook's
# request/result protocol (including its timeout). Until `pot install` answers hook requests the
# test itself writes the result file, i.e. plays pot's side of the protocol documented in
# hooks/pot-hook.sh.
. "$(dirname "$0")/lib.sh"
require_sandbox

PORT=18641
NAME=pot-t6001-installer
URL=http://127.0.0.1:$PORT/api/cluster/global/progress

"$TOP/tests/fixtures/tke-installer/build.sh" >/dev/null

# start_installer DATA [ENV...]: (re)create the installer container like the kit does.
start_installer() {
    local data=$1 env=()
    shift
    for e in "$@"; do env+=(-e "$e"); done
    dk rm -f "$NAME" >/dev/null 2>&1 || true
    dk run -d --name "$NAME" --network host --restart=always -e POT_TKE_PORT=$PORT "${env[@]}" \
        -v "$data:/app/data" -v "$TOP/hooks:/app/hooks:ro" tkestack/tke-installer:v1.2.4 >/dev/null
}

# status: the "status" field of the progress document.
status() {
    curl -s -m 2 "$URL" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

# wait_status WANT [SECONDS]
wait_status() {
    local i s=""
    for ((i = 0; i < ${2:-30} * 10; i++)); do
        s=$(status 2>/dev/null) || s=""
        [ "$s" = "$1" ] && return 0
        sleep 0.1
    done
    echo "status is '$s', expected '$1'" >&2
    return 1
}

# answer STAGE STATUS MESSAGE: once the hook's request exists, write the result for its id.
answer() {
    local req=$DATA/pot/hooks/$1.request i id
    for ((i = 0; i < 300; i++)); do
        [ -f "$req" ] && break
        sleep 0.1
    done
    id=$(sed -n 's/^id=//p' "$req")
    printf 'id=%s\nstatus=%s\nmessage=%s\n' "$id" "$2" "$3" >"$DATA/pot/hooks/$1.result.tmp"
    mv "$DATA/pot/hooks/$1.result.tmp" "$DATA/pot/hooks/$1.result"
}

new_data() {
    DATA=$T/data$1
    mkdir -p "$DATA"
    printf '{\n "config": {\n  "ListenAddr": ":8080"\n },\n "para": {"note": "kept \\"as is\\""},\n "step": 0\n}\n' >"$DATA/tke.json"
    chmod 600 "$DATA/tke.json"
}

expect_success 'without tke.json the installer idles with status Unknown' '
    mkdir -p "$T/idle" && start_installer "$T/idle" &&
    wait_status Unknown && sleep 0.5 && assert_eq Unknown "$(status)" &&
    test ! -e "$T/idle/tke.log"
'

expect_success 'all 32 steps run in order to Success, each hook once' '
    new_data 1 && start_installer "$DATA" &&
    answer post-install ok "components and business deployed" &&
    wait_status Success &&
    assert_eq 32 "$(grep -c "\[Success\]" "$DATA/tke.log")" &&
    assert_eq "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31" \
        "$(sed -n "s/.* \([0-9]*\)\..* \[Success\].*/\1/p" "$DATA/tke.log" | tr "\n" " " | sed "s/ $//")" &&
    assert_eq 1 "$(grep -c "pot-hook pre-install: nothing to do" "$DATA/tke.log")" &&
    assert_eq 1 "$(grep -c "pot-hook post-cluster-ready: nothing to do" "$DATA/tke.log")" &&
    assert_eq 1 "$(grep -c "pot-hook post-install: stage .post-install. done: components and business deployed" "$DATA/tke.log")" &&
    assert_contains "$DATA/tke.log" "===>install task [Sucesss]" &&
    assert_contains "$DATA/tke.json" "\"step\": 32" &&
    assert_contains "$DATA/tke.json" "\"note\": \"kept \\\"as is\\\"\"" &&
    assert_eq 600 "$(stat -c %a "$DATA/tke.json")"
'

expect_success 'a restart after Success reruns nothing' '
    DATA=$T/data1 && lines=$(grep -c "doing" "$DATA/tke.log") &&
    dk restart -t 1 "$NAME" >/dev/null && wait_status Success &&
    assert_eq "$lines" "$(grep -c "doing" "$DATA/tke.log")"
'

expect_success 'step K fails once; a container restart resumes at K without repeating earlier steps' '
    new_data 2 && echo 12 >"$DATA/fail-step" && start_installer "$DATA" &&
    wait_status Failed &&
    assert_contains "$DATA/tke.log" "12.Install etcd [Failed]" &&
    assert_contains "$DATA/tke.log" "error injected failure of step 12" &&
    assert_contains "$DATA/tke.json" "\"step\": 12" &&
    dk restart -t 1 "$NAME" >/dev/null &&
    answer post-install ok "" && wait_status Success &&
    assert_eq 1 "$(grep -c "0.Execute pre install hook doing" "$DATA/tke.log")" &&
    assert_eq 1 "$(grep -c " 11.Prepare baremetal provider config doing" "$DATA/tke.log")" &&
    assert_eq 2 "$(grep -c " 12.Install etcd doing" "$DATA/tke.log")" &&
    assert_eq 1 "$(grep -c "pot-hook post-cluster-ready" "$DATA/tke.log")"
'

expect_success 'post-install fails the step when pot reports a failure' '
    new_data 3 &&
    sed -i "s/\"step\": 0/\"step\": 31/" "$DATA/tke.json" && start_installer "$DATA" &&
    answer post-install failed "business release x failed" && wait_status Failed &&
    assert_contains "$DATA/tke.log" "stage '\''post-install'\'' failed: business release x failed" &&
    assert_contains "$DATA/tke.log" "31.Execute post deploy hook [Failed]" &&
    assert_contains "$DATA/tke.json" "\"step\": 31"
'

expect_success 'post-install gives up with a clear message when no pot answers' '
    new_data 4 && sed -i "s/\"step\": 0/\"step\": 31/" "$DATA/tke.json" &&
    start_installer "$DATA" POT_HOOK_TIMEOUT=2 && wait_status Failed 20 &&
    assert_contains "$DATA/tke.log" "no pot answered within 2 s" &&
    assert_contains "$DATA/tke.log" "31.Execute post deploy hook [Failed]"
'

expect_success 'a stale result of an earlier request is not taken for the new one' '
    new_data 5 && sed -i "s/\"step\": 0/\"step\": 31/" "$DATA/tke.json" &&
    mkdir -p "$DATA/pot/hooks" &&
    printf "id=old\nstatus=ok\nmessage=old\n" >"$DATA/pot/hooks/post-install.result" &&
    start_installer "$DATA" POT_HOOK_TIMEOUT=2 && wait_status Failed 20 &&
    assert_contains "$DATA/tke.log" "no pot answered within 2 s"
'

dk rm -f "$NAME" >/dev/null 2>&1 || true
test_done
