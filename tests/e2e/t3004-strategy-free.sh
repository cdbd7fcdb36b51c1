#!/usr/bin/env bash
# t3004-strategy-free.sh - `strategy: free` really lets each host go on without the others: one
# host's first task waits (up to a limit) for the other hosts' second task to have run, and the
# timestamps the tasks write prove those ran before the wait ended; the same playbook under
# linear shows the opposite (the wait runs out first), so the check can fail. Also
# ANSIBLE_STRATEGY, -f 1, throttle, host_pinned, and output made of whole lines. Local connection only
# (tests/diff/free-*.yml compare with Ansible).
. "$(dirname "$0")/lib.sh"

cat >"$T/hosts" <<'HOSTS'
[nodes]
slow
fast1
fast2
[all:vars]
ansible_connection=local
HOSTS

# playbook FILE STRATEGY: in the first task the slow host waits until both fast hosts stamped
# (at most 'wait' tenths of a second) and stamps its end; every host then stamps its second
# task (written then renamed, so a stamp that exists holds its time). STRATEGY "" leaves the
# keyword out.
playbook() {
    {
        printf -- '- hosts: all\n  gather_facts: false\n'
        [ -n "$2" ] && printf '  strategy: %s\n' "$2"
        cat <<'EOF'
  tasks:
    - name: the slow host waits for the fast ones
      shell: |
        for i in $(seq {{ wait }}); do
          [ -e {{ out }}/fast1.stamp ] && [ -e {{ out }}/fast2.stamp ] && break
          sleep 0.1
        done
        date +%s.%N > {{ out }}/{{ inventory_hostname }}.slept
      when: inventory_hostname == 'slow'
    - name: every host stamps
      shell: |
        date +%s.%N > {{ out }}/{{ inventory_hostname }}.tmp
        mv {{ out }}/{{ inventory_hostname }}.tmp {{ out }}/{{ inventory_hostname }}.stamp
    - name: a loop on every host
      command: echo {{ item }}
      loop: [a, b, c]
      changed_when: false
EOF
    } >"$1"
}

# before A B: the timestamp in file A is earlier than the one in file B.
before() {
    awk -v a="$(cat "$1")" -v b="$(cat "$2")" 'BEGIN { exit !(a < b) }'
}

# ran_ahead OUT: both fast hosts stamped before the slow host's sleep ended.
ran_ahead() {
    before "$1/fast1.stamp" "$1/slow.slept" && before "$1/fast2.stamp" "$1/slow.slept"
}

recap_ok() {
    assert_recap "$1" slow ok=3 changed=2 failed=0 &&
    assert_recap "$1" fast1 ok=2 changed=1 skipped=1 failed=0 &&
    assert_recap "$1" fast2 ok=2 changed=1 skipped=1 failed=0
}

expect_success 'free: the fast hosts run their later tasks while the slow one is in its first' '
    playbook free.yml free && rm -rf o && mkdir o &&
    pot play -i "$T/hosts" -e out="$T/o" -e wait=600 free.yml >out && recap_ok out && ran_ahead o
'

expect_success 'linear (the control): the fast hosts wait for the slow one' '
    playbook linear.yml linear && rm -rf o && mkdir o &&
    pot play -i "$T/hosts" -e out="$T/o" -e wait=20 linear.yml >out && recap_ok out &&
    ! ran_ahead o &&
    before o/slow.slept o/fast1.stamp
'

expect_success 'ANSIBLE_STRATEGY=free applies to a play without the keyword' '
    playbook plain.yml "" && rm -rf o && mkdir o &&
    ANSIBLE_STRATEGY=free pot play -i "$T/hosts" -e out="$T/o" -e wait=600 plain.yml >out &&
    recap_ok out && ran_ahead o
'

