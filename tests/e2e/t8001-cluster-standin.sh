#!/usr/bin/env bash
# t8001-cluster-standin.sh - the cluster stand-in (tests/fixtures/cluster-standin) on a sandbox
# master, driven over ssh the way pot drives helm/kubectl on the first master: install/reset/
# remove, upgrade --install revisions, helm's own errors for bad values, list/history/status JSON
# shapes, the failure injections (fail-once, slow -> pending, down), uninstall, rollback, and
# kubectl apply/get/delete of a TKE Machine. Host: $T8001_HOST (default node2).
. "$(dirname "$0")/lib.sh"
require_sandbox

# shellcheck disable=SC2034 # SI and rc are used inside the snippets
SI=$TOP/tests/fixtures/cluster-standin
HOST=${T8001_HOST:-node2}
read -r -a _hosts <<<"$SANDBOX_HOSTS"
read -r -a _names <<<"$SANDBOX_NAMES"
ADDR=$HOST
for i in "${!_names[@]}"; do [ "${_names[$i]}" = "$HOST" ] && ADDR=${_hosts[$i]}; done
W=/root/t8001

# on CMD: run CMD (a shell snippet) on the host as root, in $W.
on() {
    ssh -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -p "${SANDBOX_SSH_PORT:-22}" "root@$ADDR" "mkdir -p $W && cd $W && $1"
}
# try CMD...: run CMD, keep its exit status in $rc, succeed (so it can sit in an && chain).
# shellcheck disable=SC2034 # rc is read by the snippets
try() {
    rc=0
    "$@" || rc=$?
}
# json EXPR: evaluate a python expression over the JSON on stdin (as j), print the result.
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

expect_success 'install.sh installs helm and kubectl wrappers and the real binaries (twice: idempotent)' '
    "$SI/install.sh" "$HOST" && "$SI/install.sh" "$HOST" && "$SI/install.sh" --reset "$HOST" &&
    on "test ! -s /var/lib/pot-standin/calls.log" &&
    on "command -v helm kubectl" >paths &&
    assert_eq "/usr/local/bin/helm /usr/local/bin/kubectl" "$(tr "\n" " " <paths | sed "s/ $//")" &&
    on "helm version --short" >ver && assert_contains ver "v3.17.1" &&
    on "/opt/pot-standin/bin/kubectl version --client" >kver && assert_contains kver "v1.29" &&
    on "kubectl get nodes -o name" >nodes && assert_contains nodes "node/node2"
'

expect_success 'the test chart and values files are on the host' '
    tar -C "$SI" -cf - testchart | on "rm -rf testchart && tar xf -" &&
    on "printf \"message: first\\nextra: {a: b}\\n\" >v1.yaml && printf \"replicaCount: 3\\n\" >v2.yaml &&
        printf \"message: [\\n\" >broken.yaml && printf \"extra: notamap\\n\" >badtype.yaml"
'

expect_success 'upgrade --install records revision 1 with helm texts, then revision 2' '
    on "helm upgrade --install web ./testchart -n apps --create-namespace -f v1.yaml --wait --timeout 5m" >o1 &&
    assert_contains o1 "Release \"web\" does not exist. Installing it now." &&
    assert_contains o1 "STATUS: deployed" && assert_contains o1 "REVISION: 1" &&
    on "helm upgrade --install web ./testchart -n apps -f v1.yaml -f v2.yaml --atomic --wait" >o2 &&
    assert_contains o2 "Release \"web\" has been upgraded. Happy Helming!" && assert_contains o2 "REVISION: 2" &&
    on "helm history web -n apps -o json" >h &&
    assert_eq "1:superseded:Install complete 2:deployed:Upgrade complete" \
        "$(json "\" \".join(\"%d:%s:%s\" % (r[\"revision\"], r[\"status\"], r[\"description\"]) for r in j)" <h)" &&
    on "helm get values web -n apps -o json" >v &&
    assert_eq "{\"extra\":{\"a\":\"b\"},\"message\":\"first\",\"replicaCount\":3}" "$(cat v)" &&
    on "cat /var/lib/pot-standin/releases/apps/web.json" >rec &&
    assert_eq "testchart 0.1.0 1.0 ConfigMap/web-config Deployment/web Service/web" \
        "$(json "\" \".join([j[\"revisions\"][-1][\"chart\"][\"name\"], j[\"revisions\"][-1][\"chart\"][\"version\"], j[\"revisions\"][-1][\"chart\"][\"appVersion\"]] + sorted(o[\"kind\"] + \"/\" + o[\"name\"] for o in j[\"revisions\"][-1][\"objects\"]))" <rec)" &&
    assert_contains rec "replicas: 3"
