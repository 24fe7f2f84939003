import type { Registry, RegistryContentType } from 'prom-client';

type AnyRegistry = Registry<RegistryContentType>;

/** OpenMetrics caps an exemplar's label names and values at 128 characters together. */
const MAX_EXEMPLAR_CHARS = 128;
const EXEMPLAR_NAME_CHARS = 'trace_id'.length + 'span_id'.length;

/**
 * One label set of a `ScrapeHistogram`: plain counts that an observation bumps in place, turned into
 * Prometheus samples only when the registry is scraped. Made once per label set at setup, so an
 * observation hashes, sorts and allocates nothing.
 */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** The last sampled trace seen in each bucket (OpenMetrics exemplars); empty strings when none. */
  readonly exemplarTrace: string[];
  readonly exemplarSpan: string[];
  readonly exemplarValue: Float64Array;
  /** Seconds since the epoch, as OpenMetrics exemplar timestamps are. */
  readonly exemplarTime: Float64Array;

  constructor(
    private readonly owner: ScrapeHistogram,
    readonly labels: Readonly<Record<string, string>>,
  ) {
    const slots = owner.bounds.length + 1;
    this.counts = new Float64Array(slots);
    const exemplars = owner.exemplars ? slots : 0;
    this.exemplarTrace = new Array<string>(exemplars).fill('');
    this.exemplarSpan = new Array<string>(exemplars).fill('');
    this.exemplarValue = new Float64Array(exemplars);
    this.exemplarTime = new Float64Array(exemplars);
  }

  /** The bucket slot of `value`: the first bound at or above it, else +Inf. */
  private slot(value: number): number {
    const bounds = this.owner.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    return i;
  }

  /** Records one finite value. Non-finite values are dropped (a clock can only give finite ones). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.count === 0) this.owner.activate(this);
    this.counts[this.slot(value)]!++;
    this.sum += value;
    this.count++;
  }

  /**
   * Records one value with the trace it was seen in as its bucket's exemplar (`timestamp` in
   * seconds since the epoch). Only meaningful on an OpenMetrics registry; elsewhere it is a plain
   * `observe`.
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
    if (
      this.exemplarTrace.length > 0 &&
      traceId.length + spanId.length + EXEMPLAR_NAME_CHARS <= MAX_EXEMPLAR_CHARS
    ) {
      this.exemplarTrace[slot] = traceId;
      this.exemplarSpan[slot] = spanId;
      this.exemplarValue[slot] = value;
      this.exemplarTime[slot] = timestamp;
    }
  }

  /** Forgets every observation (the registry's `resetMetrics()`). */
  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exemplarTrace.fill('');
    this.exemplarSpan.fill('');
  }
}

/** One exported sample, in the shape prom-client's registry renders. */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number } | null;
}

/**
 * A histogram kept as per-series bucket counts and rendered at scrape time, for a metric observed on
 * a hot path. It registers itself in a prom-client registry as a metric object whose `get()` builds
 * the samples, so the registry, `AggregatorRegistry` (summed across workers) and both text formats
 * treat it as they treat prom-client's own histogram: same sample names, label order, cumulative
 * buckets, series appearing at their first observation, and exemplars on OpenMetrics registries.
 */
export class ScrapeHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly bounds: readonly number[];
  /** True when the registry serves OpenMetrics, so buckets carry exemplars. */
  readonly exemplars: boolean;
  private readonly byKey = new Map<string, HistogramSeries>();
  /** Observed series in order of their first observation (prom-client's order). */
  private active: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    bounds: readonly number[],
    exemplars: boolean,
  ) {
    this.bounds = Object.freeze([...bounds]);
    this.exemplars = exemplars;
  }

  /** Registers this histogram in `registry` (throws there when the name is taken). */
  register(registry: AnyRegistry): this {
    registry.registerMetric(this as never);
    return this;
  }

  /**
   * The series of one label set, made on first request and shared after, so a model declared
   * again after `retire()` continues its old series as prom-client's histogram would.
   */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let s = this.byKey.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = labels[n] ?? '';
      s = new HistogramSeries(this, Object.freeze(own));
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Called by a series at its first observation since the last reset. */
  activate(series: HistogramSeries): void {
    this.active.push(series);
  }

  /** The metric in prom-client's `get()` shape. */
  async get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: string }> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.samples(),
      aggregator: this.aggregator,
    };
  }

  /** Forgets every observation, as prom-client's `reset()` does. */
  reset(): void {
    for (const s of this.active) s.clear();
    this.active = [];
  }

  private samples(): Sample[] {
    const out: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    const bounds = this.bounds;
    for (const s of this.active) {
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
    return out;
  }
}
