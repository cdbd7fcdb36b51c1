#!/usr/bin/env bash
# t3003-ssh-faults.sh - what the ssh transport does when hosts go away, and su over ssh:
#  - an unreachable host (its port points nowhere on loopback) leaves the play and the later
#    plays, unless ignore_unreachable: the recap and exit code equal ansible-playbook's;
#  - a dropped connection (its sshd session killed between two tasks) costs one reconnect and the
#    run goes on; a host that stays down (its sshd gone too) ends unreachable, the others finish;
#  - become_method su with a password (su reads it from a terminal: pot asks for a pty for that
#    one command), stdin and stderr kept apart, the password never shown, a wrong one refused;
#  - a wrong sudo or su password fails the task on that host (FAILED, not UNREACHABLE), as in
#    Ansible.
# Needs: tests/sandbox/sandbox.sh up (docker mode, 2+ hosts) and POT_SANDBOX_ENV pointing at
# its env.
. "$(dirname "$0")/lib.sh"
require_sandbox
DK() { env -u DOCKER_HOST /usr/bin/docker -H "$SANDBOX_DOCKER_HOST" "$@"; }
read -r H1 H2 _ <<<"$SANDBOX_HOSTS"
RPW=$(cat "$SANDBOX_ROOT_PASSWORD_FILE")
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
    ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DEPRECATION_WARNINGS=False \
    ANSIBLE_SYSTEM_WARNINGS=False ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$T/.cp"

SSH_ARGS="-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS -o StrictHostKeyChecking=yes"
SSH_ARGS+=" -o IdentitiesOnly=yes"

# inventory USER: node1, node2 and 'ghost' (loopback port 1: nothing listens there).
inventory() {
    cat <<EOF
[nodes]
node1 ansible_host=$H1
node2 ansible_host=$H2
ghost ansible_host=127.0.0.1 ansible_port=1

[all:vars]
ansible_user=$1
ansible_timeout=5
ansible_ssh_private_key_file=$SANDBOX_KEY
ansible_ssh_common_args='$SSH_ARGS'
EOF
}
inventory root >"$T/inv"
inventory pot >"$T/inv-pot"
(umask 077 && printf "ansible_become_password: '%s'\n" "${RPW//\'/\'\'}" >"$T/su-vars.yml")

cat >"$T/unreachable.yml" <<'EOF'
- hosts: all
  gather_facts: false
  tasks:
    - command: echo one
      notify: handler
    - block:
        - command: echo in-block
      rescue:
        - command: echo rescue
      always:
        - command: echo always
    - command: /bin/false
      when: inventory_hostname == 'node2'
    - command: echo last
  handlers:
    - name: handler
      command: echo handler
- hosts: all
  gather_facts: false
  tasks:
    - command: echo second play
EOF
cat >"$T/ignore.yml" <<'EOF'
- hosts: all
  gather_facts: false
  tasks:
    - command: echo one
      ignore_unreachable: true
    - command: echo two
      ignore_unreachable: true
    - command: echo three
    - command: echo four
- hosts: all
  gather_facts: false
  ignore_unreachable: true
  tasks:
    - command: echo later
EOF

cat >"$T/badsudo.yml" <<'EOF'
- hosts: node1:node2
  gather_facts: false
  become: true
  tasks:
    - command: id -un
    - command: echo after
EOF

# result TOOL PLAYBOOK [ARGS...]: "rc=N" and the recap lines (spaces squeezed) of TOOL's run
# (inventory $T/inv, or $INV).
result() {
    local rc=0 tool=$1 playbook=$2
    shift 2
    if [ "$tool" = ansible ]; then
        /usr/bin/ansible-playbook -i "${INV:-$T/inv}" "$@" "$playbook" >"$T/$tool.log" 2>&1 || rc=$?
    else
        pot play -i "${INV:-$T/inv}" "$@" "$playbook" >"$T/$tool.log" 2>&1 || rc=$?
    fi
    echo "rc=$rc"
    awk '/^PLAY RECAP/ {r=1; next} r && NF {$1=$1; print}' "$T/$tool.log"
}

expect_success 'unreachable host leaves the play and later plays: recap and rc equal ansible' '
    result ansible "$T/unreachable.yml" >want && result pot "$T/unreachable.yml" >got &&
    cat want && diff -u want got && assert_contains got "rc=4" &&
    grep -q "^ghost : ok=0 changed=0 unreachable=1 failed=0" got
'

expect_success 'ignore_unreachable keeps the host (ok+ignored) until a task without it' '
    result ansible "$T/ignore.yml" >want && result pot "$T/ignore.yml" >got &&
    cat want && diff -u want got &&
    grep -q "^ghost : ok=2 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=2" got
'

expect_success 'a wrong sudo password fails the task, not the host: recap and rc equal ansible' '
    export INV="$T/inv-pot" &&
    result ansible "$T/badsudo.yml" -e ansible_become_password=not-the-password >want &&
    result pot "$T/badsudo.yml" -e ansible_become_password=not-the-password >got &&
    cat want && diff -u want got && assert_contains got "rc=2" &&
    grep -q "^node1 : ok=0 changed=0 unreachable=0 failed=1" got &&
    assert_contains "$T/pot.log" "incorrect sudo password" &&
    assert_not_contains "$T/pot.log" not-the-password
'

