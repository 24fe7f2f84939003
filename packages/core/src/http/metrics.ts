import {
  type AnyRegistry,
  type ContextCounter,
  type ContextGauge,
  type ContextHistogram,
  createCounter,
  createGauge,
  createHistogram,
} from '../metrics.js';

/** Labels of the per-request histograms. */
export type HttpLabel = 'http_request_method' | 'http_route' | 'http_response_status_code';

/** The metrics both HTTP adapters record, created once per registry and shared. */
export interface HttpMetrics {
  readonly duration: ContextHistogram<HttpLabel>;
  readonly active: ContextGauge<'http_request_method'>;
  readonly requestSize: ContextHistogram<HttpLabel>;
  readonly responseSize: ContextHistogram<HttpLabel>;
  readonly errors: ContextCounter<'error_type' | 'http_request_method' | 'http_route'>;
  readonly invalidHeaders: ContextCounter<'header'>;
}

/** Options of `createHttpMetrics`. */
export interface HttpMetricsOptions {
  readonly registry?: AnyRegistry | undefined;
  readonly buckets: readonly number[];
  readonly sizeBuckets: readonly number[];
  readonly exemplars?: boolean | undefined;
  readonly maxRoutes: number;
}

const LABELS: readonly HttpLabel[] = ['http_request_method', 'http_route', 'http_response_status_code'];

/**
 * Creates (or finds, for a second middleware on the same registry) the HTTP server metrics, named
 * after the OpenTelemetry HTTP semantic conventions in Prometheus form.
 */
export function createHttpMetrics(options: HttpMetricsOptions): HttpMetrics {
  const registry = options.registry;
  const common = {
    ...(registry ? { registry } : {}),
    ...(options.exemplars !== undefined ? { exemplars: options.exemplars } : {}),
    maxLabelValues: options.maxRoutes,
  };
  return {
    duration: createHistogram<HttpLabel>({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by method, route template and status.',
      labelNames: LABELS,
      buckets: options.buckets,
      ...common,
    }),
    active: createGauge<'http_request_method'>({
      name: 'http_server_active_requests',
      help: 'HTTP server requests in flight.',
      labelNames: ['http_request_method'],
      modelLabels: false,
      ...(registry ? { registry } : {}),
    }),
    requestSize: createHistogram<HttpLabel>({
      name: 'http_server_request_body_size_bytes',
      help: 'Size of HTTP request bodies (from Content-Length), by method, route template and status.',
      labelNames: LABELS,
      buckets: options.sizeBuckets,
      ...common,
    }),
    responseSize: createHistogram<HttpLabel>({
      name: 'http_server_response_body_size_bytes',
      help: 'Size of HTTP response bodies (from Content-Length), by method, route template and status.',
      labelNames: LABELS,
      buckets: options.sizeBuckets,
      ...common,
    }),
    errors: createCounter<'error_type' | 'http_request_method' | 'http_route'>({
      name: 'http_server_errors_total',
      help: 'HTTP server requests that failed (5xx, thrown errors, client aborts), by error type.',
      labelNames: ['error_type', 'http_request_method', 'http_route'],
      ...common,
    }),
    invalidHeaders: createCounter<'header'>({
      name: 'threadline_http_invalid_headers_total',
      help: 'Incoming trace-context or request-ID headers that were invalid and were replaced.',
      labelNames: ['header'],
      modelLabels: false,
      exemplars: false,
      ...(registry ? { registry } : {}),
    }),
  };
}
