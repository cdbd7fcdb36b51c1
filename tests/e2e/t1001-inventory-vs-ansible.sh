#!/bin/bash
# t1001-inventory-vs-ansible.sh - `pot inventory --list/--host/--graph` prints byte for byte
# what Debian's ansible-inventory (ansible-core 2.14) prints, on the kit's hosts.tpl and on
# inventories covering ranges, children, precedence, YAML, group_vars/host_vars, ports,
# quoting, ungrouped hosts, comma host lists and value types; bad inventories fail with
# file:line:col and exit 4. Runs locally, no sandbox.
. "$(dirname "$0")/lib.sh"

ANSIBLE_INVENTORY=/usr/bin/ansible-inventory
export ANSIBLE_LOCAL_TEMP="$T/.ansible-tmp" ANSIBLE_NOCOLOR=1
FIXTURE="$TOP/tests/fixtures/inventory/hosts.tpl"

# same ARGS...: pot inventory and ansible-inventory print identical output.
same() {
    "$ANSIBLE_INVENTORY" "$@" >want.out 2>want.err || { cat want.err >&2; return 1; }
    pot inventory "$@" >got.out
    if ! cmp -s want.out got.out; then
        diff -u want.out got.out >&2
        return 1
    fi
}

mkdir -p "$T/ranges" "$T/prec" "$T/yaml" "$T/vdir/group_vars/db" "$T/vdir/host_vars" \
    "$T/ports" "$T/quote" "$T/ungr" "$T/types" "$T/pending" "$T/dirsrc" "$T/bad"

cat >"$T/ranges/hosts" <<'EOF'
[web]
node[01:10:3]
web-[a:c].example.com
[db]
db[1:3]:2222 role=db
r[1:2]-[x:y]
[other]
x[:2]
EOF

cat >"$T/prec/hosts" <<'EOF'
h1 own=h1 shared=host
h2
[top]
h1
[mid]
h2
[leaf]
h1
h3
[top:children]
mid
[mid:children]
leaf
[top:vars]
shared=top
t=1
[mid:vars]
shared=mid
m=2
[leaf:vars]
shared=leaf
[prio_a]
h3
[prio_b]
h3
[prio_a:vars]
ansible_group_priority=10
p=a
[prio_b:vars]
p=b
[all:vars]
shared=all
a=0
EOF

cat >"$T/yaml/inv.yml" <<'EOF'
all:
  vars:
    ntp: 10.0.0.1
    tags: [a, b]
  hosts:
    lonely:
  children:
    web:
      hosts:
        web[1:3]:
          http_port: 8080
        web9:2200:
      vars:
        opts: {debug: yes, level: 3}
    db:
      hosts: dbhost
      children:
        replicas:
          hosts:
            rep1: {weight: 1.5, enabled: true, note: null}
    empty:
EOF

cat >"$T/vdir/hosts" <<'EOF'
[web]
h1 inline=1 over=inline
h2
[db]
h2
EOF
printf 'from_all: all\nover: group_all\n' >"$T/vdir/group_vars/all.yml"
printf 'web_var: 1\nover: group_web\n' >"$T/vdir/group_vars/web"
printf 'a: 1\nover: db_a\n' >"$T/vdir/group_vars/db/10-a.yml"
printf '{"b": 2, "over": "db_b"}\n' >"$T/vdir/group_vars/db/20-b.json"
printf 'ignored: 1\n' >"$T/vdir/group_vars/db/notes.txt"
printf 'over: host_h1\nlist: [1, 2]\n' >"$T/vdir/host_vars/h1.yaml"
printf '{"over": "host_h2"}\n' >"$T/vdir/host_vars/h2.json"

cat >"$T/ports/hosts" <<'EOF'
[ssh]
10.0.0.1:2222
[::1]:2200
host.example.com:22 ansible_port=23
plain
EOF

