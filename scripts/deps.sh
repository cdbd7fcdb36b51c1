#!/usr/bin/env bash
# deps.sh - install every build, test, sandbox and benchmark dependency of pot with apt-get.
# Idempotent: packages already present are left alone. The only script that installs packages.
set -euo pipefail

packages=(
    # build
    build-essential cmake pkg-config clang libclang-rt-14-dev
    libyaml-dev libssh-dev libarchive-dev libssl-dev zlib1g-dev libcurl4-openssl-dev libjansson-dev libpcre2-dev
    # unit tests
    libcmocka-dev
    # sandbox: dockerd, host image, registry, ssh clients
    docker.io debootstrap docker-registry openssh-client openssh-server sshpass iproute2
    busybox-static apache2-utils curl jq
    # references we compare against
    ansible python3 python3-jinja2 python3-yaml skopeo
    # benchmarks
    hyperfine pigz time
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: must run as root to install packages" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
