{{/* prometheus.yml: itself, node-exporter, the kubelets' cAdvisor (through the API server) and
     pods annotated prometheus.io/scrape: "true" (prometheus.io/port, prometheus.io/path). */}}
{{- define "prometheus.config" -}}
global:
  scrape_interval: {{ .Values.scrapeInterval }}
  evaluation_interval: {{ .Values.scrapeInterval }}
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:{{ .Values.port }}"]
  {{- if .Values.nodeExporter.enabled }}
  - job_name: node-exporter
    kubernetes_sd_configs:
      - role: endpoints
        namespaces:
          names: [{{ .Release.Namespace }}]
    relabel_configs:
      - source_labels: [__meta_kubernetes_service_name]
        regex: {{ include "pot.fullname" . }}-node-exporter
        action: keep
      - source_labels: [__meta_kubernetes_pod_node_name]
        target_label: node
  {{- end }}
  - job_name: cadvisor
    scheme: https
    tls_config:
      ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token
    kubernetes_sd_configs:
      - role: node
    relabel_configs:
      - target_label: __address__
        replacement: kubernetes.default.svc:443
      - source_labels: [__meta_kubernetes_node_name]
        target_label: __metrics_path__
        replacement: /api/v1/nodes/$1/proxy/metrics/cadvisor
  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
        regex: "true"
        action: keep
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
        regex: (.+)
        target_label: __metrics_path__
      - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
        regex: ([^:]+)(?::\d+)?;(\d+)
        replacement: $1:$2
        target_label: __address__
      - source_labels: [__meta_kubernetes_namespace]
        target_label: namespace
      - source_labels: [__meta_kubernetes_pod_name]
        target_label: pod
{{- end -}}
