import { ThreadlineConfigError } from './errors.js';
import { reportError } from './guard.js';
import type { LogLevel, LogSink } from './log-sink.js';

/** Longest text taken from input into anything Threadline keeps or reports (names, samples). */
export const MAX_INPUT_TEXT = 128;

/**
 * `text` cut to at most `max` characters (never inside a surrogate pair), as a string of its own.
 * A plain `slice` of a long string can share the original's memory in V8, so a 1 MB name kept as
 * its first 128 characters would still hold the megabyte; the copy here does not.
 */
export function boundText(text: string, max: number = MAX_INPUT_TEXT): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return Buffer.from(text.slice(0, end), 'utf16le').toString('utf16le');
}

/** Writes a plugin's machine-readable event lines (`event` field, see CONVENTIONS). */
export interface EventWriter {
  /** True when lines go somewhere: callers skip building fields for a silent writer. */
  readonly enabled: boolean;
  /**
   * Writes one line with `event` and the line's own fields. The sink adds the context's fields
   * (`request_id`, `trace_id`, model, run), as every Threadline sink does, so they are not merged
   * here a second time. Never throws.
   */
  write(level: LogLevel, event: string, fields: Record<string, unknown>, message: string): void;
}

/**
 * Checks a plugin's `logger` option and makes its event writer. Every plugin has the same
 * default: no logger, no lines (metrics still count everything), so adding a plugin never starts
 * writing to the application's stdout; pass `jsonLineSink()`, `pinoSink(...)` or `winstonSink(...)`
 * to get the lines. `false` is accepted as an explicit "no lines".
 */
export function createEventWriter(component: string, logger: unknown): EventWriter {
  if (logger === undefined || logger === false) return SILENT;
  if (logger === null || typeof (logger as LogSink).log !== 'function') {
    throw new ThreadlineConfigError(
      component,
      'option logger must be a LogSink ({ log(level, fields, message) }) or false',
    );
  }
  const sink = logger as LogSink;
  return {
    enabled: true,
    write(level, event, fields, message) {
      try {
        sink.log(level, { event, ...fields }, message);
      } catch (error) {
        reportError(component, error);
      }
    },
  };
}

const SILENT: EventWriter = Object.freeze({
  enabled: false,
  write() {},
});
