import { type LogLevel, type LogSink, logFields, reportError } from '@threadline/core';

const COMPONENT = 'training.log';

/**
 * Writes one event line: the context's fields first, then the event's own. A sink that throws is
 * reported to diagnostics; training goes on.
 */
export function emit(
  sink: LogSink,
  level: LogLevel,
  event: string,
  fields: Record<string, unknown>,
  message: string,
): void {
  try {
    sink.log(level, { ...logFields(), event, ...fields }, message);
  } catch (error) {
    reportError(COMPONENT, error);
  }
}

/** True when `value` is a log sink (an object with a `log` function). */
export function isLogSink(value: unknown): value is LogSink {
  return (
    typeof value === 'object' && value !== null && typeof (value as { log?: unknown }).log === 'function'
  );
}
