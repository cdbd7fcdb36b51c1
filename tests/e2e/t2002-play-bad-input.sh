#!/bin/bash
# t2002-play-bad-input.sh - `pot play` refuses bad input before any task runs: malformed YAML,
# unknown modules, unknown or missing arguments, wrongly typed literal arguments, bad template
# syntax, an unknown strategy, a with_<name> that names no lookup (or one pot lacks), bad options,
# a missing playbook and a bad inventory each give one message with file:line:col and the
# offending text, the documented exit code (4 parse, 5 options), and no task ran (the first
# task's marker file is absent). An undefined variable fails the host at its task (exit 2,
# position and name in the message) and stops that host; so does `ping: data=crash`, as in
# Ansible.
. "$(dirname "$0")/lib.sh"

cat >"$T/hosts" <<'HOSTS'
[web]
h1
h2
[db]
h3
[all:vars]
ansible_connection=local
HOSTS

# book NAME TASK-LINES: a playbook whose first task writes $T/marker-NAME, then TASK-LINES.
book() {
    {
        printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n'
        printf -- '    - copy: dest=%s/marker-%s content=ran\n' "$T" "$1"
        printf '%s\n' "$2"
    } >"$T/$1.yml"
}

# refused NAME CODE TEXT...: pot play NAME.yml exits CODE, stderr has every TEXT, no task ran.
refused() {
    local name=$1 code=$2 text
    shift 2
    assert_exit "$code" "$POT" play -i "$T/hosts" "$T/$name.yml" >out 2>err
    for text in "$@"; do
        assert_contains err "$text"
    done
    assert_eq 1 "$(wc -l <err)" "one message"
    assert_not_contains out "TASK ["
    [ ! -e "$T/marker-$name" ]
}

book yaml '    - debug: msg=x
     bad: indent'
book module '    - nosuchmodule: a=1'
book unknown_arg '    - copy:
        dest: /tmp/x
        bogus: 1'
book missing_arg '    - lineinfile: line=x'
book wrong_type '    - stat:
        path: /tmp
        get_checksum: maybe'
book bad_mode '    - file: path=/tmp/x mode=rwz state=touch'
book template_syntax '    - debug: msg="{{ 1 + }}"'
book bad_keyword '    - debug: msg=x
      whenn: true'
book include_keyword '    - include_role: name=x
      become: true'
# an unknown strategy in the second play stops the first one too
book strategy '- hosts: all
  strategy: bogus
  tasks:
    - debug: msg=x'
book with_unknown '    - debug: msg=x
      with_bogus: [1]'
book with_missing '    - debug: msg=x
      with_password: /tmp/x'
book undefined '    - debug: msg="{{ nope }}"
    - copy: dest='"$T"'/after-undefined content=x'

expect_success 'malformed YAML: file:line:col, exit 4' '
    refused yaml 4 "yaml.yml:6:6:" "did not find expected"
'
expect_success 'unknown module: file:line:col and its name, exit 4' '
    refused module 4 "module.yml:5:" "nosuchmodule"
'
expect_success 'unknown argument: position and name, exit 4' '
    refused unknown_arg 4 "unknown_arg.yml:" "bogus" "copy"
'
expect_success 'missing required argument: position and name, exit 4' '
    refused missing_arg 4 "missing_arg.yml:5:" "path" "lineinfile"
'
expect_success 'wrongly typed literal argument: position, name and value, exit 4' '
    refused wrong_type 4 "wrong_type.yml:" "get_checksum" "maybe"
'
expect_success 'bad template syntax: position, exit 4' '
    refused template_syntax 4 "template_syntax.yml:5:"
'
expect_success 'unknown task keyword: position and name, exit 4' '
    refused bad_keyword 4 "bad_keyword.yml:" "whenn"
'
expect_success 'a keyword that include_role cannot pass on: position and name, exit 4' '
    refused include_keyword 4 "include_keyword.yml:6:15:" \
        "'"'"'become'"'"' is not a valid attribute for a IncludeRole"
'
expect_success 'with_<name> that is no lookup of Ansible: not a valid attribute, exit 4' '
    refused with_unknown 4 "with_unknown.yml:5:7:" \
        "'"'"'with_bogus'"'"' is not a valid attribute for a Task"
