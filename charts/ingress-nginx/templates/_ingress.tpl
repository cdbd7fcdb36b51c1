{{/* true when the cluster runs Kubernetes >= 1.22 (controller v1.x, Ingress networking.k8s.io/v1). */}}
{{- define "ingress.v1" -}}
{{- if semverCompare ">=1.22-0" .Capabilities.KubeVersion.Version }}true{{ end -}}
{{- end -}}

{{/* The controller image values with the tag chosen by cluster version when image.tag is "". */}}
{{- define "ingress.image" -}}
{{- $tag := .Values.image.tag | default (ternary "v1.9.6" "v0.49.3" (eq (include "ingress.v1" .) "true")) -}}
{{- dict "repository" .Values.image.repository "tag" $tag | toJson -}}
{{- end -}}
