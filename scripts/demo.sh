#!/usr/bin/env bash
# demo.sh - the whole job on one machine: install the dependencies, build pot, bring up the sandbox
# (4 Debian hosts + a registry), assemble an offline kit (with the example business helmfile) and
# install it with install-offline-pot.sh against the stand-in tke-installer and the cluster
# stand-in on the first master (real helm, recorded releases), show the base components switched on
# in the hosts (redis, mysql, prometheus, ingress-nginx, nfs-provisioner; their images generated
# into offline-pot-images/) and the business releases, then show that a second install changes
# nothing and runs no helm upgrade.
#
#   scripts/demo.sh [--work DIR] [--down] [--no-deps]
#
#   --work DIR   where the kit is assembled (default $POT_DEMO_DIR or /tmp/pot-demo); emptied first
#   --down       take the sandbox down at the end (default: leave it up to look around)
#   --no-deps    do not run scripts/deps.sh (the packages are already there)
# Run as root. Environment: POT_DEMO_BUILD (build dir, default build/), POT_TKE_PORT (the stand-in
# installer's progress port, default 18680), and the sandbox's POT_SANDBOX_DIR / _SUBNET /
# _REGISTRY_PORT (default state dir tests/sandbox/.state). Exits non-zero on the first failure.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${POT_DEMO_DIR:-/tmp/pot-demo}
BUILD=${POT_DEMO_BUILD:-$TOP/build}
DOWN=0
DEPS=1
export POT_TKE_PORT=${POT_TKE_PORT:-18680}
START=$(date +%s)
declare -A took

say() { printf 'demo: %s\n' "$*"; }
die() {
    printf 'demo: FAILED: %s\n' "$*" >&2
    exit 1
}
# timed NAME CMD...: runs CMD, records how long it took under NAME.
timed() {
    local name=$1 t0=$SECONDS
    shift
    "$@"
    took[$name]=$((SECONDS - t0))
}

while [ $# -gt 0 ]; do
    case $1 in
    --work)
        [ $# -ge 2 ] || die "--work needs a directory"
        WORK=$2
        shift 2
        ;;
    --down) DOWN=1 && shift ;;
    --no-deps) DEPS=0 && shift ;;
    -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done
[ "$(id -u)" -eq 0 ] || die "run me as root (the sandbox starts its own dockerd)"
case $WORK in
/ | "" | /tmp | /root | /home) die "--work '$WORK' is not a directory I may empty" ;;
esac

# ---------------------------------------------------------------------------------------------
deps() {
    if [ "$DEPS" -eq 1 ]; then
        say "installing the Debian packages pot needs (scripts/deps.sh)"
        "$TOP/scripts/deps.sh"
    else
        say "skipping scripts/deps.sh (--no-deps)"
    fi
}

build() {
    say "building pot in $BUILD"
    cmake -S "$TOP" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target pot >/dev/null
    POT=$BUILD/pot
    "$POT" version | head -n 1
}

sandbox() {
    say "bringing the sandbox up (4 hosts, a registry)"
    "$TOP/tests/sandbox/sandbox.sh" up --hosts 4
    SB_ENV=$("$TOP/tests/sandbox/sandbox.sh" env)
    set -a
    # shellcheck disable=SC1090
    . "$SB_ENV"
    set +a
    export DOCKER_HOST=$SANDBOX_DOCKER_HOST
    say "sandbox hosts: $SANDBOX_HOSTS; registry $SANDBOX_REGISTRY"
}

# The kit's hosts: the sandbox's groups and ssh settings plus the kit variables.
write_hosts() {
    local file=$1 first root_pw
    first=${SANDBOX_HOSTS%% *}
    VIP=${first%.*}.100
    root_pw=$(cat "$SANDBOX_ROOT_PASSWORD_FILE")
    (
        umask 077
        {
            echo "# offline-pot hosts for the demo: groups from $SANDBOX_INVENTORY"
            cat "$SANDBOX_INVENTORY"
            echo
            echo "[all:vars]"
            echo "ansible_ssh_pass='$root_pw'"
            echo "tke_ha_type='tke'"
            echo "tke_vip='$VIP'"
            echo "tke_vport='6443'"
            echo "tke_replicas='1'"
            echo "k8s_version='1.16.6'"
            echo "net_interface='eth0'"
            echo "cluster_cidr='172.16.0.0/19'"
            echo "max_cluster_service_num='256'"
            echo "max_node_pod_num='256'"
            echo "docker_data_root='/data/docker'"
            echo "kubelet_root_dir='/data/kubelet'"
            echo "ipvs='true'"
            echo "tke_admin_user='admin'"
            echo "tke_pwd='demo-Tke-pw1'"
            echo "tke_console_domain='console.tke.com'"
            echo "registry_domain='$SANDBOX_REGISTRY'"
            echo "pot_registry_insecure='true'"
            echo "data_disk_init_swith='true'"
            echo "data_disk_name='vdb'"
            echo "check_data_disk_size='10'"
            echo "stress_perfor='true'"
            echo "customer='demo'"
            echo "deploy_redis='true'"
            echo "deploy_mysql='true'"
            echo "deploy_prometheus='true'"
            echo "deploy_nginx_ingress='true'"
            echo "deploy_nfs='true'"
            echo
            echo "[nfs]"
            echo "node4"
        } >"$file"
    )
    chmod 600 "$file"
}

