import { logFields, reportError } from '@threadline/core';
import type { LogLevel, LogSink } from './types.js';

const COMPONENT = 'training.log';

/** A sink that writes one JSON object per line to a stream (default stdout). */
export function jsonLinesSink(stream: NodeJS.WritableStream = process.stdout): LogSink {
  return {
    log(level, fields, message) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
    },
  };
}

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
