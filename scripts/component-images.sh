#!/usr/bin/env bash
# scripts/component-images.sh - derive images/<chart>.txt from the charts under charts/.
#
# Every chart is rendered with `helm template` in every mode it has (its defaults plus each
# charts/<chart>/ci/*.yaml) and for each Kubernetes version in KUBE_VERSIONS (a chart may pick an
# image by cluster version); every `image:` value of the manifests goes to images/<chart>.txt,
# sorted and unique. Never edit those lists by hand: change the chart, run this script.
#
# usage: scripts/component-images.sh [--out DIR]     (default DIR: images/ of this repository)
# env:   HELM (default /opt/pot-tools/bin/helm), KUBE_VERSIONS (default "1.16.6 1.28.0": the kit's
#        k8s_version and a current one)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/images
if [ "${1:-}" = "--out" ] && [ -n "${2:-}" ]; then out=$2; elif [ $# -gt 0 ]; then
  echo "usage: $0 [--out DIR]" >&2; exit 2
fi
helm=${HELM:-/opt/pot-tools/bin/helm}
kube_versions=${KUBE_VERSIONS:-1.16.6 1.28.0}
# What pot supplies at deploy time and the charts require (values only; never a real secret).
required=(--set-string auth.password=image-list-render --set-string nfs.server=192.0.2.10)

# Prints the image references of a rendered manifest stream (stdin), one per line.
images_of() {
  sed -n -E "s/^ *(- +)?image: *[\"']?([^\"' ]+)[\"']? *\$/\2/p"
}

mkdir -p "$out"
for chart in "$root"/charts/*/Chart.yaml; do
  dir=$(dirname "$chart")
  name=$(basename "$dir")
  list=$(mktemp)
  for kv in $kube_versions; do
    for mode in "" "$dir"/ci/*.yaml; do
      [ -z "$mode" ] || [ -f "$mode" ] || continue
      "$helm" template "$name" "$dir" --namespace pot-system --kube-version "$kv" \
        "${required[@]}" \
        ${mode:+-f "$mode"} | images_of >> "$list"
    done
  done
  LC_ALL=C sort -u "$list" > "$out/$name.txt"
  rm -f "$list"
done
