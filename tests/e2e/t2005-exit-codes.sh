#!/bin/bash
# t2005-exit-codes.sh - every code of pot's exit code table (installer/cli/exit-codes.c), each
# cause of it triggered by real input: 0 success; 1 a missing role (roles: and import_role), a
# missing playbook, a template that fails to render, a registry refusing the password (a real
# docker-registry) or the manifest (HTTP 403), nothing recorded for `pot status`/`pot logs`;
# 2 a task failing on a host, a command failing (`pot exec`), an image not written (corrupt
# layer); 4 a host unreachable (a closed loopback port), bad YAML, INI, template syntax, a bad tag
# inside an image tarball, a registry unreachable; 5 an unknown option of every command, an
# unknown command. Each runs twice: the same code, and one line (on stderr for errors, in the
# output for a host) naming the file, host, registry or option. Where ansible-playbook has the
# same case, it exits with the same code. `pot X --help` exits 0 with the generated help.
# Needs no sandbox: local connections, loopback ports, docker-registry and a stub on loopback.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/fixtures/images/registry.sh"
ansible_local_env

# exits CODE TEXT CMD...: CMD exits CODE twice, and says why in one line on stderr containing
# TEXT, the same line both times.
exits() {
    local want=$1 text=$2 run
    shift 2
    for run in 1 2; do
        assert_exit "$want" "$@" >"out.$run" 2>"err.$run" || exit 1
    done
    assert_eq 1 "$(wc -l <err.1)" "lines on stderr" && assert_contains err.1 "$text" &&
        cmp err.1 err.2
}

# one_line FILE TEXT: exactly one line of FILE contains TEXT.
one_line() {
    assert_eq 1 "$(grep -cF -- "$2" "$1")" "lines with '$2' in $1"
}

# like_ansible CODE ARGS...: ansible-playbook ARGS exits CODE too.
like_ansible() {
    local want=$1
    shift
    assert_exit "$want" ansible-playbook "$@" >ansible.out 2>&1 || {
        tail -5 ansible.out >&2
        return 1
    }
}

# book NAME LINES: a playbook for all hosts, without facts, whose body is LINES.
book() {
    printf -- '- hosts: all\n  gather_facts: false\n%s\n' "$2" >"$T/$1.yml"
}

cat >"$T/hosts" <<'HOSTS'
[web]
h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3
HOSTS
CLOSED=$(free_port)
printf '[web]\nh9 ansible_host=127.0.0.1 ansible_port=%s ansible_user=nobody\n' "$CLOSED" \
    >"$T/unreachable"
export CLOSED

book ok '  tasks:
    - debug: msg=ok'
book role '  roles:
    - nosuchrole'
book import '  tasks:
    - import_role: name=nosuchrole'
book fail '  tasks:
    - command: /bin/false'
book yaml '  tasks:
    - debug: msg=x
     bad: indent'
printf 'hello {{ who }}\n' >"$T/ok.j2"
printf 'hello {{ nobody_set }}\n' >"$T/undefined.j2"
printf 'hello {{ 1 + }}\n' >"$T/syntax.j2"
printf '[web\nh1\n' >"$T/bad.ini"
MK="/usr/bin/python3 $TOP/tests/fixtures/images/make-images.py"
$MK "$T/imgs" >/dev/null
$MK "$T/corrupt" --corrupt beta >/dev/null
$MK "$T/badtag" --refs 'registry.tke.com/library/Alpha:1.0' >/dev/null

expect_success '0: a playbook, a template and the help of every command succeed' '
    assert_exit 0 "$POT" play -i "$T/hosts" "$T/ok.yml" >out && assert_recap out h1 ok=1 &&
    assert_exit 0 "$POT" template -e who=pot "$T/ok.j2" >out && assert_eq "hello pot" "$(cat out)" &&
    for c in $("$POT" help | awk "/^commands:/ {on=1; next} on && NF == 0 {exit} on {print \$1}"); do
        assert_exit 0 "$POT" "$c" --help >help.1 && assert_exit 0 "$POT" help "$c" >help.2 &&
        cmp help.1 help.2 && assert_contains help.1 "usage: pot $c" &&
        assert_contains help.1 "exit codes:" || exit 1
    done
'

expect_success '1: a missing role in roles: names the file and role, like ansible-playbook' '
    exits 1 "role.yml:4:7: the role '"'"'nosuchrole'"'"' was not found" \
        "$POT" play -i "$T/hosts" "$T/role.yml" &&
    like_ansible 1 -i "$T/hosts" "$T/role.yml"
'
expect_success '1: a missing role in import_role, like ansible-playbook' '
    exits 1 "the role '"'"'nosuchrole'"'"' was not found" \
        "$POT" play -i "$T/hosts" "$T/import.yml" &&
    like_ansible 1 -i "$T/hosts" "$T/import.yml"
'
expect_success '1: a missing playbook names it, like ansible-playbook' '
    exits 1 "nope.yml" "$POT" play -i "$T/hosts" "$T/nope.yml" &&
    like_ansible 1 -i "$T/hosts" "$T/nope.yml"
'
expect_success '1: a template that fails to render: file:line:col and the variable' '
    exits 1 "undefined.j2:1:10: '"'"'nobody_set'"'"' is undefined" "$POT" template "$T/undefined.j2"
'
expect_success '1: pot status and pot logs with nothing recorded name the data dir' '
    exits 1 "no install recorded in '"'"'$T/empty'"'"'" "$POT" status --data-dir "$T/empty" &&
    exits 1 "no logs in '"'"'$T/empty'"'"'" "$POT" logs --data-dir "$T/empty"
'

