{{/*
Expand the name of the chart.
*/}}
{{- define "chat-proxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "chat-proxy.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "chat-proxy.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "chat-proxy.labels" -}}
helm.sh/chart: {{ include "chat-proxy.chart" . }}
{{ include "chat-proxy.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "chat-proxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chat-proxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "chat-proxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chat-proxy.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Labels of the helm test pod: deliberately NOT the selector labels, so the Service never routes to it.
*/}}
{{- define "chat-proxy.testLabels" -}}
helm.sh/chart: {{ include "chat-proxy.chart" . }}
app.kubernetes.io/name: {{ include "chat-proxy.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Name of the Secret that holds the API key; fails rendering unless exactly one source is configured.
*/}}
{{- define "chat-proxy.apiKeySecretName" -}}
{{- if and .Values.apiKey.existingSecret .Values.apiKey.value }}
{{- fail "apiKey: set either apiKey.existingSecret or apiKey.value, not both" }}
{{- else if .Values.apiKey.existingSecret }}
{{- .Values.apiKey.existingSecret }}
{{- else if .Values.apiKey.value }}
{{- include "chat-proxy.fullname" . }}
{{- else }}
{{- fail "apiKey: the postpress API key is required: set apiKey.existingSecret (name of a Secret holding it, key apiKey.existingSecretKey) or apiKey.value" }}
{{- end }}
{{- end }}

{{/*
The container environment as a YAML list. Settings that are null or "" are left out, so the
application's own default applies. Whole-number floats (YAML numbers reach templates as float64)
are printed as integers, never as 1e+06. extraEnv comes last.
*/}}
{{- define "chat-proxy.env" -}}
{{- $c := .Values.config }}
{{- $settings := list
  (list "SERVER_PORT" .Values.containerPorts.http)
  (list "MANAGEMENT_SERVER_PORT" .Values.containerPorts.management)
  (list "POSTPRESS_BASE_URL" $c.postpress.baseUrl)
  (list "POSTPRESS_CONNECT_TIMEOUT" $c.postpress.connectTimeout)
  (list "POSTPRESS_RESPONSE_TIMEOUT" $c.postpress.responseTimeout)
  (list "POSTPRESS_DEADLINE" $c.postpress.deadline)
  (list "PROXY_CACHE_TTL" $c.cache.ttl)
  (list "PROXY_CACHE_STALE_TTL" $c.cache.staleTtl)
  (list "PROXY_CACHE_MAX_ENTRIES" $c.cache.maxEntries)
  (list "PROXY_CACHE_MAX_SIZE" $c.cache.maxSize)
  (list "RESILIENCE4J_RETRY_INSTANCES_POSTPRESS_MAXATTEMPTS" $c.resilience.retryMaxAttempts)
  (list "RESILIENCE4J_CIRCUITBREAKER_INSTANCES_POSTPRESS_FAILURERATETHRESHOLD" $c.resilience.circuitBreakerFailureRateThreshold)
  (list "RESILIENCE4J_CIRCUITBREAKER_INSTANCES_POSTPRESS_WAITDURATIONINOPENSTATE" $c.resilience.circuitBreakerWaitDurationInOpenState)
  (list "RESILIENCE4J_BULKHEAD_INSTANCES_POSTPRESS_MAXCONCURRENTCALLS" $c.resilience.bulkheadMaxConcurrentCalls)
  (list "PROXY_CORS_ALLOWED_ORIGINS" (join "," $c.corsAllowedOrigins))
  (list "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI" $c.security.issuerUri)
  (list "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI" $c.security.jwkSetUri)
  (list "PROXY_SECURITY_AUDIENCE" $c.security.audience)
  (list "PROXY_SECURITY_ACCOUNTS_CLAIM" $c.security.accountsClaim)
  (list "PROXY_EVENTS_MAX_STREAMS" $c.events.maxStreams)
  (list "PROXY_EVENTS_HEARTBEAT" $c.events.heartbeat)
  (list "PROXY_EVENTS_TIMEOUT" $c.events.timeout)
  (list "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT" $c.tracing.otlpEndpoint)
  (list "MANAGEMENT_TRACING_SAMPLING_PROBABILITY" $c.tracing.samplingProbability)
  (list "PROXY_TRACING_INCLUDE_IDS" $c.tracing.includeIds)
  (list "PROXY_ACCESS_LOG_HIT_SAMPLING" $c.accessLogHitSampling)
  (list "LOGGING_STRUCTURED_FORMAT_CONSOLE" $c.logFormat)
  (list "JAVA_TOOL_OPTIONS" $c.javaToolOptions)
  (list "POSTPRESS_RATE_LIMIT_REQUESTS_PER_SECOND" .Values.budget.requestsPerSecond)
  (list "POSTPRESS_RATE_LIMIT_BURST" .Values.budget.burst) }}
{{- $keyRef := dict "name" (include "chat-proxy.apiKeySecretName" .) "key" .Values.apiKey.existingSecretKey }}
{{- $env := list (dict "name" "POSTPRESS_API_KEY" "valueFrom" (dict "secretKeyRef" $keyRef)) }}
{{- if eq .Values.cache.shared "redis" }}
{{- $r := .Values.redis }}
{{- $env = append $env (dict "name" "PROXY_CACHE_SHARED" "value" "redis") }}
{{- if eq $r.mode "standalone" }}
{{- $redisRef := dict "name" (required "cache.shared=redis needs redis.existingSecret: the name of a Secret holding the Redis URL" $r.existingSecret) "key" $r.existingSecretKey }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_URL" "valueFrom" (dict "secretKeyRef" $redisRef)) }}
{{- else }}
{{- if eq $r.mode "sentinel" }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_SENTINEL_MASTER" "value" (required "redis.mode=sentinel needs redis.sentinel.master" $r.sentinel.master)) }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_SENTINEL_NODES" "value" (required "redis.mode=sentinel needs redis.sentinel.nodes" (join "," $r.sentinel.nodes))) }}
{{- else }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_CLUSTER_NODES" "value" (required "redis.mode=cluster needs redis.cluster.nodes" (join "," $r.cluster.nodes))) }}
{{- end }}
{{- if $r.username }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_USERNAME" "value" $r.username) }}
{{- end }}
{{- if $r.existingSecret }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $r.existingSecret "key" $r.existingSecretPasswordKey))) }}
{{- end }}
{{- if $r.ssl }}
{{- $env = append $env (dict "name" "SPRING_DATA_REDIS_SSL_ENABLED" "value" "true") }}
{{- end }}
{{- end }}
{{- end }}
{{- range $settings }}
{{- $value := index . 1 }}
{{- if not (or (kindIs "invalid" $value) (eq (toString $value) "")) }}
{{- if and (kindIs "float64" $value) (eq $value (floor $value)) }}
{{- $value = int64 $value }}
{{- end }}
{{- $env = append $env (dict "name" (index . 0) "value" (toString $value)) }}
{{- end }}
{{- end }}
{{- toYaml (concat $env .Values.extraEnv) }}
{{- end }}