expect_success 'free output is whole lines, each host line under its own task banner' '
    playbook free.yml free && rm -rf o && mkdir o &&
    pot play -i "$T/hosts" -e out="$T/o" -e wait=600 free.yml >out &&
    assert_eq 3 "$(awk "/^TASK \\[/ { b = \$0 } /^changed: \\[/ { print b }" out |
                   grep -c "every host stamps")" &&
    assert_eq 9 "$(grep -c "^ok: \[[a-z0-9]*\] => (item=[abc])$" out)" &&
    ! grep -vE "^(|PLAY .*|TASK .*|(ok|changed|skipping): \[[a-z0-9]+\].*|[a-z0-9]+ +: ok=.*)$" out
'

expect_success 'free with -f 1: every host still runs every task (one at a time)' '
    playbook free.yml free && rm -rf o && mkdir o &&
    pot play -f 1 -i "$T/hosts" -e out="$T/o" -e wait=20 free.yml >out && recap_ok out &&
    test -s o/fast1.stamp && test -s o/fast2.stamp && test -s o/slow.stamp
'

# throttled FILE LIMIT: under free, every host runs a task that stamps its start and end around a
# short sleep, throttled to LIMIT hosts at once.
throttled() {
    cat >"$1" <<EOF
- hosts: all
  gather_facts: false
  strategy: free
  tasks:
    - name: stamped
      shell: |
        date +%s.%N > {{ out }}/{{ inventory_hostname }}.start
        sleep 0.4
        date +%s.%N > {{ out }}/{{ inventory_hostname }}.end
      changed_when: false
      throttle: $2
EOF
}

# overlap OUT: two hosts' stamped intervals overlap.
overlap() {
    local a b
    for a in slow fast1 fast2; do
        for b in slow fast1 fast2; do
            [ "$a" = "$b" ] && continue
            if before "$1/$a.start" "$1/$b.end" && before "$1/$b.start" "$1/$a.end"; then
                return 0
            fi
        done
    done
    return 1
}

expect_success 'free honours throttle: 1 (one host at a time, twice, unchanged), 3 overlaps' '
    throttled one.yml 1 && rm -rf o && mkdir o &&
    pot play -i "$T/hosts" -e out="$T/o" one.yml >out && ! overlap o &&
    pot play -i "$T/hosts" -e out="$T/o" one.yml >out2 && ! overlap o &&
    assert_recap out2 slow ok=1 changed=0 failed=0 && assert_recap out2 fast1 ok=1 changed=0 &&
    throttled three.yml 3 && rm -rf o && mkdir o &&
    pot play -i "$T/hosts" -e out="$T/o" three.yml >out && overlap o
'

# pinned FILE STRATEGY: every host stamps the start of its first task and the end of its second.
pinned() {
    cat >"$1" <<EOF
- hosts: all
  gather_facts: false
  strategy: $2
  tasks:
    - shell: date +%s.%N > {{ out }}/{{ inventory_hostname }}.start; sleep 0.2
      changed_when: false
    - shell: sleep 0.2; date +%s.%N > {{ out }}/{{ inventory_hostname }}.end
      changed_when: false
EOF
}

expect_success 'host_pinned with -f 1: each host runs to its end before the next (twice)' '
    pinned pinned.yml host_pinned && rm -rf o && mkdir o &&
    pot play -f 1 -i "$T/hosts" -e out="$T/o" pinned.yml >out && ! overlap o &&
    assert_recap out slow ok=2 failed=0 && assert_recap out fast2 ok=2 failed=0 &&
    pot play -f 1 -i "$T/hosts" -e out="$T/o" pinned.yml >out2 && ! overlap o &&
    assert_recap out2 slow ok=2 changed=0 failed=0 && assert_recap out2 fast2 ok=2 changed=0 &&
    pinned linear-f1.yml linear && rm -rf o && mkdir o &&
    pot play -f 1 -i "$T/hosts" -e out="$T/o" linear-f1.yml >out && overlap o
'

# An idempotent playbook under free: the slow host's first task holds it back while the others
# write their files; the second run changes nothing on any host.
cat >"$T/idem.yml" <<'EOF'
- hosts: all
  gather_facts: false
  strategy: free
  tasks:
    - name: the slow host is slow
      command: sleep 1
      changed_when: false
      when: inventory_hostname == 'slow'
    - file: path={{ out }}/{{ inventory_hostname }}.d state=directory mode=0750
    - copy: content="host {{ inventory_hostname }}\n" dest={{ out }}/{{ inventory_hostname }}.d/conf
    - lineinfile: path={{ out }}/{{ inventory_hostname }}.d/extra line="free=yes" create=yes
EOF

expect_success 'free: an idempotent playbook run twice changes nothing the second time' '
    rm -rf o && mkdir o &&
    pot play -i "$T/hosts" -e out="$T/o" "$T/idem.yml" >out1 &&
    pot play -i "$T/hosts" -e out="$T/o" "$T/idem.yml" >out2 &&
    assert_recap out1 slow ok=4 changed=3 failed=0 &&
    assert_recap out1 fast1 ok=3 changed=3 skipped=1 failed=0 &&
    assert_recap out2 slow ok=4 changed=0 failed=0 &&
    assert_recap out2 fast1 ok=3 changed=0 skipped=1 failed=0 &&
    assert_recap out2 fast2 ok=3 changed=0 skipped=1 failed=0 &&
    assert_eq "host fast2" "$(cat o/fast2.d/conf)" && assert_eq "free=yes" "$(cat o/fast2.d/extra)"
'

test_done
