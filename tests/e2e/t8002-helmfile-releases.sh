#!/usr/bin/env bash
# t8002-helmfile-releases.sh - `pot helmfile` on the kit's example helmfile (helmfile/) against
# the cluster stand-in on the sandbox's first master (tests/fixtures/cluster-standin: the real
# helm renders every upgrade; releases are recorded, nothing runs). Checks: list and selectors,
# write-values, a sync in `needs` order then a rerun with no helm upgrade and changed=0, a release
# deleted behind pot's back deployed again, failure at one release then a rerun that resumes at
# it, kill -9 during a sync then a rerun that recovers the pending release and deploys nothing
# twice, destroy leaving no release, and the user errors (YAML, missing values file, unknown
# function, needs cycle, missing chart, helm missing on the master, cluster down).
. "$(dirname "$0")/lib.sh"
require_sandbox

STANDIN=$TOP/tests/fixtures/cluster-standin
MASTER=${T8002_HOST:-node2}
MASTER_IP=$(echo "$SANDBOX_HOSTS" | tr " " "\n" | sed -n "${MASTER#node}p")
HF=$T/kit/helmfile
DATA=$T/data
mkdir -p "$T/kit" && cp -r "$TOP/helmfile" "$T/kit/"

on_master() {
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" \
        "root@$MASTER_IP" "$@"
}
hf() {
    "$POT" helmfile -f "$HF/helmfile.d" -e demo --state-values-set "registry=$SANDBOX_REGISTRY" \
        -i "$SANDBOX_INVENTORY" --host "$MASTER" --data-dir "$DATA" "$@"
}
# hf_exec: hf as the process itself (so that kill -9 of $! reaches pot).
hf_exec() {
    exec "$POT" helmfile -f "$HF/helmfile.d" -e demo --state-values-set "registry=$SANDBOX_REGISTRY" \
        -i "$SANDBOX_INVENTORY" --host "$MASTER" --data-dir "$DATA" "$@"
}
# upgrades: how many `helm upgrade` the stand-in has run so far.
upgrades() { on_master "grep -c '	helm upgrade' /var/lib/pot-standin/calls.log || true"; }
# deployed: "NAME=REVISION" of every deployed release on the stand-in, sorted.
deployed() {
    on_master "helm list -A -o json" |
        python3 -c 'import json,sys; print(" ".join(sorted("%s=%s" % (r["name"], r["revision"]) for r in json.load(sys.stdin) if r["status"] == "deployed")))'
}
# noop_sync: a rerun that runs no helm upgrade and reports changed=0.
noop_sync() {
    local before
    before=$(upgrades)
    hf sync "$@" >noop.out 2>&1 || { cat noop.out; return 1; }
    cat noop.out &&
        assert_contains noop.out "changed=0" &&
        assert_eq "$before" "$(upgrades)" "helm upgrades on the rerun"
}

bash "$STANDIN/install.sh" "$MASTER" >/dev/null && bash "$STANDIN/install.sh" --reset "$MASTER" >/dev/null

expect_success 'list prints every release with its labels; selectors pick exactly theirs' '
    hf list >list.out && cat list.out &&
    assert_eq 4 "$(wc -l <list.out)" &&
    assert_contains list.out "product1-api-demo" && assert_contains list.out "product1-web-demo" &&
    assert_contains list.out "product2-worker-demo" &&
    assert_contains list.out "app:web" &&
    hf -l center=product2 list >sel.out && assert_eq 2 "$(wc -l <sel.out)" &&
    assert_contains sel.out "product2-worker-demo" &&
    hf -l app=web -l app=worker list >sel2.out && assert_eq 3 "$(wc -l <sel2.out)" &&
    hf -l center=product1,app!=web list >sel3.out && assert_eq 2 "$(wc -l <sel3.out)" &&
    assert_contains sel3.out "product1-api-demo"
'

expect_success 'an environment picks its releases and values; an unknown one is refused' '
    "$POT" helmfile -f "$HF/helmfile.d" -e acme --state-values-set registry=r list >acme.out &&
    cat acme.out && assert_eq 3 "$(wc -l <acme.out)" &&
    assert_contains acme.out "product1-api-acme" && assert_contains acme.out "product1-web-acme" &&
    "$POT" helmfile -f "$HF/helmfile.d" -e acme --state-values-set registry=r write-values \
        --output-dir "$T/acme" >/dev/null &&
    assert_contains "$T/acme/product1-web-acme.yaml" "replicaCount: 3" &&
    assert_contains "$T/acme/product1-api-acme.yaml" "PRODUCT1_ACME" &&
    assert_exit 5 "$POT" helmfile -f "$HF/helmfile.d" -e nosuch list 2>env.err &&
    assert_contains env.err "environment '\''nosuch'\'' is not defined"
