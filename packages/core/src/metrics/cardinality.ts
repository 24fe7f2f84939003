import { Counter } from 'prom-client';
import { codes } from '../errors.js';
import { warnOnce } from '../guard.js';
import type { AnyRegistry } from './registry.js';

/** The label value that replaces values beyond a label's limit. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';
/** Default number of distinct values one label may take before folding. */
export const DEFAULT_MAX_LABEL_VALUES = 100;

const COMPONENT = 'core.metrics';
const OVERFLOW_METRIC = 'threadline_metric_label_overflow_total';
const overflowCounters = new WeakMap<AnyRegistry, Counter<'metric' | 'label'>>();

function overflowCounter(registry: AnyRegistry): Counter<'metric' | 'label'> {
  let counter = overflowCounters.get(registry);
  if (!counter) {
    const existing = registry.getSingleMetric(OVERFLOW_METRIC);
    counter =
      (existing as Counter<'metric' | 'label'> | undefined) ??
      new Counter({
        name: OVERFLOW_METRIC,
        help: 'Label values folded into __overflow__ because a label passed its limit of distinct values.',
        labelNames: ['metric', 'label'],
        registers: [registry],
      });
    overflowCounters.set(registry, counter);
  }
  return counter;
}

/** Forgets the overflow counter of a registry (after `registry.clear()`). */
export function forgetOverflowCounter(registry: AnyRegistry): void {
  overflowCounters.delete(registry);
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
   * Keeps only the values still in use (after idle series were dropped), so a retired model
   * version or a vanished route frees its place under the limit.
   */
  retain(label: string, inUse: ReadonlySet<string>): void {
    const set = this.seen.get(label);
    if (!set) return;
    for (const value of set) if (!inUse.has(value)) set.delete(value);
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
