import { DRIFT_RECORDED, RECORDED } from './recorded.js';
import type { AlertingRule, RuleFile, RuleGroup } from './types.js';

const R = RECORDED;

const http: RuleGroup = {
  name: 'threadline-http',
  rules: [
    {
      comment: 'Requests and 5xx answers per job and route template.',
      record: R.requestsRate,
      expr: 'sum by (job, http_route) (rate(http_server_request_duration_seconds_count[5m]))',
    },
    {
      record: R.errorsRate,
      expr: 'sum by (job, http_route) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m]))',
    },
    {
      comment: `Share of 5xx answers per job. A job without a single 5xx series records 0, not nothing, so the
ratio and its z-score exist whenever the job serves traffic.`,
      record: R.errorRatio,
      expr: `(sum by (job) (${R.errorsRate}) or sum by (job) (${R.requestsRate}) * 0)
/ sum by (job) (${R.requestsRate})`,
    },
    {
      comment: `P95 over every instance of the job: quantiles are computed after summing the buckets, the one
aggregation of latency that stays correct across a fleet.`,
      record: R.routeLatencyP95,
      expr: 'histogram_quantile(0.95, sum by (job, http_route, le) (rate(http_server_request_duration_seconds_bucket[5m])))',
    },
    {
      record: R.latencyP95,
      expr: 'histogram_quantile(0.95, sum by (job, le) (rate(http_server_request_duration_seconds_bucket[5m])))',
    },
    {
      comment: `z-scores against the last hour. The standard deviation has a floor (10 ms of latency, half a
percent of errors) so a service that has been perfectly flat does not turn tiny wobbles into
huge scores.`,
      record: R.latencyP95ZScore,
      expr: `(${R.latencyP95} - avg_over_time(${R.latencyP95}[1h]))
/ clamp_min(stddev_over_time(${R.latencyP95}[1h]), 0.01)`,
    },
    {
      record: R.errorRatioZScore,
      expr: `(${R.errorRatio} - avg_over_time(${R.errorRatio}[1h]))
/ clamp_min(stddev_over_time(${R.errorRatio}[1h]), 0.005)`,
    },
  ],
};

const data: RuleGroup = {
  name: 'threadline-data',
  rules: [
    {
      comment: 'Share of failed validation checks per model version (0 when checks ran and none failed).',
      record: R.validationFailureRatio,
      expr: `(sum by (job, model_name, model_version) (rate(data_validation_failures_total[5m]))
  or sum by (job, model_name, model_version) (rate(data_validation_checks_total[5m])) * 0)
/ sum by (job, model_name, model_version) (rate(data_validation_checks_total[5m]))`,
    },
  ],
};

const serviceAlerts: AlertingRule[] = [
  {
    alert: 'ThreadlineHighErrorRate',
    expr: `${R.errorRatio} > 0.02`,
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: '{{ $labels.job }}: more than 2% of requests fail',
      description: '{{ $value | humanizePercentage }} of requests answered 5xx over 5 minutes.',
    },
  },
  {
    alert: 'ThreadlineHighLatencyP95',
    expr: `${R.routeLatencyP95} > 0.5`,
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: '{{ $labels.job }} {{ $labels.http_route }}: P95 latency above 500 ms',
      description: 'P95 over all instances is {{ $value | humanizeDuration }}.',
    },
  },
  {
    comment: `A step change leaves the 3-sigma band within minutes, as the new level joins the hour it is
compared with: these fire on sudden changes, which the fixed thresholds above can miss.`,
    alert: 'ThreadlineLatencyAnomaly',
    expr: `${R.latencyP95ZScore} > 3`,
    for: '2m',
    labels: { severity: 'info' },
    annotations: {
      summary: '{{ $labels.job }}: P95 latency is unusual for the last hour',
      description: 'More than 3 standard deviations from its mean over the last hour.',
    },
  },
  {
    alert: 'ThreadlineErrorRateAnomaly',
    expr: `${R.errorRatioZScore} > 3`,
    for: '2m',
    labels: { severity: 'info' },
    annotations: {
      summary: '{{ $labels.job }}: error rate is unusual for the last hour',
      description: 'More than 3 standard deviations from its mean over the last hour.',
    },
  },
];