'

expect_success 'write-values writes each release'\''s rendered values, 0600' '
    hf write-values --output-dir "$T/values" >wv.out && cat wv.out &&
    assert_eq 600 "$(stat -c %a "$T/values/product1-api-demo.yaml")" &&
    assert_contains "$T/values/product1-api-demo.yaml" "PRODUCT1_DEMO" &&
    assert_contains "$T/values/product1-api-demo.yaml" "$SANDBOX_REGISTRY" &&
    assert_contains "$T/values/product1-web-demo.yaml" "replicaCount: 2" &&
    grep -A1 "^queue:" "$T/values/product2-worker-demo.yaml" | grep -q "partitions: 4"
'

expect_success 'sync deploys every release in needs order; a rerun runs no helm upgrade' '
    hf sync >sync1.out 2>&1; cat sync1.out &&
    assert_eq 3 "$(grep -c "deployed revision 1" sync1.out)" &&
    assert_eq "product1-api-demo=1 product1-web-demo=1 product2-worker-demo=1" "$(deployed)" &&
    api=$(on_master "grep -n upgrade.*product1-api-demo /var/lib/pot-standin/calls.log" | cut -d: -f1) &&
    web=$(on_master "grep -n upgrade.*product1-web-demo /var/lib/pot-standin/calls.log" | cut -d: -f1) &&
    [ "$api" -lt "$web" ] &&
    noop_sync && assert_eq 3 "$(grep -c ": unchanged" noop.out)"
'

expect_success 'a release deleted behind pot'\''s back is deployed again, and only it' '
    on_master "helm uninstall product1-web-demo -n product1" >/dev/null &&
    before=$(upgrades) && hf sync >redeploy.out 2>&1 && cat redeploy.out &&
    assert_eq $((before + 1)) "$(upgrades)" &&
    assert_contains redeploy.out "release product1/product1-web-demo: deployed revision 1" &&
    noop_sync
'

expect_success 'a changed value upgrades only the releases it reaches' '
    before=$(upgrades) && hf --state-values-set worker.partitions=6 sync >chg.out 2>&1 && cat chg.out &&
    assert_eq $((before + 1)) "$(upgrades)" &&
    assert_contains chg.out "release product2/product2-worker-demo: deployed revision 2" &&
    noop_sync --state-values-set worker.partitions=6
'

expect_success 'a failing release is reported by name; the rerun resumes at it' '
    on_master "touch /var/lib/pot-standin/fail-once/product1-api-demo" &&
    assert_exit 2 hf --state-values-set logLevel=debug sync >fail.out 2>&1; cat fail.out &&
    assert_contains fail.out "product1-api-demo" && assert_contains fail.out "failed" &&
    assert_contains fail.out "not-run=1" &&
    before=$(upgrades) && hf --state-values-set logLevel=debug sync >resume.out 2>&1 && cat resume.out &&
    assert_eq $((before + 1)) "$(upgrades)" &&
    assert_contains resume.out "release product1/product1-api-demo: deployed" &&
    assert_contains resume.out "release product1/product1-web-demo: unchanged" &&
    noop_sync --state-values-set logLevel=debug
'

expect_success 'kill -9 of pot and of helm during a sync: the rerun recovers the pending release' '
    on_master "echo 6 >/var/lib/pot-standin/slow/product2-worker-demo" &&
    revs_before=$(deployed) &&
    { (exec >killed.out 2>&1 && hf_exec --state-values-set worker.partitions=7 sync) & pid=$!; } &&
    for i in $(seq 1 50); do
        on_master "grep -qs pending /var/lib/pot-standin/releases/product2/product2-worker-demo.json" && break
        sleep 0.2
    done &&
    kill -9 "$pid" && { wait "$pid" 2>/dev/null || true; } &&
    on_master "pkill -9 -f \"[s]tandin.py.*upgrade.*product2-worker-demo\"; rm -f /var/lib/pot-standin/slow/product2-worker-demo" &&
    hf --state-values-set worker.partitions=7 sync >after.out 2>&1; cat killed.out after.out &&
    assert_contains after.out "product2-worker-demo: recovered from pending-upgrade" &&
    assert_not_contains after.out "product1-api-demo: deployed" &&
    assert_not_contains after.out "product1-web-demo: deployed" &&
    noop_sync --state-values-set worker.partitions=7
'