'
expect_success 'with_<lookup> that pot lacks: position and the lookup named, exit 4' '
    refused with_missing 4 "with_missing.yml:6:" "pot has no lookup plugin '"'"'password'"'"'"
'
expect_success 'unknown strategy: position and name, exit 4, no play ran' '
    refused strategy 4 "strategy.yml:6:13:" "strategy" "bogus"
'
expect_success 'missing playbook file: its name, exit 1' '
    assert_exit 1 "$POT" play -i "$T/hosts" "$T/nope.yml" 2>err &&
    assert_contains err "nope.yml"
'
expect_success 'bad option: its name, exit 5' '
    book opt "" &&
    assert_exit 5 "$POT" play -i "$T/hosts" --bogus "$T/opt.yml" 2>err &&
    assert_contains err "--bogus" && [ ! -e "$T/marker-opt" ]
'
expect_success 'no playbook given: exit 5' '
    assert_exit 5 "$POT" play -i "$T/hosts" 2>err && assert_contains err "playbook"
'
expect_success 'bad -e: exit 5' '
    book extra "" &&
    assert_exit 5 "$POT" play -i "$T/hosts" -e "justaword" "$T/extra.yml" 2>err &&
    assert_contains err "justaword" && [ ! -e "$T/marker-extra" ]
'
expect_success 'bad inventory: file:line:col, exit 4, nothing ran' '
    book inv "" &&
    printf "[web\nh1\n" >badinv &&
    assert_exit 4 "$POT" play -i badinv "$T/inv.yml" 2>err &&
    assert_contains err "badinv:1:1:" && [ ! -e "$T/marker-inv" ]
'
expect_success 'undefined variable: host fails at the task with position and name, exit 2' '
    assert_exit 2 "$POT" play -i "$T/hosts" "$T/undefined.yml" >out 2>err &&
    assert_contains out "undefined.yml:5:" && assert_contains out "nope" &&
    assert_recap out h1 failed=1 && assert_recap out h3 failed=1 &&
    [ ! -e "$T/after-undefined" ]
'
expect_success '--json-events writes its file 0600, also over an existing 0644 one' '
    printf "%s\n" "- hosts: all" "  gather_facts: false" "  tasks:" "    - debug: msg=hi" >"$T/ev.yml" &&
    "$POT" play -i "$T/hosts" "$T/ev.yml" --json-events "$T/ev.json" >/dev/null &&
    assert_eq 600 "$(stat -c %a "$T/ev.json")" && grep -q "\"hi\"" "$T/ev.json" &&
    rm "$T/ev.json" && touch "$T/ev.json" && chmod 644 "$T/ev.json" &&
    "$POT" play -i "$T/hosts" "$T/ev.yml" --json-events "$T/ev.json" >/dev/null &&
    assert_eq 600 "$(stat -c %a "$T/ev.json")"
'
expect_success 'a binary file given as inventory is refused, exit 4' '
    assert_exit 4 "$POT" play -i /bin/true "$T/ev.yml" 2>err && cat err &&
    assert_contains err "/bin/true: not a text inventory (a NUL byte at offset"
'
expect_success 'ping data=crash fails every host as Ansible'\''s module does (exit 2, MODULE FAILURE, boom)' '
    printf -- "- hosts: all\n  gather_facts: false\n  tasks:\n    - ping: data=crash\n" >"$T/crash.yml" &&
    ansible_local_env && arc=0 && { /usr/bin/ansible-playbook -i "$T/hosts" "$T/crash.yml" >a.crash 2>&1 || arc=$?; } &&
    assert_exit 2 "$POT" play -i "$T/hosts" "$T/crash.yml" >p.crash 2>&1 && cat p.crash &&
    assert_eq 2 "$arc" "ansible-playbook" &&
    assert_eq 3 "$(grep -c "MODULE FAILURE" p.crash)" && assert_contains p.crash "Exception: boom" &&
    assert_eq 3 "$(grep -c "MODULE FAILURE" a.crash)"
'
expect_success 'every refusal runs twice the same' '
    refused module 4 "nosuchmodule" && refused module 4 "nosuchmodule"
'
test_done
