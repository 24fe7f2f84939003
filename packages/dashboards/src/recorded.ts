/**
 * Series recorded by rules/threadline.rules.yml (level:metric:operations, as Prometheus' naming guide
 * recommends). The dashboard reads them by these names; a test holds this list to the rules file.
 */
export const RECORDED = {
  requestsRate: 'job_route:http_server_requests:rate5m',
  errorsRate: 'job_route:http_server_request_errors:rate5m',
  errorRatio: 'job:http_server_request_error_ratio:rate5m',
  routeLatencyP95: 'job_route:http_server_request_duration_seconds:p95_5m',
  latencyP95: 'job:http_server_request_duration_seconds:p95_5m',
  latencyP95ZScore: 'job:http_server_request_duration_seconds:p95_5m:zscore_1h',
  errorRatioZScore: 'job:http_server_request_error_ratio:rate5m:zscore_1h',
  validationFailureRatio: 'job_model:data_validation_failure_ratio:rate5m',
} as const;

/** Names of every series the bundled rules record. */
export function recordedSeriesNames(): Set<string> {
  return new Set(Object.values(RECORDED));
}

/**
 * Series recorded by the rules `@threadline/drift` ships (its rules/drift.rules.yml, generated from
 * src/drift-rules.ts here), which the dashboard and the fleet drift alert read. Load that file beside
 * this bundle's rules.
 */
export const DRIFT_RECORDED = {
  fleetPsi: 'feature:ml_feature_psi:1h',
} as const;
