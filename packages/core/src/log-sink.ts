import { CONTEXT_LOG_FIELDS, logFields } from './fields.js';
import { reportError } from './guard.js';
import { resolveServiceName } from './service.js';

/** The four levels a Threadline plugin writes at. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * A logger-agnostic destination for the structured lines Threadline's plugins write (access lines,
 * training events). `@threadline/winston` and `@threadline/pino` provide one over their loggers;
 * `jsonLineSink` is the default. Implementations must not throw.
 */
export interface LogSink {
  log(level: LogLevel, fields: Record<string, unknown>, message: string): void;
}

/**
 * Log fields whose value is always the context's: a line's own fields may not contradict the
 * request, trace, model or run it was written in. Other context fields (free attributes) never
 * overwrite a field the caller set on the line.
 */
export const RESERVED_LOG_FIELDS: ReadonlySet<string> = new Set(CONTEXT_LOG_FIELDS);

/**
 * Adds context fields to a line's fields in place, by the rule of `RESERVED_LOG_FIELDS`: reserved
 * fields are the context's, attributes fill only what the line left unset. Returns `target`.
 */
export function mergeContextFields<T extends Record<string, unknown>>(
  target: T,
  fields: Readonly<Record<string, unknown>> = logFields(),
): T {
  const out = target as Record<string, unknown>;
  for (const key in fields) {
    if (RESERVED_LOG_FIELDS.has(key) || !(key in out)) out[key] = fields[key];
  }
  return target;
}

/** Where `jsonLineSink` writes: anything with a string `write`, such as `process.stdout`. */
export interface LineStream {
  write(chunk: string): unknown;
}

/**
 * A sink writing one JSON line per call: `time` (ISO 8601), `level`, `message`, `service`, the
 * given fields and the context's log fields (see `mergeContextFields`). It never throws: a value JSON cannot encode (a
 * cycle, a BigInt) is reported on the diagnostics channel and the line is written without it.
 */
export function jsonLineSink(
  stream: LineStream = process.stdout,
  options: { service?: string } = {},
): LogSink {
  const service = resolveServiceName(options.service);
  return {
    log(level, fields, message) {
      try {
        const line: Record<string, unknown> = {
          time: new Date().toISOString(),
          level,
          message,
          service,
        };
        for (const key in fields) if (!(key in line)) line[key] = fields[key];
        mergeContextFields(line);
        let text: string;
        try {
          text = JSON.stringify(line);
        } catch (error) {
          reportError('core.log-sink', error);
          text = JSON.stringify(mergeContextFields({ time: line.time, level, message, service }));
        }
        stream.write(`${text}\n`);
      } catch (error) {
        reportError('core.log-sink', error);
      }
    },
  };
}
