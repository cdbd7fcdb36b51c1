#!/usr/bin/env bash
# cli.sh POT - `pot template`: -e k=v (strings), -e @vars.json / @vars.yml, later -e wins, output
# on stdout with the trailing newline kept, exit 4 + file:line:col on a syntax error, exit 1 on an
# undefined variable with nothing on stdout, exit 5 on bad usage.
set -u
pot=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # NAME EXPECTED-RC EXPECTED-STDOUT-FILE-OR-- CMD...
    local name=$1 want_rc=$2 want_out=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        echo "not ok - $name: exit $rc, want $want_rc ($(cat "$tmp/err"))"; fail=1; return
    fi
    if [ "$want_out" != - ] && ! cmp -s "$tmp/out" "$want_out"; then
        echo "not ok - $name: stdout differs"; diff "$tmp/out" "$want_out" | head; fail=1; return
    fi
    echo "ok - $name"
}
printf '{{ n }}+1={{ n | int + 1 }} {{ xs | join(",") }} {{ who }}\n' >"$tmp/t.j2"
printf '{"n": 41, "xs": ["a", "b"], "who": "json"}' >"$tmp/v.json"
printf 'who: yaml\n' >"$tmp/v.yml"
printf '41+1=42 a,b cli\n' >"$tmp/want1"
check 'extra vars from json, yaml and k=v (later wins)' 0 "$tmp/want1" \
    "$pot" template -e "@$tmp/v.json" -e "@$tmp/v.yml" -e who=cli "$tmp/t.j2"
printf '{{ n ~ "!" }}\n' >"$tmp/s.j2"
printf '007!\n' >"$tmp/want2"
check 'k=v values are strings' 0 "$tmp/want2" "$pot" template -e n=007 "$tmp/s.j2"
printf 'line1\n{%% if x %%}\n' >"$tmp/bad.j2"
check 'syntax error exits 4' 4 - "$pot" template -e x=1 "$tmp/bad.j2"
grep -q "bad.j2:2:.*unexpected end of template" "$tmp/err" || { echo "not ok - parse message: $(cat "$tmp/err")"; fail=1; }
printf 'a\n{{ missing }}\n' >"$tmp/undef.j2"
: >"$tmp/empty"
check 'undefined variable exits 1, prints nothing' 1 "$tmp/empty" "$pot" template "$tmp/undef.j2"
grep -q "undef.j2:2:4: 'missing' is undefined" "$tmp/err" || { echo "not ok - undefined message: $(cat "$tmp/err")"; fail=1; }
check 'no template is a usage error' 5 - "$pot" template
check 'missing file' 1 - "$pot" template "$tmp/nope.j2"
exit $fail
