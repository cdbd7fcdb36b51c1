#!/usr/bin/env bash
# sandbox.sh - a sandbox of real components for pot's tests: N Debian hosts reachable over ssh and
# a local Docker registry, plus the inventory, key, known_hosts and env file tests use them with.
#
#   sandbox.sh up [--hosts N] [--mode docker|loopback]   start or repair the sandbox (idempotent)
#   sandbox.sh down                                       stop and remove everything it started
#   sandbox.sh status                                     exit 0 fully up, 3 down, 1 partly up
#   sandbox.sh env                                        print the path of sandbox.env (if up)
#   sandbox.sh old-root                                   print the tag of an image, in the
#                                                         sandbox dockerd, of the oldest Debian
#                                                         release the mirror serves (minbase)
#
# docker mode (default): a private dockerd (vfs, no iptables, own socket/data-root/exec-root) runs
#   N privileged containers pot-host1..N (hostnames node1..N) from a Debian bookworm image built
#   once with debootstrap and cached in $POT_SANDBOX_CACHE. They sit on their own bridge network
#   ($POT_SANDBOX_SUBNET, default 172.30.99.0/24; host i has .(10+i)), and the bridge does not
#   forward, so hosts reach only each other and this machine. Each runs sshd with its own host keys;
#   root and the sudo user 'pot' accept the sandbox key and their own password.
#   Where this machine's capability bounding set is not complete (runc then refuses --privileged),
#   they get every capability it has, no seccomp/apparmor/masked paths and all devices instead.
# loopback mode: N plain sshd processes on 127.0.1.1..N (port 22, or the first free port from 2222
#   when something already listens on 22), key login as root only (the password files are not
#   used), same filesystem, no dockerd; for speed benchmarks.
# Both modes start Debian's docker-registry on 127.0.0.1 ($POT_SANDBOX_REGISTRY_PORT, else the
# first free port from 5000).
#
# Inventory groups: installer = node1; masters = node2..node4 (node1 when there is only one host);
# workers = node5 and up. Everything lives in $POT_SANDBOX_DIR (default tests/sandbox/.state);
# options not given to 'up' keep the values of the running sandbox; a different --hosts recreates
# the hosts, a different --mode takes the sandbox down first. Passwords are only in the 0600 files
# root.password, pot.password and inventory-password, never in sandbox.env or inventory.
# One 'up' or 'down' at a time per state dir; different state dirs (with different subnets) may
# run side by side and share the image cache.
set -euo pipefail

readonly IMAGE_VERSION=bookworm-1
readonly IMAGE_TAG=pot-sandbox/host:$IMAGE_VERSION
readonly HOST_PACKAGES=(openssh-server sudo python3 iproute2 lvm2 procps iputils-ping
    ca-certificates curl kmod iptables xfsprogs fdisk less netbase)
readonly HOST_USER=pot
readonly NETWORK=pot-sandbox
readonly DOCKER_BIN=/usr/bin/docker
readonly DEFAULT_HOSTS=4
readonly DEFAULT_SUBNET=172.30.99.0/24
readonly MAX_HOSTS=100
# Capability names by number, to say which ones this machine's bounding set lacks.
readonly CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
    LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
    SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
    SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
    WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=$(realpath -m "${POT_SANDBOX_DIR:-$TOP/tests/sandbox/.state}")
CACHE=$(realpath -m "${POT_SANDBOX_CACHE:-/var/cache/pot-sandbox}")
ID=$(printf '%s' "$STATE" | sha256sum | cut -c1-8)
EXEC_ROOT=/run/pot-sb-$ID
BRIDGE=pot-sb-$ID
SOCK=$STATE/docker.sock

# Settings of this run, filled by load_conf and choose_settings.
MODE="" HOSTS="" SUBNET="" REG_PORT="" SSH_PORT=""
RECONFIGURE=0

log() { printf 'sandbox: %s\n' "$*" >&2; }
die() {
    printf 'sandbox: %s\n' "$*" >&2
    exit 1
}

dk() { env -u DOCKER_HOST -u DOCKER_CONTEXT "$DOCKER_BIN" --host "unix://$SOCK" "$@"; }

# ---------------------------------------------------------------------------------------------
# Small helpers: processes, files, ports

# pid_of FILE PATTERN: print the pid recorded in FILE if that process is alive and its command
# line contains PATTERN (so a recycled pid is never mistaken for ours).
pid_of() {
    local file=$1 pattern=$2 pid
    [ -f "$file" ] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    pid_matches "$pid" "$pattern" || return 1
    printf '%s\n' "$pid"
}

pid_matches() {
    local cmd
    # A zombie (dead, not yet reaped) has an empty command line, so it counts as gone.
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
    [[ $cmd == *"$2"* ]]
}

# stop_recorded FILE PATTERN NAME: SIGTERM the recorded process, wait up to 30s, then SIGKILL.
stop_recorded() {
    local file=$1 pattern=$2 name=$3 pid i
    if pid=$(pid_of "$file" "$pattern"); then
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 300; i++)); do
            pid_matches "$pid" "$pattern" || break
            sleep 0.1
        done
        if pid_matches "$pid" "$pattern"; then
            log "$name (pid $pid) ignored SIGTERM for 30s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
        fi
    fi
    rm -f "$file"
}

# start_daemon NAME LOGFILE CMD...: run CMD in a session of its own, detached from our stdio;
# print its pid.
start_daemon() {
    local name=$1 logfile=$2 pid
    shift 2
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
    pid=$!
    sleep 0.2
    if ! pid_matches "$pid" "$1"; then
        log "$name exited at once; last lines of $logfile:"
        tail -n 20 "$logfile" >&2
        return 1
    fi
    printf '%s\n' "$pid"
}

