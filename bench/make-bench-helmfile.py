#!/usr/bin/python3
"""make-bench-helmfile.py - the 50-release helmfile of bench/helmfile-vs-helm.sh, written locally.

    make-bench-helmfile.py OUTDIR [CENTERS]      (default 10 centers x 5 apps = 50 releases)

Laid out like the kit's helmfile/ (helmfile.d/ one state file per center, config/ values per
center and customer, one chart directory per center and app):
  OUTDIR/helmfile.d/NN-centerNN.yaml.gotmpl   environments default and bench, helmDefaults
                                              (wait, timeout, createNamespace), 5 releases with
                                              labels, needs, values (.gotmpl file + inline) and set
  OUTDIR/config/common/{defaults,bench}.yaml  environment values (registry, replicas, ...)
  OUTDIR/config/centerNN-bench/APP.yaml.gotmpl  release values rendered by helmfile's rules
  OUTDIR/charts/centerNN/APP/                 Chart.yaml, values.yaml, templates/: _helpers.tpl,
                                              serviceaccount, configmap, secret, service,
                                              deployment (StatefulSet for db), hpa, ingress
Apps: db and cache (no needs), api (needs db and cache), worker and web (need api); every other
center's web also needs center01's api (shared sign-on), so `needs` makes 3 levels.
The chart templates use what real charts do: define/include, nindent, toYaml, range over lists
and dicts, with, if/else, printf, default, required, quote, ternary, tpl, b64enc, keys|sortAlpha,
merge/dict, add/max, trunc/trimSuffix/replace, and sha256sum of the included configmap.
Charts are varied per center (version, appVersion, defaults); numbers stay integers or simple
decimals so that Helm's float64 values print the same everywhere.
"""
import os
import sys

APPS = ["db", "cache", "api", "worker", "web"]

HELPERS = r'''{{/* Names and labels shared by every object of the chart (as `helm create` writes them). */}}
{{- define "APP.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "APP.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "APP.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "APP.selectorLabels" -}}
app.kubernetes.io/name: {{ include "APP.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "APP.labels" -}}
helm.sh/chart: {{ include "APP.chart" . }}
{{ include "APP.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "APP.image" -}}
{{- $registry := required "image.registry is required" .Values.image.registry -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString -}}
{{- printf "%s/%s/%s:%s" $registry (default "library" .Values.image.project) .Values.image.name $tag -}}
{{- end -}}

{{- define "APP.env" -}}
{{- $env := merge (dict "APP_NAME" .Chart.Name "APP_CHART" (include "APP.chart" .)) .Values.env -}}
{{- range $k := keys $env | sortAlpha }}
- name: {{ $k | upper | replace "." "_" }}
  value: {{ get $env $k | toString | quote }}
{{- end }}
{{- end -}}
'''

SERVICEACCOUNT = r'''apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "APP.fullname" . }}
  labels:
    {{- include "APP.labels" . | nindent 4 }}
automountServiceAccountToken: {{ .Values.serviceAccount.automount | default false }}
'''

CONFIGMAP = r'''apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "APP.fullname" . }}-config
  labels:
    {{- include "APP.labels" . | nindent 4 }}
data:
  app.yaml: |
    {{- toYaml .Values.config | nindent 4 }}
  {{- range $name, $text := .Values.files }}
  {{ $name }}: |
    {{- tpl $text $ | nindent 4 }}
  {{- end }}
  log-level: {{ .Values.logLevel | default "info" | quote }}
'''

SECRET = r'''{{- if .Values.secret.enabled }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "APP.fullname" . }}-secret
  labels:
    {{- include "APP.labels" . | nindent 4 }}
type: Opaque
data:
  {{- range $k, $v := .Values.secret.data }}
  {{ $k }}: {{ $v | toString | b64enc | quote }}
  {{- end }}
{{- end }}
'''

SERVICE = r'''apiVersion: v1
kind: Service
metadata:
  name: {{ include "APP.fullname" . }}
  labels:
    {{- include "APP.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type }}
  {{- if .Values.persistence.enabled }}
  clusterIP: None
  {{- end }}
  selector:
    {{- include "APP.selectorLabels" . | nindent 4 }}
  ports:
    {{- range .Values.service.ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .targetPort | default .port }}
      protocol: {{ .protocol | default "TCP" }}
    {{- end }}
'''

