#!/usr/bin/env bash
# t3001-ssh-transport.sh - the ssh transport (installer/conn/conn-ssh*.c, conn-sftp.c) against the
# sandbox's real sshd hosts, through `pot ping`, `pot exec` and tests/e2e/conn-probe.
# Needs: tests/sandbox/sandbox.sh up (docker mode, 3+ hosts) and POT_SANDBOX_ENV pointing at its env.
. "$(dirname "$0")/lib.sh"
require_sandbox
PROBE=${CONN_PROBE:-$(dirname "$POT")/conn-probe}
DK() { env -u DOCKER_HOST /usr/bin/docker -H "$SANDBOX_DOCKER_HOST" "$@"; }
read -r H1 H2 H3 _ <<<"$SANDBOX_HOSTS"
UPW=$(cat "$SANDBOX_USER_PASSWORD_FILE")

# inventory NAME [all:vars lines...]: three hosts with the given vars.
inventory() {
    local file=$T/$1
    shift
    printf '[nodes]\nnode1 ansible_host=%s\nnode2 ansible_host=%s\nnode3 ansible_host=%s\n\n[all:vars]\n' \
        "$H1" "$H2" "$H3" >"$file"
    printf '%s\n' "$@" >>"$file"
    echo "$file"
}
KEYVARS=("ansible_ssh_private_key_file=$SANDBOX_KEY"
    "ansible_ssh_common_args='-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS'")

expect_success 'key auth: every host answers, twice on the same inventory' '
    inv=$(inventory key.ini ansible_user=root "${KEYVARS[@]}") &&
    pot ping -i "$inv" >out1 && pot ping -i "$inv" >out2 &&
    for n in node1 node2 node3; do
        assert_contains out1 "$n | SUCCESS => {\"changed\": false, \"ping\": \"pong\"}" &&
        assert_contains out2 "$n | SUCCESS => {\"changed\": false, \"ping\": \"pong\"}"; done
'

expect_success 'password auth works (sandbox password inventory)' '
    pot ping -i "$SANDBOX_PASSWORD_INVENTORY" >out &&
    assert_contains out "node1 | SUCCESS" && assert_contains out "node3 | SUCCESS"
'

expect_success 'wrong password: authentication error naming host, user and method; exit 4' '
    inv=$(inventory badpw.ini ansible_user=root ansible_ssh_pass=not-the-password \
        "ansible_ssh_common_args='"'"'-o UserKnownHostsFile=$SANDBOX_KNOWN_HOSTS'"'"'") &&
    assert_exit 4 pot ping -i "$inv" node2 >out &&
    assert_contains out "node2 | UNREACHABLE! =>" &&
    assert_contains out "authentication failed for user '"'"'root'"'"' (password)" &&
    assert_not_contains out not-the-password
'

expect_success 'exec prints rc and output, exit 2 when a command fails' '
    inv=$(inventory key.ini ansible_user=root "${KEYVARS[@]}") &&
    assert_exit 2 pot exec -i "$inv" node1 -- "echo out; echo err >&2; exit 3" >out &&
    assert_contains out "node1 | FAILED | rc=3 >>" && assert_contains out out &&
    assert_contains out err &&
    pot exec -i "$inv" -- "hostname" >out2 && assert_contains out2 "node2 | CHANGED | rc=0 >>"
'

expect_success 'become root via sudo with a password as user pot; password never shown' '
    inv=$(inventory become.ini ansible_user=pot "${KEYVARS[@]}" "ansible_become_password=$UPW") &&
    pot exec -i "$inv" -b -vvv -- "id -un" >out 2>log &&
    pot exec -i "$inv" -b -vvv -- "id -un" >>out 2>>log &&
    assert_eq 6 "$(grep -c "^root$" out)" && assert_contains log "sudo -H -S -p" &&
    assert_not_contains out "$UPW" && assert_not_contains log "$UPW"
'

