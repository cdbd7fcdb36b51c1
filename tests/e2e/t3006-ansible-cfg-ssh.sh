#!/usr/bin/env bash
# t3006-ansible-cfg-ssh.sh - ansible.cfg's connection settings over ssh, compared with
# ansible-playbook 2.14 on the sandbox: with an inventory that names only addresses, the kit's
# ansible.cfg gives remote_user, private_key_file (relative to the file), remote_port, timeout
# and host_key_checking; ANSIBLE_REMOTE_USER overrides the file, and ansible_user in the
# inventory overrides both. Each case: the same exit code and stdout (the login user printed per
# host) from both tools.
# Needs: tests/sandbox/sandbox.sh up and POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox

export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_NOCOLOR=1 \
    ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DEPRECATION_WARNINGS=False \
    ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$T/.cp"
unset ANSIBLE_HOST_KEY_CHECKING
read -r -a NAMES <<<"$SANDBOX_NAMES"
read -r -a ADDRS <<<"$SANDBOX_HOSTS"
# host_key_checking = False lets both tools' ssh add the hosts' keys to the user's known_hosts
# (found through the password database, not $HOME); keys an earlier sandbox left there for the
# same addresses would be refused as changed, so they go first.
user_known_hosts=$(getent passwd "$(id -un)" | cut -d: -f6)/.ssh/known_hosts
for a in "${ADDRS[@]}"; do
    [ -f "$user_known_hosts" ] && ssh-keygen -f "$user_known_hosts" -R "$a" >/dev/null 2>&1
done
mkdir -p "$T/kit/keys"
cp "$SANDBOX_KEY" "$T/kit/keys/id" && chmod 600 "$T/kit/keys/id"
{
    echo "[nodes]"
    for i in 0 1; do
        echo "${NAMES[$i]} ansible_host=${ADDRS[$i]}"
    done
} >"$T/kit/hosts"
cat >"$T/kit/ansible.cfg" <<EOF2
[defaults]
inventory = hosts
remote_user = pot
remote_port = $SANDBOX_SSH_PORT
private_key_file = keys/id
timeout = 7
host_key_checking = False
EOF2
cat >"$T/kit/who.yml" <<'EOF2'
- hosts: nodes
  gather_facts: false
  tasks:
    - command: id -un
      register: r
      changed_when: false
    - debug: msg="login {{ r.stdout }}"
EOF2

# same ARGS...: both tools, run in the kit, give the same exit code and stdout.
same() {
    local rc_a=0 rc_p=0
    (cd "$T/kit" && ansible-playbook -f 1 "$@") >"$T/a.out" 2>"$T/a.err" || rc_a=$?
    (cd "$T/kit" && "$POT" play -f 1 "$@") >"$T/p.out" 2>"$T/p.err" || rc_p=$?
    assert_eq "$rc_a" "$rc_p" "exit code" || { cat "$T/a.err" "$T/p.err" >&2; return 1; }
    diff -u "$T/a.out" "$T/p.out" >&2
}

expect_success 'remote_user, private_key_file, remote_port, timeout from ./ansible.cfg' '
    same who.yml && assert_contains "$T/p.out" "login pot"
'
expect_success 'ANSIBLE_REMOTE_USER overrides the file' '
    ANSIBLE_REMOTE_USER=root same who.yml && assert_contains "$T/p.out" "login root"
'
expect_success 'ansible_user in the inventory overrides the file' '
    sed -i "s/^\(${NAMES[0]} .*\)$/\1 ansible_user=root/" "$T/kit/hosts" && same who.yml &&
    assert_contains "$T/p.out" "login root" && assert_contains "$T/p.out" "login pot"
'
test_done