# write_file FILE MODE: write stdin to FILE only when the content differs (keeps 'up' a no-op).
write_file() {
    local file=$1 mode=$2 tmp
    tmp=$(mktemp "$file.XXXXXX")
    cat >"$tmp"
    chmod "$mode" "$tmp"
    if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
        chmod "$mode" "$file"
    else
        mv -f "$tmp" "$file"
    fi
}

port_busy() { [ -n "$(ss -Hltn "sport = :$1")" ]; }

# ssh_answers IP PORT: sshd at IP:PORT sends its banner within 2 seconds. Only probes addresses
# on this machine or on our own bridge, so a missing bridge never sends a packet elsewhere.
ssh_answers() {
    local banner route
    route=$(ip -4 -o route get "$1" 2>/dev/null) || return 1
    if [[ $route != local\ * ]] && [[ $route != *" dev $BRIDGE "* ]]; then
        return 1
    fi
    # shellcheck disable=SC2016 # expanded by the inner bash
    banner=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" && head -c 4 <&3' "$1" "$2" 2>/dev/null) ||
        return 1
    [ "$banner" = "SSH-" ]
}

shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

host_ip() {
    if [ "$MODE" = loopback ]; then
        printf '127.0.1.%s\n' "$1"
    else
        printf '%s.%s\n' "${SUBNET%.0/24}" "$((10 + $1))"
    fi
}

# ---------------------------------------------------------------------------------------------
# Settings: what was recorded by the last 'up', what this run asks for

load_conf() {
    local k v
    [ -f "$STATE/sandbox.conf" ] || return 0
    while IFS='=' read -r k v; do
        case $k in
        mode) MODE=$v ;;
        hosts) HOSTS=$v ;;
        subnet) SUBNET=$v ;;
        registry_port) REG_PORT=$v ;;
        ssh_port) SSH_PORT=$v ;;
        esac
    done <"$STATE/sandbox.conf"
}

save_conf() {
    printf 'mode=%s\nhosts=%s\nsubnet=%s\nregistry_port=%s\nssh_port=%s\n' \
        "$MODE" "$HOSTS" "$SUBNET" "$REG_PORT" "$SSH_PORT" | write_file "$STATE/sandbox.conf" 0600
}

free_registry_port() {
    local p
    for ((p = 5000; p < 5100; p++)); do
        if ! port_busy "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    die "no free port in 5000-5099 for the registry; set POT_SANDBOX_REGISTRY_PORT"
}

# free_ssh_port: 22 when nothing listens on it, else the first free port from 2222 (another
# sandbox in loopback mode, or this machine's own sshd, may hold 22).
free_ssh_port() {
    local p
    if ! port_busy 22; then
        echo 22
        return 0
    fi
    for ((p = 2222; p < 2300; p++)); do
        if ! port_busy "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    die "no free port for the loopback sshds (tried 22 and 2222-2299)"
}