/** The drift alerts, defined once: the per-replica tests and the fleet PSI of the drift package's rules. */
const driftAlerts: AlertingRule[] = [
  {
    alert: 'ThreadlineDatasetDrift',
    expr: 'max by (job, model_name, model_version) (ml_dataset_drift_share) >= 0.5',
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary:
        '{{ $labels.model_name }} {{ $labels.model_version }}: live inputs drifted from the training data',
      description: '{{ $value | humanizePercentage }} of the features drifted.',
    },
  },
  {
    alert: 'ThreadlineFeatureDrift',
    expr: 'max by (job, model_name, model_version, feature) (ml_feature_drift_detected) > 0',
    for: '30m',
    labels: { severity: 'info' },
    annotations: {
      summary: '{{ $labels.model_name }} {{ $labels.model_version }}: feature {{ $labels.feature }} drifted',
      description: 'The drift test of {{ $labels.feature }} has been over its threshold for 30 minutes.',
    },
  },
  {
    comment: "Reads the fleet PSI recorded by @threadline/drift's rules (load rules/drift.rules.yml too).",
    alert: 'ThreadlineFleetFeatureDrift',
    expr: `max by (model_name, model_version, feature) (${DRIFT_RECORDED.fleetPsi}) > 0.2`,
    for: '30m',
    labels: { severity: 'warning' },
    annotations: {
      summary:
        '{{ $labels.model_name }} {{ $labels.model_version }}: {{ $labels.feature }} shifted across the fleet',
      description: 'PSI over every instance in the last hour is {{ $value | printf "%.2f" }} (above 0.2).',
    },
  },
];

const pipelineAlerts: AlertingRule[] = [
  {
    alert: 'ThreadlineValidationFailures',
    expr: `${R.validationFailureRatio} > 0.05`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.job }} {{ $labels.model_name }}: inputs fail validation',
      description: '{{ $value | humanizePercentage }} of validation checks failed over 5 minutes.',
    },
  },
  {
    alert: 'ThreadlineTrainingFailed',
    expr: 'max by (job, experiment) (training_run_failed) > 0',
    for: '1m',
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.experiment }}: the latest training run failed',
      description:
        'The models in production were not refreshed; see the run summary and the training_failed log line.',
    },
  },
  {
    comment: 'A nightly job that missed a night: 26 hours leaves two hours of slack for a slow run.',
    alert: 'ThreadlineTrainingStale',
    expr: 'time() - max by (job, experiment) (training_last_success_timestamp_seconds) > 26 * 3600',
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.experiment }}: no successful training run for over 26 hours',
      description: 'Last success {{ $value | humanizeDuration }} ago.',
    },
  },
];

/**
 * The bundle's recording rules and alerts, shipped as `rules/threadline.rules.yml` (written by
 * `npm run generate -w @threadline/dashboards`; a test holds the shipped file to this definition).
 */
export const THREADLINE_RULES: RuleFile = {
  header: `Threadline: recording and alerting rules for Prometheus.
Load with \`rule_files: [threadline.rules.yml]\`. Every series read here is exported by a Threadline package
(HTTP middleware, model context, validation, drift, training) or recorded above its first use.
Rules that read another rule's series sit in the same group: a group evaluates in order, groups do not.

Generated from src/rules.ts of @threadline/dashboards (\`npm run generate -w @threadline/dashboards\`):
edit the definition there, not this file.`,
  groups: [
    http,
    data,
    { name: 'threadline-alerts', rules: [...serviceAlerts, ...driftAlerts, ...pipelineAlerts] },
  ],
};
