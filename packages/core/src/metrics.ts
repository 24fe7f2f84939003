import {
  Counter,
  Gauge,
  register as globalRegistry,
  Histogram,
  type OpenMetricsContentType,
  Registry,
  type RegistryContentType,
} from 'prom-client';

/** A prom-client registry of either content type. */
export type AnyRegistry = Registry<RegistryContentType>;

import { getContext, type ModelRef } from './context.js';
import { codes, ThreadlineConfigError } from './errors.js';
import { diag, warnOnce } from './guard.js';
import { activeOtelSpan } from './otel.js';
import { isSampled } from './trace-context.js';

/** The label value that replaces values beyond a label's limit. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';
/** Labels filled from the model in context ("" when none is bound). */
export const MODEL_LABEL_NAMES = ['model_name', 'model_version'] as const;
/** Default number of distinct values one label may take before folding. */
export const DEFAULT_MAX_LABEL_VALUES = 100;

/** Label values as a caller passes them. */
export type LabelInput<L extends string> = Partial<Record<L, string | number | undefined>>;

/** Options shared by every context-aware metric. */
export interface ContextMetricOptions<L extends string> {
  /** Prometheus name (snake_case, base units, `_total` on counters). */
  readonly name: string;
  readonly help: string;
  /** The caller's own labels (the model labels are added when `modelLabels` is on). */
  readonly labelNames?: readonly L[];
  /** AnyRegistry to register in (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /** Add `model_name`/`model_version` from the context (default true). */
  readonly modelLabels?: boolean;
  /** Distinct values allowed per label; the rest fold into `__overflow__` (default 100). */
  readonly maxLabelValues?: number;
  /**
   * Attach `trace_id`/`span_id` exemplars when the current trace is sampled. Default: on when the
   * registry serves OpenMetrics (prom-client supports exemplars only there).
   */
  readonly exemplars?: boolean;
}

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

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const COMPONENT = 'core.metrics';

