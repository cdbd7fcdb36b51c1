{{/* The release's full name and its labels, shared by every object of the chart. */}}
{{- define "worker.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "worker.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "worker.image" -}}
{{- required "image.registry is required" .Values.image.registry }}/library/{{ .Values.image.name }}:{{ .Values.image.tag }}
{{- end -}}