cat >"$T/quote/hosts" <<'EOF'
[q]
h1 a="hello world" b='single' c=unquoted#comment d="it's" e='say "hi"' f=a\ b
h2 g="[1, 'x']" h="{'k': 'v'}" i='"quoted"' # trailing comment
[q:vars]
s1='true' # comment after
s2="false" ; not a comment in vars
s3=bare words # stays
s4 = spaced
s5=
s6='a' 'b'
EOF

cat >"$T/ungr/hosts" <<'EOF'
alone1
alone2 x=1
[all]
top_level
[g]
alone2
EOF

cat >"$T/types/hosts" <<'EOF'
[t]
h1 a=True b=False c=None d=yes e=1.5 f=0x10 g=1e3 h=-3 i=0777 j=00 k=1_000 l=(1,2)
[t:vars]
m=[1, 2.5, "x", None]
n={"a": {"b": [True]}}
o=0o17
p=.5
EOF

cat >"$T/pending/hosts" <<'EOF'
[parent:children]
child
[child:vars]
v=1
[child]
c1
[grand:children]
parent
EOF

printf '[a]\nh1\n' >"$T/dirsrc/10-first"
printf 'all:\n  hosts:\n    h2: {x: 1}\n' >"$T/dirsrc/20-second.yml"
printf '[ignored]\nh3\n' >"$T/dirsrc/30-third.ini"

expect_success 'hosts.tpl: --list identical' 'same -i "$FIXTURE" --list'
expect_success 'hosts.tpl: --host of a master' 'same -i "$FIXTURE" --host 10.0.0.3'
expect_success 'hosts.tpl: --host of a worker' 'same -i "$FIXTURE" --host 10.0.0.6'
expect_success 'hosts.tpl: --graph' 'same -i "$FIXTURE" --graph'
expect_success 'hosts.tpl: switches keep their quotes off and comments out' '
    pot inventory -i "$FIXTURE" --host 10.0.0.2 >h.json &&
    assert_contains h.json "\"deploy_redis\": \"true\"" &&
    assert_contains h.json "\"ansible_ssh_pass\": \"Pass@w0rd#2020\"" &&
    assert_contains h.json "\"max_node_pod_num\": 256"
'
expect_success 'ranges, strides, letters, several ranges' 'same -i ranges/hosts --list'
expect_success 'ranges: --graph' 'same -i ranges/hosts --graph'
expect_success 'vars precedence: --list' 'same -i prec/hosts --list'
expect_success 'vars precedence: child group beats parent' 'same -i prec/hosts --host h1'
expect_success 'vars precedence: ansible_group_priority' 'same -i prec/hosts --host h3'
expect_success 'YAML inventory: --list' 'same -i yaml/inv.yml --list'
expect_success 'YAML inventory: --host' 'same -i yaml/inv.yml --host rep1'
expect_success 'YAML inventory: --graph' 'same -i yaml/inv.yml --graph'
expect_success 'group_vars/host_vars: --list' 'same -i vdir/hosts --list'
expect_success 'group_vars/host_vars: --host h2 (dir of files)' 'same -i vdir/hosts --host h2'
expect_success 'ports and IPv6' 'same -i ports/hosts --list'
expect_success 'quoting and comments' 'same -i quote/hosts --list'
expect_success 'ungrouped and [all] hosts' 'same -i ungr/hosts --list'
expect_success 'ungrouped: --graph' 'same -i ungr/hosts --graph'
expect_success 'numbers, booleans, None, tuples' 'same -i types/hosts --list'
expect_success 'children and vars before the group is declared' 'same -i pending/hosts --list'
expect_success 'comma host list' 'same -i "a1,a2:2222,10.1.1.1," --list'
expect_success 'several -i sources' 'same -i "$FIXTURE" -i "x1,x2," -i ranges/hosts --list'
expect_success 'directory source (.ini files ignored)' 'same -i dirsrc --list'
expect_success '--host takes a pattern matching one host' 'same -i prec/hosts --host mid[0]'
expect_success '--limit restricts the hosts listed' '
    pot inventory -i "$FIXTURE" --list --limit "masters:!10.0.0.4" >l.json &&
    assert_contains l.json "\"10.0.0.3\"" && assert_not_contains l.json "\"10.0.0.4\"" &&
    assert_not_contains l.json "\"10.0.0.6\""