expect_success 'become a non-root user (nobody) with --become-user' '
    inv=$(inventory become.ini ansible_user=pot "${KEYVARS[@]}" "ansible_become_password=$UPW") &&
    pot exec -i "$inv" node3 -b --become-user nobody -- "id -un" >out &&
    assert_contains out "node3 | CHANGED | rc=0 >>" && assert_eq nobody "$(tail -n 1 out)"
'

expect_success 'wrong become password: FAILED naming the host, exit 2' '
    inv=$(inventory badbecome.ini ansible_user=pot "${KEYVARS[@]}" ansible_become_password=wrong-pw) &&
    assert_exit 2 pot exec -i "$inv" node1 -b -- "id -un" >out &&
    assert_contains out "node1 | FAILED! =>" &&
    assert_contains out "incorrect sudo password for user '"'"'pot'"'"'" &&
    assert_not_contains out wrong-pw
'

expect_success 'unknown host key with checking on: refused naming the file, exit 4' '
    : >"$T/empty_known_hosts" &&
    inv=$(inventory unknown.ini ansible_user=root "ansible_ssh_private_key_file=$SANDBOX_KEY" \
        "ansible_ssh_common_args='"'"'-o UserKnownHostsFile=$T/empty_known_hosts'"'"'") &&
    assert_exit 4 pot ping -i "$inv" node1 >out &&
    assert_contains out "node1 | UNREACHABLE! =>" &&
    assert_contains out "is not in '"'"'$T/empty_known_hosts'"'"'" &&
    test ! -s "$T/empty_known_hosts"
'

expect_success 'accept-new records unknown keys once, then verifies them' '
    rm -f "$T/new_known_hosts" &&
    inv=$(inventory acceptnew.ini ansible_user=root "ansible_ssh_private_key_file=$SANDBOX_KEY" \
        "ansible_ssh_common_args='"'"'-o UserKnownHostsFile=$T/new_known_hosts -o StrictHostKeyChecking=accept-new'"'"'") &&
    pot ping -i "$inv" >out && n1=$(wc -l <"$T/new_known_hosts") &&
    pot ping -i "$inv" >out2 && assert_eq "$n1" "$(wc -l <"$T/new_known_hosts")" &&
    assert_eq 3 "$n1" && assert_contains out2 "node3 | SUCCESS"
'

expect_success 'a changed host key is refused in every checking mode, with a clear message' '
    k1=$(grep "^$H1 ssh-ed25519 " "$SANDBOX_KNOWN_HOSTS" | cut -d" " -f2-) &&
    { grep -v "^$H2 " "$SANDBOX_KNOWN_HOSTS"; echo "$H2 $k1"; } >"$T/changed_known_hosts" &&
    for mode in yes accept-new no; do
        inv=$(inventory changed.ini ansible_user=root "ansible_ssh_private_key_file=$SANDBOX_KEY" \
            "ansible_ssh_common_args='"'"'-o UserKnownHostsFile=$T/changed_known_hosts -o StrictHostKeyChecking=$mode'"'"'") &&
        assert_exit 4 pot ping -i "$inv" >out &&
        assert_contains out "node2 | UNREACHABLE! =>" &&
        assert_contains out "the ssh host key of '"'"'$H2'"'"' has CHANGED" &&
        assert_contains out "$T/changed_known_hosts" &&
        assert_contains out "node1 | SUCCESS" || exit 1
    done
'

expect_success 'unreachable address: Ansible-like message, exit 4' '
    printf "[x]\nghost ansible_host=%s ansible_user=root ansible_timeout=3\n" \
        "${H1%.*}.254" >"$T/ghost.ini" &&
    assert_exit 4 pot ping -i "$T/ghost.ini" >out &&
    assert_contains out "ghost | UNREACHABLE! =>" &&
    assert_contains out "Failed to connect to the host via ssh: ${H1%.*}.254 port 22"
'

