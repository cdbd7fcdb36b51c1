{{/* The StatefulSets: primary, and replica when replica.enabled. */}}
{{- define "mysql.sets" -}}
{{- $sets := list (dict "role" "primary" "replicas" 1 "idBase" 1) -}}
{{- if .Values.replica.enabled -}}
{{- $sets = append $sets (dict "role" "replica" "replicas" (int .Values.replica.count) "idBase" 100) -}}
{{- end -}}
{{- toJson $sets -}}
{{- end -}}

{{- define "mysql.primaryHost" -}}
{{- $full := include "pot.fullname" . -}}
{{- include "pot.svcHost" (dict "root" . "name" (printf "%s-primary-0.%s-primary-headless" $full $full)) -}}
{{- end -}}
