import { trackName } from './metric-store.js';
import type { DurationSummary } from './types.js';

/** Most per-epoch durations kept in the summary (aggregates cover every epoch). */
export const MAX_EPOCH_DURATIONS = 1000;

/** Milliseconds to three decimals (microseconds), as every duration in lines and the summary. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** An empty aggregate. */
export function emptyDurations(): DurationSummary {
  return { count: 0, total_ms: 0, min_ms: null, max_ms: null, last_ms: null };
}

/** Adds one duration to an aggregate in place. */
export function addDuration(d: DurationSummary, ms: number): void {
  d.count++;
  d.total_ms += ms;
  d.min_ms = d.min_ms === null ? ms : Math.min(d.min_ms, ms);
  d.max_ms = d.max_ms === null ? ms : Math.max(d.max_ms, ms);
  d.last_ms = ms;
}

/** A rounded copy, for the summary (aggregates keep full precision while the run goes on). */
export function roundDurations(d: DurationSummary): DurationSummary {
  return {
    count: d.count,
    total_ms: round(d.total_ms),
    min_ms: d.min_ms === null ? null : round(d.min_ms),
    max_ms: d.max_ms === null ? null : round(d.max_ms),
    last_ms: d.last_ms === null ? null : round(d.last_ms),
  };
}

/** Epoch durations: an aggregate over all, and the latest `MAX_EPOCH_DURATIONS` one by one. */
export class EpochDurations {
  readonly all = emptyDurations();
  private readonly recent: number[] = [];

  /** Records one epoch's duration; a missing, negative or non-finite one is not a duration. */
  add(ms: number | null): boolean {
    if (ms === null || !Number.isFinite(ms) || ms < 0) return false;
    addDuration(this.all, ms);
    this.recent.push(round(ms));
    if (this.recent.length > MAX_EPOCH_DURATIONS) this.recent.shift();
    return true;
  }

  /** The latest durations, oldest first. */
  latest(): number[] {
    return [...this.recent];
  }
}

/** Durations per data-load phase; phases past `MAX_TRACKED_NAMES` fold into `__overflow__`. */
export class PhaseDurations {
  readonly byPhase = new Map<string, DurationSummary>();

  /** Records one phase's duration; returns the name it was recorded under. */
  add(phase: string, ms: number): string {
    const name = trackName(this.byPhase, phase);
    let d = this.byPhase.get(name);
    if (!d) {
      d = emptyDurations();
      this.byPhase.set(name, d);
    }
    addDuration(d, ms);
    return name;
  }
}