WORKLOAD = r'''apiVersion: apps/v1
kind: {{ ternary "StatefulSet" "Deployment" .Values.persistence.enabled }}
metadata:
  name: {{ include "APP.fullname" . }}
  labels:
    {{- include "APP.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  {{- if .Values.persistence.enabled }}
  serviceName: {{ include "APP.fullname" . }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "APP.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "APP.selectorLabels" . | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
        {{- if .Values.secret.enabled }}
        checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
        {{- end }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "APP.fullname" . }}
      {{- with .Values.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include "APP.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy | default "IfNotPresent" }}
          {{- with .Values.args }}
          args:
            {{- range . }}
            - {{ . | quote }}
            {{- end }}
          {{- end }}
          env:
            {{- include "APP.env" . | nindent 12 }}
            - name: POD_NAMESPACE
              value: {{ .Release.Namespace | quote }}
          ports:
            {{- range .Values.service.ports }}
            - name: {{ .name }}
              containerPort: {{ .targetPort | default .port }}
              protocol: {{ .protocol | default "TCP" }}
            {{- end }}
          {{- with .Values.probe }}
          readinessProbe:
            httpGet:
              path: {{ .path }}
              port: {{ .port }}
            initialDelaySeconds: {{ .initialDelay | default 5 }}
            periodSeconds: {{ .period | default 10 }}
          livenessProbe:
            httpGet:
              path: {{ .path }}
              port: {{ .port }}
            initialDelaySeconds: {{ add (.initialDelay | default 5) 10 }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          volumeMounts:
            - name: config
              mountPath: /etc/{{ .Chart.Name }}
            {{- if .Values.persistence.enabled }}
            - name: data
              mountPath: {{ .Values.persistence.mountPath }}
            {{- end }}
      volumes:
        - name: config
          configMap:
            name: {{ include "APP.fullname" . }}-config
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  {{- if .Values.persistence.enabled }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ {{ .Values.persistence.accessMode | default "ReadWriteOnce" | quote }} ]
        resources:
          requests:
            storage: {{ .Values.persistence.size | quote }}
  {{- end }}
'''

HPA = r'''{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "APP.fullname" . }}
  labels:
    {{- include "APP.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "APP.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ max .Values.autoscaling.minReplicas .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPU | default 80 }}
{{- end }}
'''

INGRESS = r'''{{- if .Values.ingress.enabled -}}
{{- $fullName := include "APP.fullname" . -}}
{{- $svcPort := (index .Values.service.ports 0).port -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $fullName }}
  labels:
    {{- include "APP.labels" . | nindent 4 }}
spec:
  {{- if .Values.ingress.tls }}
  tls:
    {{- range .Values.ingress.tls }}
    - hosts:
        {{- range .hosts }}
        - {{ . | quote }}
        {{- end }}
      secretName: {{ .secretName }}
    {{- end }}
  {{- end }}
  rules:
    {{- range .Values.ingress.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ .path }}
            pathType: {{ .pathType | default "Prefix" }}
            backend:
              service:
                name: {{ $fullName }}
                port:
                  number: {{ $svcPort }}
          {{- end }}
    {{- end }}
{{- end }}
'''

TEMPLATES = {
    "_helpers.tpl": HELPERS,
    "serviceaccount.yaml": SERVICEACCOUNT,
    "configmap.yaml": CONFIGMAP,
    "secret.yaml": SECRET,
    "service.yaml": SERVICE,
    "workload.yaml": WORKLOAD,
    "hpa.yaml": HPA,
    "ingress.yaml": INGRESS,
}

# Per app: (port, persistence, autoscaling, ingress, secret)
APP_TRAITS = {
    "db": (5432, True, False, False, True),
    "cache": (6379, True, False, False, False),
    "api": (8080, False, True, False, True),
    "worker": (9090, False, True, False, False),
    "web": (80, False, False, True, False),
}


