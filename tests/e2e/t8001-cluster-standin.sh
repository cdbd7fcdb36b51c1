#!/usr/bin/env bash
# t8001-cluster-standin.sh - the cluster stand-in (tests/fixtures/cluster-standin) on a sandbox
# master, driven over ssh the way pot drives helm/kubectl on the first master: install/reset/
# remove, upgrade --install revisions, helm's own errors for bad values, list/history/status JSON
# shapes, the failure injections (fail-once, slow -> pending, down), uninstall, rollback,
# kubectl apply/get/delete of a TKE Machine, the machine controller's stand-in (phase, node join,
# phase overrides, TKE's admission errors) and kubectl cordon/uncordon/drain. Host: $T8001_HOST
# (default node2).
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
# The masters install.sh lists (node2..node4), and a worker Machine's address and name: node1's
# address, which no master has (used inside the snippets).
# shellcheck disable=SC2034
MASTERS=$(for i in 1 2 3; do if [ -n "${_names[$i]:-}" ]; then echo "node/${_names[$i]}"; fi; done)
WIP=${_hosts[0]}
# shellcheck disable=SC2034
WMC=mc-${WIP//./-}

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

expect_success 'install.sh lists the masters only (workers join through Machines)' '
    on "kubectl get nodes -o name" >nodes && assert_eq "$MASTERS" "$(cat nodes)" &&
    on "kubectl get nodes" >tab && assert_eq "NAME STATUS ROLES" "$(head -1 tab | awk "{print \$1, \$2, \$3}")" &&
    assert_eq "Ready master" "$(awk "\$1 == \"node2\" {print \$2, \$3}" tab)"
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
  name: $WMC
spec:
  clusterName: global
  type: Baremetal
  ip: $WIP
  port: 22
  username: root
  password: $pw
EOF
    on "kubectl apply -f machine.yaml" >a1 && assert_eq "machine.platform.tkestack.io/$WMC created" "$(cat a1)" &&
    on "kubectl apply -f machine.yaml" >a2 && assert_eq "machine.platform.tkestack.io/$WMC unchanged" "$(cat a2)" &&
    on "sed s/port:\ 22/port:\ 2222/ machine.yaml | kubectl apply -f -" >a3 &&
    assert_eq "machine.platform.tkestack.io/$WMC configured" "$(cat a3)" &&
    on "kubectl get machines -o json" >g &&
    assert_eq "List $WMC global $WIP 2222 $pw" \
        "$(json "\" \".join([j[\"kind\"], j[\"items\"][0][\"metadata\"][\"name\"]] + [str(j[\"items\"][0][\"spec\"][k]) for k in (\"clusterName\", \"ip\", \"port\", \"password\")])" <g)" &&
    on "kubectl get machine $WMC -o jsonpath={.spec.ip}" >ip && assert_eq $WIP "$(cat ip)" &&
    on "kubectl get machines.platform.tkestack.io -o name" >n && assert_eq "machine.platform.tkestack.io/$WMC" "$(cat n)" &&
    on "kubectl delete -f machine.yaml" >d && assert_eq "machine.platform.tkestack.io \"$WMC\" deleted" "$(cat d)" &&
    try on "kubectl get machine $WMC" 2>err &&
    assert_eq 1 "$rc" && assert_eq "Error from server (NotFound): machines.platform.tkestack.io \"$WMC\" not found" "$(cat err)" &&
    on "kubectl delete machine $WMC --ignore-not-found" &&
    try on "printf \"kind: Machine\\nmetadata:\\n  name: [x\\n\" | kubectl apply -f -" 2>err &&
    assert_eq 1 "$rc" && assert_contains err "error: error parsing STDIN: error converting YAML to JSON"
'

expect_success 'a Machine in a List (-f -) becomes Running and its node joins (role <none>); deleting it removes both' '
    pw=$(printf secret | base64) &&
    on "cat >list.yaml" <<EOF &&
apiVersion: v1
kind: List
items:
- apiVersion: platform.tkestack.io/v1
  kind: Machine
  metadata:
    name: $WMC
  spec: {clusterName: global, type: Baremetal, ip: "$WIP", port: 22, username: root, password: $pw, tenantID: default}
