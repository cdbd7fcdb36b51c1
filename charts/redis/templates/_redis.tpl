{{/* The StatefulSets of the mode: list of dicts {role, replicas}. */}}
{{- define "redis.sets" -}}
{{- if eq .Values.mode "cluster" -}}
{{- list (dict "role" "cluster" "replicas" (int .Values.cluster.nodes)) | toJson -}}
{{- else if eq .Values.mode "master-slave" -}}
{{- list (dict "role" "master" "replicas" 1) (dict "role" "replica" "replicas" (int .Values.replica.count)) | toJson -}}
{{- else -}}
{{- fail (printf "mode must be master-slave or cluster, not %q" .Values.mode) -}}
{{- end -}}
{{- end -}}

{{/* Scheduling values: dedicatedNodes adds the redis-cluster=true selector and toleration. */}}
{{- define "redis.schedulingValues" -}}
{{- $ns := .Values.nodeSelector | default dict -}}
{{- $tol := .Values.tolerations | default list -}}
{{- if .Values.dedicatedNodes -}}
{{- $ns = merge (dict "redis-cluster" "true") $ns -}}
{{- $tol = append $tol (dict "key" "redis-cluster" "operator" "Equal" "value" "true" "effect" "NoSchedule") -}}
{{- end -}}
{{- dict "nodeSelector" $ns "tolerations" $tol "antiAffinity" .Values.antiAffinity | toJson -}}
{{- end -}}
