{{/* The release's full name and its labels, shared by every object of the chart. */}}
{{- define "web.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "web.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "web.image" -}}
{{- required "image.registry is required" .Values.image.registry }}/library/{{ .Values.image.name }}:{{ .Values.image.tag }}
{{- end -}}
