#!/usr/bin/env bash
# install-offline-pot.sh - the original kit's entry point, now a thin wrapper over `pot install`.
#
#   ./install-offline-pot.sh [-f FUNCTION] [--resume | --from STAGE] [--tags T] [--skip-tags T]
#                            [--check] [pot install options...]
#
# FUNCTION (as in the original kit):
#   default (old spelling 'defaut' accepted)  detect the mode from the folders next to the kit
#   all_func              the same: host init and checks, then the install
#   init_and_check        only the host-init stage (host-init.yml + host-check.yml)
#   dpl_offline_pot       the install without host init: tke.json, tke-installer, post-install
#   only_install_tkestack TKEStack only (Replicas 2, host-init subset, no business)
#   dpl_business          only the business releases of helmfile/ (`pot install --only business`)
#   remove_business       uninstall every business release (`pot install --remove business`);
#                         the next install deploys them again
#   remove_<component>    uninstall exactly that base component's release(s) and nothing else:
#                         `pot install --only components --remove NAME`. Components: redis, mysql,
#                         postgres, prometheus, minio, zookeeper, kafka, elasticsearch, kibana,
#                         filebeat, nfs (nfs-provisioner), nginx_ingress (ingress-nginx), elk
#                         (elasticsearch, kibana, filebeat). A component whose deploy_* switch is
#                         still 'true' comes back with the next install; turn the switch off to
#                         keep it away (the next install then uninstalls it by itself).
#   remove_cluster        the cluster and its releases off every host (`pot uninstall --cluster`)
#   uninstall             everything pot installed, host changes too (`pot uninstall --all`)
#   reinstall             uninstall, then install again
# The uninstalling functions ask for confirmation on a terminal; pass --yes to skip it (without a
# terminal --yes is required). --wipe-data-disk DEV (uninstall, reinstall) also puts the data
# disk back to raw.
# pot is looked for next to this script (build/pot, pot), then in PATH. Everything else is passed
# to `pot install` with --kit-dir set to this script's directory. In a package made by `pot pack`
# (a MANIFEST next to this kit), `pot verify-package` checks every file first and stops on any
# difference.
set -euo pipefail

kit=$(cd "$(dirname "$0")" && pwd)
func=default
args=()

while [ $# -gt 0 ]; do
    case $1 in
    -f)
        [ $# -ge 2 ] || { echo "install-offline-pot.sh: -f needs a function name" >&2; exit 5; }
        func=$2
        shift 2
        ;;
    -h | --help)
        sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        args+=("$1")
        shift
        ;;
    esac
done

pot=""
for candidate in "$kit/build/pot" "$kit/pot"; do
    if [ -x "$candidate" ]; then
        pot=$candidate
        break
    fi
done
if [ -z "$pot" ]; then
    pot=$(command -v pot || true)
fi
if [ -z "$pot" ]; then
    echo "install-offline-pot.sh: pot not found in $kit/build, $kit or PATH" >&2
    exit 1
fi

package=$(cd "$kit/.." && pwd)
if [ -f "$package/MANIFEST" ]; then
    "$pot" verify-package "$package" || exit $?
fi

# uninstall_args: the arguments `pot uninstall` takes out of the ones given (-i, --data-dir,
# --yes, --check, --wipe-data-disk, --mode, --container, -v).
uninstall_args=()
install_args=()
split_args() {
    local i=0 a
    while [ $i -lt ${#args[@]} ]; do
        a=${args[$i]}
        case $a in
        -i | --inventory | --data-dir | --mode | --container)
            uninstall_args+=("$a" "${args[$((i + 1))]:-}")
            install_args+=("$a" "${args[$((i + 1))]:-}")
            i=$((i + 2))
            continue
            ;;
        --wipe-data-disk) uninstall_args+=("$a" "${args[$((i + 1))]:-}"); i=$((i + 2)); continue ;;
        --yes | -y) uninstall_args+=("$a") ;;
        --check | -C | -v | -vv | -vvv) uninstall_args+=("$a"); install_args+=("$a") ;;
        *) install_args+=("$a") ;;
        esac
        i=$((i + 1))
    done
}

case $func in
remove_cluster)
    exec "$pot" uninstall --kit-dir "$kit" --cluster ${args[@]+"${args[@]}"}
    ;;
uninstall)
    exec "$pot" uninstall --kit-dir "$kit" --all ${args[@]+"${args[@]}"}
    ;;
reinstall)
    split_args
    "$pot" uninstall --kit-dir "$kit" --all ${uninstall_args[@]+"${uninstall_args[@]}"}
    exec "$pot" install --kit-dir "$kit" ${install_args[@]+"${install_args[@]}"}
    ;;
esac

case $func in
default | defaut | all_func) ;;
init_and_check) args+=(--only host-init) ;;
dpl_offline_pot) args+=(--from tke-config) ;;
only_install_tkestack) args+=(--mode tkestack) ;;
dpl_business) args+=(--only business) ;;
remove_business) args+=(--remove business) ;;
remove_nfs) args+=(--remove nfs-provisioner) ;;
remove_nginx_ingress | remove_ingress) args+=(--remove ingress-nginx) ;;
remove_elk) args+=(--remove elasticsearch --remove kibana --remove filebeat) ;;
remove_?*) args+=(--remove "${func#remove_}") ;;
*)
    echo "install-offline-pot.sh: unknown function '$func'; use default, all_func," \
        "init_and_check, dpl_offline_pot, only_install_tkestack, dpl_business," \
        "remove_business, remove_<component>, remove_cluster, uninstall or reinstall" >&2
    exit 5
    ;;
esac

exec "$pot" install --kit-dir "$kit" ${args[@]+"${args[@]}"}
