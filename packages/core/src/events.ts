import { ThreadlineConfigError } from './errors.js';
import { logFields } from './fields.js';
import { safeCall } from './guard.js';
import { addsContext, jsonLineSink, type LogLevel, type LogSink } from './log-sink.js';

/** What a plugin's `logger` option takes: a sink, `false` for no lines, `undefined` for the default. */
export type EventLoggerOption = LogSink | false | undefined;

/**
 * Checks a plugin's `logger` option once, at setup: a `LogSink` is used as it is, `false` writes
 * no lines, `undefined` gives the one default of every plugin, `jsonLineSink()` (JSON lines on
 * stdout). Anything else throws `ThreadlineConfigError`.
 */
export function resolveEventSink(component: string, value: unknown): LogSink | undefined {
  if (value === false) return undefined;
  if (value === undefined) return jsonLineSink();
  if (value === null || typeof value !== 'object' || typeof (value as LogSink).log !== 'function') {
    throw new ThreadlineConfigError(
      component,
      'option logger must be a LogSink ({ log(level, fields, message) }) or false',
    );
  }
  return value as LogSink;
}

/**
 * Writes one event line. A sink that adds the context itself gets the line's fields as they are
 * (pino's bridge then serializes the context once per request instead of once per line); any
 * other sink gets the context's fields first and the line's after, so every line still carries
 * the request, trace, model and run IDs. A throwing sink is reported on the diagnostics channel
 * (`TL_CALLBACK_FAILED`), never thrown. Does nothing without a sink.
 */
export function writeEvent(
  sink: LogSink | undefined,
  level: LogLevel,
  fields: Record<string, unknown>,
  message: string,
  component = 'events',
): void {
  if (!sink) return;
  // logFields() returns a fresh object, so the line's fields are added to it in place: spreading
  // both into a new literal takes V8's slow path for objects grown after a spread.
  const line = addsContext(sink) ? fields : Object.assign(logFields(), fields);
  safeCall(component, () => sink.log(level, line, message), []);
}

/** Lines a minute each kind of event may write by default (the model monitor's `warnLogsPerMinute`). */
export const DEFAULT_LINES_PER_MINUTE = 60;

/**
 * A token bucket of `perMinute` lines: floods of the same bad event (a NaN on every call, a
 * client sending a wrong model name, a failing batch every few milliseconds) write a bounded
 * number of lines; the counters stay exact.
 */
export class LineBudget {
  private tokens: number;
  private last: number;
  /** Lines refused since the last one written, reported in the next written line. */
  suppressed = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perMinute;
    this.last = now();
  }

  /** True when a line may be written now. */
  take(): boolean {
    if (this.perMinute <= 0) {
      this.suppressed++;
      return false;
    }
    const now = this.now();
    const refill = ((now - this.last) / 60_000) * this.perMinute;
    if (refill > 0) {
      this.tokens = Math.min(this.perMinute, this.tokens + refill);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /** The number of lines refused since the last written one, and resets it. */
  drainSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}

/** Writes one line of a kind of event, within that kind's budget (see `budgetedWriter`). */
export type BudgetedWrite = (
  kind: string,
  fields: Record<string, unknown>,
  message: string,
  level?: LogLevel,
) => void;

/**
 * An event writer with one line budget per kind of event, so a flood of one bad event cannot
 * crowd out the others; each written line reports in `suppressed_lines` how many of its kind were
 * skipped before it. Lines go out through `writeEvent`; the default level is `warn`.
 */
export function budgetedWriter(
  sink: LogSink | undefined,
  perMinute: number = DEFAULT_LINES_PER_MINUTE,
  budgets: Map<string, LineBudget> = new Map(),
  component = 'events',
): BudgetedWrite {
  return (kind, fields, message, level = 'warn') => {
    if (!sink) return;
    let budget = budgets.get(kind);
    if (!budget) {
      budget = new LineBudget(perMinute);
      budgets.set(kind, budget);
    }
    if (!budget.take()) return;
    const suppressed = budget.drainSuppressed();
    writeEvent(
      sink,
      level,
      suppressed > 0 ? { ...fields, suppressed_lines: suppressed } : fields,
      message,
      component,
    );
  };
}
