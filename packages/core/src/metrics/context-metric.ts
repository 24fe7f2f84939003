import type { Counter, Gauge, Histogram } from 'prom-client';
import { getContext, type ModelRef } from '../context.js';
import { codes } from '../errors.js';
import { warnOnce } from '../guard.js';
import { CardinalityGuard, DEFAULT_MAX_LABEL_VALUES, OVERFLOW_LABEL_VALUE } from './cardinality.js';
import { ExemplarLabels } from './exemplars.js';
import { type IdleMark, type IdleSeriesOptions, idleClock, isIdle } from './idle.js';
import { type AnyRegistry, isOpenMetricsRegistry } from './registry.js';

/** Labels filled from the model in context ("" when none is bound). */
export const MODEL_LABEL_NAMES = ['model_name', 'model_version'] as const;

/** Label values as a caller passes them. */
export type LabelInput<L extends string> = Partial<Record<L, string | number | undefined>>;

/** Options shared by every context-aware metric. */
export interface ContextMetricOptions<L extends string> extends IdleSeriesOptions {
  /** Prometheus name (snake_case, base units, `_total` on counters). */
  readonly name: string;
  readonly help: string;
  /** The caller's own labels (the model labels are added when `modelLabels` is on). */
  readonly labelNames?: readonly L[];
  /** Registry to register in (default: prom-client's global registry). */
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
  /**
   * Runs at each scrape before the metric is read (prom-client's `collect`), to bring up to date
   * values that are cheaper to move once per scrape than once per event. May return a promise.
   */
  readonly collect?: (() => void | Promise<void>) | undefined;
}

type AnyMetric = Histogram<string> | Counter<string> | Gauge<string>;

interface SeriesEntry extends IdleMark {
  readonly labels: Record<string, string>;
}

const COMPONENT = 'core.metrics';

/**
 * What every context-aware metric shares: the full label set of an update (caller's labels under
 * the cardinality guard, plus the model in context), exemplars, rejection reports and idle expiry.
 */
export abstract class ContextMetric<L extends string> {
  /** The underlying prom-client metric. */
  abstract readonly metric: AnyMetric;
  readonly name: string;
  readonly labelNames: readonly string[];
  protected readonly ownLabels: readonly L[];
  protected readonly modelLabels: boolean;
  protected readonly guard: CardinalityGuard;
  protected readonly exemplars: boolean;
  private readonly exemplarLabels = new ExemplarLabels();
  // Hot-path caches (see bench/core): the guard's value sets per own label, the guarded labels of
  // the last model seen, and the last label set built.
  private readonly ownSets: ReadonlySet<string>[];
  private lastModel: ModelRef | undefined;
  private modelCached = false;
  private lastOut: Record<string, string> | undefined;
  private lastOutModel: ModelRef | undefined;
  private lastEntry: SeriesEntry | undefined;
  private readonly lastRaw: unknown[] = [];
  private lastModelName = '';
  private lastModelVersion = '';
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, SeriesEntry>();

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
    this.idleMs = options.idleSeriesMs ?? 0;
    this.now = idleClock(options);
  }

  /** Hooks idle expiry into the prom-client metric's scrape (called once by each subclass). */
  protected watchIdle(): void {
    if (this.idleMs <= 0) return;
    const metric = this.metric as { get(): Promise<unknown> };
    const get = metric.get.bind(metric);
    metric.get = () => {
      this.expireIdle();
      return get();
    };
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
      if (same) {
        if (this.lastEntry) this.lastEntry.touched = true;
        return last;
      }
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
    this.lastEntry = this.idleMs > 0 ? this.track(out) : undefined;
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

  private track(labels: Record<string, string>): SeriesEntry {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { labels, touched: true, seenAt: 0 };
      this.entries.set(key, entry);
    }
    entry.touched = true;
    return entry;
  }

  /** Drops the label sets idle for `idleSeriesMs` and frees their values under the guard. */
  protected expireIdle(): void {
    const now = this.now();
    let dropped = false;
    for (const [key, entry] of this.entries) {
      if (!isIdle(entry, now, this.idleMs)) continue;
      this.entries.delete(key);
      this.metric.remove(entry.labels);
      dropped = true;
    }
    if (!dropped) return;
    for (const label of this.labelNames) {
      const inUse = new Set<string>();
      for (const entry of this.entries.values()) inUse.add(entry.labels[label]!);
      this.guard.retain(label, inUse);
    }
    // The caches may point at a dropped set or at guard places just freed.
    this.lastOut = undefined;
    this.lastEntry = undefined;
    this.modelCached = false;
  }

  /** Exemplar labels for the current trace, when exemplars are on and the trace is sampled. */
  protected exemplar(): Record<string, string> | undefined {
    return this.exemplars ? this.exemplarLabels.current() : undefined;
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
