import { codes, diag } from '@threadline/core';
import { metricFieldName } from './fields.js';
import type { Order } from './order.js';
import type { MetricGoal, MetricSummary } from './types.js';

/** Metric values as a training loop reports them. */
export type Metrics = Readonly<Record<string, number>>;

/** Most distinct metric names and data-load phases a run tracks; more fold into `__overflow__`. */
export const MAX_TRACKED_NAMES = 200;
const MAX_GOAL_NAME = /(acc|auc|precision|recall|f1|score|r2)/i;

/** The name to track a value under: itself while the map has room, else `__overflow__`. */
export function trackName(map: ReadonlyMap<string, unknown>, name: string): string {
  return map.has(name) || map.size < MAX_TRACKED_NAMES ? name : '__overflow__';
}

/** What one record gives the log line and the progress display. */
export interface Recorded {
  /** One field per metric (`metricFieldName`), null for a non-finite value. */
  readonly fields: Record<string, number | null>;
  /** The same values under the metrics' own names. */
  readonly display: Record<string, number | null>;
  /** The names whose value was NaN or infinite. */
  readonly nonFinite: string[];
}

/** Where a store's values go besides the summary (the Prometheus metrics). */
export interface ValueListener {
  /** A finite value in order; absent for steps, whose gauges are set at the step flush. */
  readonly value?: (name: string, value: number) => void;
  readonly nonFinite: (name: string) => void;
}

/**
 * The per-metric summaries of one scope (steps or epochs) of a run: last, best by goal, counts.
 * "Last" is the value at the highest index (a duplicate replaces it, a lower index never does).
 */
export class MetricStore {
  readonly byName = new Map<string, MetricSummary>();
  /** Values that were NaN or infinite, in this scope. */
  nonFiniteValues = 0;

  constructor(
    private readonly scope: 'step' | 'epoch',
    private readonly runId: string,
    private readonly goals: Readonly<Record<string, MetricGoal>> | undefined,
    private readonly listener: ValueListener,
  ) {}

  /** Records metric values at an index and says what to log. */
  record(metrics: Metrics, index: number, order: Order): Recorded {
    const fields: Record<string, number | null> = {};
    const display: Record<string, number | null> = {};
    const nonFinite: string[] = [];
    for (const [rawName, raw] of Object.entries(metrics)) {
      if (typeof raw !== 'number') continue;
      const name = trackName(this.byName, rawName);
      const finite = Number.isFinite(raw);
      const stat = this.stat(name, index);
      stat.count++;
      if (stat.count === 1 || (order !== 'out_of_order' && index >= stat.last_index)) {
        stat.last = finite ? raw : null;
        stat.last_index = index;
      }
      if (finite) {
        if (stat.best === null || (stat.goal === 'max' ? raw > stat.best : raw < stat.best)) {
          stat.best = raw;
          stat.best_index = index;
        }
        if (order !== 'out_of_order') this.listener.value?.(name, raw);
      } else {
        stat.non_finite_count++;
        this.nonFiniteValues++;
        nonFinite.push(rawName);
        this.listener.nonFinite(name);
      }
      fields[metricFieldName(rawName)] = finite ? raw : null;
      display[rawName] = finite ? raw : null;
    }
    if (nonFinite.length > 0) {
      diag({
        code: codes.TRAINING_NON_FINITE_METRIC,
        component: 'training',
        level: 'warn',
        message: `run ${this.runId}: ${this.scope} ${index}: non-finite value for ${nonFinite.join(', ')} (logged as null)`,
      });
    }
    return { fields, display, nonFinite };
  }

  private stat(name: string, index: number): MetricSummary {
    let stat = this.byName.get(name);
    if (!stat) {
      stat = {
        last: null,
        last_index: index,
        best: null,
        best_index: null,
        goal: this.goals?.[name] ?? (MAX_GOAL_NAME.test(name) ? 'max' : 'min'),
        count: 0,
        non_finite_count: 0,
      };
      this.byName.set(name, stat);
    }
    return stat;
  }

  /** True when one of these metrics already has a value at `index`. */
  repeats(metrics: Metrics, index: number): boolean {
    for (const name in metrics) {
      const stat = this.byName.get(name);
      if (stat && stat.count > 0 && stat.last_index === index) return true;
    }
    return false;
  }

  /** A copy of every metric's summary, for the run summary. */
  snapshot(): Record<string, MetricSummary> {
    const out: Record<string, MetricSummary> = {};
    for (const [k, v] of this.byName) out[k] = { ...v };
    return out;
  }

  /** Each metric's last value, for the end line. */
  lastValues(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const [k, v] of this.byName) out[k] = v.last;
    return out;
  }
}
