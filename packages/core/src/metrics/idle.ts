import { ThreadlineConfigError } from '../errors.js';

/** Options that let a metric forget label sets nobody updates any more. */
export interface IdleSeriesOptions {
  /**
   * Drop a label set at scrape time once it has not been updated for this many milliseconds, so
   * retired model versions and vanished routes stop costing memory and scrape time. A dropped set
   * starts again from zero when it is next updated (Prometheus reads that as a counter reset).
   * Default: off (series are kept for the life of the process, as prom-client keeps them).
   */
  readonly idleSeriesMs?: number | undefined;
  /** Clock in milliseconds for idle expiry (default `performance.now`); for tests. */
  readonly now?: (() => number) | undefined;
}

/** Checks `idleSeriesMs` at setup. */
export function validateIdle(component: string, metric: string, options: IdleSeriesOptions): void {
  const idle = options.idleSeriesMs;
  if (idle !== undefined && !(typeof idle === 'number' && Number.isFinite(idle) && idle > 0)) {
    throw new ThreadlineConfigError(
      component,
      `metric ${metric}: idleSeriesMs must be a positive number of milliseconds`,
    );
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new ThreadlineConfigError(
      component,
      `metric ${metric}: now must be a function returning milliseconds`,
    );
  }
}

/** The clock of a metric: the one given, else `performance.now`. */
export function idleClock(options: IdleSeriesOptions): () => number {
  return options.now ?? (() => performance.now());
}

/**
 * Marks a series as updated without reading a clock: the scrape turns the mark into a time, so an
 * update costs one store and expiry is precise to one scrape interval.
 */
export interface IdleMark {
  touched: boolean;
  /** Clock time of the scrape that last saw the series touched. */
  seenAt: number;
}

/**
 * Decides at scrape time whether a series is idle: a series touched since the last scrape is
 * stamped with `now`; one untouched for `idleMs` is idle.
 */
export function isIdle(mark: IdleMark, now: number, idleMs: number): boolean {
  if (mark.touched) {
    mark.touched = false;
    mark.seenAt = now;
    return false;
  }
  return now - mark.seenAt >= idleMs;
}