/** A new prom-client registry that serves OpenMetrics, so exemplars are available. */
export function createRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** True when the registry serves OpenMetrics (and so supports exemplars). */
export function isOpenMetricsRegistry(registry: AnyRegistry): boolean {
  return (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
}

const overflowCounters = new WeakMap<AnyRegistry, Counter<'metric' | 'label'>>();

function overflowCounter(registry: AnyRegistry): Counter<'metric' | 'label'> {
  let counter = overflowCounters.get(registry);
  if (!counter) {
    const existing = registry.getSingleMetric('threadline_metric_label_overflow_total');
    counter =
      (existing as Counter<'metric' | 'label'> | undefined) ??
      new Counter({
        name: 'threadline_metric_label_overflow_total',
        help: 'Label values folded into __overflow__ because a label passed its limit of distinct values.',
        labelNames: ['metric', 'label'],
        registers: [registry],
      });
    overflowCounters.set(registry, counter);
  }
  return counter;
}

/**
 * Bounds the distinct values of each label of one metric. Values past the limit become
 * `__overflow__`; the first overflow of each label is warned once and every overflow is counted.
 */
export class CardinalityGuard {
  private readonly seen = new Map<string, Set<string>>();
  constructor(
    private readonly metric: string,
    private readonly max: number,
    private readonly registry: AnyRegistry,
  ) {}

  /** The value to record for `label`: `value` itself while under the limit, else `__overflow__`. */
  value(label: string, value: string): string {
    const set = this.valuesOf(label);
    if (set.has(value)) return value;
    if (set.size < this.max) {
      set.add(value);
      return value;
    }
    warnOnce(`overflow:${this.metric}:${label}`, {
      code: codes.LABEL_OVERFLOW,
      component: COMPONENT,
      message: `metric ${this.metric}: label ${label} passed ${this.max} distinct values; further values are recorded as ${OVERFLOW_LABEL_VALUE}`,
    });
    overflowCounter(this.registry).inc({ metric: this.metric, label });
    return OVERFLOW_LABEL_VALUE;
  }

  /** Distinct values kept for a label so far. */
  size(label: string): number {
    return this.seen.get(label)?.size ?? 0;
  }

  /**
   * The live set of values kept for a label, for callers that test `has` before `value` on their
   * hot path (one Set lookup instead of a Map and a Set lookup). Never add to it directly.
   */
  valuesOf(label: string): ReadonlySet<string> & Set<string> {
    let set = this.seen.get(label);
    if (!set) {
      set = new Set();
      this.seen.set(label, set);
    }
    return set;
  }
}

type AnyMetric = Histogram<string> | Counter<string> | Gauge<string>;

interface Registered {
  readonly kind: 'histogram' | 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly wrapper: unknown;
}

// One wrapper per (registry, name): adapters and plugins that ask for the same metric share it.
const registered = new WeakMap<AnyRegistry, Map<string, Registered>>();

function validate<L extends string>(kind: string, options: ContextMetricOptions<L>): void {
  if (!options || typeof options !== 'object') {
    throw new ThreadlineConfigError(COMPONENT, `${kind} options must be an object`);
  }
  if (typeof options.name !== 'string' || !METRIC_NAME.test(options.name)) {
    throw new ThreadlineConfigError(COMPONENT, `invalid metric name ${JSON.stringify(options.name)}`);
  }
  if (typeof options.help !== 'string' || options.help === '') {
    throw new ThreadlineConfigError(COMPONENT, `metric ${options.name}: help text is required`);
  }
  for (const label of options.labelNames ?? []) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__')) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `metric ${options.name}: invalid label name ${JSON.stringify(label)}`,
      );
    }
  }
  const max = options.maxLabelValues;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${options.name}: maxLabelValues must be a positive integer`,
    );
  }
}

function lookup<W>(
  kind: Registered['kind'],
  registry: AnyRegistry,
  name: string,
  labelNames: readonly string[],
  create: () => W,
): W {
  let map = registered.get(registry);
  if (!map) {
    map = new Map();
    registered.set(registry, map);
  }
  const found = map.get(name);
  if (found) {
    if (found.kind !== kind || found.labelNames.join(',') !== labelNames.join(',')) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `metric ${name} is already registered as a ${found.kind} with labels [${found.labelNames.join(', ')}]`,
      );
    }
    return found.wrapper as W;
  }
  if (registry.getSingleMetric(name)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${name} is already registered in this registry by other code`,
    );
  }
  const wrapper = create();
  map.set(name, { kind, labelNames, wrapper });
  return wrapper;
}

abstract class ContextMetric<L extends string> {
  /** The underlying prom-client metric. */
  abstract readonly metric: AnyMetric;
  readonly name: string;
  readonly labelNames: readonly string[];
  protected readonly ownLabels: readonly L[];
  protected readonly modelLabels: boolean;
  protected readonly guard: CardinalityGuard;
  protected readonly exemplars: boolean;
  // Hot-path caches (see bench/core): the guard's value sets per own label, the guarded labels of
  // the last model seen, and the exemplar labels of the last trace position seen.
  private readonly ownSets: ReadonlySet<string>[];
  private lastModel: ModelRef | undefined;
  private modelCached = false;
  private lastOut: Record<string, string> | undefined;
  private lastOutModel: ModelRef | undefined;
  private readonly lastRaw: unknown[] = [];
  private lastModelName = '';
  private lastModelVersion = '';
  private lastTraceId: string | undefined;
  private lastSpanId: string | undefined;
  private lastExemplar: Record<string, string> | undefined;

  constructor(options: ContextMetricOptions<L>, registry: AnyRegistry) {
    this.name = options.name;
    this.ownLabels = [...(options.labelNames ?? [])];
    this.modelLabels = options.modelLabels !== false;
    this.labelNames = this.modelLabels ? [...this.ownLabels, ...MODEL_LABEL_NAMES] : [...this.ownLabels];
    this.guard = new CardinalityGuard(
      options.name,
      options.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES,
      registry,
    );
    this.exemplars = (options.exemplars ?? true) && isOpenMetricsRegistry(registry);
    this.ownSets = this.ownLabels.map((label) => this.guard.valuesOf(label));
  }