assemble() {
    local kit=$WORK/offline-pot
    say "assembling the offline kit in $WORK"
    rm -rf "$WORK"
    mkdir -p "$kit/templates" "$WORK/tkestack" "$WORK/offline-pot-images"
    cp -r "$TOP/hooks" "$kit/hooks"
    cp -r "$TOP/templates/tke" "$kit/templates/tke"
    cp -r "$TOP/playbooks" "$kit/playbooks"
    cp -r "$TOP/helmfile" "$kit/helmfile"
    cp -r "$TOP/charts" "$TOP/images" "$kit/"
    cp "$TOP/install-offline-pot.sh" "$kit/"
    mkdir -p "$kit/build" && ln -s "$POT" "$kit/build/pot"
    write_hosts "$kit/hosts"
    say "  offline-pot/hosts (mode $(stat -c %a "$kit/hosts")): installer node1, masters node2-node4," \
        "tke_ha_type='tke', registry $SANDBOX_REGISTRY"
    /usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$WORK/offline-pot-images" >/dev/null
    /usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$WORK/offline-pot-images" --refs \
        "$(cat "$TOP"/images/{redis,mysql,prometheus,ingress-nginx,nfs-provisioner}.txt | paste -sd,)" >/dev/null
    say "  offline-pot-images/: $(cd "$WORK/offline-pot-images" && echo *)"
    "$TOP/tests/fixtures/tke-installer/build.sh" --save "$WORK/tkestack/tke-installer.tar" >/dev/null
    say "  tkestack/tke-installer.tar: the stand-in tke-installer image"
    say "  helmfile/: the example business releases (2 products, customer 'demo')"
    say "  charts/, images/: the base components; on in hosts: redis, mysql, prometheus," \
        "ingress-nginx, nfs (server node4)"
    "$TOP/tests/fixtures/cluster-standin/install.sh" node2 >/dev/null
    "$TOP/tests/fixtures/cluster-standin/install.sh" --reset node2 >/dev/null
    # kubectl exec runs nothing on the stand-in: it prints exec-output/POD-PREFIX, the answers
    # the components' probes expect (redis PING, mysql SELECT 1)
    on_master "mkdir -p /var/lib/pot-standin/exec-output &&
        echo PONG >/var/lib/pot-standin/exec-output/redis && echo 1 >/var/lib/pot-standin/exec-output/mysql"
    say "  node2: the cluster stand-in (real helm and kubectl that record releases; no API server)"
}

# on_master COMMAND...: a command on the first master (node2, the cluster stand-in).
on_master() {
    local ip
    ip=$(echo "$SANDBOX_HOSTS" | cut -d' ' -f2)
    ssh -q -i "$SANDBOX_KEY" -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
        -o IdentitiesOnly=yes -p "$SANDBOX_SSH_PORT" "root@$ip" "$@"
}
# helm_on_master ARGS...: helm on the first master.
helm_on_master() { on_master helm "$@"; }

show_releases() {
    local components
    say "the base components on the cluster (helm list -n pot-system on node2, the cluster stand-in)"
    helm_on_master list -n pot-system | sed 's/^/    /'
    components=$(helm_on_master list -n pot-system -q | sort | paste -sd' ')
    [ "$components" = "ingress-nginx mysql nfs-provisioner prometheus redis" ] ||
        die "expected the 5 switched-on components, got: $components"
    say "the business releases (helm list -A, the other namespaces)"
    helm_on_master list -A | grep -v pot-system | sed 's/^/    /'
    [ "$(helm_on_master list -A -q | wc -l)" -eq 8 ] || die "expected 5 components + 3 business releases"
}

show_health() {
    say "pot health: rollout status of each component's workloads and its own probe"
    "$POT" health --kit-dir "$WORK/offline-pot" --data-dir "$WORK/tke-data" | sed 's/^/    /' ||
        die "pot health found an unhealthy component"
    say "generated passwords: $(stat -c '%n %a' "$WORK"/tke-data/pot/secrets/*.yaml | sed "s|$WORK/tke-data/||" | paste -sd' ')"
}

install_kit() {
    local log=$1
    "$WORK/offline-pot/install-offline-pot.sh" --data-dir "$WORK/tke-data" >"$log" 2>&1 || {
        tail -n 40 "$log" >&2
        die "install-offline-pot.sh failed; the whole output is in $log"
    }
}

