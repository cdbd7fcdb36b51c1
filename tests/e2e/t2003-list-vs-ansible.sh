#!/bin/bash
# t2003-list-vs-ansible.sh - `pot play --list-tasks/--list-hosts/--list-tags` print the same
# stdout as Debian's ansible-playbook (ansible-core 2.14) byte for byte, with and without --tags,
# --skip-tags and --limit, on playbooks with roles (and their dependencies), blocks with
# rescue/always, import_tasks/include_tasks, import_role/include_role, tags with always and never,
# import_playbook and several plays, and on several playbooks given at once.
# Only one normalisation: ansible prints a play's hosts from a Python set (random order), so the
# host lines under "hosts (N):" are sorted in both outputs.
. "$(dirname "$0")/lib.sh"

ANSIBLE_PLAYBOOK=/usr/bin/ansible-playbook
ansible_local_env
DIFF="$TOP/tests/diff"

diff_inventory "$T/hosts"

mkdir -p "$T/b/roles/base/tasks" "$T/b/roles/web/tasks" "$T/b/roles/web/meta" "$T/b/tasks" \
    "$T/b/roles/solo/tasks" "$T/b/roles/dyn/tasks"
printf -- '- name: solo task\n  debug: msg=solo\n  tags: solotag\n- command: /bin/true\n' \
    >"$T/b/roles/solo/tasks/main.yml"
printf -- '- name: dyn task\n  debug: msg=dyn\n' >"$T/b/roles/dyn/tasks/main.yml"
cat >"$T/b/roles/base/tasks/main.yml" <<'EOF_'
- name: base task
  debug: msg=base
  tags: basetag
- debug: msg=unnamed-in-role
EOF_
cat >"$T/b/roles/web/meta/main.yml" <<'EOF_'
dependencies:
  - role: base
EOF_
cat >"$T/b/roles/web/tasks/main.yml" <<'EOF_'
- name: web task
  debug: msg=web
- name: web never
  debug: msg=never
  tags: [never, webnever]
EOF_
cat >"$T/b/tasks/inc.yml" <<'EOF_'
- name: inc one
  debug: msg=inc1
  tags: inctag
- name: inc two
  debug: msg=inc2
EOF_
cat >"$T/b/main.yml" <<'EOF_'
- name: first play
  hosts: web
  gather_facts: false
  roles:
    - role: web
      tags: roletag
  tasks:
    - name: plain
      debug: msg=plain
    - debug: msg=unnamed
      tags: [t1, t2]
    - name: always task
      debug: msg=always
      tags: always
    - name: never task
      debug: msg=never
      tags: never
    - block:
        - name: in block
          debug: msg=b
        - block:
            - name: nested
              debug: msg=n
              tags: inner
      rescue:
        - name: in rescue
          debug: msg=r
      always:
        - name: in always
          debug: msg=a
      tags: blocktag
    - import_tasks: tasks/inc.yml
      tags: imported
    - include_tasks: tasks/inc.yml
    - name: dynamic include
      include_tasks: tasks/inc.yml
      tags: dyn
    - import_role:
        name: solo
      tags: improle
    - include_role:
        name: dyn
    - meta: flush_handlers
  handlers:
    - name: a handler
      debug: msg=h
- hosts: db
  gather_facts: false
  tags: playtag
  tasks:
    - name: db task
      debug: msg=db
      tags: dbtag
- hosts: [h1, h3]
  gather_facts: false
  tasks: []
- hosts: all:!h2
  name: "named {{ 'play' }}"
  gather_facts: false
  tasks:
    - name: last
      command: /bin/true
EOF_
cp "$T/b/main.yml" "$T/b/again.yml"
# a role imported again after roles: (and twice with the same params) is listed each time
cat >"$T/b/reimport.yml" <<'EOF_'
- hosts: all
  gather_facts: false
  roles:
    - solo
  tasks:
    - import_role: name=solo
    - import_role: name=solo
EOF_

# run NAME CMD...: CMD's stdout in $T/NAME.out, host lines of each play sorted, exit code added.
run() {
    local name=$1 rc=0
    shift
    "$@" >"$T/$name.raw" 2>"$T/$name.err" || rc=$?
    awk '/^    hosts \([0-9]+\):$/ { print; sorting = 1; next }
         sorting && /^      / { print | "LC_ALL=C sort"; next }
         sorting { close("LC_ALL=C sort"); sorting = 0 }
         { print }
         END { close("LC_ALL=C sort") }' "$T/$name.raw" >"$T/$name.out"
    echo "rc=$rc" >>"$T/$name.out"
}

# same DIR ARGS...: ansible-playbook and pot print the same for ARGS (run in DIR).
same() {
    local dir=$1
    shift
    (cd "$dir" && run ansible "$ANSIBLE_PLAYBOOK" -i "$T/hosts" "$@")
    (cd "$dir" && run pot "$POT" play -i "$T/hosts" "$@")
    diff -u "$T/ansible.out" "$T/pot.out" || { cat "$T/pot.err"; return 1; }
}

for opts in "--list-tasks" "--list-hosts" "--list-tags" "--list-tasks --list-tags --list-hosts" \
    "--list-tasks --tags imported,dbtag" "--list-tasks --tags never" \
    "--list-tasks --skip-tags blocktag,always" "--list-tags --tags webnever" \
    "--list-tasks --tags tagged" "--list-tasks --tags untagged --list-tags" \
    "--list-hosts --limit h1,h3" "--list-hosts --list-tasks --limit db" \
    "--list-hosts --limit nomatch" "--list-tasks --limit nomatch"; do
    expect_success "list: main.yml $opts" "same $T/b $opts main.yml"
done
expect_success "list: two playbooks at once" \
    "same $T/b --list-tasks --list-hosts main.yml again.yml"
expect_success "list: import_role of a role already in roles:" \
    "same $T/b --list-tasks reimport.yml"
for book in roles roles-deps include-import tags block import-playbook handlers; do
    expect_success "list: tests/diff/$book.yml" "same $DIFF --list-tasks --list-tags $book.yml"
done
expect_success "list: tests/diff/tags.yml --tags web" "same $DIFF --list-tasks --tags web tags.yml"
expect_success "list: tests/diff/legacy-forms.yml (include:, templated play name and hosts)" \
    "same $DIFF --list-tasks --list-hosts legacy-forms.yml"
test_done
