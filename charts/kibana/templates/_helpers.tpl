{{/*
pot charts: shared helpers. This file is byte-identical in every chart under charts/ (the test
tests/charts/check-charts.sh checks it); a chart's own helpers live in templates/_<chart>.tpl.
Helpers taking a dict get "root" (the chart's top context) plus the arguments named in their comment.
Block helpers (scheduling, dataVolume, volumeClaimTemplates, chownInit) may be empty: include them as
`{{- with include "pot.X" (dict ...) | trim }}{{ . | nindent N }}{{- end }}`; the others with `nindent`.
*/}}

{{/* Release name, or "<release>-<chart>" when the release name does not contain the chart name. */}}
{{- define "pot.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Selector labels. Args: root, component (optional). */}}
{{- define "pot.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* Common labels (never a value from auth.*). Args: root, component (optional). */}}
{{- define "pot.labels" -}}
{{ include "pot.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: pot
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* "<global.registry>/library/<repository>:<tag>": where the kit pushes every image
     (registry_domain/library/<last path component of the upstream name>). Args: root, image. */}}
{{- define "pot.image" -}}
{{- printf "%s/library/%s:%s" .root.Values.global.registry .image.repository (toString .image.tag) -}}
{{- end -}}

{{/* image + imagePullPolicy lines of a container. Args: root, image. */}}
{{- define "pot.containerImage" -}}
image: {{ include "pot.image" . }}
imagePullPolicy: {{ .root.Values.global.imagePullPolicy }}
{{- end -}}

{{/* The chart's Secret: key "password" = auth.password (pot generates it and passes it in a values
     file; a chart never prints it). Args: root. */}}
{{- define "pot.secret" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "pot.fullname" .root }}
  labels:
    {{- include "pot.labels" (dict "root" .root) | nindent 4 }}
type: Opaque
data:
  password: {{ required "auth.password is required (pot writes it to <secret_values_dir>/<component>.yaml)" .root.Values.auth.password | toString | b64enc }}
{{- end -}}

{{/* An env var read from the chart's Secret. Args: root, name. */}}
{{- define "pot.passwordEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "pot.fullname" .root }}
      key: password
{{- end -}}

{{/* POD_NAME, POD_NAMESPACE, POD_IP (POD_NAME is what a hostPath volume's subPathExpr uses). */}}
{{- define "pot.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end -}}

{{/* nodeSelector, tolerations and pod anti-affinity ("soft", "hard" or "none") of a pod spec.
     Args: root, v (the values holding nodeSelector/tolerations/antiAffinity; default root.Values),
     component (optional: spread only the pods of that component). */}}
{{- define "pot.scheduling" -}}
{{- $v := .v | default .root.Values -}}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- $sel := include "pot.selectorLabels" (dict "root" .root "component" .component) }}
{{- if eq (toString $v.antiAffinity) "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- $sel | nindent 12 }}
{{- else if eq (toString $v.antiAffinity) "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- $sel | nindent 14 }}
{{- end }}
{{- end -}}

{{/* Storage of a StatefulSet's "data" volume, from persistence.{enabled,hostPath,storageClass,size}:
     hostPath set -> a hostPath directory (single node; each pod uses the subdirectory named after it),
     else enabled -> a PVC per pod on storageClass (or global.storageClass, or the cluster default),
     else an emptyDir. */}}

{{/* Pod volume "data" (hostPath or emptyDir; nothing when a PVC template provides it). Args: root. */}}
{{- define "pot.dataVolume" -}}
{{- $p := .root.Values.persistence -}}
{{- if $p.hostPath }}
- name: data
  hostPath:
    path: {{ $p.hostPath }}
    type: DirectoryOrCreate
{{- else if not $p.enabled }}
- name: data
  emptyDir: {}
{{- end }}
{{- end -}}

{{/* volumeClaimTemplates of the StatefulSet (when a PVC is used). Args: root. */}}
{{- define "pot.volumeClaimTemplates" -}}
{{- $p := .root.Values.persistence -}}
{{- if and $p.enabled (not $p.hostPath) }}
volumeClaimTemplates:
  - metadata:
      name: data
      labels:
        {{- include "pot.selectorLabels" (dict "root" .root) | nindent 8 }}
    spec:
      accessModes: [ReadWriteOnce]
      {{- with ($p.storageClass | default .root.Values.global.storageClass) }}
      storageClassName: {{ . | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ $p.size }}
{{- end }}
{{- end -}}

{{/* The volumeMount of "data". Args: root, path. */}}
{{- define "pot.dataMount" -}}
- name: data
  mountPath: {{ .path }}
  {{- if .root.Values.persistence.hostPath }}
  subPathExpr: $(POD_NAME)
  {{- end }}
{{- end -}}

{{/* Init container giving a non-root image its hostPath directory (fsGroup does not apply to
     hostPath). Nothing unless persistence.hostPath is set. Args: root, image, uid, path. */}}
{{- define "pot.chownInit" -}}
{{- if .root.Values.persistence.hostPath }}
- name: chown-data
  {{- include "pot.containerImage" . | nindent 2 }}
  command: ["sh", "-c", "chown -R {{ .uid }}:{{ .uid }} {{ .path }}"]
  securityContext:
    runAsUser: 0
  env:
    {{- include "pot.podEnv" . | nindent 4 }}
  volumeMounts:
    {{- include "pot.dataMount" . | nindent 4 }}
  resources:
    requests: {cpu: 10m, memory: 16Mi}
    limits: {cpu: 100m, memory: 64Mi}
{{- end }}
{{- end -}}

{{/* "<name>.<namespace>.svc.<clusterDomain>". Args: root, name. */}}
{{- define "pot.svcHost" -}}
{{- printf "%s.%s.svc.%s" .name .root.Release.Namespace .root.Values.global.clusterDomain -}}
{{- end -}}
