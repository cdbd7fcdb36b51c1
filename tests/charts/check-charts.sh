#!/usr/bin/env bash
# tests/charts/check-charts.sh - the base-component charts (charts/*/) and their helmfile
# (charts/components.yaml.gotmpl), checked with helm only: lint and template, no cluster.
#
# Per chart: templates/_helpers.tpl is the shared one; no non-deterministic functions;
# `helm lint --strict` clean (bare, and with the values pot supplies); `helm template` renders its
# defaults and every charts/<chart>/ci/*.yaml mode, for each Kubernetes version in KUBE_VERSIONS,
# identically twice; every image rendered is in images/<chart>.txt; the password (auth.password)
# never appears in clear in the manifests or in NOTES.txt, and base64-encoded only in a Secret;
# every Deployment/StatefulSet/DaemonSet container has readiness and liveness probes and resource
# requests and limits; a workload with more than one replica has pod anti-affinity.
# Image lists: images/<chart>.txt equal what scripts/component-images.sh derives.
# Helmfile: charts/components.yaml.gotmpl rendered with helm's engine (Go template + sprig, as
# helmfile) for the state values in tests/charts/state-*.yaml: valid YAML, releases' charts exist,
# needs name releases of the file, the switches decide `installed`, and every installed release's
# chart renders with the values the helmfile gives it (pot itself renders this file on site).
#
# usage: tests/charts/check-charts.sh      env: HELM (default /opt/pot-tools/bin/helm)
# Prints "N passed, N failed"; exits 1 when a check failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
helm=${HELM:-/opt/pot-tools/bin/helm}
kube_versions=${KUBE_VERSIONS:-1.16.6 1.28.0}
ns=pot-system
# Stand-ins for what pot supplies at deploy time: a generated password and the NFS server.
sentinel='Sntl-7f3c9a1e-pw'
sentinel_b64=$(printf %s "$sentinel" | base64)
required=(--set-string "auth.password=$sentinel" --set-string nfs.server=192.0.2.10)

passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass; else fail "$what"; fi
}

if ! [ -x "$helm" ]; then
  echo "helm not found at $helm (set HELM)"; echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

images_of() {
  sed -n -E "s/^ *(- +)?image: *[\"']?([^\"' ]+)[\"']? *\$/\2/p"
}

# A copy of the chart whose NOTES.txt is also rendered as a (commented) manifest: helm template
# does not print NOTES, and `helm install --dry-run` needs a cluster.
notes_copy() { # notes_copy CHARTDIR -> prints the copy's path
  local c
  c=$tmp/notes/$(basename "$1")
  if ! [ -d "$c" ]; then
    mkdir -p "$tmp/notes" && cp -r "$1" "$c"
    cp "$c/templates/NOTES.txt" "$c/notes-under-test.txt"
    printf '%s\n' '# NOTES.txt:' \
      '{{ tpl (.Files.Get "notes-under-test.txt") . | replace "\n" "\n# " | printf "# %s" }}' \
      > "$c/templates/zz-notes-under-test.yaml"
  fi
  echo "$c"
}