expect_success 'kill -9 of pot alone: its helm finishes, the rerun adopts that revision' '
    on_master "echo 3 >/var/lib/pot-standin/slow/product2-worker-demo" &&
    before=$(upgrades) &&
    { (exec >killed2.out 2>&1 && hf_exec --state-values-set worker.partitions=8 sync) & pid=$!; } &&
    for i in $(seq 1 50); do
        on_master "grep -qs pending /var/lib/pot-standin/releases/product2/product2-worker-demo.json" && break
        sleep 0.2
    done &&
    kill -9 "$pid" && { wait "$pid" 2>/dev/null || true; } &&
    hf --state-values-set worker.partitions=8 sync >adopt.out 2>&1; cat killed2.out adopt.out &&
    on_master "rm -f /var/lib/pot-standin/slow/product2-worker-demo" &&
    assert_contains adopt.out "product2-worker-demo: revision" &&
    assert_contains adopt.out "adopted" &&
    assert_not_contains adopt.out "deployed revision" &&
    assert_eq $((before + 1)) "$(upgrades)" &&
    noop_sync --state-values-set worker.partitions=8
'

expect_success 'destroy leaves no release; a second destroy changes nothing' '
    hf destroy >d1.out 2>&1 && cat d1.out && assert_eq "" "$(deployed)" &&
    assert_contains d1.out "uninstalled=3" &&
    hf destroy >d2.out 2>&1 && cat d2.out && assert_contains d2.out "changed=0"
'

expect_success 'a selector deploys exactly the releases it names' '
    hf -l center=product2 sync >s2.out 2>&1 && cat s2.out &&
    assert_eq "product2-worker-demo=4" "$(deployed | sed "s/=[0-9]*/=4/")" &&
    noop_sync -l center=product2 &&
    hf -l center=product2 destroy >/dev/null 2>&1 && assert_eq "" "$(deployed)"
'

# bad_kit NAME: a copy of the example helmfile to break.
bad_kit() { rm -rf "$T/$1" && cp -r "$TOP/helmfile" "$T/$1"; }
bad() { pot helmfile -f "$T/$1/helmfile.d" -e demo -i "$SANDBOX_INVENTORY" --host "$MASTER" \
    --data-dir "$T/bad-data" "${@:2}"; }

expect_success 'a YAML error in a release file is named by file:line:col (exit 4)' '
    bad_kit y && printf "releases:\n  - name: [x\n" >"$T/y/helmfile.d/20-broken.yaml" &&
    assert_exit 4 bad y list 2>e1 && cat e1 && assert_contains e1 "20-broken.yaml:" &&
    assert_eq 1 "$(wc -l <e1)"
'

expect_success 'a missing values file is named (exit 1)' '
    bad_kit m && rm "$T/m/config/product1-demo/web.yaml" &&
    assert_exit 1 bad m list 2>e2 && cat e2 && assert_contains e2 "web.yaml"
'

expect_success 'an unknown function in a .gotmpl is named with its position (exit 4)' '
    bad_kit f && sed -i "s/| upper/| nosuchfunc/" "$T/f/config/product1-demo/api.yaml.gotmpl" &&
    assert_exit 4 bad f list 2>e3 && cat e3 && assert_contains e3 "api.yaml.gotmpl:" &&
    assert_contains e3 "nosuchfunc"
'

expect_success 'a needs cycle names the releases (exit 5), nothing is deployed' '
    bad_kit c && sed -i "s|    chart: ../product1/api|    chart: ../product1/api\n    needs: [product1/product1-web-{{ .Environment.Name }}]|" \
        "$T/c/helmfile.d/00-product1.yaml.gotmpl" &&
    before=$(upgrades) && assert_exit 5 bad c sync 2>e4 && cat e4 &&
    assert_contains e4 "cycle" && assert_contains e4 "product1-api-demo" &&
    assert_eq "$before" "$(upgrades)"
'

expect_success 'a missing chart directory names the release' '
    bad_kit d && rm -r "$T/d/product2/worker" &&
    ! bad d sync 2>e5 && cat e5 && assert_contains e5 "product2-worker-demo" &&
    assert_contains e5 "product2/worker"
'

expect_success 'helm missing on the master, and a cluster that is down, are clear errors' '
    bash "$STANDIN/install.sh" --remove "$MASTER" >/dev/null &&
    assert_exit 2 hf sync 2>e6; cat e6 && assert_contains e6 "helm not found" &&
    assert_contains e6 "$MASTER" &&
    bash "$STANDIN/install.sh" "$MASTER" >/dev/null && on_master "touch /var/lib/pot-standin/down" &&
    assert_exit 2 hf sync 2>e7; cat e7 && assert_contains e7 "Kubernetes cluster unreachable" &&
    on_master "rm /var/lib/pot-standin/down"
'

test_done
