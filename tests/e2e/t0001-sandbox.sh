#!/usr/bin/env bash
# t0001-sandbox.sh - tests/sandbox/sandbox.sh: a sandbox of its own (separate state dir, subnet and
# registry port) with 4 docker hosts that answer ssh by key and password as root and as the sudo
# user, each with its own hostname and filesystem; a registry; Debian ansible works with the
# inventory; 'up' is idempotent and repairs; 'down' leaves nothing. Then loopback mode, 2 hosts.
# shellcheck disable=SC2016,SC2317 # snippets are single-quoted on purpose and call the helpers
. "$(dirname "$0")/lib.sh"

SB=$TOP/tests/sandbox/sandbox.sh
DOCKER=/usr/bin/docker

# first_free_subnet: a 172.30.X.0/24 that no route but the default covers, from .98 down.
first_free_subnet() {
    local x
    for ((x = 98; x >= 80; x--)); do
        if ! ip -4 -o route show match "172.30.$x.1" | grep -qv '^default '; then
            echo "172.30.$x.0/24"
            return 0
        fi
    done
    return 1
}

# first_free_port FROM TO: a TCP port nothing listens on.
first_free_port() {
    local p
    for ((p = $1; p <= $2; p++)); do
        if [ -z "$(ss -Hltn "sport = :$p")" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# proc_alive PID: the process exists and is not a zombie.
proc_alive() { [ -n "$(tr -d '\0' 2>/dev/null <"/proc/$1/cmdline")" ]; }

# sb_env DIR: load the sandbox.env of the sandbox in DIR into this snippet.
sb_env() {
    # shellcheck disable=SC1091
    . "$1/sandbox.env"
}

# sb_ssh USER@IP CMD...: ssh by key, host key checked against the sandbox's known_hosts only.
sb_ssh() {
    ssh -F /dev/null -i "$SANDBOX_KEY" -p "$SANDBOX_SSH_PORT" -o BatchMode=yes \
        -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null \
        -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" -o ConnectTimeout=10 "$@"
}

# sb_ssh_pw PASSWORD_FILE USER@IP CMD...: ssh with a password only.
sb_ssh_pw() {
    local pwfile=$1
    shift
    sshpass -f "$pwfile" ssh -F /dev/null -p "$SANDBOX_SSH_PORT" -o PubkeyAuthentication=no \
        -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 \
        -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null \
        -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" -o ConnectTimeout=10 "$@"
}

# host_ip N: the IP of host N of the loaded sandbox.
host_ip() {
    # shellcheck disable=SC2086 # split the list of IPs
    set -- "$1" $SANDBOX_HOSTS && shift "$1" && echo "$1"
}

# sb_snapshot: what an idempotent 'up' must not change.
sb_snapshot() {
    DOCKER_HOST=$SANDBOX_DOCKER_HOST $DOCKER ps -q --no-trunc | sort
    cat "$SANDBOX_DIR/dockerd.pid" "$SANDBOX_DIR/registry.pid"
    (cd "$SANDBOX_DIR" && sha256sum sandbox.env inventory inventory-password known_hosts \
        id_ed25519 root.password pot.password && stat -c '%n %Y' sandbox.env inventory known_hosts)
}

stop_all() {
    local d
    for d in "$T/sb" "$T/lb"; do
        if [ -d "$d" ]; then
            POT_SANDBOX_DIR=$d "$SB" down >/dev/null 2>&1 || true
        fi
    done
}
trap 'stop_all; exit 130' INT TERM

SUBNET=$(first_free_subnet) || SUBNET=172.30.98.0/24
PORT=$(first_free_port 5180 5199) || PORT=5199
export POT_SANDBOX_DIR=$T/sb POT_SANDBOX_SUBNET=$SUBNET POT_SANDBOX_REGISTRY_PORT=$PORT
export ANSIBLE_SSH_ARGS='-o ControlMaster=no' ANSIBLE_HOST_KEY_CHECKING=True

expect_success 'up --hosts 4 starts a sandbox of its own and writes its files' '
    "$SB" up --hosts 4 2>up.log &&
    assert_exit 0 "$SB" status &&
    assert_eq "$POT_SANDBOX_DIR/sandbox.env" "$("$SB" env)" &&
    sb_env "$POT_SANDBOX_DIR" &&
    assert_eq docker "$SANDBOX_MODE" &&
    assert_eq "node1 node2 node3 node4" "$SANDBOX_NAMES" &&
    p=${SUBNET%.0/24} &&
    assert_eq "$p.11 $p.12 $p.13 $p.14" "$SANDBOX_HOSTS" &&
    assert_eq "127.0.0.1:$PORT" "$SANDBOX_REGISTRY" &&
    assert_eq "unix://$POT_SANDBOX_DIR/docker.sock" "$SANDBOX_DOCKER_HOST" &&
    for f in "$SANDBOX_KEY" "$SANDBOX_ROOT_PASSWORD_FILE" "$SANDBOX_USER_PASSWORD_FILE" \
        "$SANDBOX_PASSWORD_INVENTORY"; do
        assert_eq 600 "$(stat -c %a "$f")" "mode of $f" || exit 1
    done &&
    assert_eq 700 "$(stat -c %a "$SANDBOX_DIR")" &&
    assert_eq 4 "$(DOCKER_HOST=$SANDBOX_DOCKER_HOST $DOCKER ps -q | wc -l)"
'

expect_success 'the inventory puts node1 in installer, node2-4 in masters; no password in it' '
    sb_env "$POT_SANDBOX_DIR" &&
    sed -n "/^\[installer\]/,/^$/p" "$SANDBOX_INVENTORY" | grep -c ansible_host >n_inst &&
    sed -n "/^\[masters\]/,/^$/p" "$SANDBOX_INVENTORY" | grep -c ansible_host >n_masters &&
    assert_eq 1 "$(cat n_inst)" && assert_eq 3 "$(cat n_masters)" &&
    assert_contains "$SANDBOX_INVENTORY" "node1 ansible_host=$(host_ip 1)" &&
    assert_contains "$SANDBOX_INVENTORY" "ansible_ssh_private_key_file=$SANDBOX_KEY" &&
    for f in "$SANDBOX_ROOT_PASSWORD_FILE" "$SANDBOX_USER_PASSWORD_FILE"; do
        assert_not_contains "$SANDBOX_INVENTORY" "$(cat "$f")" &&
        assert_not_contains "$SANDBOX_DIR/sandbox.env" "$(cat "$f")" || exit 1
    done &&
    assert_contains "$SANDBOX_PASSWORD_INVENTORY" \
        "ansible_ssh_pass=$(cat "$SANDBOX_ROOT_PASSWORD_FILE")"
'

expect_success 'every host answers ssh by key as root, strict host key checking, own hostname' '
    sb_env "$POT_SANDBOX_DIR" &&
    for i in 1 2 3 4; do
        assert_eq "node$i 0" "$(sb_ssh "root@$(host_ip "$i")" "echo \$(hostname) \$(id -u)")" ||
            exit 1
    done
'

expect_success 'each host has host keys of its own, all in known_hosts' '
    sb_env "$POT_SANDBOX_DIR" &&
    awk "\$2 == \"ssh-ed25519\" { print \$3 }" "$SANDBOX_KNOWN_HOSTS" | sort -u >ed25519 &&
    assert_eq 4 "$(wc -l <ed25519)" &&
    for ip in $SANDBOX_HOSTS; do
        assert_eq 3 "$(awk -v h="$ip" "\$1 == h" "$SANDBOX_KNOWN_HOSTS" | wc -l)" "keys of $ip" ||
            exit 1
    done
'

expect_success 'root logs in with its password on every host' '
    sb_env "$POT_SANDBOX_DIR" &&
    for ip in $SANDBOX_HOSTS; do
        assert_eq 0 "$(sb_ssh_pw "$SANDBOX_ROOT_PASSWORD_FILE" "root@$ip" id -u)" || exit 1
    done
'

expect_success 'a wrong password is refused' '
    sb_env "$POT_SANDBOX_DIR" &&
    echo not-the-password >wrong.pw &&
    ! sb_ssh_pw wrong.pw "root@$(host_ip 1)" true
'

expect_success 'user pot logs in by key and by password; sudo -S wants its password' '
    sb_env "$POT_SANDBOX_DIR" &&
    for ip in $SANDBOX_HOSTS; do
        assert_eq 0 "$(sb_ssh "pot@$ip" "sudo -S -p \"\" id -u" <"$SANDBOX_USER_PASSWORD_FILE")" &&
        assert_eq pot "$(sb_ssh_pw "$SANDBOX_USER_PASSWORD_FILE" "pot@$ip" id -un)" || exit 1
    done &&
    ip=$(host_ip 2) &&
    assert_exit 1 sb_ssh "pot@$ip" "sudo -n true" &&
    echo wrong | assert_exit 1 sb_ssh "pot@$ip" "sudo -S -p \"\" true"
'

expect_success 'each host has a filesystem of its own' '
    sb_env "$POT_SANDBOX_DIR" &&
    sb_ssh "root@$(host_ip 1)" "echo t0001 >/root/t0001-marker" &&
    assert_eq t0001 "$(sb_ssh "root@$(host_ip 1)" cat /root/t0001-marker)" &&
    for i in 2 3 4; do
        assert_exit 1 sb_ssh "root@$(host_ip "$i")" "test -e /root/t0001-marker" || exit 1
    done
'

expect_success 'hosts reach each other by name; nothing is routed beyond this machine' '
    sb_env "$POT_SANDBOX_DIR" &&
    sb_ssh "root@$(host_ip 1)" "ping -c1 -W2 node4" >ping.out &&
    assert_contains ping.out "1 received" &&
    bridge=$(ip -4 -o route show exact "$SUBNET" | awk "{ print \$3 }") &&
    assert_eq 0 "$(cat "/proc/sys/net/ipv4/conf/$bridge/forwarding")" "forwarding on $bridge"
'

expect_success 'the registry answers the v2 API' '
    sb_env "$POT_SANDBOX_DIR" &&
    curl -fsS "http://$SANDBOX_REGISTRY/v2/" >v2.json &&
    curl -fsS "http://$SANDBOX_REGISTRY/v2/_catalog" >catalog.json &&
    assert_contains catalog.json "\"repositories\":[]"
'

expect_success 'Debian ansible works with the inventory and with the password inventory' '
    sb_env "$POT_SANDBOX_DIR" &&
    /usr/bin/ansible -i "$SANDBOX_INVENTORY" all -m ping -o >ping.txt &&
    assert_eq 4 "$(grep -c "SUCCESS" ping.txt)" &&
    /usr/bin/ansible -i "$SANDBOX_PASSWORD_INVENTORY" masters -m command -a hostname -o >pw.txt &&
    assert_contains pw.txt "node3 | CHANGED | rc=0 | (stdout) node3" &&
    assert_not_contains pw.txt node1
'

expect_success 'up again changes nothing and is quick' '
    sb_env "$POT_SANDBOX_DIR" &&
    sb_snapshot >before &&
    start=$SECONDS &&
    "$SB" up --hosts 4 2>again.log &&
    assert_eq 0 "$(( SECONDS - start > 15 ))" "second up took $(( SECONDS - start ))s" &&
    sb_snapshot >after &&
    diff before after &&
    assert_not_contains again.log "creating" &&
    assert_not_contains again.log "starting"
'

expect_success 'up repairs a removed host and a stopped registry' '
    sb_env "$POT_SANDBOX_DIR" &&
    DOCKER_HOST=$SANDBOX_DOCKER_HOST $DOCKER rm -f pot-host3 >/dev/null &&
    kill "$(cat "$SANDBOX_DIR/registry.pid")" &&
    sleep 0.5 &&
    assert_exit 1 "$SB" status &&
    assert_exit 1 "$SB" env &&
    "$SB" up 2>repair.log &&
    assert_contains repair.log "creating host node3" &&
    assert_exit 0 "$SB" status &&
    assert_eq "node3 0" "$(sb_ssh "root@$(host_ip 3)" "echo \$(hostname) \$(id -u)")" &&
    assert_eq 0 "$(sb_ssh_pw "$SANDBOX_ROOT_PASSWORD_FILE" "root@$(host_ip 3)" id -u)" &&
    curl -fsS -o /dev/null "http://$SANDBOX_REGISTRY/v2/"
'

expect_success 'down leaves nothing behind' '
    sb_env "$POT_SANDBOX_DIR" &&
    dockerd_pid=$(cat "$SANDBOX_DIR/dockerd.pid") &&
    registry_pid=$(cat "$SANDBOX_DIR/registry.pid") &&
    exec_root=$(tr "\0" "\n" <"/proc/$dockerd_pid/cmdline" | sed -n "/^--exec-root$/{n;p}") &&
    test -d "$exec_root" &&
    bridge=$(ip -4 -o route show exact "$SUBNET" | awk "{ print \$3 }") &&
    test -n "$bridge" &&
    "$SB" down 2>down.log &&
    assert_exit 1 proc_alive "$dockerd_pid" &&
    assert_exit 1 proc_alive "$registry_pid" &&
    assert_exit 1 test -e "$SANDBOX_DIR" &&
    assert_exit 1 test -e "$exec_root" &&
    assert_exit 1 ip link show "$bridge" &&
    assert_eq "" "$(ip -4 -o route show exact "$SUBNET")" "route to $SUBNET" &&
    assert_eq "" "$(ss -Hltn "sport = :$PORT")" "listener on $PORT" &&
    assert_eq "" "$(awk -v d="$SANDBOX_DIR" "index(\$2, d) == 1" /proc/mounts)" "mounts" &&
    assert_exit 3 "$SB" status &&
    assert_exit 1 "$SB" env
'

expect_success 'loopback mode: 2 sshds on 127.0.1.1-2 answer by key, then go away' '
    export POT_SANDBOX_DIR=$T/lb &&
    "$SB" up --mode loopback --hosts 2 2>lb.log &&
    assert_exit 0 "$SB" status &&
    sb_env "$POT_SANDBOX_DIR" &&
    assert_eq loopback "$SANDBOX_MODE" &&
    assert_eq "127.0.1.1 127.0.1.2" "$SANDBOX_HOSTS" &&
    assert_eq "" "$SANDBOX_DOCKER_HOST" &&
    for ip in $SANDBOX_HOSTS; do
        sb_ssh "root@$ip" "echo \$SSH_CONNECTION" >conn &&
        assert_eq "$ip $SANDBOX_SSH_PORT" "$(awk "{ print \$3, \$4 }" conn)" || exit 1
    done &&
    curl -fsS -o /dev/null "http://$SANDBOX_REGISTRY/v2/" &&
    pids=$(cat "$SANDBOX_DIR"/sshd1/sshd.ourpid "$SANDBOX_DIR"/sshd2/sshd.ourpid) &&
    "$SB" up 2>lb-again.log &&
    assert_not_contains lb-again.log starting &&
    "$SB" down 2>lb-down.log &&
    for pid in $pids; do
        assert_exit 1 proc_alive "$pid" || exit 1
    done &&
    assert_exit 1 test -e "$SANDBOX_DIR" &&
    assert_exit 1 timeout 2 bash -c "exec 3<>/dev/tcp/127.0.1.1/$SANDBOX_SSH_PORT" &&
    assert_exit 3 "$SB" status
'

stop_all
test_done