# Checks of one rendered manifest stream: secret leaks, probes/resources, anti-affinity.
secret_only_in_secrets() { # FILE
  ! grep -qF -- "$sentinel" "$1" &&
    awk -v b="$sentinel_b64" '
      function flush() { if (index(doc, b) && !index(doc, "\nkind: Secret\n")) bad = 1; doc = "\n" }
      /^---/ { flush(); next }
      { doc = doc $0 "\n" }
      END { flush(); exit bad }' "$1"
}
workloads_complete() { # FILE: every main container of a workload has both probes, requests, limits
  awk '
    function flush() {
      if (wl && (ready < n || live < n || lim < n || req < n)) {
        printf "  %s: %d containers, %d readiness, %d liveness, %d limits, %d requests\n",
          name, n, ready, live, lim, req
        bad = 1
      }
      wl = 0; n = ready = live = lim = req = 0; sect = name = ""
    }
    /^---/ { flush(); next }
    /^kind: (Deployment|StatefulSet|DaemonSet)$/ { wl = 1 }
    /^  name: / && name == "" { name = $2 }
    /^      [A-Za-z]+:/ { sect = $1 }
    sect == "containers:" && /^        - name:/ { n++ }
    sect == "containers:" && /^          readinessProbe:/ { ready++ }
    sect == "containers:" && /^          livenessProbe:/ { live++ }
    sect == "containers:" && /^            limits:/ { lim++ }
    sect == "containers:" && /^            requests:/ { req++ }
    END { flush(); exit bad }' "$1"
}
replicas_spread() { # FILE: Deployment/StatefulSet with replicas > 1 has podAntiAffinity
  awk '
    function flush() {
      if (wl && reps > 1 && !anti) { print "  replicas " reps " without podAntiAffinity"; bad = 1 }
      wl = reps = anti = 0
    }
    /^---/ { flush(); next }
    /^kind: (Deployment|StatefulSet)$/ { wl = 1 }
    /^  replicas: / { reps = $2 + 0 }
    /podAntiAffinity:/ { anti = 1 }
    END { flush(); exit bad }' "$1"
}
images_listed() { # FILE LIST [any-registry]: with any-registry, compare what follows the registry
  local img ok=0 strip='s|^|| '
  [ "${3:-}" = any-registry ] && strip='s|^[^/]*/||'
  while read -r img; do
    sed "$strip" "$2" | grep -qxF -- "$img" || { echo "  $img is not in ${2#"$root"/}"; ok=1; }
  done < <(images_of < "$1" | sed "$strip")
  return $ok
}

# Small predicates for check().
not_grep() { ! grep "$@"; }
deterministic_templates() {
  local fns='rand[A-Za-z]*|now|lookup|uuidv4|genCA|genPrivateKey|genSelfSignedCert|genSignedCert'
  ! grep -rnE "\b($fns)\b" "$1/templates"
}
lint_clean() { # DIR [ARGS...]
  "$helm" lint --strict "$@" > "$tmp/lint.out" 2>&1 || { cat "$tmp/lint.out"; false; }
}
render_fails() { ! "$helm" template "$@" > /dev/null 2>&1; }
is_bool() { [ "$1" = true ] || [ "$1" = false ]; }
names_release() { # NEED "NAMES" NS: NEED is NS/<one of NAMES>
  case " $2 " in *" ${1#*/} "*) [ "${1%%/*}" = "$3" ];; *) false;; esac
}
all_match() { # FILE PATTERN...: every pattern found in FILE
  local f=$1; shift
  for p in "$@"; do grep -q -- "$p" "$f" || return 1; done
}