expect_success 'SFTP put of a 50 MB file is atomic, sha256 matches, mode set; fetch round-trips' '
    head -c 50000000 /dev/urandom >"$T/big" && want=$(sha256sum <"$T/big" | cut -c1-64) &&
    head -c 1000 /dev/urandom >"$T/small" &&
    "$PROBE" --user root --key "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS" \
        "$H1" put "$T/small" /root/t3001.bin 0600 &&
    inv=$(inventory key.ini ansible_user=root "${KEYVARS[@]}") &&
    { pot exec -i "$inv" node1 -- "for i in \$(seq 400); do stat -c %s /root/t3001.bin; sleep 0.01; done | sort -u" >sizes & } &&
    sleep 0.3 &&
    "$PROBE" --user root --key "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS" \
        "$H1" put "$T/big" /root/t3001.bin 0640 &&
    wait &&
    pot exec -i "$inv" node1 -- "sha256sum /root/t3001.bin; stat -c %a /root/t3001.bin; ls -a /root | grep -c pot-tmp || true" >out &&
    assert_contains out "$want" && assert_contains out 640 && assert_eq 0 "$(tail -n 1 out)" &&
    sed 1d sizes | sort -u >seen && assert_eq "1000 50000000" "$(sort -n seen | tr "\n" " " | sed "s/ $//")" &&
    "$PROBE" --user root --key "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS" \
        "$H1" fetch /root/t3001.bin "$T/back" && cmp "$T/big" "$T/back"
'

expect_success 'put of unchanged content twice leaves the same file' '
    printf "same\n" >"$T/same" &&
    for i in 1 2; do "$PROBE" --user root --key "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS" \
        "$H2" put "$T/same" /root/t3001-same 0644 || exit 1; done &&
    inv=$(inventory key.ini ansible_user=root "${KEYVARS[@]}") &&
    pot exec -i "$inv" node2 -- "cat /root/t3001-same; ls -a /root | grep -c pot-tmp || true" >out &&
    assert_contains out same && assert_eq 0 "$(tail -n 1 out)"
'

expect_success 'put with become to a non-root user: owner is that user, temp files gone' '
    printf "owned by nobody\n" >"$T/nb" &&
    "$PROBE" --user pot --key "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS" \
        --become-user nobody --become-password-file "$SANDBOX_USER_PASSWORD_FILE" \
        "$H3" put "$T/nb" /tmp/t3001-nobody 0600 &&
    "$PROBE" --user pot --key "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS" \
        --become-user root --become-password-file "$SANDBOX_USER_PASSWORD_FILE" \
        "$H3" fetch /root/.bashrc "$T/bashrc" && test -s "$T/bashrc" &&
    inv=$(inventory key.ini ansible_user=root "${KEYVARS[@]}") &&
    pot exec -i "$inv" node3 -- "stat -c \"%U %a\" /tmp/t3001-nobody; ls -a /tmp | grep -c pot- || true" >out &&
    assert_contains out "nobody 600" && assert_eq 0 "$(tail -n 1 out)"
'

expect_success 'a host stopped during a parallel run ends UNREACHABLE, the others succeed' '
    inv=$(inventory key.ini ansible_user=root "${KEYVARS[@]}")
    { st=0; pot exec -i "$inv" -- "sleep 3; echo finished" >out || st=$?; echo $st >rc; } &
    sleep 1 && DK stop -t 1 pot-host2 >/dev/null && wait;
    DK start pot-host2 >/dev/null;
    for i in $(seq 30); do pot ping -i "$inv" node2 >/dev/null 2>&1 && break; sleep 1; done;
    assert_eq 4 "$(cat rc)" &&
    assert_contains out "node2 | UNREACHABLE! =>" &&
    assert_contains out "Failed to connect to the host via ssh" &&
    assert_eq 2 "$(grep -c "| CHANGED | rc=0 >>" out)" && assert_eq 2 "$(grep -c "^finished$" out)"
'

test_done