# A real registry that wants a password, and a stub that answers /v2/ and refuses the rest.
echo secret >"$T/pass"
echo wrong >"$T/wrong"
reg_start "$T/reg" --htpasswd alice "$T/pass" >/dev/null
REG=127.0.0.1:$REG_PORT
DENY_PORT=$(free_port)
DENY=127.0.0.1:$DENY_PORT
export REG DENY
cat >"$T/deny.py" <<'PY'
import http.server, json, sys
class Deny(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def answer(self):
        if self.path.rstrip("/") == "/v2":
            self.send_response(200)
            body = b"{}"
        else:
            self.send_response(403)
            body = json.dumps({"errors": [{"code": "DENIED", "message": "access denied"}]}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = answer
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Deny).serve_forever()
PY
/usr/bin/python3 "$T/deny.py" "$DENY_PORT" &
DENY_PID=$!
for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$DENY_PORT") 2>/dev/null && break
    sleep 0.1
done

expect_success '1: a registry refusing the password names registry and user' '
    exits 1 "registry '"'"'$REG'"'"': authentication failed for user '"'"'alice'"'"'" \
        "$POT" images push -q --registry "$REG" --insecure --user alice \
        --password-file "$T/wrong" "$T/imgs/alpha.1.0.tar"
'
expect_success '1: a registry answering HTTP 403 stops push and verify with one line' '
    exits 1 "registry '"'"'$DENY'"'"': GET manifest: HTTP 403 DENIED" \
        "$POT" images push -q --registry "$DENY" --insecure "$T/imgs/alpha.1.0.tar" &&
    exits 1 "registry '"'"'$DENY'"'"': GET manifest: HTTP 403 DENIED" \
        "$POT" images verify --registry "$DENY" --insecure "$T/imgs"
'

expect_success '2: a task failing on a host: one fatal line naming it, like ansible-playbook' '
    for run in 1 2; do
        assert_exit 2 "$POT" play -i "$T/hosts" "$T/fail.yml" >out 2>err &&
        one_line out "fatal: [h1]: FAILED!" && assert_recap out h1 failed=1 &&
        assert_eq 0 "$(wc -l <err)" "lines on stderr" || exit 1
    done &&
    like_ansible 2 -i "$T/hosts" "$T/fail.yml"
'
expect_success '2: a command failing on a host (pot exec): one line naming it' '
    for run in 1 2; do
        assert_exit 2 "$POT" exec -i "$T/hosts" -- false >out 2>err &&
        one_line out "h1 | FAILED | rc=1 >>" || exit 1
    done
'
expect_success '2: an image not written (corrupt layer): image and tarball named, one error' '
    for run in 1 2; do
        assert_exit 2 "$POT" images pack "$T/packed.$run" "$T/corrupt" >out 2>err &&
        assert_contains err "image '"'"'registry.tke.com/library/beta:2.1'"'"' ($T/corrupt/beta.2.1.tar)" &&
        assert_contains err "digest mismatch" &&
        one_line err "pot: error: 1 of 3 images not written" || exit 1
    done
'

expect_success '4: a host unreachable (closed port): one line naming it, like ansible-playbook' '
    for run in 1 2; do
        assert_exit 4 "$POT" play -i "$T/unreachable" "$T/fail.yml" >out 2>err &&
        one_line out "fatal: [h9]: UNREACHABLE!" && assert_recap out h9 unreachable=1 &&
        assert_exit 4 "$POT" ping -i "$T/unreachable" >out 2>err &&
        assert_eq 1 "$(wc -l <out)" && one_line out "h9 | UNREACHABLE!" &&
        assert_contains out "port $CLOSED" || exit 1
    done &&
    like_ansible 4 -i "$T/unreachable" "$T/fail.yml"
'
expect_success '4: bad YAML in a playbook: file:line:col, like ansible-playbook' '
    exits 4 "yaml.yml:5:6:" "$POT" play -i "$T/hosts" "$T/yaml.yml" &&
    like_ansible 4 -i "$T/hosts" "$T/yaml.yml"
'
expect_success '4: a bad INI inventory and a template syntax error: file:line:col' '
    exits 4 "bad.ini:1:1:" "$POT" inventory -i "$T/bad.ini" --list &&
    exits 4 "syntax.j2:1:" "$POT" template "$T/syntax.j2"
'
expect_success '4: a bad tag inside an image tarball names the tarball and the tag' '
    exits 4 "'"'"'$T/badtag/Alpha.1.0.tar'"'"': image '"'"'registry.tke.com/library/Alpha:1.0'"'"' is not a valid repository:tag" \
        "$POT" images list "$T/badtag"
'
expect_success '4: a registry that cannot be reached names it' '
    exits 4 "registry '"'"'127.0.0.1:$CLOSED'"'"'" \
        "$POT" images push -q --registry "127.0.0.1:$CLOSED" --insecure "$T/imgs"
'

expect_success '5: an unknown option of every command names it' '
    for c in $("$POT" help | awk "/^commands:/ {on=1; next} on && NF == 0 {exit} on {print \$1}"); do
        case $c in
        help) exits 5 "unknown command '"'"'--bogus-option'"'"'" "$POT" help --bogus-option ;;
        images) exits 5 "unknown option '"'"'--bogus-option'"'"'" "$POT" images list --bogus-option ;;
        version) exits 5 "usage: pot version" "$POT" version --bogus-option ;;
        *) exits 5 "unknown option '"'"'--bogus-option'"'"'" "$POT" "$c" --bogus-option ;;
        esac || exit 1
    done
'
expect_success '5: an unknown command names it' '
    exits 5 "unknown command '"'"'nosuch'"'"'" "$POT" nosuch
'

kill "$DENY_PID" 2>/dev/null
wait "$DENY_PID" 2>/dev/null
reg_stop "$T/reg"
test_done
