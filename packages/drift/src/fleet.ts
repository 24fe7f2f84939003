import {
  type AnyRegistry,
  type ContextGauge,
  type CounterSeries,
  createGauge,
  createScrapeCounter,
  createScrapeHistogram,
  type HistogramSeries,
  type ModelRef,
  resolveRegistry,
  type ScrapeCounter,
  type ScrapeHistogram,
} from '@threadline/core';
import { formatLe, METRIC_NAMES } from './metrics.js';

/** Reasons a value is left out of the drift tests, as `ml_feature_invalid_values_total{reason}`. */
export const INVALID_REASONS = ['missing', 'nan', 'infinite', 'invalid', 'unseen'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** One numeric feature's values so far: cumulative bucket counts (not cumulative across buckets). */
export interface FeatureHistogram {
  readonly feature: string;
  readonly bounds: ArrayLike<number>;
  readonly counts: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
}

/** What one monitor shows the fleet metrics; every figure counts everything observed so far. */
export interface FleetSource {
  readonly model: ModelRef | undefined;
  histograms(): Iterable<FeatureHistogram>;
  invalid(): Iterable<{ readonly feature: string; readonly counts: Readonly<Record<InvalidReason, number>> }>;
}

/** A monitor's membership of the fleet metrics. */
export interface FleetHandle {
  /**
   * Brings the metrics up to date one last time and leaves the fleet: the histogram and the
   * reference ratios drop this monitor's series; the invalid-value counters keep their counts.
   */
  leave(): void;
}

type FleetLabel = 'feature' | 'model_name' | 'model_version';
type RatioLabel = FleetLabel | 'le' | 'prev_le';

interface Fleet {
  readonly value: ScrapeHistogram<FleetLabel>;
  readonly invalid: ScrapeCounter<FleetLabel | 'reason'>;
  readonly ratio: ContextGauge<RatioLabel>;
  readonly members: Set<Member>;
}

/** What the fleet has already taken from one source, so each scrape adds only what is new. */
class Member {
  private readonly taken = new Map<
    string,
    { series: HistogramSeries; counts: Float64Array; sum: number; count: number }
  >();
  private readonly takenInvalid = new Map<string, { series: CounterSeries; n: number }>();
  readonly labels: { model_name: string; model_version: string };

  constructor(
    readonly source: FleetSource,
    private readonly fleet: Fleet,
  ) {
    this.labels = { model_name: source.model?.name ?? '', model_version: source.model?.version ?? '' };
  }

  syncHistograms(): void {
    for (const h of this.source.histograms()) {
      let t = this.taken.get(h.feature);
      if (!t) {
        const series = this.fleet.value.seriesWithBounds(
          { feature: h.feature, ...this.labels },
          Array.from(h.bounds),
        );
        t = { series, counts: new Float64Array(h.counts.length), sum: 0, count: 0 };
        this.taken.set(h.feature, t);
      }
      const delta = new Float64Array(h.counts.length);
      for (let i = 0; i < delta.length; i++) delta[i] = h.counts[i]! - t.counts[i]!;
      t.series.add(delta, h.sum - t.sum, h.count - t.count);
      t.counts.set(Array.from(h.counts));
      t.sum = h.sum;
      t.count = h.count;
    }
  }

  syncInvalid(): void {
    for (const { feature, counts } of this.source.invalid()) {
      for (const reason of INVALID_REASONS) {
        const n = counts[reason];
        const key = `${feature}\u0000${reason}`;
        let t = this.takenInvalid.get(key);
        if (!t) {
          if (n <= 0) continue;
          t = { series: this.fleet.invalid.series({ feature, reason, ...this.labels }), n: 0 };
          this.takenInvalid.set(key, t);
        }
        if (n > t.n) t.series.inc(n - t.n);
        t.n = n;
      }
    }
  }

  /** The reference's share of each bucket, set once: it never changes for a profile. */
  setRatios(reference: ReadonlyMap<string, ArrayLike<number>>, set: boolean): void {
    for (const h of this.source.histograms()) {
      const ref = reference.get(h.feature);
      if (!ref) continue;
      let total = 0;
      for (let i = 0; i < ref.length; i++) total += ref[i]!;
      for (let i = 0; i <= h.bounds.length; i++) {
        const labels = {
          feature: h.feature,
          le: i < h.bounds.length ? formatLe(h.bounds[i]!) : '+Inf',
          prev_le: i === 0 ? '-Inf' : formatLe(h.bounds[i - 1]!),
          ...this.labels,
        };
        if (set) this.fleet.ratio.set(labels, total > 0 ? ref[i]! / total : 0);
        else this.fleet.ratio.metric.remove(labels);
      }
    }
  }

  dropHistograms(): void {
    for (const [feature] of this.taken) this.fleet.value.remove({ feature, ...this.labels });
    this.taken.clear();
  }
}

const fleets = new WeakMap<AnyRegistry, Fleet>();

function fleetOf(registry: AnyRegistry): Fleet {
  const found = fleets.get(registry);
  // After registry.clear() the metrics are made again.
  if (found && (registry.getSingleMetric(METRIC_NAMES.value) as unknown) === found.value) return found;
  const members = new Set<Member>();
  const fleet: Fleet = {
    members,
    value: createScrapeHistogram<FleetLabel>({
      name: METRIC_NAMES.value,
      help: 'Observed feature values, bucketed at the reference profile bin bounds (for fleet-wide PSI).',
      labelNames: ['feature', 'model_name', 'model_version'],
      // Each series gets its feature's bounds from the profile; this default is never used.
      buckets: [0],
      exemplars: false,
      registry,
      collect: () => {
        for (const m of members) m.syncHistograms();
      },
    }),
    invalid: createScrapeCounter<FleetLabel | 'reason'>({
      name: METRIC_NAMES.invalid,
      help: 'Feature values left out of drift tests, by reason (missing, nan, infinite, invalid) and unseen categories.',
      labelNames: ['feature', 'reason', 'model_name', 'model_version'],
      registry,
      collect: () => {
        for (const m of members) m.syncInvalid();
      },
    }),
    ratio: createGauge<RatioLabel>({
      name: METRIC_NAMES.referenceRatio,
      help: 'Share of the reference profile in each ml_feature_value bucket (prev_le, le].',
      labelNames: ['feature', 'le', 'prev_le', 'model_name', 'model_version'],
      modelLabels: false,
      aggregator: 'first',
      // Values come from the profiles' bins (bounded by them), never from the observed data.
      maxLabelValues: 100_000,
      registry,
    }),
  };
  fleets.set(registry, fleet);
  return fleet;
}

/**
 * Adds a monitor to the registry's fleet metrics: `ml_feature_value` (buckets at the reference's
 * bin bounds) and `ml_feature_reference_ratio{le,prev_le}` (the reference's share of each bucket),
 * so Prometheus can compute PSI over every replica, and `ml_feature_invalid_values_total`. Figures
 * are read from the source at scrape time, so observing a value costs no metric update.
 */
export function joinFleet(
  registry: AnyRegistry | undefined,
  source: FleetSource,
  reference: ReadonlyMap<string, ArrayLike<number>>,
): FleetHandle {
  const fleet = fleetOf(resolveRegistry(registry));
  const member = new Member(source, fleet);
  fleet.members.add(member);
  member.setRatios(reference, true);
  return {
    leave() {
      if (!fleet.members.delete(member)) return;
      member.syncInvalid();
      member.dropHistograms();
      member.setRatios(reference, false);
    },
  };
}
