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

/**
 * Requests in flight per method label, kept in a plain map and copied into
 * `http_server_active_requests` when the registry is scraped: two gauge updates per request would
 * cost more than the whole count.
 */
export class InFlight {
  private readonly counts = new Map<string, number>();

  /** One more request of this method label. */
  inc(method: string): void {
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
  }

  /** One fewer request of this method label. */
  dec(method: string): void {
    this.counts.set(method, (this.counts.get(method) ?? 1) - 1);
  }

  /** Current counts, for the gauge's collect step. */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

const inFlightByGauge = new WeakMap<ContextGauge<'http_request_method'>, InFlight>();

function inFlightFor(gauge: ContextGauge<'http_request_method'>): InFlight {
  let inFlight = inFlightByGauge.get(gauge);
  if (!inFlight) {
    const counts = new InFlight();
    inFlight = counts;
    inFlightByGauge.set(gauge, counts);
    const metric = gauge.metric as typeof gauge.metric & { collect?: () => void };
    metric.collect = () => {
      for (const [method, n] of counts.entries()) metric.set({ http_request_method: method }, n);
    };
  }
  return inFlight;
}

/** The metrics both HTTP adapters record, created once per registry and shared. */
export interface HttpMetrics {
  readonly duration: ContextHistogram<HttpLabel>;
  readonly active: ContextGauge<'http_request_method'>;
  /** In-flight counts behind `active` (shared by every middleware on the registry). */
  readonly inFlight: InFlight;
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
  // Exemplars go on the duration and the errors, where a trace explains a value; a trace ID on a
  // body-size bucket rarely does, and each exemplar costs prom-client as much as the observation.
  const sizes = { ...common, exemplars: false };
  const active = createGauge<'http_request_method'>({
    name: 'http_server_active_requests',
    help: 'HTTP server requests in flight.',
    labelNames: ['http_request_method'],
    modelLabels: false,
    ...(registry ? { registry } : {}),
  });
  return {
    active,
    inFlight: inFlightFor(active),
    duration: createHistogram<HttpLabel>({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by method, route template and status.',
      labelNames: LABELS,
      buckets: options.buckets,
      ...common,
    }),
    requestSize: createHistogram<HttpLabel>({
      name: 'http_server_request_body_size_bytes',
      help: 'Size of HTTP request bodies (from Content-Length), by method, route template and status.',
      labelNames: LABELS,
      buckets: options.sizeBuckets,
      ...sizes,
    }),
    responseSize: createHistogram<HttpLabel>({
      name: 'http_server_response_body_size_bytes',
      help: 'Size of HTTP response bodies (from Content-Length), by method, route template and status.',
      labelNames: LABELS,
      buckets: options.sizeBuckets,
      ...sizes,
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
