import { CONTEXT_LOG_FIELDS, logFields } from './fields.js';
import { reportError } from './guard.js';
import { resolveServiceName } from './service.js';
import { isoNow } from './time.js';

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
 * The brand of a sink that adds the context's fields to every line itself (core's `jsonLineSink`,
 * the sinks `@threadline/pino` and `@threadline/winston` make over their own loggers). Under
 * `Symbol.for`, versioned, so two installed copies of core recognise each other's sinks.
 */
export const ADDS_CONTEXT: unique symbol = Symbol.for('threadline.sink.addsContext.v1');

/** A sink branded with `ADDS_CONTEXT`. */
export type ContextSink = LogSink & { readonly [ADDS_CONTEXT]: true };

/** Brands `sink` as adding the context itself (see `ADDS_CONTEXT`) and returns it. */
export function markAddsContext<S extends LogSink>(sink: S): S & ContextSink {
  Object.defineProperty(sink, ADDS_CONTEXT, { value: true });
  return sink as S & ContextSink;
}

/** True when `sink` carries the `ADDS_CONTEXT` brand. */
export function addsContext(sink: LogSink): boolean {
  return (sink as Partial<ContextSink>)[ADDS_CONTEXT] === true;
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
 * given fields and the context's log fields (see `mergeContextFields`), so it carries the
 * `ADDS_CONTEXT` brand. It never throws: a value JSON cannot encode (a
 * cycle, a BigInt) is reported on the diagnostics channel and the line is written without it.
 */
export function jsonLineSink(
  stream: LineStream = process.stdout,
  options: { service?: string } = {},
): LogSink {
  const service = resolveServiceName(options.service);
  return markAddsContext({
    log(level, fields, message) {
      try {
        const line: Record<string, unknown> = {
          time: isoNow(),
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
  });
}