  /** The full label set for one update: the caller's labels, guarded, plus the model's. */
  protected labels(input: LabelInput<L> | undefined): Record<string, string> {
    const own = this.ownLabels;
    const model = this.modelLabels ? getContext()?.model : undefined;
    // Consecutive updates usually repeat the previous label set: hand prom-client the same object
    // again (it never modifies it) instead of building and guarding a new one.
    const last = this.lastOut;
    if (last !== undefined && model === this.lastOutModel) {
      let same = true;
      for (let i = 0; i < own.length; i++) {
        if (input?.[own[i]!] !== this.lastRaw[i]) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    const out: Record<string, string> = {};
    let folded = false;
    for (let i = 0; i < own.length; i++) {
      const name = own[i]!;
      const raw = input?.[name];
      this.lastRaw[i] = raw;
      if (raw === undefined) {
        out[name] = '';
        continue;
      }
      const value = typeof raw === 'string' ? raw : String(raw);
      const kept = this.ownSets[i]!.has(value) ? value : this.guard.value(name, value);
      if (kept !== value) folded = true;
      out[name] = kept;
    }
    if (this.modelLabels) {
      if (!this.modelCached || model !== this.lastModel) this.guardModel(model);
      if (!this.modelCached) folded = true;
      out.model_name = this.lastModelName;
      out.model_version = this.lastModelVersion;
    }
    // A folded set is not reused, so every folded update is still counted as an overflow.
    this.lastOut = folded ? undefined : out;
    this.lastOutModel = model;
    return out;
  }

  private guardModel(model: ModelRef | undefined): void {
    const name = model ? this.guard.value('model_name', model.name) : '';
    const version = model ? this.guard.value('model_version', model.version) : '';
    // A folded model is not cached, so every folded update is still counted as an overflow.
    this.modelCached = name !== OVERFLOW_LABEL_VALUE && version !== OVERFLOW_LABEL_VALUE;
    this.lastModel = model;
    this.lastModelName = name;
    this.lastModelVersion = version;
  }

  /** Exemplar labels for the current trace, when sampled. */
  protected exemplar(): Record<string, string> | undefined {
    if (!this.exemplars) return undefined;
    let traceId: string | undefined;
    let spanId: string | undefined;
    let flags: string | undefined;
    const span = activeOtelSpan();
    if (span) {
      traceId = span.traceId;
      spanId = span.spanId;
      flags = span.traceFlags;
    } else {
      const ctx = getContext();
      traceId = ctx?.trace_id;
      spanId = ctx?.span_id;
      flags = ctx?.trace_flags;
    }
    if (!traceId || !spanId || !isSampled(flags)) return undefined;
    // prom-client keeps the labels object it is given and never modifies it, so one object per
    // trace position can be shared by consecutive observations.
    if (traceId !== this.lastTraceId || spanId !== this.lastSpanId) {
      this.lastTraceId = traceId;
      this.lastSpanId = spanId;
      this.lastExemplar = { trace_id: traceId, span_id: spanId };
    }
    return this.lastExemplar;
  }

  protected reject(value: unknown, error?: unknown): void {
    warnOnce(`rejected:${this.name}`, {
      code: codes.METRIC_REJECTED,
      component: COMPONENT,
      message: `metric ${this.name}: update rejected (${error instanceof Error ? error.message : `value ${String(value)}`})`,
      ...(error !== undefined ? { error } : {}),
    });
  }
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
    });
  }

  /** Records one value. Non-finite values are rejected (warned once), never thrown. */
  observe(labels: LabelInput<L> | undefined, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
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

  /** Starts a timer; the returned function records the elapsed seconds (with more labels) and returns them. */
  startTimer(labels?: LabelInput<L>): (more?: LabelInput<L>) => number {
    const start = process.hrtime.bigint();
    return (more) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
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
    });
  }

  /** Adds `value` (default 1). Negative or non-finite values are rejected, never thrown. */
  inc(labels?: LabelInput<L>, value = 1): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
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
    });
  }

  /** Sets the gauge. Non-finite values are rejected, never thrown. */
  set(labels: LabelInput<L> | undefined, value: number): void {
    this.apply(labels, value, 'set');
  }

  /** Adds `value` (default 1). */
  inc(labels?: LabelInput<L>, value = 1): void {
    this.apply(labels, value, 'inc');
  }

  /** Subtracts `value` (default 1). */
  dec(labels?: LabelInput<L>, value = 1): void {
    this.apply(labels, value, 'dec');
  }

  private apply(labels: LabelInput<L> | undefined, value: number, op: 'set' | 'inc' | 'dec'): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
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

