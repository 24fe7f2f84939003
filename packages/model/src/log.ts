import { type LogLevel, type LogSink, logFields, reportError } from '@threadline/core';

const COMPONENT = 'model.log';

/**
 * Writes one line to the sink with the context's fields first and the line's own after, so the
 * line says which model version answered even when the sink adds nothing. Never throws.
 */
export function writeLine(
  sink: LogSink | undefined,
  level: LogLevel,
  fields: Record<string, unknown>,
  message: string,
): void {
  if (!sink) return;
  try {
    // logFields() returns a fresh object, so the line's fields are added to it in place: spreading
    // both into a new literal takes V8's slow path for objects grown after a spread.
    sink.log(level, Object.assign(logFields(), fields), message);
  } catch (error) {
    reportError(COMPONENT, error);
  }
}

/**
 * A token bucket of `perMinute` lines: floods of the same bad event (a NaN on every call, a
 * client sending a wrong model name) write a bounded number of lines; the counters stay exact.
 */
export class LineBudget {
  private tokens: number;
  private last: number;
  /** Lines refused since the last one written, reported in the next written line. */
  suppressed = 0;

  constructor(private readonly perMinute: number) {
    this.tokens = perMinute;
    this.last = Date.now();
  }

  /** True when a line may be written now. */
  take(): boolean {
    if (this.perMinute <= 0) {
      this.suppressed++;
      return false;
    }
    const now = Date.now();
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

/**
 * A warning writer with one line budget per kind of event, so a flood of one bad event cannot
 * crowd out the others; each written line reports how many of its kind were skipped before it.
 */
export function budgetedWarn(
  logger: LogSink | undefined,
  perMinute: number,
  budgets: Map<string, LineBudget>,
): (kind: string, fields: Record<string, unknown>, message: string, level?: LogLevel) => void {
  return (kind, fields, message, level = 'warn') => {
    let budget = budgets.get(kind);
    if (!budget) {
      budget = new LineBudget(perMinute);
      budgets.set(kind, budget);
    }
    if (!budget.take()) return;
    const suppressed = budget.drainSuppressed();
    writeLine(logger, level, suppressed > 0 ? { ...fields, suppressed_lines: suppressed } : fields, message);
  };
}