'
expect_success 'an unmatched --limit warns and lists nothing' '
    pot inventory -i "$FIXTURE" --graph --limit nosuch >g.out 2>g.err &&
    assert_contains g.err "could not match supplied host pattern, ignoring: '\''nosuch'\''" &&
    assert_not_contains g.out 10.0.0.3
'

# bad ANSWER FILE LINE TEXT: ansible-inventory refuses FILE too, pot exits 4 with FILE:LINE:.
bad() {
    printf "$1" >"bad/$2"
    "$ANSIBLE_INVENTORY" -i "bad/$2" --list >/dev/null 2>ans.err || true
    grep -q "Failed to parse\|Unable to parse" ans.err
    assert_exit 4 "$POT" inventory -i "bad/$2" --list 2>pot.err
    assert_contains pot.err "bad/$2:$3:"
    assert_contains pot.err "$4"
}
expect_success 'bad: section without closing bracket' \
    'bad "[web\nh1\n" unclosed 1 "unclosed section header '\''[web'\''"'
expect_success 'bad: range with unequal widths' \
    'bad "[web]\nnode[01:3]\n" range 2 "bad host range '\''node[01:3]'\''"'
expect_success 'bad: range with a non-number' \
    'bad "[web]\nnode[x:3]\n" range2 2 "bad host range"'
expect_success 'bad: child group never defined' \
    'bad "[web:children]\nfoo\n" child 2 "undefined group '\''foo'\'' in [web:children]"'
expect_success 'bad: vars for a group never defined' \
    'bad "[web:vars]\na=1\n" vars 1 "group '\''web'\'', which is never defined"'
expect_success 'bad: unknown section type' \
    'bad "[web:bogus]\nx\n" tag 1 "unknown section type '\''bogus'\''"'
expect_success 'bad: host variable without =' \
    'bad "[web]\nh1 foo\n" novalue 2 "expected key=value host variable, got '\''foo'\''"'
expect_success 'bad: unterminated quote' \
    'bad "[web]\nh1 a=\"x\n" quote 2 "no closing quotation"'
expect_success 'bad: malformed YAML inventory' \
    'bad "all:\n  hosts:\n    h1: {a: 1\n  vars: x\n" inv.yml 4 "invalid YAML"'
expect_success 'bad: YAML hosts section is a list' \
    'bad "all:\n  hosts:\n    - h1\n" list.yml 3 \
        "'\''hosts'\'' of group '\''all'\'' must be a mapping"'
expect_success 'bad: missing inventory file' '
    assert_exit 1 "$POT" inventory -i nosuch/hosts --list 2>e.err &&
    assert_contains e.err "inventory source '\''nosuch/hosts'\'' does not exist"
'
expect_success 'bad options exit 5' '
    assert_exit 5 "$POT" inventory -i "$FIXTURE" 2>o.err &&
    assert_contains o.err "give exactly one of --list, --host NAME or --graph" &&
    assert_exit 5 "$POT" inventory -i "$FIXTURE" --host nosuch
'
expect_success 'pot template -i --host sees inventory variables' '
    printf "%s\n" "{{ inventory_hostname }} {{ inventory_hostname_short }} {{ group_names }}" \
        "{{ groups[\"k8s\"] }} {{ hostvars[\"10.0.0.6\"][\"deploy_mysql\"] }} {{ deploy_redis }}" \
        >t.j2 &&
    pot template -i "$FIXTURE" --host 10.0.0.4 t.j2 >t.out &&
    q="\x27%s\x27" &&
    names=$(printf "[$q, $q, $q, $q, $q, $q, $q]" ingress k8s logs masters minio redis sgikes) &&
    assert_contains t.out "10.0.0.4 10.0.0.4 $names" &&
    assert_contains t.out "true true"
'
test_done