/**
 * Creates (or returns the existing) context-aware histogram for this registry. Throws at setup on
 * a bad name, bad labels, or a clash with a different metric of the same name.
 */
export function createHistogram<L extends string = never>(
  options: ContextHistogramOptions<L>,
): ContextHistogram<L> {
  validate('histogram', options);
  const buckets = options.buckets;
  if (buckets !== undefined) {
    const ok =
      Array.isArray(buckets) &&
      buckets.length > 0 &&
      buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!));
    if (!ok)
      throw new ThreadlineConfigError(
        COMPONENT,
        `metric ${options.name}: buckets must be finite and strictly ascending`,
      );
  }
  const registry: AnyRegistry = options.registry ?? (globalRegistry as AnyRegistry);
  const labels = [...(options.labelNames ?? []), ...(options.modelLabels === false ? [] : MODEL_LABEL_NAMES)];
  return lookup('histogram', registry, options.name, labels, () => new ContextHistogram(options, registry));
}

/** Creates (or returns the existing) context-aware counter for this registry. */
export function createCounter<L extends string = never>(options: ContextMetricOptions<L>): ContextCounter<L> {
  validate('counter', options);
  const registry: AnyRegistry = options.registry ?? (globalRegistry as AnyRegistry);
  const labels = [...(options.labelNames ?? []), ...(options.modelLabels === false ? [] : MODEL_LABEL_NAMES)];
  return lookup('counter', registry, options.name, labels, () => new ContextCounter(options, registry));
}

/** Creates (or returns the existing) context-aware gauge for this registry. */
export function createGauge<L extends string = never>(options: ContextGaugeOptions<L>): ContextGauge<L> {
  validate('gauge', options);
  const aggregators: readonly GaugeAggregator[] = ['sum', 'first', 'min', 'max', 'average', 'omit'];
  if (options.aggregator !== undefined && !aggregators.includes(options.aggregator)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `metric ${options.name}: aggregator must be one of ${aggregators.join(', ')}`,
    );
  }
  const registry: AnyRegistry = options.registry ?? (globalRegistry as AnyRegistry);
  const labels = [...(options.labelNames ?? []), ...(options.modelLabels === false ? [] : MODEL_LABEL_NAMES)];
  return lookup('gauge', registry, options.name, labels, () => new ContextGauge(options, registry));
}

/**
 * Forgets the wrappers created for a registry (after `registry.clear()`, in tests and hot reloads),
 * so the metrics can be created again.
 */
export function forgetMetrics(registry: AnyRegistry): void {
  registered.delete(registry);
  overflowCounters.delete(registry);
}

/** Reports that a value could not be recorded, for plugins that pre-validate inputs. */
export function reportRejectedMetric(metric: string, message: string): void {
  diag({
    code: codes.METRIC_REJECTED,
    component: COMPONENT,
    level: 'warn',
    message: `metric ${metric}: ${message}`,
  });
}