EOF
    on "kubectl apply -f - <list.yaml" >a && assert_eq "machine.platform.tkestack.io/$WMC created" "$(cat a)" &&
    on "kubectl get machine $WMC -o jsonpath={.status.phase}" >ph && assert_eq Running "$(cat ph)" &&
    on "kubectl get machine $WMC -o json" >mj &&
    assert_eq "Running $WIP default" "$(json "\" \".join([j[\"status\"][\"phase\"], j[\"spec\"][\"ip\"], j[\"spec\"][\"tenantID\"]])" <mj)" &&
    on "kubectl get machines" >mt && assert_eq "NAME TYPE IP STATUS" "$(awk "NR == 1 {print \$1, \$2, \$3, \$4}" mt)" &&
    assert_eq "$WMC Baremetal $WIP Running" "$(awk "NR == 2 {print \$1, \$2, \$3, \$4}" mt)" &&
    on "kubectl get nodes -o name" >nodes &&
    assert_eq "$(printf "%s\nnode/%s\n" "$MASTERS" "$WIP" | sort)" "$(sort nodes)" &&
    on "kubectl get nodes" >nt && assert_eq "Ready <none>" "$(awk -v n="$WIP" "\$1 == n {print \$2, \$3}" nt)" &&
    on "kubectl get node $WIP -o jsonpath=\"{.status.addresses[0].address}\"" >na && assert_eq "$WIP" "$(cat na)" &&
    on "kubectl apply -f list.yaml" >a2 && assert_eq "machine.platform.tkestack.io/$WMC unchanged" "$(cat a2)" &&
    on "grep -c \"^$WIP \" /var/lib/pot-standin/nodes" >cnt && assert_eq 1 "$(cat cnt)" &&
    on "kubectl delete machine $WMC" >d && assert_eq "machine.platform.tkestack.io \"$WMC\" deleted" "$(cat d)" &&
    on "kubectl get nodes -o name" >nodes && assert_eq "$MASTERS" "$(cat nodes)"
'

expect_success 'machine-phase/NAME overrides the phase and no node joins; without it the Machine becomes Running' '
    on "echo Initializing >/var/lib/pot-standin/machine-phase/$WMC && kubectl apply -f list.yaml" >a &&
    assert_eq "machine.platform.tkestack.io/$WMC created" "$(cat a)" &&
    on "kubectl get machine $WMC -o jsonpath={.status.phase}" >ph && assert_eq Initializing "$(cat ph)" &&
    on "kubectl get nodes -o name" >nodes && assert_eq "$MASTERS" "$(cat nodes)" &&
    on "echo Failed >/var/lib/pot-standin/machine-phase/$WMC && kubectl get machines" >mt &&
    assert_eq "$WMC Failed" "$(awk "NR == 2 {print \$1, \$4}" mt)" &&
    on "kubectl get nodes -o name" >nodes && assert_eq "$MASTERS" "$(cat nodes)" &&
    try on "kubectl wait --for=jsonpath={.status.phase}=Running machine/$WMC --timeout=5s" 2>err &&
    assert_eq 1 "$rc" && assert_eq "error: timed out waiting for the condition on machines.platform.tkestack.io/$WMC" "$(cat err)" &&
    on "rm /var/lib/pot-standin/machine-phase/$WMC && kubectl get machine $WMC -o jsonpath={.status.phase}" >ph &&
    assert_eq Running "$(cat ph)" &&
    on "kubectl wait --for=jsonpath={.status.phase}=Running machine/$WMC --timeout=5s" >w &&
    assert_eq "machine.platform.tkestack.io/$WMC condition met" "$(cat w)" &&
    on "kubectl get nodes -o name" >nodes && assert_contains nodes "node/$WIP" &&
    on "kubectl delete -f list.yaml" >d && assert_eq "machine.platform.tkestack.io \"$WMC\" deleted" "$(cat d)" &&
    on "kubectl get nodes -o name" >nodes && assert_eq "$MASTERS" "$(cat nodes)"
