{{/* The provisioner name the StorageClass points at (unique per release). */}}
{{- define "nfs.provisionerName" -}}
{{- printf "pot.io/%s-%s" .Release.Namespace (include "pot.fullname" .) -}}
{{- end -}}
