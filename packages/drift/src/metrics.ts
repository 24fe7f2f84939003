import { type AnyRegistry, type ContextGauge, createGauge, DEFAULT_MAX_LABEL_VALUES } from '@threadline/core';

/** Metric names this package exports. */
export const METRIC_NAMES = {
  score: 'ml_feature_drift_score',
  detected: 'ml_feature_drift_detected',
  share: 'ml_dataset_drift_share',
  mean: 'ml_feature_window_mean',
  variance: 'ml_feature_window_variance',
  skew: 'ml_feature_window_skew',
  kurtosis: 'ml_feature_window_kurtosis',
  invalid: 'ml_feature_invalid_values_total',
  value: 'ml_feature_value',
  referenceRatio: 'ml_feature_reference_ratio',
} as const;

/** The gauges and counters a monitor updates when it evaluates. */
export interface DriftMetrics {
  readonly score: ContextGauge<'feature' | 'method'>;
  readonly detected: ContextGauge<'feature' | 'method'>;
  readonly share: ContextGauge<never>;
  readonly mean: ContextGauge<'feature'>;
  readonly variance: ContextGauge<'feature'>;
  readonly skew: ContextGauge<'feature'>;
  readonly kurtosis: ContextGauge<'feature'>;
}

/** Creates (or shares) the drift gauges in a registry; feature labels are bounded by the profile. */
export function driftMetrics(registry: AnyRegistry | undefined, features: number): DriftMetrics {
  const maxLabelValues = Math.max(DEFAULT_MAX_LABEL_VALUES, features);
  const common = { ...(registry ? { registry } : {}), maxLabelValues };
  const window = (name: string, what: string) =>
    createGauge<'feature'>({
      name,
      help: `${what} of each numeric feature over the last evaluated window.`,
      labelNames: ['feature'],
      // Cluster workers see different windows: their mean is the fleet's view, their sum is nothing.
      aggregator: 'average',
      ...common,
    });
  return {
    score: createGauge({
      name: METRIC_NAMES.score,
      help: 'Drift score per feature: the p-value for ks, chisquare and z; the distance for the others.',
      labelNames: ['feature', 'method'],
      aggregator: 'average',
      ...common,
    }),
    detected: createGauge({
      name: METRIC_NAMES.detected,
      help: '1 when the feature drifted in the last evaluated window, else 0.',
      labelNames: ['feature', 'method'],
      // Any worker that saw drift makes the fleet's flag 1, never 2.
      aggregator: 'max',
      ...common,
    }),
    share: createGauge({
      name: METRIC_NAMES.share,
      help: 'Share of tested features that drifted in the last window.',
      aggregator: 'average',
      ...common,
    }),
    mean: window(METRIC_NAMES.mean, 'Mean'),
    variance: window(METRIC_NAMES.variance, 'Sample variance (ddof=1)'),
    skew: window(METRIC_NAMES.skew, 'Skewness (biased, as scipy)'),
    kurtosis: window(METRIC_NAMES.kurtosis, 'Excess kurtosis (Fisher, biased, as scipy)'),
  };
}

/** The Prometheus text form of a bucket bound, shared by the histogram and the reference gauge. */
export function formatLe(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(x);
}
