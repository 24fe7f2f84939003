import { Counter, Gauge, Histogram } from 'prom-client';
import { ContextMetric, type ContextMetricOptions, type LabelInput } from './context-metric.js';
import type { AnyRegistry } from './registry.js';

/** How prom-client's cluster AggregatorRegistry combines a gauge's value across workers. */
export type GaugeAggregator = 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit';

/** Gauge options. */
export interface ContextGaugeOptions<L extends string> extends ContextMetricOptions<L> {
  /**
   * Cluster mode: how workers' values combine (default `sum`). Ratios, shares and scores want
   * `average` or `max`: a drift share summed over four workers is not a share.
   */
  readonly aggregator?: GaugeAggregator;
}

/** Histogram options. */
export interface ContextHistogramOptions<L extends string> extends ContextMetricOptions<L> {
  /** Bucket upper bounds, ascending. */
  readonly buckets?: readonly number[];
}

/** A timer's end: records the elapsed seconds (with more labels) and returns them. */
export type EndTimer<L extends string> = (more?: LabelInput<L>) => number;

/**
 * Splits prom-client's two call shapes, `(value?)` and `(labels, value?)`: a number first is the
 * value, as prom-client reads it; anything else is the labels.
 */
function callShape<L extends string>(
  first: LabelInput<L> | number | undefined,
  second: number | undefined,
  fallback: number | undefined,
): [LabelInput<L> | undefined, unknown] {
  if (typeof first === 'number') return [undefined, first];
  return [first, second === undefined ? fallback : second];
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function startClock(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start) / 1e9;
}

/** A histogram whose model labels and exemplars come from the context. */
export class ContextHistogram<L extends string = string> extends ContextMetric<L> {
  readonly metric: Histogram<string>;

  constructor(options: ContextHistogramOptions<L>, registry: AnyRegistry) {
    super(options, registry);
    this.metric = new Histogram({
      name: options.name,
      help: options.help,
      labelNames: this.labelNames,
      registers: [registry],
      enableExemplars: this.exemplars,
      ...(options.buckets ? { buckets: [...options.buckets] } : {}),
      ...(options.collect ? { collect: options.collect } : {}),
    });
    this.watchIdle();
  }

  /**
   * Records one value: `observe(value)` or `observe(labels, value)`, as prom-client. Non-finite
   * values are rejected (warned once), never thrown.
   */
  observe(value: number): void;
  observe(labels: LabelInput<L> | undefined, value: number): void;
  observe(first: LabelInput<L> | number | undefined, second?: number): void {
    const [labels, value] = callShape(first, second, undefined);
    if (!isFiniteNumber(value)) {
      this.reject(value);
      return;
    }
    try {
      const set = this.labels(labels);
      const exemplarLabels = this.exemplar();
      if (this.exemplars) {
        this.metric.observe(exemplarLabels ? { labels: set, value, exemplarLabels } : { labels: set, value });
      } else {
        this.metric.observe(set, value);
      }
    } catch (error) {
      this.reject(value, error);
    }
  }

  /** Starts a timer; its end observes the elapsed seconds (with more labels) and returns them. */
  startTimer(labels?: LabelInput<L>): EndTimer<L> {
    const elapsed = startClock();
    return (more) => {
      const seconds = elapsed();
      this.observe(more ? { ...labels, ...more } : labels, seconds);
      return seconds;
    };
  }
}

/** A counter whose model labels and exemplars come from the context. */
export class ContextCounter<L extends string = string> extends ContextMetric<L> {
  readonly metric: Counter<string>;

  constructor(options: ContextMetricOptions<L>, registry: AnyRegistry) {
    super(options, registry);
    this.metric = new Counter({
      name: options.name,
      help: options.help,
      labelNames: this.labelNames,
      registers: [registry],
      enableExemplars: this.exemplars,
      ...(options.collect ? { collect: options.collect } : {}),
    });
    this.watchIdle();
  }

  /**
   * Adds `value` (default 1): `inc()`, `inc(value)`, `inc(labels)` or `inc(labels, value)`, as
   * prom-client. Negative or non-finite values are rejected, never thrown.
   */
  inc(value?: number): void;
  inc(labels: LabelInput<L> | undefined, value?: number): void;
  inc(first?: LabelInput<L> | number, second?: number): void {
    const [labels, value] = callShape(first, second, 1);
    if (!isFiniteNumber(value) || value < 0) {
      this.reject(value);
      return;
    }
    try {
      const set = this.labels(labels);
      if (this.exemplars) {
        const exemplarLabels = this.exemplar();
        this.metric.inc(exemplarLabels ? { labels: set, value, exemplarLabels } : { labels: set, value });
      } else {
        this.metric.inc(set, value);
      }
    } catch (error) {
      this.reject(value, error);
    }
  }
}

/** A gauge whose model labels come from the context. */
export class ContextGauge<L extends string = string> extends ContextMetric<L> {
  readonly metric: Gauge<string>;

  constructor(options: ContextGaugeOptions<L>, registry: AnyRegistry) {
    // Gauges carry no exemplars in OpenMetrics.
    super({ ...options, exemplars: false }, registry);
    this.metric = new Gauge({
      name: options.name,
      help: options.help,
      labelNames: this.labelNames,
      registers: [registry],
      ...(options.aggregator ? { aggregator: options.aggregator } : {}),
      ...(options.collect ? { collect: options.collect } : {}),
    });
    this.watchIdle();
  }

  /** Sets the gauge: `set(value)` or `set(labels, value)`. Non-finite values are rejected, never thrown. */
  set(value: number): void;
  set(labels: LabelInput<L> | undefined, value: number): void;
  set(first: LabelInput<L> | number | undefined, second?: number): void {
    const [labels, value] = callShape(first, second, undefined);
    this.apply(labels, value, 'set');
  }

  /** Adds `value` (default 1): `inc()`, `inc(value)`, `inc(labels)` or `inc(labels, value)`. */
  inc(value?: number): void;
  inc(labels: LabelInput<L> | undefined, value?: number): void;
  inc(first?: LabelInput<L> | number, second?: number): void {
    const [labels, value] = callShape(first, second, 1);
    this.apply(labels, value, 'inc');
  }

  /** Subtracts `value` (default 1), with the call shapes of `inc`. */
  dec(value?: number): void;
  dec(labels: LabelInput<L> | undefined, value?: number): void;
  dec(first?: LabelInput<L> | number, second?: number): void {
    const [labels, value] = callShape(first, second, 1);
    this.apply(labels, value, 'dec');
  }

  /** Starts a timer; its end sets the gauge to the elapsed seconds (as prom-client's) and returns them. */
  startTimer(labels?: LabelInput<L>): EndTimer<L> {
    const elapsed = startClock();
    return (more) => {
      const seconds = elapsed();
      this.set(more ? { ...labels, ...more } : labels, seconds);
      return seconds;
    };
  }

  private apply(labels: LabelInput<L> | undefined, value: unknown, op: 'set' | 'inc' | 'dec'): void {
    if (!isFiniteNumber(value)) {
      this.reject(value);
      return;
    }
    try {
      this.metric[op](this.labels(labels), value);
    } catch (error) {
      this.reject(value, error);
    }
  }
}