# drop_session [listener]: an idempotent playbook whose second task kills the sshd session
# serving it a second after it ends (and with 'listener' the host's sshd listener too, so nothing
# answers any more).
drop_session() {
    cat <<'EOF'
- hosts: node1:node2
  gather_facts: false
  tasks:
    - copy: content="one\n" dest=/tmp/t3003-drop-one
    - name: drop the ssh session of node1 after this task
      shell: |
        p=$$
        while [ "$(ps -o comm= -p "$p")" != sshd ]; do p=$(ps -o ppid= -p "$p" | tr -d " "); done
        l=$(ps -o ppid= -p "$p" | tr -d " ")
        [ "$(ps -o comm= -p "$l")" = sshd ] || l=""
        (sleep 1; kill -9 "$p" KILL_LISTENER) </dev/null >/dev/null 2>&1 &
      changed_when: false
      when: inventory_hostname == 'node1'
    - pause: seconds=3
    - copy: content="after\n" dest=/tmp/t3003-drop-after
EOF
}

wait_up() {
    for _ in $(seq 60); do pot ping -i "$T/inv" node1 >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}

expect_success 'a dropped connection: one reconnect, then the run goes on; twice, unchanged' '
    pot exec -i "$T/inv" node1:node2 -- rm -f /tmp/t3003-drop-one /tmp/t3003-drop-after &&
    drop_session | sed -e "s/ KILL_LISTENER//" >drop.yml &&
    pot play -v -i "$T/inv" drop.yml >out 2>log &&
    assert_contains log "host '"'"'node1'"'"': ssh connection dropped; reconnecting" &&
    assert_recap out node1 ok=4 changed=2 unreachable=0 failed=0 &&
    assert_recap out node2 ok=3 changed=2 unreachable=0 failed=0 skipped=1 &&
    pot play -v -i "$T/inv" drop.yml >out2 2>log2 &&
    assert_contains log2 "reconnecting" &&
    assert_recap out2 node1 ok=4 changed=0 unreachable=0 failed=0 &&
    assert_recap out2 node2 ok=3 changed=0 unreachable=0 failed=0
'

expect_success 'a host that stays down ends unreachable after its reconnect fails' '
    drop_session | sed -e "s/ KILL_LISTENER/ \$l/" >down.yml &&
    { st=0; pot play -v -i "$T/inv" down.yml >out 2>log || st=$?; } &&
    DK start pot-host1 >/dev/null && wait_up &&
    assert_eq 4 "$st" && assert_contains log "reconnecting" &&
    assert_contains out "fatal: [node1]: UNREACHABLE!" &&
    assert_recap out node1 ok=3 unreachable=1 failed=0 &&
    assert_recap out node2 ok=3 changed=0 unreachable=0 failed=0
'

cat >"$T/su.yml" <<'EOF'
- hosts: node1
  gather_facts: false
  become: true
  become_method: su
  tasks:
    - command: id -un
      register: who
    - shell: echo to-err >&2; echo to-out
      register: both
    - command: cat
      args:
        stdin: "line1\nctrl \x03\x04\x15 end"
      register: cat
    - copy: content="from su\n" dest=/root/t3003-su.txt mode=0600
    - shell: stat -c '%U %a' /root/t3003-su.txt && cat /root/t3003-su.txt && rm /root/t3003-su.txt
      register: st
    - copy:
        dest: /tmp/t3003-su.out
        content: "{{ [who.stdout, both.stdout, both.stderr, cat.stdout | length,
                      st.stdout_lines | join(',')] | join('|') }}\n"
EOF

expect_success 'become_method su over ssh (pty): root, stdout/stderr apart, stdin intact' '
    pot play -vvv -i "$T/inv-pot" -e @"$T/su-vars.yml" -l node1 "$T/su.yml" >out 2>log &&
    assert_recap out node1 ok=6 failed=0 unreachable=0 &&
    pot exec -i "$T/inv" node1 -- "cat /tmp/t3003-su.out; rm /tmp/t3003-su.out" >res &&
    assert_contains res "root|to-out|to-err|18|root 600,from su" &&
    assert_contains log "su - root -c" &&
    assert_not_contains out "$RPW" && assert_not_contains log "$RPW"
'

expect_success 'become_method su with a wrong password: FAILED (as in Ansible), naming the host' '
    assert_exit 2 pot play -i "$T/inv-pot" -e ansible_become_password=not-the-password \
        -l node1 "$T/su.yml" >out 2>&1 &&
    assert_contains out "host '"'"'node1'"'"': su to '"'"'root'"'"' failed:" &&
    assert_contains out "incorrect su password" &&
    assert_not_contains out not-the-password
'

cat >"$T/su-idem.yml" <<'EOF'
- hosts: node1
  gather_facts: false
  become: true
  become_method: su
  tasks:
    - file: path=/root/t3003-su.d state=directory mode=0700
    - copy: content="written through su\n" dest=/root/t3003-su.d/conf mode=0600
    - lineinfile: path=/root/t3003-su.d/extra line="second=line" create=yes mode=0600
EOF

expect_success 'become_method su: an idempotent playbook run twice changes nothing the second time' '
    pot exec -i "$T/inv" node1 -- rm -rf /root/t3003-su.d &&
    pot play -i "$T/inv-pot" -e @"$T/su-vars.yml" "$T/su-idem.yml" >out1 2>&1 &&
    pot play -i "$T/inv-pot" -e @"$T/su-vars.yml" "$T/su-idem.yml" >out2 2>&1 &&
    assert_recap out1 node1 ok=3 changed=3 failed=0 &&
    assert_recap out2 node1 ok=3 changed=0 failed=0 &&
    pot exec -i "$T/inv" node1 -- "stat -c %U:%a /root/t3003-su.d/conf; cat /root/t3003-su.d/*" >res &&
    assert_eq "root:600
written through su
second=line" "$(sed 1d res)"
'

test_done