'

expect_success 'upgrade --install again is idempotent in effect: revision 3 deployed, 2 superseded' '
    on "helm upgrade --install web ./testchart -n apps -f v1.yaml -f v2.yaml" >o3 && assert_contains o3 "REVISION: 3" &&
    on "helm list -n apps -o json" >l &&
    assert_eq "web 3 deployed" "$(json "\" \".join([j[0][\"name\"], j[0][\"revision\"], j[0][\"status\"]])" <l)"
'

expect_success 'list -o json has helm'\''s shape (revision a string, chart name-version)' '
    on "helm list -A -o json" >l &&
    assert_eq "[\"app_version\", \"chart\", \"name\", \"namespace\", \"revision\", \"status\", \"updated\"]" "$(json "json.dumps(sorted(j[0]))" <l)" &&
    assert_eq "str testchart-0.1.0 1.0 apps" "$(json "\" \".join([type(j[0][\"revision\"]).__name__, j[0][\"chart\"], j[0][\"app_version\"], j[0][\"namespace\"]])" <l)" &&
    grep -Eq "\"updated\":\"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [+-][0-9]{4} [A-Z]+\"" l &&
    on "helm list -n nowhere -o json" >empty && assert_eq "[]" "$(cat empty)"
'

expect_success 'a broken values file fails with helm'\''s message, exit 1, nothing recorded' '
    try on "helm upgrade --install web ./testchart -n apps -f broken.yaml" >out 2>err &&
    assert_eq 1 "$rc" &&
    assert_contains err "Error: failed to parse broken.yaml: error converting YAML to JSON: yaml: line 1" &&
    try on "helm upgrade --install web ./testchart -n apps -f badtype.yaml" >out 2>err &&
    assert_eq 1 "$rc" && assert_contains err "Error: UPGRADE FAILED: template: testchart/templates/configmap.yaml" &&
    try on "helm upgrade --install fresh ./testchart -n apps -f badtype.yaml" >out 2>err &&
    assert_eq 1 "$rc" && assert_contains out "Release \"fresh\" does not exist. Installing it now." &&
    assert_contains err "Error: template: testchart/templates/configmap.yaml" &&
    try on "helm upgrade --install web ./testchart -n apps --kube-version 1.20" 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error: unknown flag: --kube-version" "$(cat err)" &&
    on "helm history web -n apps -o json" >h && assert_eq 3 "$(json "len(j)" <h)" &&
    try on "helm status fresh -n apps" 2>err >/dev/null && assert_eq 1 "$rc" &&
    assert_eq "Error: release: not found" "$(cat err)"
'

expect_success 'an unknown namespace without --create-namespace fails like helm' '
    try on "helm upgrade --install x ./testchart -n nons" 2>err >/dev/null &&
    assert_eq 1 "$rc" && assert_eq "Error: create: failed to create: namespaces \"nons\" not found" "$(cat err)"
'

expect_success 'fail-once: the next upgrade fails like helm, records failed, then upgrades work again' '
    on "touch /var/lib/pot-standin/fail-once/web" &&
    try on "helm upgrade --install web ./testchart -n apps --wait" >out 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error: UPGRADE FAILED: context deadline exceeded" "$(cat err)" &&
    on "test ! -e /var/lib/pot-standin/fail-once/web" &&
    on "helm status web -n apps -o json" >s && assert_eq "4 failed" "$(json "\"%d %s\" % (j[\"version\"], j[\"info\"][\"status\"])" <s)" &&
    on "helm upgrade --install web ./testchart -n apps" >out && assert_contains out "REVISION: 5" &&
    on "echo \"timed out waiting for the condition\" >/var/lib/pot-standin/fail-once/newrel" &&
    try on "helm upgrade --install newrel ./testchart -n apps" >out 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error: timed out waiting for the condition" "$(cat err)" &&
    on "helm list -n apps -o json" >l && assert_contains l "\"name\":\"newrel\",\"namespace\":\"apps\",\"revision\":\"1\"" &&
    assert_contains l "\"status\":\"failed\"" &&
    on "helm upgrade --install newrel ./testchart -n apps" >out && assert_contains out "Release \"newrel\" has been upgraded" &&
    assert_contains out "REVISION: 2"