# choose_settings WANT_MODE WANT_HOSTS: options beat environment, which beats the recorded values,
# which beat the defaults.
choose_settings() {
    local want_mode=$1 want_hosts=$2
    MODE=${want_mode:-${MODE:-docker}}
    HOSTS=${want_hosts:-${HOSTS:-$DEFAULT_HOSTS}}
    SUBNET=${POT_SANDBOX_SUBNET:-${SUBNET:-$DEFAULT_SUBNET}}
    REG_PORT=${POT_SANDBOX_REGISTRY_PORT:-$REG_PORT}
    case $MODE in
    docker | loopback) ;;
    *) die "unknown mode '$MODE' (expected docker or loopback)" ;;
    esac
    if ! [[ $HOSTS =~ ^[0-9]+$ ]] || [ "$HOSTS" -lt 1 ] || [ "$HOSTS" -gt $MAX_HOSTS ]; then
        die "--hosts must be a number from 1 to $MAX_HOSTS, got '$HOSTS'"
    fi
    HOSTS=$((10#$HOSTS))
    if ! [[ $SUBNET =~ ^([0-9]{1,3}\.){3}0/24$ ]]; then
        die "POT_SANDBOX_SUBNET must be an IPv4 /24 ending in .0/24, got '$SUBNET'"
    fi
    if [ -n "$REG_PORT" ] && ! [[ $REG_PORT =~ ^[0-9]+$ ]]; then
        die "POT_SANDBOX_REGISTRY_PORT must be a port number, got '$REG_PORT'"
    fi
    if [ "$MODE" = docker ]; then
        SSH_PORT=22
        check_subnet_free
    elif [ -z "$SSH_PORT" ] || ! loopback_sshd_running; then
        # Our own sshds hold the port once running; only choose while none is.
        SSH_PORT=$(free_ssh_port)
    fi
}

# check_subnet_free: no route but the default one and our own bridge's covers SUBNET.
check_subnet_free() {
    local other
    other=$(ip -4 -o route show match "${SUBNET%.0/24}.1" 2>/dev/null |
        grep -v -e '^default ' -e " dev $BRIDGE ") || other=""
    if [ -n "$other" ]; then
        die "subnet $SUBNET is already in use on this machine ($other); set POT_SANDBOX_SUBNET"
    fi
}

check_paths() {
    [[ $STATE != *[[:space:]]* ]] || die "state dir '$STATE' must not contain spaces"
    if [ ${#SOCK} -gt 100 ]; then
        die "state dir '$STATE' is too long for a unix socket path; set POT_SANDBOX_DIR shorter"
    fi
    [ "$(id -u)" -eq 0 ] || die "must run as root (dockerd, debootstrap, sshd)"
    case $STATE in
    / | /tmp | /run | /var | /root | /home | "$TOP" | "$TOP/tests" | "$TOP/tests/sandbox")
        die "refusing '$STATE' as state dir: 'down' removes it" ;;
    esac
    # 'down' removes the whole state dir, so only take one that is new, empty or ours.
    if [ -d "$STATE" ] && [ ! -f "$STATE/sandbox.conf" ] && [ -n "$(ls -A "$STATE")" ]; then
        die "'$STATE' is not empty and not a sandbox state dir; choose another POT_SANDBOX_DIR"
    fi
}

# ---------------------------------------------------------------------------------------------
# Secrets: the sandbox key and the two passwords, generated once per sandbox

gen_password() {
    local pw
    pw=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24) || true
    [ ${#pw} -ge 16 ] || die "could not generate a password"
    printf '%s\n' "$pw"
}

ensure_secrets() {
    local f
    (
        umask 077
        if [ ! -f "$STATE/id_ed25519" ] || [ ! -f "$STATE/id_ed25519.pub" ]; then
            rm -f "$STATE/id_ed25519" "$STATE/id_ed25519.pub"
            ssh-keygen -q -t ed25519 -N '' -C pot-sandbox -f "$STATE/id_ed25519"
            touch "$STATE/.reconfigure"
        fi
        for f in root.password "$HOST_USER.password"; do
            if [ ! -s "$STATE/$f" ]; then
                gen_password >"$STATE/$f"
                touch "$STATE/.reconfigure"
            fi
        done
    )
    chmod 0600 "$STATE/id_ed25519" "$STATE/root.password" "$STATE/$HOST_USER.password"
    if [ -f "$STATE/.reconfigure" ]; then
        RECONFIGURE=1
    fi
}

# ---------------------------------------------------------------------------------------------
# Registry

registry_up() {
    pid_of "$STATE/registry.pid" "$STATE/registry.yml" >/dev/null &&
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$REG_PORT/v2/" 2>/dev/null
}

ensure_registry() {
    local i pid
    if [ -n "$REG_PORT" ] && registry_up; then
        return 0
    fi
    stop_recorded "$STATE/registry.pid" "$STATE/registry.yml" registry
    if [ -n "$REG_PORT" ] && port_busy "$REG_PORT"; then
        if [ -n "${POT_SANDBOX_REGISTRY_PORT:-}" ]; then
            die "registry port $REG_PORT is taken by another process; set POT_SANDBOX_REGISTRY_PORT"
        fi
        log "registry port $REG_PORT is taken by another process now; choosing another"
        REG_PORT=""
    fi
    if [ -z "$REG_PORT" ]; then
        REG_PORT=$(free_registry_port)
    fi
    save_conf
    mkdir -p "$STATE/registry"
    write_file "$STATE/registry.yml" 0644 <<EOF
# docker-registry config written by tests/sandbox/sandbox.sh
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REG_PORT
EOF
    log "starting registry on 127.0.0.1:$REG_PORT"
    pid=$(start_daemon registry "$STATE/registry.log" \
        /usr/bin/docker-registry serve "$STATE/registry.yml") || die "registry did not start"
    printf '%s\n' "$pid" >"$STATE/registry.pid"
    for ((i = 0; i < 100; i++)); do
        registry_up && return 0
        pid_matches "$pid" "$STATE/registry.yml" || break
        sleep 0.1
    done
    log "registry does not answer on 127.0.0.1:$REG_PORT; last lines of its log:"
    tail -n 20 "$STATE/registry.log" >&2
    die "registry did not start"
}

# ---------------------------------------------------------------------------------------------
# dockerd

dockerd_up() {
    pid_of "$STATE/dockerd.pid" "$SOCK" >/dev/null && dk version >/dev/null 2>&1
}

ensure_dockerd() {
    local i pid
    dockerd_up && return 0
    stop_recorded "$STATE/dockerd.pid" "$SOCK" dockerd
    stop_containerd
    # A dead dockerd's pidfile would stop the new one (it counts an unreaped zombie as running).
    rm -f "$EXEC_ROOT/dockerd.pid"
    log "starting dockerd (data root $STATE/docker)"
    mkdir -p "$STATE/docker"
    pid=$(start_daemon dockerd "$STATE/dockerd.log" /usr/sbin/dockerd \
        --storage-driver=vfs --iptables=false --ip-masq=false --ip-forward=false \
        --bridge=none --userland-proxy=false --log-level=warn \
        --host "unix://$SOCK" --data-root "$STATE/docker" --exec-root "$EXEC_ROOT" \
        --pidfile "$EXEC_ROOT/dockerd.pid" \
        --containerd-namespace "pot-sb-$ID" --containerd-plugins-namespace "pot-sb-$ID-plugins") ||
        die "dockerd did not start"
    printf '%s\n' "$pid" >"$STATE/dockerd.pid"
    for ((i = 0; i < 600; i++)); do
        dk version >/dev/null 2>&1 && return 0
        pid_matches "$pid" "$SOCK" || break
        sleep 0.1
    done
    log "dockerd does not answer on $SOCK; last lines of $STATE/dockerd.log:"
    tail -n 30 "$STATE/dockerd.log" >&2
    die "dockerd did not start"
}

# The containerd that dockerd supervises; normally dockerd stops it, this is for a killed dockerd.
stop_containerd() {
    stop_recorded "$EXEC_ROOT/containerd/containerd.pid" "$EXEC_ROOT/containerd" containerd
}

# ---------------------------------------------------------------------------------------------
# Host image: debootstrap once into the cache, import into the sandbox dockerd

# debian_mirror: the first bookworm mirror in this machine's apt sources.
debian_mirror() {
    local f uri=""
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
            {
                types = ""; uris = ""; suites = ""
                for (i = 1; i <= NF; i++) {
                    l = $i
                    if (l ~ /^#/) continue
                    if (sub(/^Types:[ \t]*/, "", l)) types = l
                    else if (sub(/^URIs:[ \t]*/, "", l)) uris = l
                    else if (sub(/^Suites:[ \t]*/, "", l)) suites = l
                }
                if ((" " types " ") ~ / deb / && (" " suites " ") ~ / bookworm /) {
                    split(uris, u, /[ \t]+/); print u[1]; exit
                }
            }' "$f")
        [ -n "$uri" ] && break
    done
    if [ -z "$uri" ]; then
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            uri=$(awk '$1 == "deb" {
                    i = 2
                    if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == "bookworm") { print $i; exit }
                }' "$f")
            [ -n "$uri" ] && break
        done
    fi
    [ -n "$uri" ] || die "no 'bookworm' Debian mirror found in /etc/apt/sources.list{,.d/}"
    printf '%s\n' "$uri"
}

# unmount_under DIR: unmount DIR and everything mounted below it, deepest first (dockerd turns its
# data root into a mount point of its own).
unmount_under() {
    local dir=$1 m
    awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do
            umount -l "$m" 2>/dev/null || true
        done
}

remove_tree() {
    [ -e "$1" ] || return 0
    unmount_under "$1"
    rm -rf --one-file-system "$1"
}

configure_rootfs() {
    local root=$1
    chroot "$root" useradd --create-home --shell /bin/bash --groups sudo "$HOST_USER"
    cat >"$root/etc/ssh/sshd_config.d/pot-sandbox.conf" <<'EOF'
# pot sandbox host: root and pot log in with the sandbox key or their password
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UseDNS no
EOF
    # No audit loginuid inside a container; do not fail sessions over it.
    sed -i 's/^session\s\+required\s\+pam_loginuid\.so/session optional pam_loginuid.so/' \
        "$root/etc/pam.d/sshd"
    cat >"$root/usr/local/sbin/pot-sandbox-init" <<'EOF'
#!/bin/sh
# pot-sandbox-init - main process of a pot sandbox host: host keys of its own, then sshd.
set -e
mkdir -p /run/sshd
chmod 0755 /run/sshd
ssh-keygen -A
exec /usr/sbin/sshd -D -e
EOF
    chmod 0755 "$root/usr/local/sbin/pot-sandbox-init"
    cat >"$root/etc/dpkg/dpkg.cfg.d/pot-sandbox-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
    rm -f "$root"/etc/ssh/ssh_host_*
    rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
    if [ -d "$root/usr/share/locale" ]; then
        find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    fi
    rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
        "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/tmp/* "$root"/root/.bash_history
    : >"$root/etc/machine-id"
}

# run_debootstrap ROOT MIRROR LOG: one attempt; debs are kept in $CACHE/debs for the next build.
run_debootstrap() {
    local root=$1 mirror=$2 logfile=$3 include
    include=$(
        IFS=,
        printf '%s' "${HOST_PACKAGES[*]}"
    )
    mkdir -p "$CACHE/debs"
    debootstrap --variant=minbase --components=main --include="$include" \
        --cache-dir="$CACHE/debs" bookworm "$root" "$mirror" >>"$logfile" 2>&1
}

build_host_image() {
    local tarball=$1 mirror work attempt old
    mirror=$(debian_mirror)
    for old in "$CACHE"/build.*; do
        remove_tree "$old" # left by an interrupted build; we hold the lock
    done
    work=$(mktemp -d "$CACHE/build.XXXXXX")
    log "building host image $IMAGE_VERSION from $mirror (first time, a few minutes)"
    for attempt in 1 2; do
        if run_debootstrap "$work/rootfs" "$mirror" "$work/debootstrap.log"; then
            break
        fi
        remove_tree "$work/rootfs"
        if [ "$attempt" = 2 ]; then
            log "debootstrap failed twice; last lines of its log:"
            tail -n 25 "$work/debootstrap.log" >&2
            remove_tree "$work"
            die "host image build failed"
        fi
        log "debootstrap failed, retrying once"
    done
    unmount_under "$work/rootfs"
    configure_rootfs "$work/rootfs"
    tar --numeric-owner --xattrs --xattrs-include='security.capability' -C "$work/rootfs" \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$work/host.tar" .
    mv -f "$work/host.tar" "$tarball"
    remove_tree "$work"
    log "host image cached in $tarball ($(du -h "$tarball" | cut -f1))"
}

ensure_image() {
    local tarball=$CACHE/host-$IMAGE_VERSION.tar
    dk image inspect "$IMAGE_TAG" >/dev/null 2>&1 && return 0
    if [ ! -f "$tarball" ]; then
        mkdir -p "$CACHE"
        (
            flock 9
            [ -f "$tarball" ] || build_host_image "$tarball"
        ) 9>"$CACHE/.lock"
    fi
    log "importing host image $IMAGE_TAG"
    dk import --change 'CMD ["/usr/local/sbin/pot-sandbox-init"]' \
        "$tarball" "$IMAGE_TAG" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Network and host containers

network_subnet() {
    dk network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$NETWORK" 2>/dev/null
}

ensure_network() {
    local have other
    have=$(network_subnet) || have=""
    if [ -n "$have" ] && [ "$have" != "$SUBNET" ]; then
        log "subnet changes from $have to $SUBNET: recreating network and hosts"
        remove_containers 0
        dk network rm "$NETWORK" >/dev/null
        have=""
    fi
    if [ -z "$have" ]; then
        if ip link show "$BRIDGE" >/dev/null 2>&1; then
            ip link delete "$BRIDGE" # ours, left by a dockerd that died
        fi
        check_subnet_free
        log "creating network $NETWORK $SUBNET (bridge $BRIDGE)"
        dk network create --driver bridge --subnet "$SUBNET" --gateway "${SUBNET%.0/24}.1" \
            -o "com.docker.network.bridge.name=$BRIDGE" --label pot.sandbox=1 "$NETWORK" >/dev/null
    fi
    # Hosts may talk to each other and to this machine, but nothing is routed beyond it.
    if [ "$(cat "/proc/sys/net/ipv4/conf/$BRIDGE/forwarding")" != 0 ]; then
        echo 0 >"/proc/sys/net/ipv4/conf/$BRIDGE/forwarding"
    fi
}

# remove_containers KEEP: remove sandbox containers whose index is above KEEP (0 = all), in one
# call (the client removes them in parallel).
remove_containers() {
    local keep=$1 name idx doomed=()
    while read -r name idx; do
        if [ -n "$name" ] && [ "$idx" -gt "$keep" ]; then
            doomed+=("$name")
        fi
    done < <(dk ps -a --filter label=pot.sandbox.index \
        --format '{{.Names}} {{.Label "pot.sandbox.index"}}')
    if [ ${#doomed[@]} -gt 0 ]; then
        log "removing ${doomed[*]}"
        dk rm -f "${doomed[@]}" >/dev/null
    fi
}

# host_labels I: the labels a correct container for host I carries; any difference means recreate.
host_labels() {
    printf 'index=%s ip=%s image=%s hosts=%s' "$1" "$(host_ip "$1")" "$IMAGE_TAG" "$HOSTS"
}

# privilege_args: --privileged when this machine may grant every capability; otherwise (e.g. a VM
# whose bounding set lacks SYS_RESOURCE, where runc refuses --privileged) the nearest thing: all
# capabilities it has, no seccomp/apparmor/masked paths, every device allowed.
privilege_args() {
    local bnd last bit args=()
    bnd=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
    last=$(cat /proc/sys/kernel/cap_last_cap)
    for ((bit = 0; bit <= last && bit < ${#CAP_NAMES[@]}; bit++)); do
        if (((bnd >> bit) & 1)); then
            continue
        fi
        args+=(--cap-drop "${CAP_NAMES[bit]}")
    done
    if [ ${#args[@]} -eq 0 ]; then
        printf '%s\n' --privileged
        return 0
    fi
    printf '%s\n' --cap-add ALL "${args[@]}" --security-opt seccomp=unconfined \
        --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
        --device-cgroup-rule 'a *:* rwm'
}

create_host() {
    local i=$1 j args=() priv=() out
    mapfile -t priv < <(privilege_args)
    for ((j = 1; j <= HOSTS; j++)); do
        args+=(--add-host "node$j:$(host_ip "$j")")
    done
    log "creating host node$i ($(host_ip "$i"))"
    if ! out=$(dk run -d --name "pot-host$i" --hostname "node$i" --init "${priv[@]}" \
        --network "$NETWORK" --ip "$(host_ip "$i")" --dns 127.0.0.1 "${args[@]}" \
        --label pot.sandbox=1 --label "pot.sandbox.index=$i" \
        --label "pot.sandbox.spec=$(host_labels "$i")" "$IMAGE_TAG" 2>&1); then
        printf '%s\n' "$out" >&2
        die "could not start container pot-host$i"
    fi
}

# configure_host I: authorized key and passwords; secrets go over stdin, never argv.
configure_host() {
    local i=$1
    # shellcheck disable=SC2016
    {
        cat "$STATE/id_ed25519.pub"
        cat "$STATE/root.password"
        cat "$STATE/$HOST_USER.password"
    } | dk exec -i "pot-host$i" sh -c '
        set -e
        IFS= read -r key; IFS= read -r rootpw; IFS= read -r userpw
        for home in /root "/home/$0"; do
            mkdir -p "$home/.ssh"
            chmod 0700 "$home/.ssh"
            printf "%s\n" "$key" >"$home/.ssh/authorized_keys"
            chmod 0600 "$home/.ssh/authorized_keys"
        done
        chown -R "$0:$0" "/home/$0/.ssh"
        printf "root:%s\n%s:%s\n" "$rootpw" "$0" "$userpw" | chpasswd
    ' "$HOST_USER"
}

# create_hosts I...: create and configure hosts in parallel (vfs copies the image for each).
create_hosts() {
    local i pids=() failed=0
    for i in "$@"; do
        (create_host "$i" && configure_host "$i") &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || failed=1
    done
    [ "$failed" = 0 ] || die "could not create all hosts"
}

ensure_hosts() {
    local i spec state create=()
    remove_containers "$HOSTS"
    for ((i = 1; i <= HOSTS; i++)); do
        spec=$(dk inspect -f '{{index .Config.Labels "pot.sandbox.spec"}} {{.State.Running}}' \
            "pot-host$i" 2>/dev/null) || spec=""
        state=${spec##* }
        spec=${spec% *}
        if [ -n "$spec" ] && [ "$spec" != "$(host_labels "$i")" ]; then
            log "node$i does not match the wanted setup: recreating it"
            dk rm -f "pot-host$i" >/dev/null
            spec=""
        fi
        if [ -z "$spec" ]; then
            create+=("$i")
            continue
        fi
        if [ "$state" != true ]; then
            log "starting stopped host node$i"
            dk start "pot-host$i" >/dev/null
        fi
        if [ "$RECONFIGURE" = 1 ]; then
            configure_host "$i"
        fi
    done
    if [ ${#create[@]} -gt 0 ]; then
        create_hosts "${create[@]}"
    fi
}

# ---------------------------------------------------------------------------------------------
# loopback mode: plain sshd processes on 127.0.1.N

loopback_sshd_running() {
    local d
    for d in "$STATE"/sshd*/; do
        [ -d "$d" ] || continue
        d=${d%/}
        pid_of "$d/sshd.ourpid" "$d/sshd_config" >/dev/null && return 0
    done
    return 1
}

stop_loopback_sshds() {
    local keep=$1 d n
    for d in "$STATE"/sshd*/; do
        [ -d "$d" ] || continue
        d=${d%/}
        n=${d##*/sshd}
        [[ $n =~ ^[0-9]+$ ]] && [ "$n" -le "$keep" ] && continue
        stop_sshd_tree "$d" "node$n"
        rm -rf "$d"
    done
}

# stop_sshd_tree DIR NAME: stop the listener, then the per-connection sshd processes it had
# forked (found by parent pid before it goes), which end their sessions with them.
stop_sshd_tree() {
    local d=$1 name=$2 pid child children=()
    if pid=$(pid_of "$d/sshd.ourpid" "$d/sshd_config"); then
        mapfile -t children < <(ps -o pid= --ppid "$pid" | tr -d ' ')
    fi
    stop_recorded "$d/sshd.ourpid" "$d/sshd_config" "sshd $name"
    for child in "${children[@]}"; do
        if pid_matches "$child" "sshd:"; then
            kill -TERM "$child" 2>/dev/null || true
        fi
    done
}

ensure_run_sshd() {
    if [ ! -d /run/sshd ]; then
        mkdir -m 0755 /run/sshd
        touch "$STATE/.created-run-sshd"
    fi
}

ensure_loopback_sshd() {
    local i=$1 d=$STATE/sshd$1 ip pid t
    ip=$(host_ip "$i")
    mkdir -p "$d"
    for t in ed25519 ecdsa; do
        if [ ! -f "$d/ssh_host_${t}_key" ]; then
            ssh-keygen -q -t "$t" -N '' -C "node$i" -f "$d/ssh_host_${t}_key"
        fi
    done
    write_file "$d/sshd_config" 0644 <<EOF
# sshd for sandbox host node$i (loopback mode), written by tests/sandbox/sandbox.sh
ListenAddress $ip:$SSH_PORT
HostKey $d/ssh_host_ed25519_key
HostKey $d/ssh_host_ecdsa_key
PidFile $d/sshd.pid
AuthorizedKeysFile $STATE/id_ed25519.pub
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
AcceptEnv LANG LC_*
# bash sources ~/.bashrc for ssh commands only at shell level 1; this machine's root .bashrc
# may be heavy (pyenv init: ~0.2 s per command), which real hosts do not pay.
SetEnv SHLVL=1
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
    if pid_of "$d/sshd.ourpid" "$d/sshd_config" >/dev/null && ssh_answers "$ip" "$SSH_PORT"; then
        return 0
    fi
    stop_sshd_tree "$d" "node$i"
    if ss -Hltn "sport = :$SSH_PORT" | awk '{ print $4 }' |
        grep -qxF -e "$ip:$SSH_PORT" -e "0.0.0.0:$SSH_PORT" -e "*:$SSH_PORT"; then
        die "$ip:$SSH_PORT is taken by another process"
    fi
    /usr/sbin/sshd -t -f "$d/sshd_config" || die "sshd rejects $d/sshd_config"
    log "starting sshd node$i on $ip:$SSH_PORT"
    pid=$(start_daemon "sshd node$i" "$d/sshd.log" /usr/sbin/sshd -D -e -f "$d/sshd_config") ||
        die "sshd node$i did not start"
    printf '%s\n' "$pid" >"$d/sshd.ourpid"
}

ensure_loopback_hosts() {
    local i
    stop_loopback_sshds "$HOSTS"
    ensure_run_sshd
    for ((i = 1; i <= HOSTS; i++)); do
        ensure_loopback_sshd "$i"
    done
}

# ---------------------------------------------------------------------------------------------
# Files for the tests: known_hosts, inventories, sandbox.env

# host_pubkeys I: the public host keys of host I, one "type base64" per line.
host_pubkeys() {
    if [ "$MODE" = loopback ]; then
        cat "$STATE/sshd$1"/ssh_host_*_key.pub
    else
        dk exec "pot-host$1" sh -c 'cat /etc/ssh/ssh_host_*_key.pub'
    fi | awk '{ print $1, $2 }'
}

wait_for_ssh() {
    local i ip t
    for ((i = 1; i <= HOSTS; i++)); do
        ip=$(host_ip "$i")
        for ((t = 0; t < 150; t++)); do
            ssh_answers "$ip" "$SSH_PORT" && continue 2
            sleep 0.2
        done
        die "sshd of node$i does not answer on $ip:$SSH_PORT"
    done
}

write_known_hosts() {
    local i ip keyname
    for ((i = 1; i <= HOSTS; i++)); do
        ip=$(host_ip "$i")
        keyname=$ip
        if [ "$SSH_PORT" != 22 ]; then
            keyname="[$ip]:$SSH_PORT"
        fi
        host_pubkeys "$i" | sed "s|^|$keyname |"
    done | write_file "$STATE/known_hosts" 0644
}

inventory_hosts() {
    local i
    printf '[installer]\nnode1 ansible_host=%s\n\n[masters]\n' "$(host_ip 1)"
    if [ "$HOSTS" -eq 1 ]; then
        printf 'node1 ansible_host=%s\n' "$(host_ip 1)"
    fi
    for ((i = 2; i <= HOSTS && i <= 4; i++)); do
        printf 'node%s ansible_host=%s\n' "$i" "$(host_ip "$i")"
    done
    printf '\n[workers]\n'
    for ((i = 5; i <= HOSTS; i++)); do
        printf 'node%s ansible_host=%s\n' "$i" "$(host_ip "$i")"
    done
}

ssh_common_args() {
    printf "ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes%s'\n" \
        "$STATE/known_hosts" "$1"
}

write_inventories() {
    {
        printf '# written by tests/sandbox/sandbox.sh (%s mode, %s hosts)\n' "$MODE" "$HOSTS"
        printf '# installer: node1; masters: node2..node4 (node1 alone); workers: node5 and up\n'
        inventory_hosts
        printf '\n[all:vars]\nansible_user=root\n'
        if [ "$SSH_PORT" != 22 ]; then
            printf 'ansible_port=%s\n' "$SSH_PORT"
        fi
        printf 'ansible_ssh_private_key_file=%s\n' "$STATE/id_ed25519"
        ssh_common_args " -o IdentitiesOnly=yes"
        printf 'ansible_python_interpreter=/usr/bin/python3\n'
    } | write_file "$STATE/inventory" 0644
    if [ "$MODE" = loopback ]; then
        rm -f "$STATE/inventory-password"
        return 0
    fi
    {
        printf '# written by tests/sandbox/sandbox.sh: root logs in with its password\n'
        inventory_hosts
        printf '\n[all:vars]\nansible_user=root\nansible_ssh_pass=%s\n' "$(<"$STATE/root.password")"
        ssh_common_args " -o PubkeyAuthentication=no"
        printf 'ansible_python_interpreter=/usr/bin/python3\n'
    } | write_file "$STATE/inventory-password" 0600
}

write_env() {
    local i ips="" names="" rootpw="" userpw="" pwinv="" dockerhost=""
    for ((i = 1; i <= HOSTS; i++)); do
        ips+="${ips:+ }$(host_ip "$i")"
        names+="${names:+ }node$i"
    done
    if [ "$MODE" = docker ]; then
        rootpw=$STATE/root.password
        userpw=$STATE/$HOST_USER.password
        pwinv=$STATE/inventory-password
        dockerhost=unix://$SOCK
    fi
    {
        # shellcheck disable=SC2016 # literal usage text
        printf '# written by tests/sandbox/sandbox.sh; use: . "$(tests/sandbox/sandbox.sh env)"\n'
        printf 'SANDBOX_DIR=%s\n' "$(shq "$STATE")"
        printf 'SANDBOX_MODE=%s\n' "$(shq "$MODE")"
        printf 'SANDBOX_HOSTS=%s\n' "$(shq "$ips")"
        printf 'SANDBOX_NAMES=%s\n' "$(shq "$names")"
        printf 'SANDBOX_SSH_PORT=%s\n' "$(shq "$SSH_PORT")"
        printf 'SANDBOX_USER=%s\n' "$(shq "$HOST_USER")"
        printf 'SANDBOX_INVENTORY=%s\n' "$(shq "$STATE/inventory")"
        printf 'SANDBOX_PASSWORD_INVENTORY=%s\n' "$(shq "$pwinv")"
        printf 'SANDBOX_KEY=%s\n' "$(shq "$STATE/id_ed25519")"
        printf 'SANDBOX_KNOWN_HOSTS=%s\n' "$(shq "$STATE/known_hosts")"
        printf 'SANDBOX_ROOT_PASSWORD_FILE=%s\n' "$(shq "$rootpw")"
        printf 'SANDBOX_USER_PASSWORD_FILE=%s\n' "$(shq "$userpw")"
        printf 'SANDBOX_REGISTRY=%s\n' "$(shq "127.0.0.1:$REG_PORT")"
        printf 'SANDBOX_DOCKER_HOST=%s\n' "$(shq "$dockerhost")"
    } | write_file "$STATE/sandbox.env" 0644
}

# ---------------------------------------------------------------------------------------------
# Commands

cmd_up() {
    local want_mode="" want_hosts="" old_mode
    while [ $# -gt 0 ]; do
        case $1 in
        --hosts) want_hosts=${2:?--hosts needs a number}; shift 2 ;;
        --hosts=*) want_hosts=${1#*=}; shift ;;
        --mode) want_mode=${2:?--mode needs docker or loopback}; shift 2 ;;
        --mode=*) want_mode=${1#*=}; shift ;;
        *) die "unknown option '$1' for up (expected --hosts N, --mode docker|loopback)" ;;
        esac
    done
    check_paths
    load_conf
    old_mode=$MODE
    if [ -n "$old_mode" ] && [ -n "$want_mode" ] && [ "$old_mode" != "$want_mode" ]; then
        log "mode changes from $old_mode to $want_mode: taking the old sandbox down first"
        cmd_down
        MODE="" HOSTS="" SUBNET="" REG_PORT="" SSH_PORT=""
    fi
    choose_settings "$want_mode" "$want_hosts"
    mkdir -p "$STATE"
    chmod 0700 "$STATE"
    save_conf
    ensure_secrets
    ensure_registry
    if [ "$MODE" = docker ]; then
        ensure_dockerd
        ensure_image
        ensure_network
        ensure_hosts
    else
        ensure_loopback_hosts
    fi
    wait_for_ssh
    write_known_hosts
    write_inventories
    write_env
    rm -f "$STATE/.reconfigure"
    log "up: $HOSTS hosts ($MODE mode), registry 127.0.0.1:$REG_PORT; env: $STATE/sandbox.env"
}

cmd_down() {
    check_paths
    if [ ! -d "$STATE" ] && [ ! -d "$EXEC_ROOT" ]; then
        log "nothing to take down in $STATE"
        return 0
    fi
    down_docker
    stop_loopback_sshds 0
    stop_recorded "$STATE/registry.pid" "$STATE/registry.yml" registry
    if [ -f "$STATE/.created-run-sshd" ]; then
        rmdir /run/sshd 2>/dev/null || true
    fi
    remove_tree "$STATE"
    log "down: removed $STATE"
}

down_docker() {
    if [ -d "$STATE/docker" ] && ! dockerd_up; then
        # A dockerd that died leaves containers behind; a fresh one cleans them up properly.
        (ensure_dockerd) || log "could not restart dockerd to clean up; removing its files"
    fi
    if dockerd_up; then
        remove_containers 0
        if dk network inspect "$NETWORK" >/dev/null 2>&1; then
            log "removing network $NETWORK"
            dk network rm "$NETWORK" >/dev/null
        fi
    fi
    stop_recorded "$STATE/dockerd.pid" "$SOCK" dockerd
    stop_containerd
    if ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link delete "$BRIDGE"
    fi
    remove_tree "$EXEC_ROOT"
    remove_tree "$STATE/docker"
}

# status_line NAME OK DETAIL: print one line and count it.
UP_COUNT=0 WANT_COUNT=0
status_line() {
    WANT_COUNT=$((WANT_COUNT + 1))
    if [ "$2" = 1 ]; then
        UP_COUNT=$((UP_COUNT + 1))
        printf '%-10s up    %s\n' "$1" "$3"
    else
        printf '%-10s DOWN  %s\n' "$1" "$3"
    fi
}

recorded_pid() { cat "$1" 2>/dev/null || echo -; }

# check_status: print what is up; returns 0 fully up, 3 down, 1 partly up.
check_status() {
    local ok pid i ip running
    if [ ! -f "$STATE/sandbox.conf" ]; then
        echo "sandbox: down (no state in $STATE)"
        return 3
    fi
    load_conf
    echo "sandbox: $STATE ($MODE mode, $HOSTS hosts)"
    ok=0 && registry_up && ok=1
    status_line registry "$ok" "127.0.0.1:$REG_PORT pid $(recorded_pid "$STATE/registry.pid")"
    if [ "$MODE" = docker ]; then
        ok=0 && pid=$(pid_of "$STATE/dockerd.pid" "$SOCK") && dockerd_up && ok=1
        status_line dockerd "$ok" "pid ${pid:--} unix://$SOCK"
        if [ "$ok" = 1 ]; then
            ok=0 && [ "$(network_subnet)" = "$SUBNET" ] && ok=1
        fi
        status_line network "$ok" "$NETWORK $SUBNET (bridge $BRIDGE)"
    fi
    for ((i = 1; i <= HOSTS; i++)); do
        ip=$(host_ip "$i")
        ok=0
        if [ "$MODE" = docker ]; then
            running=$(dk inspect -f '{{.State.Running}}' "pot-host$i" 2>/dev/null) || running=false
            [ "$running" = true ] && ssh_answers "$ip" "$SSH_PORT" && ok=1
            status_line "node$i" "$ok" "$ip:$SSH_PORT (container pot-host$i)"
        else
            pid_of "$STATE/sshd$i/sshd.ourpid" "$STATE/sshd$i/sshd_config" >/dev/null &&
                ssh_answers "$ip" "$SSH_PORT" && ok=1
            status_line "node$i" "$ok" \
                "$ip:$SSH_PORT (sshd pid $(recorded_pid "$STATE/sshd$i/sshd.ourpid"))"
        fi
    done
    if [ "$UP_COUNT" -eq 0 ]; then
        return 3
    fi
    ok=0 && [ -f "$STATE/sandbox.env" ] && [ -f "$STATE/inventory" ] && ok=1
    status_line files "$ok" "$STATE/sandbox.env"
    if [ "$UP_COUNT" -eq "$WANT_COUNT" ]; then
        return 0
    fi
    return 1
}

cmd_status() {
    local rc=0
    check_status || rc=$?
    exit "$rc"
}

cmd_env() {
    if ! check_status >/dev/null; then
        die "not up in $STATE (run: tests/sandbox/sandbox.sh up)"
    fi
    printf '%s\n' "$STATE/sandbox.env"
}

# ---------------------------------------------------------------------------------------------
# Old root: the oldest Debian release this machine's mirror still serves, debootstrapped (minbase,
# nothing added) once into the cache and imported into the sandbox dockerd. The portable pot's
# test runs the packed pot in it: an older libc and none of pot's libraries.

readonly OLD_SUITES=(jessie stretch buster bullseye bookworm)

oldest_suite() {
    local mirror=$1 suite
    for suite in "${OLD_SUITES[@]}"; do
        if curl -fsS -o /dev/null -m 30 "$mirror/dists/$suite/Release" 2>/dev/null; then
            printf '%s\n' "$suite"
            return 0
        fi
    done
    die "the mirror $mirror serves none of ${OLD_SUITES[*]}"
}

build_old_root() {
    local suite=$1 mirror=$2 tarball=$3 work attempt
    work=$(mktemp -d "$CACHE/old.XXXXXX")
    log "building the old root ($suite) from $mirror (first time, a few minutes)"
    mkdir -p "$CACHE/debs-$suite"
    for attempt in 1 2; do
        if debootstrap --variant=minbase --components=main --cache-dir="$CACHE/debs-$suite" \
            "$suite" "$work/rootfs" "$mirror" >>"$work/debootstrap.log" 2>&1; then
            break
        fi
        remove_tree "$work/rootfs"
        if [ "$attempt" = 2 ]; then
            tail -n 25 "$work/debootstrap.log" >&2
            remove_tree "$work"
            die "the old root's debootstrap failed twice"
        fi
    done
    unmount_under "$work/rootfs"
    tar --numeric-owner -C "$work/rootfs" --exclude='./dev/*' --exclude='./proc/*' \
        --exclude='./sys/*' -cf "$work/old.tar" .
    mv -f "$work/old.tar" "$tarball"
    remove_tree "$work"
}

cmd_old_root() {
    local mirror suite tag tarball
    check_status >/dev/null || die "not up in $STATE (run: tests/sandbox/sandbox.sh up)"
    [ "$MODE" = docker ] || die "old-root needs the docker mode"
    mirror=$(debian_mirror)
    suite=$(oldest_suite "$mirror")
    tag=pot-sandbox/old:$suite
    tarball=$CACHE/old-$suite.tar
    if ! dk image inspect "$tag" >/dev/null 2>&1; then
        mkdir -p "$CACHE"
        (
            flock 9
            [ -f "$tarball" ] || build_old_root "$suite" "$mirror" "$tarball"
        ) 9>"$CACHE/.lock-old"
        dk import "$tarball" "$tag" >/dev/null
    fi
    printf '%s\n' "$tag"
}

usage() {
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case $cmd in
    up) cmd_up "$@" ;;
    down) [ $# -eq 0 ] || usage; cmd_down ;;
    status) [ $# -eq 0 ] || usage; cmd_status ;;
    env) [ $# -eq 0 ] || usage; cmd_env ;;
    old-root) [ $# -eq 0 ] || usage; cmd_old_root ;;
    *) usage ;;
    esac
}

main "$@"