'

expect_success 'a Machine without ip, port, username, password (or on a master'\''s ip) is refused as TKE refuses it' '
    on "cat >bad.yaml" <<EOF &&
apiVersion: platform.tkestack.io/v1
kind: Machine
metadata:
  name: mc-bad
spec:
  clusterName: global
  type: Baremetal
EOF
    try on "kubectl apply -f bad.yaml" >out 2>err && assert_eq 1 "$rc" && assert_eq "" "$(cat out)" &&
    assert_eq "The Machine \"mc-bad\" is invalid: " "$(head -1 err)" &&
    assert_contains err "* spec.IP: Required value: must specify IP" &&
    assert_contains err "* spec.IP: Required value: must specify Port" &&
    assert_contains err "* spec.password: Required value: password or privateKey at least one" &&
    assert_contains err "* spec: Forbidden: Key: '\''Config.User'\'' Error:Field validation for '\''User'\'' failed on the '\''required'\'' tag" &&
    try on "kubectl get machine mc-bad" 2>/dev/null && assert_eq 1 "$rc" &&
    on "test ! -e /var/lib/pot-standin/objects/_cluster/Machine/mc-bad.json" &&
    mip=${_hosts[1]} &&
    on "cat >dup.yaml" <<EOF &&
apiVersion: v1
kind: List
items:
- apiVersion: platform.tkestack.io/v1
  kind: Machine
  metadata: {name: mc-dup}
  spec: {clusterName: global, type: Baremetal, ip: "$mip", port: 22, username: root, password: c2VjcmV0}
EOF
    try on "kubectl apply -f dup.yaml" 2>err && assert_eq 1 "$rc" &&
    assert_eq "The Machine \"mc-dup\" is invalid: spec.IP: Duplicate value: \"$mip\"" "$(cat err)" &&
    try on "{ cat bad.yaml; echo ---; sed s/mc-bad/mc-bad2/ bad.yaml; echo ---; cat machine.yaml; } | kubectl apply -f -" >out 2>err &&
    assert_eq 1 "$rc" && assert_eq "machine.platform.tkestack.io/$WMC created" "$(cat out)" &&
    assert_eq 2 "$(grep -c "^Error from server (Invalid): error when creating \"STDIN\": Machine.platform.tkestack.io \"mc-bad2\{0,1\}\" is invalid: \[spec.IP: Required value: must specify IP, spec.IP: Required value: must specify Port, " err)" &&
    assert_not_contains err c2VjcmV0 &&
    on "kubectl get machines -o name" >n && assert_eq "machine.platform.tkestack.io/$WMC" "$(cat n)" &&
    on "kubectl delete machine $WMC" && on "cat /var/lib/pot-standin/calls.log" >log &&
    grep -q "	1	kubectl apply -f bad.yaml$" log
'

