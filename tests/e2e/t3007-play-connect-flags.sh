#!/usr/bin/env bash
# t3007-play-connect-flags.sh - ansible-playbook's connection and privilege flags on `pot play`
# (-u, --private-key, -T, -c, -k, -b, -K, --become-method, --become-user) and the ansible.cfg
# settings behind them (transport, [privilege_escalation] become/become_user): each case runs
# through ansible-playbook (the reference) and `pot play` on a sandbox host, and the outcome (the
# login user, the user after become, the recap) must be the same. The flags are defaults: the
# inventory's ansible_user and a play's `become: false` win over them, as in Ansible. The -k/-K
# passwords are read from stdin (no terminal: both run under setsid) and never shown.
# Needs: tests/sandbox/sandbox.sh up (docker mode) and POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox

H=$(ip_of node2)
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DEPRECATION_WARNINGS=False \
    ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$T/.cp"
USER_PW=$(cat "$SANDBOX_USER_PASSWORD_FILE")

# inventory FILE [HOST VARS...]: node2 by address only; known_hosts through the common args
inventory() {
    local file=$1
    shift
    printf '%s\n' '[nodes]' "target ansible_host=$H ansible_port=$SANDBOX_SSH_PORT $*" '[all:vars]' \
        "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes'" \
        >"$file"
}
inventory "$T/inv"
inventory "$T/inv-root" ansible_user=root
printf '%s\n' '- hosts: nodes' '  gather_facts: false' '  tasks:' '    - command: id -un' \
    '      register: who' '    - debug: {msg: "running as {{ who.stdout }}"}' >"$T/pb.yml"
printf '%s\n' '- hosts: nodes' '  gather_facts: false' '  become: false' '  tasks:' \
    '    - command: id -un' '      register: who' '    - debug: {msg: "running as {{ who.stdout }}"}' \
    >"$T/pb-nobecome.yml"

# outcome FILE: "user=<who> ok=N failed=N" of a run
outcome() {
    printf 'user=%s %s\n' "$(sed -n 's/.*"msg": "running as \(.*\)".*/\1/p' "$1")" \
        "$(awk '/^PLAY RECAP/ {r=1; next} r && NF {print $3, $6; exit}' "$1")"
}

# same NAME EXPECTED STDIN ARGS...: both tools with ARGS (STDIN fed, no terminal) give EXPECTED
same() {
    local name=$1 want=$2 input=$3
    shift 3
    { printf '%s' "$input" | setsid -w /usr/bin/ansible-playbook "$@" >"$T/a.$name" 2>&1 || true; }
    { printf '%s' "$input" | setsid -w "$POT" play "$@" >"$T/p.$name" 2>&1 || true; }
    cat "$T/p.$name"
    assert_eq "$want" "$(outcome "$T/a.$name")" "ansible-playbook" &&
        assert_eq "$want" "$(outcome "$T/p.$name")" "pot play" &&
        assert_not_contains "$T/p.$name" "$USER_PW"
}

expect_success '-u and --private-key: the login user and key when the inventory names none' '
    same u "user=pot ok=2 failed=0" "" -i "$T/inv" -u pot --private-key "$SANDBOX_KEY" -T 20 "$T/pb.yml"
'

expect_success 'the inventory'\''s ansible_user wins over -u' '
    same inv "user=root ok=2 failed=0" "" -i "$T/inv-root" -u pot --private-key "$SANDBOX_KEY" "$T/pb.yml"
'

expect_success '-b -K: sudo with the password read from stdin' '
    same bK "user=root ok=2 failed=0" "$USER_PW
" -i "$T/inv" -u pot --private-key "$SANDBOX_KEY" -b -K "$T/pb.yml"
'

expect_success '-b --become-user: sudo to that user; a play with become: false stays the login user' '
    same bu "user=nobody ok=2 failed=0" "" -i "$T/inv-root" --private-key "$SANDBOX_KEY" -b \
        --become-user nobody --become-method sudo "$T/pb.yml" &&
    same off "user=root ok=2 failed=0" "" -i "$T/inv-root" --private-key "$SANDBOX_KEY" -b \
        --become-user nobody "$T/pb-nobecome.yml"
'

expect_success '-k: the SSH password read from stdin' '
    same k "user=pot ok=2 failed=0" "$USER_PW
" -i "$T/inv" -u pot -k "$T/pb.yml"
'

expect_success '-c local: the play runs on this machine' '
    same local "user=$(id -un) ok=2 failed=0" "" -i "$T/inv" -c local "$T/pb.yml"
'

expect_success 'ansible.cfg: remote_user, private_key_file, [privilege_escalation] become/become_user; transport' '
    mkdir -p cfg && printf "%s\n" "[defaults]" "remote_user = root" "private_key_file = $SANDBOX_KEY" \
        "[privilege_escalation]" "become = True" "become_user = nobody" >cfg/ansible.cfg &&
    printf "%s\n" "[defaults]" "transport = local" >cfg/local.cfg &&
    (cd cfg && same cfg "user=nobody ok=2 failed=0" "" -i "$T/inv" "$T/pb.yml") &&
    ANSIBLE_CONFIG=cfg/local.cfg same cfglocal "user=$(id -un) ok=2 failed=0" "" -i "$T/inv" "$T/pb.yml"
'

expect_success 'bad flags: -T not a number, -c unknown, -K with nothing to read (exit 5, 5, 1)' '
    assert_exit 5 pot play -i "$T/inv" -T soon "$T/pb.yml" >t1 2>&1 && assert_contains t1 "-T/--timeout" &&
    assert_exit 5 pot play -i "$T/inv" -c winrm "$T/pb.yml" >t2 2>&1 && assert_contains t2 "winrm" &&
    { setsid -w "$POT" play -i "$T/inv" -K "$T/pb.yml" </dev/null >t3 2>&1; test $? -eq 1; } &&
    assert_contains t3 "no answer to '\''BECOME password'\'' (end of input)"
'

test_done
