{{/* Names and labels. */}}
{{- define "nabla.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nabla.fullname" -}}
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

{{- define "nabla.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nabla.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nabla.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "nabla.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "nabla.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nabla.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret and key holding the API tokens (comma-separated). */}}
{{- define "nabla.tokenSecretName" -}}
{{- if .Values.security.existingSecret -}}
{{- .Values.security.existingSecret -}}
{{- else -}}
{{- printf "%s-tokens" (include "nabla.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "nabla.tokenSecretKey" -}}
{{- if .Values.security.existingSecret -}}
{{- .Values.security.existingSecretKey -}}
{{- else -}}
tokens
{{- end -}}
{{- end -}}

{{- define "nabla.tokensConfigured" -}}
{{- if or .Values.security.existingSecret (gt (len .Values.security.tokens) 0) -}}true{{- end -}}
{{- end -}}

{{- define "nabla.dbSecretName" -}}
{{- if .Values.postgresql.existingSecret -}}
{{- .Values.postgresql.existingSecret -}}
{{- else -}}
{{- printf "%s-postgresql" (include "nabla.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Checks that refuse to render a release that would not start, would be open without tokens, or would be killed
while it checkpoints. Every template includes this, so `helm template` and `helm install` fail the same way.
*/}}
{{- define "nabla.validate" -}}
{{- if and (not .Values.bind.loopbackOnly) (not (include "nabla.tokensConfigured" .)) -}}
{{- fail "nabla: API tokens are required: the server listens on 0.0.0.0 in the pod, where every pod that can route to it reaches it, and Nabla refuses to serve that without tokens (API.md section 6). Set security.existingSecret (a Secret with the comma-separated tokens under security.existingSecretKey) or security.tokens, or bind.loopbackOnly=true for a pod-local (sidecar) server." -}}
{{- end -}}
{{- range .Values.security.tokens -}}
{{- if or (not .) (contains "," (toString .)) -}}
{{- fail (printf "nabla: security.tokens entries must be non-empty and contain no comma, got %q" (toString .)) -}}
{{- end -}}
{{- end -}}
{{- $s := .Values.shutdown -}}
{{- $need := add (int $s.drainDelaySeconds) (mul 2 (int $s.phaseTimeoutSeconds)) 10 -}}
{{- if lt (int $s.terminationGracePeriodSeconds) (int $need) -}}
{{- fail (printf "nabla: shutdown.terminationGracePeriodSeconds must be at least drainDelaySeconds + 2 x phaseTimeoutSeconds + 10 = %d (drain, in-flight requests, job checkpoints, exit), got %d" (int $need) (int $s.terminationGracePeriodSeconds)) -}}
{{- end -}}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.url) -}}
{{- fail "nabla: postgresql.enabled needs postgresql.url (jdbc:postgresql://host:5432/db)" -}}
{{- end -}}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.existingSecret) (not .Values.postgresql.username) -}}
{{- fail "nabla: postgresql.enabled needs postgresql.existingSecret or postgresql.username and postgresql.password" -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled .Values.bind.loopbackOnly -}}
{{- fail "nabla: serviceMonitor.enabled cannot scrape a server bound to loopback (bind.loopbackOnly=true)" -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled .Values.security.existingSecret (not .Values.serviceMonitor.tokenSecret.name) -}}
{{- fail "nabla: serviceMonitor.tokenSecret.name and .key must name a Secret holding one scrape token when security.existingSecret is used" -}}
{{- end -}}
{{- if and .Values.gpu.enabled (lt (int .Values.gpu.count) 1) -}}
{{- fail (printf "nabla: gpu.count must be >= 1 when gpu.enabled, got %d" (int .Values.gpu.count)) -}}
{{- end -}}
{{- end -}}

{{/* An HTTP probe on path; in loopback mode the kubelet cannot reach the port, so curl runs in the container. */}}
{{- define "nabla.probe" -}}
{{- $root := index . 0 -}}
{{- $path := index . 1 -}}
{{- $p := index . 2 -}}
{{- if $root.Values.bind.loopbackOnly }}
exec:
  command: ["curl", "-fsS", "-o", "/dev/null", "--max-time", "{{ $p.timeoutSeconds }}", "http://127.0.0.1:{{ $root.Values.bind.port }}{{ $path }}"]
{{- else }}
httpGet:
  path: {{ $path }}
  port: http
{{- end }}
periodSeconds: {{ $p.periodSeconds }}
failureThreshold: {{ $p.failureThreshold }}
timeoutSeconds: {{ $p.timeoutSeconds }}
{{- end -}}
