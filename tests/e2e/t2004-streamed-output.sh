#!/bin/bash
# t2004-streamed-output.sh - output reaches a pipe line by line as it is produced, as on a
# terminal: `pot play | reader`, `pot install | reader` (stage host-init relaying its child
# `pot play`) and --json-events into a FIFO. The playbook's first task prints a marker and its
# second waits (up to 60 s) for a file that the reader creates only once it has read the marker
# from the pipe: output held until the end makes that wait time out and the run fail. Runs on
# the local connection, no sandbox.
. "$(dirname "$0")/lib.sh"

# The kit of the install scenario; `pot play` uses its inventory and playbook as well.
mkdir -p "$T/kit/playbooks"
printf '%s\n' '[installer]' 'node1 ansible_connection=local' '[all:vars]' "go=$T/go-install" \
    >"$T/kit/hosts"
cat >"$T/kit/playbooks/host-init.yml" <<'BOOK'
- hosts: all
  gather_facts: false
  tasks:
    - name: say the marker
      debug:
        msg: "streamed {{ go }}"
    - name: wait for the reader
      wait_for:
        path: "{{ go }}"
        timeout: 60
BOOK

# relay GO LOG: copies the lines read from stdin to LOG and creates GO once the marker line
# naming GO has been read.
relay() {
    local line
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$2"
        case $line in
        *"streamed $1"*) : >"$1" ;;
        esac
    done
}

# play_streams N: `pot play | relay` with go file go-N; the play succeeds on the reader's file.
play_streams() {
    local go=$T/go-$1 rc
    pot play -i "$T/kit/hosts" -e "go=$go" "$T/kit/playbooks/host-init.yml" 2>&1 |
        relay "$go" "play$1.log"
    rc=${PIPESTATUS[0]}
    cat "play$1.log"
    assert_eq 0 "$rc" "pot play exit status" &&
        [ -e "$go" ] &&
        assert_recap "play$1.log" node1 ok=2 changed=0 failed=0
}

expect_success 'pot play: each line reaches the pipe as it is printed' '
    play_streams 1
'

expect_success 'pot play: a second run streams as well' '
    play_streams 2
'

expect_success 'pot play --json-events: each event reaches a FIFO as it happens' '
    mkfifo events &&
    { pot play -i "$T/kit/hosts" -e "go=$T/go-json" --json-events events \
        "$T/kit/playbooks/host-init.yml" >play-json.out 2>&1 & } &&
    pid=$! &&
    { timeout 120 cat events | relay "$T/go-json" events.log; } &&
    rc=0 && wait "$pid" || rc=$?
    cat play-json.out events.log &&
    assert_eq 0 "$rc" "pot play exit status" &&
    [ -e "$T/go-json" ] &&
    assert_contains events.log "\"event\": \"recap\""
'

expect_success 'pot install: host-init relays its child play line by line' '
    pot install --kit-dir "$T/kit" --data-dir "$T/data" --mode full --only host-init 2>&1 |
        relay "$T/go-install" install.log
    rc=${PIPESTATUS[0]}
    cat install.log &&
    assert_eq 0 "$rc" "pot install exit status" &&
    [ -e "$T/go-install" ] &&
    assert_contains install.log "  ok: [node1]" &&
    assert_contains install.log "stage host-init: done" &&
    assert_eq 1 "$(grep -c "^  node1 .*: ok=2 .*failed=0" install.log)" "relayed recap"
'

expect_success 'pot install: a rerun skips host-init as done and runs no play' '
    pot install --kit-dir "$T/kit" --data-dir "$T/data" --mode full --only host-init \
        >rerun.log 2>&1 &&
    cat rerun.log &&
    assert_contains rerun.log "stage host-init: done earlier with the same inputs, skipped" &&
    assert_not_contains rerun.log "TASK ["
'

test_done