def chart_values(c, app):
    port, persist, autoscale, ingress, secret = APP_TRAITS[app]
    lines = [
        "# Defaults of center%02d's %s; config/center%02d-<customer>/%s.yaml.gotmpl overrides." % (c, app, c, app),
        "replicaCount: 1",
        "nameOverride: \"\"",
        "fullnameOverride: \"\"",
        "image:",
        "  registry: \"\"",
        "  project: library",
        "  name: %s" % app,
        "  tag: \"\"",
        "  pullPolicy: IfNotPresent",
        "logLevel: info",
        "commonLabels:",
        "  center: center%02d" % c,
        "  tier: %s" % ("data" if persist else "app"),
        "serviceAccount:",
        "  automount: false",
        "securityContext:",
        "  runAsNonRoot: true",
        "  runAsUser: %d" % (1000 + c),
        "  fsGroup: %d" % (1000 + c),
        "service:",
        "  type: ClusterIP",
        "  annotations: {}",
        "  ports:",
        "    - name: main",
        "      port: %d" % port,
        "    - name: metrics",
        "      port: %d" % (9100 + c),
        "      targetPort: 9100",
        "probe:",
        "  path: /healthz",
        "  port: %d" % port,
        "  initialDelay: %d" % (5 + c % 4),
        "resources:",
        "  requests:",
        "    cpu: %dm" % (50 + 10 * c),
        "    memory: %dMi" % (64 * (1 + c % 3)),
        "  limits:",
        "    cpu: \"%s\"" % ("1" if c % 2 else "0.5"),
        "    memory: %dMi" % (256 * (1 + c % 2)),
        "nodeSelector:",
        "  kubernetes.io/os: linux",
        "tolerations: []",
        "env:",
        "  TZ: UTC",
        "  app.port: %d" % port,
        "config:",
        "  server:",
        "    port: %d" % port,
        "    threads: %d" % (4 + c % 5),
        "  features: [metrics, tracing]",
        "files: {}",
        "args: []",
        "podAnnotations: {}",
        "persistence:",
        "  enabled: %s" % ("true" if persist else "false"),
        "  mountPath: /var/lib/%s" % app,
        "  size: %dGi" % (10 * (1 + c % 3)),
        "autoscaling:",
        "  enabled: %s" % ("true" if autoscale else "false"),
        "  minReplicas: 2",
        "  maxReplicas: %d" % (4 + c % 4),
        "ingress:",
        "  enabled: %s" % ("true" if ingress else "false"),
        "  hosts: []",
        "  tls: []",
        "secret:",
        "  enabled: %s" % ("true" if secret else "false"),
        "  data: {}",
    ]
    return "\n".join(lines) + "\n"


def release_values(c, app):
    """config/centerNN-bench/APP.yaml.gotmpl: rendered by helmfile (state values, env, release)."""
    port = APP_TRAITS[app][0]
    cn = "center%02d" % c
    out = [
        "# %s %s for {{ .Environment.Name }}: rendered by helmfile's rules before helm sees it." % (cn, app),
        "replicaCount: {{ .Values.replicas.%s | default 1 }}" % app,
        "image:",
        "  tag: {{ .Values.version | quote }}",
        "logLevel: {{ .Values.logLevel | quote }}",
        "podAnnotations:",
        "  bench.pot/customer: {{ .Environment.Name | quote }}",
        "  bench.pot/release: {{ .Release.Name }}",
        "env:",
        "  CENTER: %s" % cn,
        "  CUSTOMER: {{ .Environment.Name }}",
        "  DB_URL: {{ printf \"postgres://%s-db-%%s.%s.svc:5432/%%s\" .Environment.Name (printf \"%s_%%s\" .Environment.Name | upper) }}" % (cn, cn, cn),
        "  CACHE_URL: redis://%s-cache-{{ .Environment.Name }}.%s.svc:6379/0" % (cn, cn),
        "config:",
        "  center: %s" % cn,
        "  customer: {{ .Environment.Name }}",
        "  limits:",
        "{{- range $k, $v := .Values.limits }}",
        "    {{ $k }}: {{ $v }}",
        "{{- end }}",
        "files:",
        "  banner.txt: |",
        "    Welcome to {{ `{{ .Release.Name }}` }} in {{ `{{ .Release.Namespace }}` }} (%s)" % cn,
        "args: [\"--port=%d\", \"--center=%s\"]" % (port, cn),
    ]
    if app == "web":
        out += [
            "ingress:",
            "  hosts:",
            "    - host: %s.{{ .Values.domain }}" % cn,
            "      paths:",
            "        - path: /",
            "        - path: /static",
            "          pathType: ImplementationSpecific",
            "  tls:",
            "    - hosts: [%s.{{ .Values.domain }}]" % cn,
            "      secretName: %s-tls" % cn,
        ]
    if APP_TRAITS[app][4]:
        out += [
            "secret:",
            "  data:",
            "    password: {{ printf \"%s-%s-%%s\" .Environment.Name | sha256sum | trunc 16 }}" % (cn, app),
            "    user: %s_%s" % (cn, app),
        ]
    return "\n".join(out) + "\n"


