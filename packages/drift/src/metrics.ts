import {
  type ContextCounter,
  type ContextGauge,
  createCounter,
  createGauge,
  DEFAULT_MAX_LABEL_VALUES,
  type ModelRef,
} from '@threadline/core';
import type { Registry, RegistryContentType } from 'prom-client';

type AnyRegistry = Registry<RegistryContentType>;

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
  readonly invalid: ContextCounter<'feature' | 'reason'>;
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
    invalid: createCounter({
      name: METRIC_NAMES.invalid,
      help: 'Feature values left out of drift tests, by reason (missing, nan, infinite, invalid) and unseen categories.',
      labelNames: ['feature', 'reason'],
      ...common,
    }),
  };
}

/** One monitor's contribution to the fleet histograms, read at scrape time. */
export interface HistogramSource {
  readonly model: ModelRef | undefined;
  /** Per numeric feature: bucket upper bounds, cumulative bucket counts (non-cumulative per bucket), sum, count. */
  histograms(): Iterable<{
    feature: string;
    bounds: ArrayLike<number>;
    counts: ArrayLike<number>;
    sum: number;
    count: number;
    reference: ArrayLike<number>;
  }>;
}

/** The Prometheus text form of a bucket bound, shared by the histogram and the reference gauge. */
export function formatLe(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(x);
}

interface Fleet {
  readonly sources: Set<HistogramSource>;
}

const fleets = new WeakMap<AnyRegistry, Fleet>();

function modelLabels(model: ModelRef | undefined): Record<string, string> {
  return { model_name: model?.name ?? '', model_version: model?.version ?? '' };
}

/**
 * Registers `source` with the registry's fleet histograms (`ml_feature_value`, buckets at the
 * reference's bin bounds, and `ml_feature_reference_ratio{le,prev_le}`, the reference's share of
 * each bucket), so Prometheus can compute PSI over every replica. The values are read at scrape
 * time, so observing a value costs no prom-client call. Returns the undo.
 */
export function registerHistogramSource(registry: AnyRegistry, source: HistogramSource): () => void {
  let fleet = fleets.get(registry);
  if (!fleet || registry.getSingleMetric(METRIC_NAMES.value) === undefined) {
    const sources = new Set<HistogramSource>();
    fleet = { sources };
    fleets.set(registry, fleet);
    registry.registerMetric({
      name: METRIC_NAMES.value,
      help: 'Observed feature values, bucketed at the reference profile bin bounds (for fleet-wide PSI).',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({
        name: METRIC_NAMES.value,
        help: 'Observed feature values, bucketed at the reference profile bin bounds (for fleet-wide PSI).',
        type: 'histogram',
        aggregator: 'sum',
        values: histogramValues(sources),
      }),
    } as never);
    registry.registerMetric({
      name: METRIC_NAMES.referenceRatio,
      help: 'Share of the reference profile in each ml_feature_value bucket (prev_le, le].',
      type: 'gauge',
      aggregator: 'first',
      get: async () => ({
        name: METRIC_NAMES.referenceRatio,
        help: 'Share of the reference profile in each ml_feature_value bucket (prev_le, le].',
        type: 'gauge',
        aggregator: 'first',
        values: referenceValues(sources),
      }),
    } as never);
  }
  fleet.sources.add(source);
  const sources = fleet.sources;
  return () => {
    sources.delete(source);
  };
}

type Sample = { metricName?: string; labels: Record<string, string>; value: number };

function histogramValues(sources: Set<HistogramSource>): Sample[] {
  const out: Sample[] = [];
  for (const source of sources) {
    const model = modelLabels(source.model);
    for (const h of source.histograms()) {
      let cumulative = 0;
      for (let i = 0; i <= h.bounds.length; i++) {
        cumulative += h.counts[i]!;
        const le = i < h.bounds.length ? formatLe(h.bounds[i]!) : '+Inf';
        out.push({
          metricName: `${METRIC_NAMES.value}_bucket`,
          labels: { le, feature: h.feature, ...model },
          value: cumulative,
        });
      }
      out.push({
        metricName: `${METRIC_NAMES.value}_sum`,
        labels: { feature: h.feature, ...model },
        value: h.sum,
      });
      out.push({
        metricName: `${METRIC_NAMES.value}_count`,
        labels: { feature: h.feature, ...model },
        value: h.count,
      });
    }
  }
  return out;
}

function referenceValues(sources: Set<HistogramSource>): Sample[] {
  const out: Sample[] = [];
  for (const source of sources) {
    const model = modelLabels(source.model);
    for (const h of source.histograms()) {
      let total = 0;
      for (let i = 0; i < h.reference.length; i++) total += h.reference[i]!;
      for (let i = 0; i <= h.bounds.length; i++) {
        const le = i < h.bounds.length ? formatLe(h.bounds[i]!) : '+Inf';
        const prev = i === 0 ? '-Inf' : formatLe(h.bounds[i - 1]!);
        out.push({
          labels: { feature: h.feature, le, prev_le: prev, ...model },
          value: total > 0 ? h.reference[i]! / total : 0,
        });
      }
    }
  }
  return out;
}