'

expect_success 'slow: the release is pending meanwhile, a second helm is refused, SIGKILL leaves it pending' '
    on "echo 4 >/var/lib/pot-standin/slow/web" &&
    on ": ; nohup helm upgrade --install web ./testchart -n apps >slow.out 2>&1 </dev/null & echo \$! >slow.pid" &&
    sleep 2 &&
    { on "helm status web -n apps" >s && assert_contains s "STATUS: pending-upgrade" || { on "cat slow.out; ls -l /var/lib/pot-standin/slow"; false; }; } &&
    try on "helm upgrade --install web ./testchart -n apps" 2>err >/dev/null &&
    assert_eq 1 "$rc" &&
    assert_eq "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress" "$(cat err)" &&
    sleep 3.5 && on "cat slow.out" >so && assert_contains so "has been upgraded" &&
    on "helm status web -n apps" >s && assert_contains s "STATUS: deployed" &&
    on ": ; nohup helm upgrade --install web ./testchart -n apps >slow2.out 2>&1 </dev/null & echo \$! >slow.pid" &&
    sleep 2 && on "kill -9 \$(cat slow.pid)" && sleep 0.3 &&
    on "helm list -n apps -a -o json" >l && assert_contains l "\"name\":\"web\",\"namespace\":\"apps\",\"revision\":\"7\"" &&
    assert_contains l "\"status\":\"pending-upgrade\"" &&
    on "helm list -n apps -o json" >l2 && assert_not_contains l2 "\"name\":\"web\"" &&
    try on "helm upgrade --install web ./testchart -n apps" 2>err >/dev/null &&
    assert_eq 1 "$rc" && assert_contains err "another operation (install/upgrade/rollback) is in progress" &&
    on "rm /var/lib/pot-standin/slow/web && helm rollback web -n apps 6" >rb &&
    assert_eq "Rollback was a success! Happy Helming!" "$(cat rb)" &&
    on "helm history web -n apps -o json" >h && assert_eq "deployed Rollback to 6" "$(json "j[-1][\"status\"] + \" \" + j[-1][\"description\"]" <h)"
'

expect_success 'down: helm and kubectl fail as with an unreachable cluster; template still works' '
    on "touch /var/lib/pot-standin/down" &&
    try on "helm list -A" 2>err &&
    assert_eq 1 "$rc" && grep -Eq "^Error: Kubernetes cluster unreachable: Get \"https://[^\"]+/version\": dial tcp [^ ]+: connect: connection refused$" err &&
    try on "helm upgrade --install web ./testchart -n apps" 2>err >/dev/null &&
    assert_eq 1 "$rc" && assert_contains err "Error: Kubernetes cluster unreachable" &&
    try on "helm upgrade web ./testchart -n apps" 2>err >/dev/null &&
    assert_eq 1 "$rc" && assert_contains err "Error: UPGRADE FAILED: Kubernetes cluster unreachable" &&
    try on "kubectl get nodes" 2>err &&
    assert_eq 1 "$rc" && assert_contains err "was refused - did you specify the right host or port?" &&
    on "helm template web ./testchart -n apps" >tpl && assert_contains tpl "kind: Deployment" &&
    on "rm /var/lib/pot-standin/down && helm list -A -q" >l && assert_contains l web
'

expect_success 'uninstall: helm texts, then not found (and --ignore-not-found)' '
    on "helm uninstall newrel -n apps --wait" >u && assert_eq "release \"newrel\" uninstalled" "$(cat u)" &&
    try on "helm uninstall newrel -n apps" 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error: uninstall: Release not loaded: newrel: release: not found" "$(cat err)" &&
    on "helm uninstall newrel -n apps --ignore-not-found" &&
    on "test ! -e /var/lib/pot-standin/releases/apps/newrel.json"
'

