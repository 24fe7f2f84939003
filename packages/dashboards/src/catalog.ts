import type { ExportedMetric } from './types.js';

/**
 * Every metric the dashboard and the rules may read, with the package that exports it. The tests hold
 * each PromQL expression of the bundle to this list, and the example service's tests hold the list to a
 * real /metrics scrape, so a renamed metric breaks a test instead of a panel.
 */
export const THREADLINE_METRICS: readonly ExportedMetric[] = [
  // HTTP middleware (@threadline/express, @threadline/koa), OpenTelemetry semantic-convention names.
  {
    name: 'http_server_request_duration_seconds',
    type: 'histogram',
    source: '@threadline/express',
    labels: ['http_request_method', 'http_route', 'http_response_status_code', 'model_name', 'model_version'],
  },
  {
    name: 'http_server_active_requests',
    type: 'gauge',
    source: '@threadline/express',
    labels: ['http_request_method'],
  },
  // Model context (@threadline/model).
  {
    name: 'model_info',
    type: 'gauge',
    source: '@threadline/model',
    labels: ['model_name', 'model_version'],
  },
  {
    name: 'model_inference_duration_seconds',
    type: 'histogram',
    source: '@threadline/model',
    labels: ['model_name', 'model_version', 'phase'],
  },
  {
    name: 'model_predictions_total',
    type: 'counter',
    source: '@threadline/model',
    labels: ['model_name', 'model_version'],
  },
  {
    name: 'model_prediction_errors_total',
    type: 'counter',
    source: '@threadline/model',
    labels: ['model_name', 'model_version'],
  },
  {
    name: 'model_accuracy_ratio',
    type: 'gauge',
    source: '@threadline/model',
    labels: ['model_name', 'model_version'],
  },
  {
    name: 'model_roc_auc_ratio',
    type: 'gauge',
    source: '@threadline/model',
    labels: ['model_name', 'model_version'],
  },
  {
    name: 'model_shadow_disagreement_ratio',
    type: 'gauge',
    source: '@threadline/model',
    labels: ['model_name', 'model_version', 'baseline_version'],
  },
  {
    name: 'model_outcomes_total',
    type: 'counter',
    source: '@threadline/model',
    labels: ['model_name', 'model_version', 'result'],
  },
  // Training runs and pipeline steps (@threadline/training).
  {
    name: 'training_run_failed',
    type: 'gauge',
    source: '@threadline/training',
    labels: ['experiment'],
  },
  {
    name: 'training_last_success_timestamp_seconds',
    type: 'gauge',
    source: '@threadline/training',
    labels: ['experiment'],
  },
  {
    name: 'batch_records_count',
    type: 'gauge',
    source: '@threadline/training',
    labels: ['step', 'source'],
  },
  // Validation hooks (@threadline/validation).
  {
    name: 'data_validation_checks_total',
    type: 'counter',
    source: '@threadline/validation',
    labels: ['feature', 'check', 'model_name', 'model_version'],
  },
  {
    name: 'data_validation_failures_total',
    type: 'counter',
    source: '@threadline/validation',
    labels: ['feature', 'check', 'model_name', 'model_version'],
  },
  // Drift monitoring (@threadline/drift).
  {
    name: 'ml_feature_drift_score',
    type: 'gauge',
    source: '@threadline/drift',
    labels: ['feature', 'method', 'model_name', 'model_version'],
  },
  {
    name: 'ml_feature_drift_detected',
    type: 'gauge',
    source: '@threadline/drift',
    labels: ['feature', 'method', 'model_name', 'model_version'],
  },
  {
    name: 'ml_dataset_drift_share',
    type: 'gauge',
    source: '@threadline/drift',
    labels: ['model_name', 'model_version'],
  },
  {
    name: 'ml_feature_value',
    type: 'histogram',
    source: '@threadline/drift',
    labels: ['feature', 'model_name', 'model_version'],
  },
  {
    name: 'ml_feature_reference_ratio',
    type: 'gauge',
    source: '@threadline/drift',
    labels: ['feature', 'le', 'prev_le', 'model_name', 'model_version'],
  },
  // prom-client's default process metrics (served by the middleware's /metrics unless turned off).
  { name: 'process_cpu_seconds_total', type: 'counter', source: 'prom-client', labels: [] },
  { name: 'process_resident_memory_bytes', type: 'gauge', source: 'prom-client', labels: [] },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge', source: 'prom-client', labels: [] },
  { name: 'nodejs_heap_size_total_bytes', type: 'gauge', source: 'prom-client', labels: [] },
  { name: 'nodejs_eventloop_lag_p50_seconds', type: 'gauge', source: 'prom-client', labels: [] },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', source: 'prom-client', labels: [] },
  { name: 'nodejs_gc_duration_seconds', type: 'histogram', source: 'prom-client', labels: ['kind'] },
];

const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'] as const;

/**
 * The series names a scrape of the catalogue's metrics yields: a histogram `x` becomes `x_bucket`,
 * `x_sum` and `x_count`; counters and gauges keep their name.
 */
export function exportedSeriesNames(metrics: readonly ExportedMetric[] = THREADLINE_METRICS): Set<string> {
  const names = new Set<string>();
  for (const metric of metrics) {
    if (metric.type === 'histogram') for (const suffix of HISTOGRAM_SERIES) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}