expect_success 'cordon/uncordon/drain: SchedulingDisabled, already cordoned, drained; kubectl checks the flags' '
    n3=${_names[2]} n4=${_names[3]} &&
    on "kubectl cordon $n3" >c && assert_eq "node/$n3 cordoned" "$(cat c)" &&
    on "kubectl get nodes" >nt && assert_eq "Ready,SchedulingDisabled master" "$(awk -v n=$n3 "\$1 == n {print \$2, \$3}" nt)" &&
    assert_eq "Ready" "$(awk -v n=$HOST "\$1 == n {print \$2}" nt)" &&
    on "kubectl get node $n3 -o jsonpath={.spec.unschedulable}" >u && assert_eq true "$(cat u)" &&
    on "kubectl cordon $n3" >c && assert_eq "node/$n3 already cordoned" "$(cat c)" &&
    on "kubectl uncordon $n3" >c && assert_eq "node/$n3 uncordoned" "$(cat c)" &&
    on "kubectl uncordon $n3" >c && assert_eq "node/$n3 already uncordoned" "$(cat c)" &&
    on "kubectl drain $n4 --ignore-daemonsets --delete-emptydir-data --force --timeout=120s" >dr &&
    assert_eq "node/$n4 cordoned|node/$n4 drained" "$(paste -sd"|" dr)" &&
    on "grep \"^$n4 \" /var/lib/pot-standin/nodes" >line && assert_eq "$n4 ${_hosts[3]} master SchedulingDisabled" "$(cat line)" &&
    on "kubectl drain $n4 --ignore-daemonsets" >dr && assert_eq "node/$n4 already cordoned|node/$n4 drained" "$(paste -sd"|" dr)" &&
    on "kubectl uncordon $n4" >/dev/null &&
    try on "kubectl drain $n4 --ignore-daemonset" 2>err && assert_eq 1 "$rc" && assert_contains err "error: unknown flag: --ignore-daemonset" &&
    try on "kubectl drain $n4 --timeout=soon" 2>err && assert_eq 1 "$rc" &&
    assert_contains err "error: invalid argument \"soon\" for \"--timeout\" flag" &&
    try on "kubectl drain" 2>err && assert_eq 1 "$rc" && assert_eq "error: USAGE: drain NODE [flags]" "$(head -1 err)" &&
    on "kubectl get nodes" >nt && assert_not_contains nt SchedulingDisabled &&
    on "kubectl apply -f machine.yaml && kubectl drain $WIP --ignore-daemonsets --force" >dr &&
    assert_contains dr "node/$WIP drained" &&
    on "kubectl delete -f machine.yaml && kubectl get nodes -o name" >nodes && assert_not_contains nodes "$WIP" &&
    on "cat /var/lib/pot-standin/calls.log" >log &&
    grep -q "	0	kubectl drain $n4 --ignore-daemonsets --delete-emptydir-data --force --timeout=120s$" log &&
    grep -q "	1	kubectl drain $n4 --ignore-daemonset$" log && grep -q "	0	kubectl uncordon $n3$" log
'

expect_success 'an unknown node: drain, cordon and uncordon fail with NotFound, exit 1, nothing changed' '
    on "cp /var/lib/pot-standin/nodes nodes.before" &&
    try on "kubectl drain nosuch --ignore-daemonsets" >out 2>err && assert_eq 1 "$rc" && assert_eq "" "$(cat out)" &&
    assert_eq "Error from server (NotFound): nodes \"nosuch\" not found" "$(cat err)" &&
    try on "kubectl cordon ${_names[2]} nosuch" >out 2>err && assert_eq 1 "$rc" && assert_eq "" "$(cat out)" &&
    assert_eq "Error from server (NotFound): nodes \"nosuch\" not found" "$(cat err)" &&
    try on "kubectl uncordon nosuch" 2>err && assert_eq 1 "$rc" &&
    assert_eq "Error from server (NotFound): nodes \"nosuch\" not found" "$(cat err)" &&
    on "cmp nodes.before /var/lib/pot-standin/nodes" &&
    on "cat /var/lib/pot-standin/calls.log" >log && grep -q "	1	kubectl drain nosuch --ignore-daemonsets$" log
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

expect_success 'install.sh --reset clears the state (joined nodes too), --remove leaves helm missing, reinstall works' '
    on "kubectl apply -f machine.yaml && kubectl cordon ${_names[2]}" >/dev/null &&
    "$SI/install.sh" --reset "$HOST" && on "helm list -A -q" >l && assert_eq "" "$(cat l)" &&
    on "kubectl get nodes -o name" >nodes && assert_eq "$MASTERS" "$(cat nodes)" &&
    on "kubectl get nodes" >nt && assert_not_contains nt SchedulingDisabled &&
    on "kubectl get machines -o name" >m && assert_eq "" "$(cat m)" &&
    "$SI/install.sh" --remove "$HOST" &&
    on "command -v helm kubectl || true" >p && assert_eq "" "$(cat p)" &&
    on "test ! -e /opt/pot-standin && test ! -e /var/lib/pot-standin" &&
    "$SI/install.sh" "$HOST" && on "helm list -A -o json" >l && assert_eq "[]" "$(cat l)" &&
    on "rm -rf $W"
'

test_done
