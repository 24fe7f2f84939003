import { ThreadlineConfigError } from '../errors.js';
import { reportError } from '../guard.js';
import { validateNames } from './create.js';
import { type IdleMark, type IdleSeriesOptions, idleClock, isIdle, validateIdle } from './idle.js';
import { type AnyRegistry, resolveRegistry } from './registry.js';

/** One exported sample, in the shape prom-client's registry renders. */
export interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number } | null;
}

/** A metric in the shape prom-client's registry reads through `get()`. */
export interface MetricSnapshot {
  name: string;
  help: string;
  type: string;
  values: Sample[];
  aggregator: string;
}

/** Options shared by the scrape-time instruments. */
export interface ScrapeMetricOptions<L extends string> extends IdleSeriesOptions {
  /** Prometheus name (for counters, with `_total`). */
  readonly name: string;
  readonly help: string;
  /** Label names, in the order they render. Values are the caller's to bound (see the README). */
  readonly labelNames?: readonly L[];
  /** Registry to register in at creation (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /** Cluster mode: how AggregatorRegistry combines workers (default `sum`). */
  readonly aggregator?: 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit';
  /**
   * Runs at each scrape before the samples are built (prom-client's `collect`), for values that
   * are cheaper to bring up to date once per scrape than once per event. A throw is reported to
   * diagnostics and the scrape goes on.
   */
  readonly collect?: (() => void) | undefined;
}

/** The part of a series its owner manages: labels, key, activity and the idle mark. */
export abstract class ScrapeSeries {
  /** Observations recorded since the last reset: 0 means the series is not rendered. */
  count = 0;
  /** The count the last scrape saw, for idle expiry without a clock on the hot path. */
  private scrapedCount = -1;
  private readonly mark: IdleMark = { touched: false, seenAt: 0 };

  constructor(
    readonly key: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  /** True when nothing was recorded for `idleMs` (checked once per scrape). */
  idle(now: number, idleMs: number): boolean {
    this.mark.touched = this.count !== this.scrapedCount;
    this.scrapedCount = this.count;
    return isIdle(this.mark, now, idleMs);
  }

  /** Forgets every observation (a reset, or expiry after being idle). */
  clear(): void {
    this.count = 0;
    this.scrapedCount = -1;
    this.clearValues();
  }

  protected abstract clearValues(): void;
}

/**
 * A metric kept as plain per-series numbers that the hot path bumps in place and that become
 * Prometheus samples only when the registry is scraped. It registers itself in a prom-client
 * registry as a metric object whose `get()` builds the samples, so the registry, AggregatorRegistry
 * (cluster mode) and both text formats treat it as one of prom-client's own metrics.
 */
export abstract class ScrapeMetric<S extends ScrapeSeries, L extends string = string> {
  abstract readonly type: 'histogram' | 'counter';
  readonly name: string;
  readonly help: string;
  readonly aggregator: string;
  readonly labelNames: readonly L[];
  private readonly byKey = new Map<string, S>();
  /** Observed series in order of their first observation (prom-client's order). */
  private active: S[] = [];
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly collect: (() => void) | undefined;

  constructor(options: ScrapeMetricOptions<L>, kind: string) {
    if (!options || typeof options !== 'object') {
      throw new ThreadlineConfigError('core.metrics', `${kind} options must be an object`);
    }
    validateNames(kind, options.name, options.help, options.labelNames ?? []);
    validateIdle('core.metrics', options.name, options);
    if (options.collect !== undefined && typeof options.collect !== 'function') {
      throw new ThreadlineConfigError('core.metrics', `metric ${options.name}: collect must be a function`);
    }
    this.collect = options.collect;
    this.name = options.name;
    this.help = options.help;
    this.aggregator = options.aggregator ?? 'sum';
    this.labelNames = Object.freeze([...(options.labelNames ?? [])]);
    this.idleMs = options.idleSeriesMs ?? 0;
    this.now = idleClock(options);
  }

  /** Registers this metric in `registry` (prom-client's error when the name is taken). */
  register(registry?: AnyRegistry): this {
    resolveRegistry(registry).registerMetric(this as never);
    return this;
  }

  /**
   * The series of one label set, made on first request and shared after. Hold it: updating
   * through it is the fast path (no hashing, no allocation). Label values are used as given, so
   * they must come from a bounded set.
   */
  series(labels: Readonly<Partial<Record<L, string>>>): S {
    const key = this.keyOf(labels);
    let s = this.byKey.get(key);
    if (!s) {
      const values = labels as Readonly<Record<string, string | undefined>>;
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = values[n] ?? '';
      s = this.makeSeries(key, Object.freeze(own));
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Removes one label set (prom-client's `remove`): it is no longer rendered until updated again. */
  remove(labels: Readonly<Partial<Record<L, string>>>): void {
    const s = this.byKey.get(this.keyOf(labels));
    if (!s) return;
    this.byKey.delete(s.key);
    const at = this.active.indexOf(s);
    if (at >= 0) this.active.splice(at, 1);
    s.clear();
  }

  private keyOf(labels: Readonly<Partial<Record<L, string>>>): string {
    const values = labels as Readonly<Record<string, string | undefined>>;
    return this.labelNames.map((n) => values[n] ?? '').join('\u0000');
  }

  protected abstract makeSeries(key: string, labels: Readonly<Record<string, string>>): S;

  protected abstract render(series: S, out: Sample[]): void;

  /** Called by a series at its first observation since it was reset or expired. */
  activate(series: S): void {
    this.active.push(series);
    // A series handle kept across its expiry comes back under its key.
    if (!this.byKey.has(series.key)) this.byKey.set(series.key, series);
  }

  /** The metric in prom-client's `get()` shape; drops idle series first. */
  async get(): Promise<MetricSnapshot> {
    if (this.collect) {
      try {
        this.collect();
      } catch (error) {
        reportError('core.metrics', error);
      }
    }
    if (this.idleMs > 0) this.expireIdle();
    const values: Sample[] = [];
    for (const s of this.active) this.render(s, values);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** Forgets every observation, as prom-client's `reset()` does. */
  reset(): void {
    for (const s of this.active) s.clear();
    this.active = [];
  }

  /** Series currently rendered. */
  get size(): number {
    return this.active.length;
  }

  private expireIdle(): void {
    const now = this.now();
    const kept: S[] = [];
    for (const s of this.active) {
      if (!s.idle(now, this.idleMs)) {
        kept.push(s);
        continue;
      }
      s.clear();
      if (this.byKey.get(s.key) === s) this.byKey.delete(s.key);
    }
    this.active = kept;
  }
}
