#!/bin/sh
# pot-offline-install.sh - installs packages on this host from pot's offline repository alone
# (dpl_yum_repo set it up) and records them for host-undo.yml. Used by every package task of
# the hosts-init role through the script module:
#
#   pot-offline-install.sh RECORD_DIR RECORD_NAME YUM_REPO_ID PACKAGE...
#
# Packages already installed are left alone. Every package the install added, the ones it pulled
# in as dependencies too, is appended to RECORD_DIR/RECORD_NAME, so that undoing it removes exactly
# what pot added. What it prints, one line each, for the task to show:
#   changed                       something was installed
#   installed: P...               what was installed, dependencies included
#   not in the offline repository: P...   missing here and not in the repository (not an error)
#   no offline repository on this host: P...   missing here, and dpl_yum_repo found no repository
# A package manager that fails exits non-zero with its own message on stderr; one that succeeds
# says nothing (its chatter would reach stdout under ansible-playbook, which runs scripts on a
# terminal, and stderr under pot).
set -eu

record_dir=$1
record_name=$2
yum_repo=$3
shift 3
apt_list=/etc/apt/sources.list.d/offline-pot.list
yum_file=/etc/yum.repos.d/$yum_repo.repo

missing=
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    family=debian
    for p; do
        dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
    done
elif command -v rpm >/dev/null 2>&1; then
    family=redhat
    for p; do
        rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
else
    echo "no apt-get or rpm on this host:$*"
    exit 0
fi
[ -n "$missing" ] || exit 0

installed_names() {
    if [ "$family" = debian ]; then
        dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort -u
    else
        rpm -qa --qf '%{NAME}\n' | sort -u
    fi
}
before=$(mktemp)
installed_names >"$before"
log=$(mktemp)
trap 'rm -f "$before" "$log"' EXIT
# quietly COMMAND...: COMMAND with its output shown only when it fails.
quietly() {
    "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
}

if [ "$family" = debian ]; then
    [ -f "$apt_list" ] || { echo "no offline repository on this host:$missing"; exit 0; }
    set -- -o Dir::Etc::SourceList="$apt_list" -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get "$@" -qq update
    available='' absent=''
    for p in $missing; do
        if apt-cache "$@" policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
            available="$available $p"
        else
            absent="$absent $p"
        fi
    done
    if [ -n "$available" ]; then
        # shellcheck disable=SC2086 # package names are words
        quietly apt-get "$@" -qq -y --no-install-recommends install $available
    fi
else
    [ -f "$yum_file" ] || { echo "no offline repository on this host:$missing"; exit 0; }
    available='' absent=''
    for p in $missing; do
        if yum -q --disablerepo='*' --enablerepo="$yum_repo" list available "$p" >/dev/null 2>&1; then
            available="$available $p"
        else
            absent="$absent $p"
        fi
    done
    if [ -n "$available" ]; then
        # shellcheck disable=SC2086 # package names are words
        quietly yum -q -y --disablerepo='*' --enablerepo="$yum_repo" install $available
    fi
fi

if [ -n "$available" ]; then
    added=$(installed_names | comm -13 "$before" -)
    printf '%s\n' "$added" >>"$record_dir/$record_name"
    echo changed
    echo "installed: $(printf "%s" "$added" | tr "\n" " ")"
fi
[ -z "$absent" ] || echo "not in the offline repository:$absent"