def state_file(c):
    cn = "center%02d" % c
    out = [
        "# Center %s: five applications; the environment is the customer, so release names and config" % cn,
        "# folders read ${center}-${customer} (as the kit's helmfile/)." ,
        "environments:",
        "  default:",
        "    values:",
        "      - ../config/common/defaults.yaml",
        "  bench:",
        "    values:",
        "      - ../config/common/defaults.yaml",
        "      - ../config/common/bench.yaml",
        "---",
        "helmDefaults:",
        "  wait: true",
        "  timeout: 600",
        "  createNamespace: true",
        "",
        "releases:",
    ]
    for app in APPS:
        out += [
            "  - name: %s-%s-{{ .Environment.Name }}" % (cn, app),
            "    namespace: %s" % cn,
            "    chart: ../charts/%s/%s" % (cn, app),
            "    labels:",
            "      center: %s" % cn,
            "      app: %s" % app,
            "      tier: %s" % ("data" if app in ("db", "cache") else "app"),
        ]
        needs = []
        if app == "api":
            needs = ["%s/%s-db-{{ .Environment.Name }}" % (cn, cn), "%s/%s-cache-{{ .Environment.Name }}" % (cn, cn)]
        elif app in ("worker", "web"):
            needs = ["%s/%s-api-{{ .Environment.Name }}" % (cn, cn)]
            if app == "web" and c != 1:
                needs.append("center01/center01-api-{{ .Environment.Name }}")
        if needs:
            out.append("    needs:")
            out += ["      - " + n for n in needs]
        out += [
            "    values:",
            "      - ../config/%s-{{ .Environment.Name }}/%s.yaml.gotmpl" % (cn, app),
            "      - image:",
            "          registry: {{ .Values.registry }}",
            "          project: {{ .Values.project | default \"library\" }}",
        ]
        if app == "worker":
            out += [
                "    set:",
                "      - name: config.queue.partitions",
                "        value: {{ .Values.partitions }}",
            ]
    return "\n".join(out) + "\n"


DEFAULTS = """# Values every environment starts from.
registry: registry.tke.com
project: tke
version: "1.0"
domain: example.invalid
logLevel: info
partitions: 2
replicas:
  db: 1
  cache: 1
  api: 1
  worker: 1
  web: 1
limits:
  connections: 100
  requestsPerSecond: 50
"""

BENCH = """# The "bench" customer.
version: "1.4.2"
domain: bench.example.invalid
partitions: 8
replicas:
  api: 3
  web: 2
limits:
  connections: 400
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: make-bench-helmfile.py OUTDIR [CENTERS]")
    outdir = sys.argv[1]
    centers = int(sys.argv[2]) if len(sys.argv) == 3 else 10
    write(os.path.join(outdir, "config/common/defaults.yaml"), DEFAULTS)
    write(os.path.join(outdir, "config/common/bench.yaml"), BENCH)
    for c in range(1, centers + 1):
        cn = "center%02d" % c
        write(os.path.join(outdir, "helmfile.d/%02d-%s.yaml.gotmpl" % (c, cn)), state_file(c))
        for app in APPS:
            chart = os.path.join(outdir, "charts", cn, app)
            write(os.path.join(chart, "Chart.yaml"),
                  "apiVersion: v2\nname: %s\ndescription: center%02d's %s (bench chart)\n"
                  "type: application\nversion: 0.%d.0\nappVersion: \"1.%d\"\n" % (app, c, app, c, c))
            write(os.path.join(chart, "values.yaml"), chart_values(c, app))
            for name, text in TEMPLATES.items():
                write(os.path.join(chart, "templates", name), text.replace("APP.", app + "."))
            write(os.path.join(outdir, "config/%s-bench/%s.yaml.gotmpl" % (cn, app)),
                  release_values(c, app))


if __name__ == "__main__":
    main()