charts=()
for c in "$root"/charts/*/Chart.yaml; do charts+=("$(basename "$(dirname "$c")")"); done
check "charts found" test ${#charts[@]} -ge 12

first_helpers=$root/charts/${charts[0]}/templates/_helpers.tpl
for name in "${charts[@]}"; do
  dir=$root/charts/$name
  list=$root/images/$name.txt
  check "$name: templates/_helpers.tpl is the shared one" \
    cmp -s "$first_helpers" "$dir/templates/_helpers.tpl"
  check "$name: no randAlphaNum/now/lookup/gen* (deterministic)" deterministic_templates "$dir"
  check "$name: NOTES.txt present" test -f "$dir/templates/NOTES.txt"
  check "$name: image list images/$name.txt present" test -s "$list"
  check "$name: helm lint --strict (defaults)" lint_clean "$dir"
  check "$name: helm lint --strict (with pot's values)" lint_clean "$dir" "${required[@]}"

  notes_dir=$(notes_copy "$dir")
  for kv in $kube_versions; do
    for mode in "" "$dir"/ci/*.yaml; do
      [ -z "$mode" ] || [ -f "$mode" ] || continue
      what=${mode:+ci/$(basename "$mode")}
      label="$name [${what:-defaults}, k8s $kv]"
      out=$tmp/render.yaml
      if ! "$helm" template "$name" "$notes_dir" --namespace "$ns" --kube-version "$kv" \
          "${required[@]}" ${mode:+-f "$mode"} > "$out" 2> "$tmp/render.err"; then
        fail "$label: helm template"; sed 's/^/  /' "$tmp/render.err"; continue
      fi
      pass
      check "$label: renders images" grep -qE '^[[:space:]]*(- )?image:' "$out"
      check "$label: every image is in images/$name.txt" images_listed "$out" "$list"
      check "$label: password never in clear, base64 only in Secrets (NOTES, labels too)" \
        secret_only_in_secrets "$out"
      check "$label: NOTES.txt rendered" grep -q '^# NOTES.txt:' "$out"
      check "$label: containers have probes, requests and limits" \
        workloads_complete "$out"
      check "$label: replicated workloads have pod anti-affinity" replicas_spread "$out"
      if [ -z "$mode" ]; then
        "$helm" template "$name" "$notes_dir" --namespace "$ns" --kube-version "$kv" \
          "${required[@]}" > "$tmp/again.yaml" 2>/dev/null
        check "$label: rendering is deterministic" cmp -s "$out" "$tmp/again.yaml"
      fi
    done
  done
done

# Without the password a chart that needs one refuses to render (pot must always supply it).
check "redis: no auth.password -> helm template fails" render_fails redis "$root/charts/redis"

# The committed image lists are the derived ones.
mkdir -p "$tmp/images"
if HELM=$helm KUBE_VERSIONS=$kube_versions "$root/scripts/component-images.sh" \
    --out "$tmp/images"; then
  pass
  for name in "${charts[@]}"; do
    check "images/$name.txt equals what scripts/component-images.sh derives" \
      diff -u "$root/images/$name.txt" "$tmp/images/$name.txt"
  done
else
  fail "scripts/component-images.sh"
fi

# ---- charts/components.yaml.gotmpl ----------------------------------------------------------
# Rendered through a throwaway chart: values.yaml = the state values, the helmfile as a file run
# through `tpl`; a second template prints each release as "#@release name ns chart installed needs",
# "#@values" + YAML, "#@file path" for the pieces of its values list.
hf=$tmp/hfchart
mkdir -p "$hf/templates" "$hf/files"
printf 'apiVersion: v2\nname: hf\nversion: 0.1.0\n' > "$hf/Chart.yaml"
cp "$root/charts/components.yaml.gotmpl" "$hf/files/hf.gotmpl"
cat > "$hf/templates/releases.yaml" <<'EOF'
{{- $hf := tpl (.Files.Get "files/hf.gotmpl") . | fromYaml }}
{{- if $hf.Error }}{{ fail $hf.Error }}{{ end }}
{{- range $r := $hf.releases }}
{{- $needs := join "," ($r.needs | default list) }}
#@release {{ $r.name }} {{ $r.namespace }} {{ $r.chart }} {{ $r.installed }} {{ $needs }}
{{- range $v := $r.values }}
{{- if kindIs "string" $v }}
#@file {{ $v }}
{{- else }}
#@values
{{ toYaml $v }}
{{- end }}
{{- end }}
{{- end }}
EOF
secrets=$tmp/secrets
mkdir -p "$secrets"
for c in redis mysql postgres prometheus minio; do
  printf 'auth:\n  password: "%s"\n' "$sentinel" > "$secrets/$c.yaml"
done

for state in "$here"/state-*.yaml; do
  sname=$(basename "$state" .yaml)
  sed "s|SECRETS_DIR|$secrets|" "$state" > "$hf/values.yaml"
  rendered=$tmp/$sname.out
  if ! "$helm" template hf "$hf" > "$rendered" 2> "$tmp/hf.err"; then
    fail "$sname: components.yaml.gotmpl renders to YAML"; sed 's/^/  /' "$tmp/hf.err"; continue
  fi
  pass
  check "$sname: 12 releases" test "$(grep -c '^#@release ' "$rendered")" -eq 12
  # Split into one directory per release: meta, values files in order.
  rm -rf "$tmp/rel" && mkdir -p "$tmp/rel"
  awk -v d="$tmp/rel" '
    /^#@release / { r = $2; print $3, $4, $5, $6 > (d "/" r ".meta"); i = 0; out = ""; next }
    /^#@file /    { print "F " $2 >> (d "/" r ".list"); out = ""; next }
    /^#@values$/  { i++; out = d "/" r "." i ".yaml"; print "F " out >> (d "/" r ".list"); next }
    out != ""     { print > out }' "$rendered"
  names=$(cd "$tmp/rel" && printf '%s\n' ./*.meta | sed 's|^\./||; s/\.meta$//' | tr '\n' ' ')
  for meta in "$tmp"/rel/*.meta; do
    rel=$(basename "$meta" .meta)
    read -r rns chart installed needs < "$meta"
    check "$sname/$rel: namespace $ns" test "$rns" = "$ns"
    check "$sname/$rel: chart $chart exists" test -f "$root/charts/${chart#./}/Chart.yaml"
    check "$sname/$rel: installed is true or false" is_bool "$installed"
    for need in ${needs//,/ }; do
      check "$sname/$rel: needs $need names a release of $ns" names_release "$need" "$names" "$ns"
    done
    [ "$installed" = true ] || continue
    args=()
    while read -r _ f; do
      if [ -f "$f" ]; then args+=(-f "$f"); else fail "$sname/$rel: values file $f missing"; fi
    done < "$tmp/rel/$rel.list"
    # Charts with a Secret get auth.password from secret_values_dir (when set) or from pot here.
    grep -q "^F $secrets/" "$tmp/rel/$rel.list" || args+=(--set-string "auth.password=$sentinel")
    out=$tmp/rel/$rel.rendered
    if "$helm" template "$rel" "$root/charts/${chart#./}" --namespace "$rns" \
        --kube-version 1.16.6 "${args[@]}" > "$out" 2> "$tmp/rel.err"; then
      pass
      check "$sname/$rel: rendered images are in images/${chart#./}.txt" \
        images_listed "$out" "$root/images/${chart#./}.txt" any-registry
      check "$sname/$rel: password never in clear" secret_only_in_secrets "$out"
    else
      fail "$sname/$rel: helm template with the helmfile's values"; sed 's/^/  /' "$tmp/rel.err"
    fi
  done
  rel=$tmp/rel
  case $sname in
    state-all-off)
      check "$sname: nothing installed" not_grep -q '^#@release .* true ' "$rendered" ;;
    state-kit-defaults)
      check "$sname: minio off" grep -q '^#@release minio .* false ' "$rendered"
      check "$sname: the 11 others on" test "$(grep -c '^#@release .* true ' "$rendered")" -eq 11
      check "$sname: PVCs on the NFS class" grep -q 'storageClassName: "pot-nfs"' \
        "$rel/mysql.rendered"
      check "$sname: kafka needs zookeeper and nfs" grep -q \
        '^#@release kafka .* pot-system/zookeeper,pot-system/nfs-provisioner$' "$rendered"
      check "$sname: redis on port 10101, master-slave, dedicated nodes" all_match \
        "$rel/redis.rendered" 'containerPort: 10101' 'name: redis-replica$' 'redis-cluster: "true"'
      check "$sname: no inventory password reaches a release" not_grep -rqE \
        'Redis@2020|Mysql@2020|Postgres@2020' "$rel" ;;
    state-single-node)
      check "$sname: secret values files referenced" grep -q "^#@file $secrets/redis.yaml" \
        "$rendered"
      check "$sname: no needs on nfs" not_grep -q '^#@release .*nfs-provisioner$' "$rendered"
      check "$sname: redis cluster on hostPath /srv/redis" all_match "$rel/redis.rendered" \
        'cluster-enabled yes' 'path: /srv/redis'
      check "$sname: mysql primary only" not_grep -q 'mysql-replica' "$rel/mysql.rendered"
      check "$sname: mysql on MYSQL_PORT 3307" grep -q 'containerPort: 3307' "$rel/mysql.rendered"
      check "$sname: ingress LoadBalancer 10.0.0.100" grep -q 'loadBalancerIP: 10.0.0.100' \
        "$rel/ingress-nginx.rendered"
      check "$sname: images from registry_domain" grep -q 'image: reg.example.com/library/' \
        "$rel/minio.rendered" ;;
  esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