expect_success 'kubectl sees the release objects: get, rollout status, wait; exec records' '
    on "kubectl get deploy web -n apps -o name" >n && assert_eq "deployment.apps/web" "$(cat n)" &&
    on "kubectl get configmap web-config -n apps -o json" >cm && assert_eq hello "$(json "j[\"data\"][\"message\"]" <cm)" &&
    on "kubectl rollout status deployment/web -n apps --timeout 60s" >rs &&
    assert_eq "deployment \"web\" successfully rolled out" "$(cat rs)" &&
    try on "kubectl rollout status deployment/nope -n apps --timeout 5s" 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error from server (NotFound): deployments.apps \"nope\" not found" "$(cat err)" &&
    on "kubectl wait --for=condition=Available deployment/web -n apps --timeout=60s" >w &&
    assert_eq "deployment.apps/web condition met" "$(cat w)" &&
    on "echo ready >/var/lib/pot-standin/exec-output/web- && kubectl exec -n apps web-6f7d-abc -c app -- sh -c \"echo hi\"" >ex &&
    assert_eq ready "$(cat ex)" && on "cat /var/lib/pot-standin/exec.log" >el && assert_contains el "web-6f7d-abc"
'

expect_success 'kubectl apply/get/delete of a TKE Machine (idempotent apply)' '
    pw=$(printf secret | base64) &&
    on "cat >machine.yaml" <<EOF &&
apiVersion: platform.tkestack.io/v1
kind: Machine
metadata:
  name: mc-node3
spec:
  clusterName: global
  type: Baremetal
  ip: 172.30.99.13
  port: 22
  username: root
  password: $pw
EOF
    on "kubectl apply -f machine.yaml" >a1 && assert_eq "machine.platform.tkestack.io/mc-node3 created" "$(cat a1)" &&
    on "kubectl apply -f machine.yaml" >a2 && assert_eq "machine.platform.tkestack.io/mc-node3 unchanged" "$(cat a2)" &&
    on "sed s/port:\ 22/port:\ 2222/ machine.yaml | kubectl apply -f -" >a3 &&
    assert_eq "machine.platform.tkestack.io/mc-node3 configured" "$(cat a3)" &&
    on "kubectl get machines -o json" >g &&
    assert_eq "List mc-node3 global 172.30.99.13 2222 $pw" \
        "$(json "\" \".join([j[\"kind\"], j[\"items\"][0][\"metadata\"][\"name\"]] + [str(j[\"items\"][0][\"spec\"][k]) for k in (\"clusterName\", \"ip\", \"port\", \"password\")])" <g)" &&
    on "kubectl get machine mc-node3 -o jsonpath={.spec.ip}" >ip && assert_eq 172.30.99.13 "$(cat ip)" &&
    on "kubectl get machines.platform.tkestack.io -o name" >n && assert_eq "machine.platform.tkestack.io/mc-node3" "$(cat n)" &&
    on "kubectl delete -f machine.yaml" >d && assert_eq "machine.platform.tkestack.io \"mc-node3\" deleted" "$(cat d)" &&
    try on "kubectl get machine mc-node3" 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error from server (NotFound): machines.platform.tkestack.io \"mc-node3\" not found" "$(cat err)" &&
    on "kubectl delete machine mc-node3 --ignore-not-found" &&
    try on "printf \"kind: Machine\\nmetadata:\\n  name: [x\\n\" | kubectl apply -f -" 2>err &&
    assert_eq 1 "$rc" && assert_contains err "error: error parsing STDIN: error converting YAML to JSON"
'

expect_success 'calls.log has every command with its exit status' '
    on "cat /var/lib/pot-standin/calls.log" >log &&
    n=$(grep -c "	helm upgrade " log) && [ "$n" -ge 14 ] &&
    grep -q "	1	helm upgrade --install web ./testchart -n apps -f broken.yaml$" log &&
    grep -q "	0	kubectl apply -f machine.yaml$" log &&
    assert_not_contains log "message: first"
'

expect_success 'parallel upgrades of different releases are serialised without losing any' '
    on "for i in 1 2 3 4 5 6; do helm upgrade --install par\$i ./testchart -n apps >/dev/null & done; wait" &&
    on "helm list -n apps -q" >l && assert_eq 6 "$(grep -c "^par" l)"
'

expect_success 'install.sh --reset clears the state, --remove leaves helm missing, reinstall works' '
    "$SI/install.sh" --reset "$HOST" && on "helm list -A -q" >l && assert_eq "" "$(cat l)" &&
    "$SI/install.sh" --remove "$HOST" &&
    on "command -v helm kubectl || true" >p && assert_eq "" "$(cat p)" &&
    on "test ! -e /opt/pot-standin && test ! -e /var/lib/pot-standin" &&
    "$SI/install.sh" "$HOST" && on "helm list -A -o json" >l && assert_eq "[]" "$(cat l)" &&
    on "rm -rf $W"
'

test_done
