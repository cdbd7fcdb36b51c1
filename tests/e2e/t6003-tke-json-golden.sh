#!/usr/bin/env bash
# t6003-tke-json-golden.sh - tke.json per HA mode against golden files, no sandbox: for each of
# tests/fixtures/tke/{ha-lb,ha-keepalived,single}/hosts, `pot install --only tke-config` renders
# <data-dir>/tke.json from the kit's real templates/tke; it must equal the golden tke.json byte for
# byte, and the golden file must equal what Ansible renders from the same template and the
# installer host's variables as Ansible's own inventory sees them (ansible-tke-vars.py), after
# the same re-serialisation (Go json.MarshalIndent style: one-space indent, keys in order).
# Also: valid JSON, mode 0600, no plain password, step 0 fresh, step kept over an existing
# tke.json, step 0 again with --reset.
. "$(dirname "$0")/lib.sh"

FIX=$TOP/tests/fixtures/tke
mkdir -p "$T/kit/templates" && cp -r "$TOP/templates/tke" "$T/kit/templates/tke"

# render MODE DATA-DIR [options]: tke-config only, as the full mode would run it.
render() {
    local m=$1 d=$2
    shift 2
    pot install --only tke-config --mode full --kit-dir "$T/kit" -i "$FIX/$m/hosts" \
        --data-dir "$d" "$@"
}

# ansible_json MODE STEP: the template rendered by Ansible, re-serialised with "step" set.
ansible_json() {
    /usr/bin/python3 "$FIX/ansible-tke-vars.py" "$FIX/$1/hosts" 1 >"$T/$1.vars.yml" &&
        /usr/bin/python3 "$TOP/tests/template/ansible-render.py" "$TOP/templates/tke/tke-$1.json.j2" \
            "$T/$1.vars.yml" >"$T/$1.ansible.raw" &&
        /usr/bin/python3 - "$T/$1.ansible.raw" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["step"] = int(sys.argv[2])
sys.stdout.write(json.dumps(d, indent=1, ensure_ascii=False) + "\n")
PY
}

# inventory_var MODE NAME: the value of NAME in [all:vars] of the mode's inventory, unquoted.
inventory_var() {
    sed -n "s/^$2=//p" "$FIX/$1/hosts" | sed "s/^'\\(.*\\)'\$/\\1/"
}

for m in ha-lb ha-keepalived single; do
    expect_success "$m: pot renders the golden tke.json byte for byte" "
        render $m \"\$T/$m\" >out-$m && cat out-$m &&
        assert_contains out-$m \"tke.json written (Replicas 1)\" &&
        cmp \"$FIX/$m/tke.json\" \"\$T/$m/tke.json\"
    "
    expect_success "$m: the golden tke.json is what Ansible renders from the same inventory" "
        ansible_json $m 0 >$m.ansible.json && diff -u \"$FIX/$m/tke.json\" $m.ansible.json
    "
    expect_success "$m: valid JSON, 0600, no plain password, base64 unwrapped, step 0" "
        /usr/bin/python3 -m json.tool \"\$T/$m/tke.json\" >/dev/null &&
        assert_eq 600 \"\$(stat -c %a \"\$T/$m/tke.json\")\" &&
        pw=\$(inventory_var $m ansible_ssh_pass) && tpw=\$(inventory_var $m tke_pwd) &&
        test -n \"\$pw\" && test -n \"\$tpw\" &&
        assert_not_contains \"\$T/$m/tke.json\" \"\\\"\$pw\\\"\" &&
        assert_not_contains \"\$T/$m/tke.json\" \"\\\"\$tpw\\\"\" &&
        assert_contains \"\$T/$m/tke.json\" \"\\\"\$(printf %s \"\$pw\" | base64 -w0)\\\"\" &&
        assert_contains \"\$T/$m/tke.json\" \"\\\"\$(printf %s \"\$tpw\" | base64 -w0)\\\"\" &&
        assert_not_contains out-$m \"\$pw\" &&
        assert_eq 0 \"\$(/usr/bin/python3 -c \"import json,sys; print(json.load(open(sys.argv[1]))['step'])\" \"\$T/$m/tke.json\")\"
    "
done

expect_success 'the keepalived password is longer than 57 bytes: its base64 is one line' '
    pw=$(inventory_var ha-keepalived ansible_ssh_pass) && test ${#pw} -gt 57 &&
    assert_contains "$FIX/ha-keepalived/tke.json" "\"$(printf %s "$pw" | base64 -w0)\""
'

step_of() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['step'])" "$1"; }

expect_success 're-rendered over an existing tke.json at step 7 keeps step 7 (and fixes the mode)' '
    mkdir -p "$T/re" && ansible_json ha-lb 7 >"$T/re/tke.json" &&
    sed -i "s/\"Replicas\": 1/\"Replicas\": 2/" "$T/re/tke.json" && chmod 777 "$T/re/tke.json" &&
    render ha-lb "$T/re" >out-re && cat out-re &&
    assert_contains out-re "tke.json written" &&
    assert_eq 7 "$(step_of "$T/re/tke.json")" &&
    assert_eq 600 "$(stat -c %a "$T/re/tke.json")" &&
    ansible_json ha-lb 7 >want7.json && cmp want7.json "$T/re/tke.json"
'

expect_success 'a second render with the same inputs changes nothing' '
    render ha-lb "$T/re" >out-re2 && cat out-re2 &&
    assert_contains out-re2 "done earlier with the same inputs, skipped" &&
    assert_eq 7 "$(step_of "$T/re/tke.json")"
'

expect_success '--reset renders step 0 again: the golden file' '
    render ha-lb "$T/re" --reset >out-re3 && cat out-re3 &&
    assert_contains out-re3 "stage tke-config: started" &&
    assert_eq 0 "$(step_of "$T/re/tke.json")" &&
    cmp "$FIX/ha-lb/tke.json" "$T/re/tke.json"
'

expect_success 'editing a template reruns tke-config (the templates dir is an input)' '
    render single "$T/tpl" >/dev/null &&
    render single "$T/tpl" >out-t1 && assert_contains out-t1 "skipped" &&
    echo "{# comment #}" >>"$T/kit/templates/tke/tke-single.json.j2" &&
    render single "$T/tpl" >out-t2 && cat out-t2 &&
    assert_contains out-t2 "stage tke-config: started" &&
    cmp "$FIX/single/tke.json" "$T/tpl/tke.json"
'

expect_success 'check mode renders and validates without writing' '
    render ha-keepalived "$T/chk" --check >out-chk && cat out-chk &&
    assert_contains out-chk "renders and validates" && test ! -e "$T/chk/tke.json"
'

test_done
