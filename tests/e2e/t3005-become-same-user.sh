#!/usr/bin/env bash
# t3005-become-same-user.sh - `become: true` to the user the connection already logs in as runs
# no sudo (Ansible skips that become), so it works on a host without sudo; a become to another
# user, or with no login user named, still runs sudo and fails there. Each case runs through
# ansible-playbook (the reference) and `pot play` on a sandbox host whose sudo is moved away for
# the test; the outcome (user, recap, failure message) must be the same. `pot exec -b` follows the
# same rule.
# Needs: tests/sandbox/sandbox.sh up (docker mode) and POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox

H=$(echo "$SANDBOX_HOSTS" | awk '{print $NF}')
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DEPRECATION_WARNINGS=False \
    ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$T/.cp"
as_root() {
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" "root@$H" "$@"
}

# inventory FILE [ansible_user=U]: one host, key login; no ansible_user line when none is given
inventory() {
    printf '%s\n' '[nodes]' \
        "target ansible_host=$H ansible_port=$SANDBOX_SSH_PORT ansible_ssh_private_key_file=$SANDBOX_KEY $2" \
        '[all:vars]' \
        "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'" \
        >"$1"
}
cat >"$T/pb.yml" <<'EOF'
- hosts: nodes
  gather_facts: false
  become: true
  tasks:
    - command: id -un
      register: who
    - debug:
        msg: "running as {{ who.stdout }}"
EOF

# outcome FILE: "user=<who> ok=N failed=N" from a run's output
outcome() {
    printf 'user=%s %s\n' "$(sed -n 's/.*"msg": "running as \(.*\)".*/\1/p' "$1")" \
        "$(awk '/^PLAY RECAP/ {r=1; next} r && NF {print $3, $6; exit}' "$1")"
}

as_root 'mv /usr/bin/sudo /usr/bin/sudo.t3005' || exit 1
trap 'as_root "mv /usr/bin/sudo.t3005 /usr/bin/sudo"' EXIT

# case NAME INVENTORY-USER EXTRA-VARS EXPECTED-OUTCOME
case_same() {
    expect_success "$1: ansible-playbook and pot play agree ($4)" '
        inventory inv.'$1' "'"$2"'" &&
        { /usr/bin/ansible-playbook -i inv.'$1' '"$3"' "$T/pb.yml" >a.'$1' 2>&1 || true; } &&
        { pot play -i inv.'$1' '"$3"' "$T/pb.yml" >p.'$1' 2>&1 || true; } &&
        cat p.'$1' &&
        assert_eq "'"$4"'" "$(outcome a.'$1')" "ansible-playbook" &&
        assert_eq "'"$4"'" "$(outcome p.'$1')" "pot play"
    '
}
case_same root-to-root "ansible_user=root" "" "user=root ok=2 failed=0"
case_same pot-to-pot "ansible_user=pot" "-e ansible_become_user=pot" "user=pot ok=2 failed=0"
case_same pot-to-root "ansible_user=pot" "" "user= ok=0 failed=1"
case_same root-to-pot "ansible_user=root" "-e ansible_become_user=pot" "user= ok=0 failed=1"
case_same no-login-user "" "" "user= ok=0 failed=1"

expect_success 'an inventory ansible_become_user wins over the play keyword become_user, as in Ansible' '
    sed "s/  become: true/  become: true\n  become_user: pot/" "$T/pb.yml" >pb2.yml &&
    inventory inv.kw "ansible_user=root ansible_become_user=root" &&
    { /usr/bin/ansible-playbook -i inv.kw pb2.yml >a.kw 2>&1 || true; } &&
    { pot play -i inv.kw pb2.yml >p.kw 2>&1 || true; } && cat p.kw &&
    assert_eq "user=root ok=2 failed=0" "$(outcome a.kw)" "ansible-playbook" &&
    assert_eq "user=root ok=2 failed=0" "$(outcome p.kw)" "pot play"
'

expect_success 'the failure names the missing sudo in both' '
    grep -q "sudo: .*not found" a.pot-to-root && grep -q "sudo: .*not found" p.pot-to-root
'

expect_success 'pot exec -b as root on the host without sudo runs, as ansible -b does' '
    { /usr/bin/ansible -i inv.root-to-root nodes -b -m command -a "id -un" >ae 2>&1 || true; } &&
    pot exec -i inv.root-to-root nodes -b -- id -un >pe 2>&1; cat ae pe &&
    grep -q "^root$" ae && grep -q "^root$" pe
'

test_done