first_install() {
    say "installing: offline-pot/install-offline-pot.sh (pot install, full mode)"
    install_kit "$WORK/install-1.log"
    grep -E 'mode:|stage [a-z-]+: (done|started)|host-init: pot play|post-install: pot|install task finished|components: |business: ' \
        "$WORK/install-1.log" | grep -v ': absent (installed: false)' | sed 's/^/    /'
    grep -q "install task finished: Success" "$WORK/install-1.log" || die "no Success in install-1.log"
}

show_status() {
    say "pot status"
    "$POT" status --data-dir "$WORK/tke-data" | sed 's/^/    /'
    "$POT" status --data-dir "$WORK/tke-data" | grep -q "last error: none" || die "pot status shows an error"
}

verify_images() {
    say "checking the kit's images are in the registry (pot images verify)"
    "$POT" images verify --registry "$SANDBOX_REGISTRY" --namespace library --insecure \
        "$WORK/offline-pot-images" 2>&1 | sed 's/^/    /'
}

second_install() {
    local skipped
    say "installing a second time: nothing should change"
    install_kit "$WORK/install-2.log"
    grep -E 'skipped|install task|components: [0-9]+ releases|business: ' "$WORK/install-2.log" | sed 's/^/    /'
    grep -q "components: 12 releases: deployed=0 unchanged=5 uninstalled=0 failed=0 changed=0" \
        "$WORK/install-2.log" || die "the second install deployed components again"
    grep -q "business: 3 releases: deployed=0 unchanged=3 failed=0 changed=0" "$WORK/install-2.log" ||
        die "the second install deployed business releases again"
    skipped=$(grep -c "done earlier with the same inputs, skipped" "$WORK/install-2.log" || true)
    [ "$skipped" -eq 6 ] || die "second install reran something ($skipped of 6 stages skipped)"
    SKIPPED=$skipped
}

host_playbooks_unchanged() {
    say "running the kit's host playbooks again by hand: changed=0 expected"
    "$POT" play -i "$WORK/offline-pot/hosts" "$WORK/offline-pot/playbooks/host-init.yml" \
        "$WORK/offline-pot/playbooks/host-check.yml" >"$WORK/playbooks-again.log" 2>&1 ||
        die "pot play failed; see $WORK/playbooks-again.log"
    if grep -E '^node[0-9]+ +:' "$WORK/playbooks-again.log" | grep -qv 'changed=0 '; then
        die "the host playbooks changed something on a rerun; see $WORK/playbooks-again.log"
    fi
    grep -E '^node[0-9]+ +:' "$WORK/playbooks-again.log" | sed 's/^/    /'
}

timed deps deps
timed build build
timed sandbox sandbox
timed kit assemble
timed install1 first_install
show_status
show_releases
show_health
timed verify verify_images
timed install2 second_install
timed playbooks host_playbooks_unchanged

if [ "$DOWN" -eq 1 ]; then
    say "taking the sandbox down (--down)"
    "$TOP/tests/sandbox/sandbox.sh" down
    where="The sandbox has been taken down."
else
    where="The sandbox is still up (hosts $SANDBOX_HOSTS); take it down with:"
    where+=" ${POT_SANDBOX_DIR:+POT_SANDBOX_DIR=$POT_SANDBOX_DIR }$TOP/tests/sandbox/sandbox.sh down"
    where+=" (or run this script with --down)"
fi

cat <<EOF

demo: summary
pot was built in $BUILD (${took[build]}s) and the sandbox came up in ${took[sandbox]}s. A kit was assembled
in $WORK (${took[kit]}s): offline-pot/ with a 0600 hosts for 1 installer and 3 masters (tke_ha_type
'tke', VIP $VIP), the kit's hooks, tke.json templates and host playbooks, 3 images
in offline-pot-images/ (plus the images of the 5 base components switched on in hosts) and the
stand-in tke-installer in tkestack/. install-offline-pot.sh ran pot
install to "install task finished: Success" in ${took[install1]}s (host-init playbooks over ssh on 4
hosts, tke.json rendered, the installer's 32 steps, images pushed to $SANDBOX_REGISTRY and verified
in ${took[verify]}s, the base components redis, mysql, prometheus, ingress-nginx and nfs-provisioner
(nfs first) deployed from charts/ with generated 0600 passwords and checked healthy, then 3
business releases of helmfile/ deployed with helm on node2 in the order of their needs); the
second install skipped all $SKIPPED stages in ${took[install2]}s, found every
release deployed at its recorded revision and ran no helm upgrade, and the host playbooks rerun by
hand reported changed=0 (${took[playbooks]}s). The cluster on node2 is a stand-in: the real helm
renders every chart, releases are recorded, nothing runs. Total $(($(date +%s) - START))s. Logs:
$WORK/install-1.log, install-2.log, playbooks-again.log. $where
EOF
