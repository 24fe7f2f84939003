import { ThreadlineConfigError } from '../errors.js';
import { validateBuckets } from './create.js';
import { fitsExemplar } from './exemplars.js';
import { isOpenMetricsRegistry } from './registry.js';
import { type Sample, ScrapeMetric, type ScrapeMetricOptions, ScrapeSeries } from './scrape-metric.js';

/** Options of `createScrapeHistogram`. */
export interface ScrapeHistogramOptions<L extends string> extends ScrapeMetricOptions<L> {
  /** Bucket upper bounds, strictly ascending (required: there is no sensible default). */
  readonly buckets: readonly number[];
  /**
   * Keep one trace exemplar per bucket. Default: on when the registry serves OpenMetrics (the only
   * format that carries exemplars).
   */
  readonly exemplars?: boolean;
}

/**
 * One label set of a `ScrapeHistogram`: plain counts that an observation bumps in place. Made once
 * per label set, so an observation hashes, sorts and allocates nothing.
 */
export class HistogramSeries extends ScrapeSeries {
  /** Bucket upper bounds of this series (the histogram's, unless the series was made with its own). */
  readonly bounds: readonly number[];
  /** Observations per bucket, not cumulative; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  /** The last sampled trace seen in each bucket (OpenMetrics exemplars); empty strings when none. */
  readonly exemplarTrace: string[];
  readonly exemplarSpan: string[];
  readonly exemplarValue: Float64Array;
  /** Seconds since the epoch, as OpenMetrics exemplar timestamps are. */
  readonly exemplarTime: Float64Array;

  constructor(
    private readonly owner: ScrapeHistogram<string>,
    key: string,
    labels: Readonly<Record<string, string>>,
    bounds: readonly number[],
  ) {
    super(key, labels);
    this.bounds = bounds;
    const slots = bounds.length + 1;
    this.counts = new Float64Array(slots);
    const exemplars = owner.exemplars ? slots : 0;
    this.exemplarTrace = new Array<string>(exemplars).fill('');
    this.exemplarSpan = new Array<string>(exemplars).fill('');
    this.exemplarValue = new Float64Array(exemplars);
    this.exemplarTime = new Float64Array(exemplars);
  }

  /** The bucket slot of `value`: the first bound at or above it, else +Inf. */
  private slot(value: number): number {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    return i;
  }

  /** Records one finite value. Non-finite values are dropped (prom-client would throw). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.count === 0) this.owner.activate(this);
    this.counts[this.slot(value)]!++;
    this.sum += value;
    this.count++;
  }

  /**
   * Records one value with the trace it was seen in as its bucket's exemplar (`timestamp` in
   * seconds since the epoch). Without exemplars on, it is a plain `observe`.
   */
  observeWithExemplar(
    value: number,
    traceId: string,
    spanId: string,
    timestamp: number = Date.now() / 1000,
  ): void {
    if (!Number.isFinite(value)) return;
    if (this.count === 0) this.owner.activate(this);
    const slot = this.slot(value);
    this.counts[slot]!++;
    this.sum += value;
    this.count++;
    if (this.exemplarTrace.length > 0 && fitsExemplar(traceId, spanId)) {
      this.exemplarTrace[slot] = traceId;
      this.exemplarSpan[slot] = spanId;
      this.exemplarValue[slot] = value;
      this.exemplarTime[slot] = timestamp;
    }
  }

  /**
   * Adds observations already bucketed elsewhere: `counts` per bucket (not cumulative, the last
   * slot +Inf), their sum and their number. For sources that keep their own bucket counts.
   */
  add(counts: ArrayLike<number>, sum: number, count: number): void {
    if (count <= 0 || counts.length !== this.counts.length || !Number.isFinite(sum)) return;
    if (this.count === 0) this.owner.activate(this);
    for (let i = 0; i < counts.length; i++) this.counts[i]! += counts[i]!;
    this.sum += sum;
    this.count += count;
  }

  protected clearValues(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.exemplarTrace.fill('');
    this.exemplarSpan.fill('');
  }
}

/**
 * A histogram for a hot path (about 25 ns per observation against about 1 µs for prom-client's
 * `observe`), rendered at scrape time exactly as prom-client's histogram renders: same sample
 * names, label order, cumulative buckets, series appearing at their first observation, exemplars
 * on OpenMetrics registries, and `sum` aggregation across cluster workers.
 */
export class ScrapeHistogram<L extends string = string> extends ScrapeMetric<HistogramSeries, L> {
  readonly type = 'histogram';
  readonly bounds: readonly number[];
  /** True when buckets carry exemplars. */
  readonly exemplars: boolean;

  constructor(options: ScrapeHistogramOptions<L>) {
    super(options, 'histogram');
    if (options.buckets === undefined) {
      throw new ThreadlineConfigError('core.metrics', `metric ${options.name}: buckets are required`);
    }
    validateBuckets(options.name, options.buckets);
    this.bounds = Object.freeze([...options.buckets]);
    this.exemplars =
      options.exemplars ?? (options.registry ? isOpenMetricsRegistry(options.registry) : false);
  }

  private pendingBounds: readonly number[] | undefined;

  protected makeSeries(key: string, labels: Readonly<Record<string, string>>): HistogramSeries {
    return new HistogramSeries(
      this as ScrapeHistogram<string>,
      key,
      labels,
      this.pendingBounds ?? this.bounds,
    );
  }

  /**
   * The series of a label set with bucket bounds of its own (Prometheus allows them per series;
   * prom-client does not): for histograms whose buckets come from data, such as a reference
   * profile's bins per feature. The bounds of an existing series are kept.
   */
  seriesWithBounds(labels: Readonly<Partial<Record<L, string>>>, bounds: readonly number[]): HistogramSeries {
    validateBuckets(this.name, bounds);
    this.pendingBounds = Object.freeze([...bounds]);
    try {
      return this.series(labels);
    } finally {
      this.pendingBounds = undefined;
    }
  }

  protected render(s: HistogramSeries, out: Sample[]): void {
    const bucket = `${this.name}_bucket`;
    const bounds = s.bounds;
    let cumulative = 0;
    for (let i = 0; i <= bounds.length; i++) {
      cumulative += s.counts[i]!;
      const sample: Sample = {
        metricName: bucket,
        // `le` first, then the series labels: the order prom-client's histogram renders.
        labels: { le: i < bounds.length ? bounds[i]! : '+Inf', ...s.labels },
        value: cumulative,
      };
      if (this.exemplars) {
        sample.exemplar =
          s.exemplarTrace[i] !== ''
            ? {
                labelSet: { trace_id: s.exemplarTrace[i]!, span_id: s.exemplarSpan[i]! },
                value: s.exemplarValue[i]!,
                timestamp: s.exemplarTime[i]!,
              }
            : null;
      }
      out.push(sample);
    }
    out.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
    out.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
  }
}

/**
 * Creates a scrape-time histogram and registers it (in `options.registry`, else prom-client's
 * global registry). Throws at setup on a bad name, labels or buckets, or a name already taken.
 */
export function createScrapeHistogram<L extends string = never>(
  options: ScrapeHistogramOptions<L>,
): ScrapeHistogram<L> {
  return new ScrapeHistogram(options).register(options.registry);
}
