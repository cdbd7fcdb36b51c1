#!/usr/bin/env bash
# tke-templates.sh POT - renders each templates/tke/*.json.j2 with its realistic inventory vars
# (tests/fixtures/tke/vars-*.yml) by pot and by Ansible (ansible-render.py), and checks that both
# outputs are byte-identical, parse as JSON, and carry what tke-installer's restore path needs
# (contract §5): step 0, status.phase Initializing, versions, tenant, names, finalizers, type,
# registry/auth users and passwords, registry namespace, and the HA block of the variant.
set -u
pot=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

check_json() { # FILE HA-KIND(thirdParty|tke|none) MACHINES
    /usr/bin/python3 - "$@" <<'PY'
import json, sys
path, ha, machines = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(path))
errors = []
def need(cond, what):
    if not cond:
        errors.append(what)
need(d["step"] == 0, "step 0")
need(isinstance(d["config"]["Replicas"], int), "config.Replicas int")
for where, c in (("para.cluster", d["para"]["cluster"]), ("cluster", d["cluster"])):
    s = c["spec"]
    need(c["kind"] == "Cluster" and c["apiVersion"] == "platform.tkestack.io/v1", where + " kind")
    need(c["metadata"]["name"] == "global", where + " name")
    need(s["finalizers"] == ["cluster"] and s["tenantID"] == "default", where + " tenant")
    need(s["displayName"] == "TKE" and s["type"] == "Baremetal" and s["version"], where + " type")
    need(len(s["machines"]) == machines, where + " machines")
    need(all(m["password"] and isinstance(m["port"], int) for m in s["machines"]), where + " ssh")
    need(isinstance(s["features"]["ipvs"], bool), where + " ipvs bool")
    if ha == "none":
        need("ha" not in s["features"], where + " no ha")
    else:
        need(list(s["features"]["ha"]) == [ha], where + " ha kind")
need(d["cluster"]["status"]["phase"] == "Initializing", "status.phase")
cfg = d["para"]["Config"]
need(cfg["basic"]["username"] and cfg["basic"]["password"], "basic user")
need(cfg["auth"]["tke"]["username"] and cfg["auth"]["tke"]["password"], "auth user")
reg = cfg["registry"]["tke"]
need(reg["namespace"] == "library" and reg["username"] and reg["password"], "registry")
if ha == "thirdParty":
    need(isinstance(cfg["ha"]["thirdParty"]["vport"], int), "vport")
need(("ha" in cfg) == (ha != "none"), "Config.ha")
for e in errors:
    print("  missing/wrong: " + e)
sys.exit(1 if errors else 0)
PY
}

for variant in ha-lb:thirdParty:3 ha-keepalived:tke:3 single:none:1; do
    IFS=: read -r name ha machines <<<"$variant"
    tpl="$top/templates/tke/tke-$name.json.j2"
    vars="$top/tests/fixtures/tke/vars-$name.yml"
    if ! "$pot" template -e "@$vars" "$tpl" >"$tmp/$name.pot"; then
        echo "not ok - pot failed on $name"; fail=1; continue
    fi
    if ! /usr/bin/python3 "$top/tests/template/ansible-render.py" "$tpl" "$vars" >"$tmp/$name.ans"; then
        echo "not ok - ansible failed on $name"; fail=1; continue
    fi
    if ! cmp -s "$tmp/$name.pot" "$tmp/$name.ans"; then
        echo "not ok - $name: pot and Ansible differ"; diff "$tmp/$name.pot" "$tmp/$name.ans" | head -20
        fail=1; continue
    fi
    if ! check_json "$tmp/$name.pot" "$ha" "$machines"; then
        echo "not ok - $name: tke.json incomplete"; fail=1; continue
    fi
    echo "ok - tke-$name.json.j2: identical to Ansible, valid and complete tke.json"
done
exit $fail
