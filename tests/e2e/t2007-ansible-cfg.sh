#!/bin/bash
# t2007-ansible-cfg.sh - `pot play` finds ansible.cfg as ansible-playbook 2.14 does
# ($ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg; the first found wins) and lets ANSIBLE_*
# variables override it, for roles_path (relative to the file, as in the offline-pot kit's
# `roles_path = roles/`), inventory, forks and gathering; unknown settings and sections are
# ignored silently. Each case runs both tools from the same directory and compares the exit
# code and stdout byte for byte (forks 1 in every file: hosts answer in order); a value of the
# wrong type is refused by both (exit 5).
. "$(dirname "$0")/lib.sh"

ansible_local_env
export HOME="$T/home"
mkdir -p "$HOME" "$T/kit/plays" "$T/kit/roles/r1/tasks" "$T/kit/other/r1/tasks" "$T/alt"
diff_inventory "$T/kit/hosts"
cat >"$T/kit/roles/r1/tasks/main.yml" <<'EOF2'
- debug: msg="from kit roles"
EOF2
cat >"$T/kit/other/r1/tasks/main.yml" <<'EOF2'
- debug: msg="from other roles"
EOF2
cat >"$T/kit/plays/site.yml" <<'EOF2'
- hosts: web
  roles: [r1]
- hosts: db
  gather_facts: true
  tasks:
    - debug: msg="facts {{ ansible_facts.keys() | list | length > 0 }}"
EOF2
cat >"$T/kit/ansible.cfg" <<'EOF2'
# the offline-pot kit's form
[defaults]
roles_path = roles/
inventory = hosts
forks = 1
gathering = explicit
host_key_checking = n
pot_unknown_setting = 1 ; an inline comment
nonsense_key = 1
[privilege_escalation]
become_ask_pass = False
[made_up_section]
x = y
EOF2
printf '[defaults]\nroles_path = %s/kit/other\ninventory = %s/kit/hosts\nforks = 1\n' "$T" "$T" \
    >"$T/alt/alt.cfg"

# same DIR ARGS...: ansible-playbook and pot play run from DIR with ARGS give the same exit code
# and stdout.
same() {
    local dir=$1 rc_a=0 rc_p=0
    shift
    (cd "$dir" && ansible-playbook "$@") >"$T/a.out" 2>"$T/a.err" || rc_a=$?
    (cd "$dir" && "$POT" play "$@") >"$T/p.out" 2>"$T/p.err" || rc_p=$?
    assert_eq "$rc_a" "$rc_p" "exit code" || { cat "$T/a.err" "$T/p.err" >&2; return 1; }
    diff -u "$T/a.out" "$T/p.out" >&2
}

expect_success './ansible.cfg: roles_path relative to it, inventory, gathering explicit' '
    same "$T/kit" plays/site.yml && assert_contains "$T/p.out" "from kit roles" &&
    assert_eq 1 "$(grep -c "Gathering Facts" "$T/p.out")" "only the play asking gathers"
'
expect_success '--list-tasks with the kit'"'"'s roles_path' '
    same "$T/kit" --list-tasks plays/site.yml && assert_contains "$T/p.out" "play #1 (web)"
'
expect_success 'ANSIBLE_ROLES_PATH and ANSIBLE_GATHERING override the file' '
    ANSIBLE_ROLES_PATH="$T/kit/other" ANSIBLE_GATHERING=implicit same "$T/kit" plays/site.yml &&
    assert_contains "$T/p.out" "from other roles" && assert_contains "$T/p.out" "Gathering Facts"
'
expect_success 'ANSIBLE_CONFIG wins over ./ansible.cfg' '
    ANSIBLE_CONFIG="$T/alt/alt.cfg" same "$T/kit" plays/site.yml &&
    assert_contains "$T/p.out" "from other roles"
'
expect_success '-i wins over the file'"'"'s inventory' '
    printf "[web]\nh9 ansible_connection=local\n" >"$T/one" &&
    same "$T/kit" -i "$T/one" plays/site.yml && assert_contains "$T/p.out" "h9"
'
expect_success '~/.ansible.cfg when the current directory has none' '
    cp "$T/alt/alt.cfg" "$HOME/.ansible.cfg" && same "$T/kit/plays" site.yml &&
    assert_contains "$T/p.out" "from other roles" && rm "$HOME/.ansible.cfg"
'
expect_success 'a forks value that is no number: both refuse' '
    printf "[defaults]\nforks = many\ninventory = %s/kit/hosts\n" "$T" >"$T/alt/bad.cfg" &&
    ANSIBLE_CONFIG="$T/alt/bad.cfg" same "$T/kit" plays/site.yml &&
    assert_contains "$T/p.err" "forks"
'
test_done
