import { captureLogFields, isoNow, type LogFields } from '@threadline/core';
import winston from 'winston';

// Symbol.for: a line stamped by one installed copy of this package is read by another.
const FIELDS = Symbol.for('threadline.winston.fields.v1');
const TIME = Symbol.for('threadline.winston.time.v1');
const PATCHED = Symbol.for('threadline.winston.capture.v1');
/** Marks a line stamped earlier (a held debug line written at flush): it keeps its stamp. */
export const PRESTAMPED = Symbol('threadline.winston.prestamped');
/** Set on the loggers `createLogger` makes: their lines take their `time` at the call too. */
export const STAMP_TIME = Symbol.for('threadline.winston.stampTime.v1');

type Info = Record<string | symbol, unknown>;
type Write = (this: winston.Logger, chunk: unknown, ...rest: unknown[]) => boolean;

/** Records the context (and, for our loggers, the time) on a line as it enters winston. */
export function stamp(info: unknown, withTime: boolean): void {
  if (info === null || typeof info !== 'object') return;
  const line = info as Info;
  if (line[PRESTAMPED]) {
    delete line[PRESTAMPED];
    return;
  }
  line[FIELDS] = captureLogFields();
  if (withTime) line[TIME] = isoNow();
}

/** The context fields taken when the line was logged, if it went through a stamped `write`. */
export function capturedFields(info: object): Readonly<LogFields> | undefined {
  return (info as Info)[FIELDS] as Readonly<LogFields> | undefined;
}

/** The time taken when the line was logged, if it was stamped. */
export function capturedTime(info: object): string | undefined {
  return (info as Info)[TIME] as string | undefined;
}

/**
 * Makes every winston logger (of the winston copy this package loads) record the context when a
 * line is logged. Every path a line takes (`logger.info`, `logger.log`, `logger.error(err)`, child
 * loggers, exception handlers) ends in `Logger.prototype.write`, synchronously; formats run later,
 * when the stream gets to the line, which under backpressure is inside another request. Idempotent.
 */
export function installCapture(): void {
  const proto = loggerPrototype();
  if (proto[PATCHED]) return;
  const original = proto.write as Write;
  const write: Write = function write(this: winston.Logger, chunk, ...rest) {
    stamp(chunk, (this as unknown as Info)[STAMP_TIME] === true);
    return original.call(this, chunk, ...rest);
  };
  Object.defineProperty(proto, 'write', { value: write, writable: true, configurable: true });
  Object.defineProperty(proto, PATCHED, { value: true });
}

/**
 * winston's `Logger.prototype`. Older 3.x releases do not export the class with its prototype, so
 * it is reached through a logger's chain: `createLogger()` builds a subclass of `Logger`.
 */
function loggerPrototype(): Record<symbol | string, unknown> {
  const exported = (winston as unknown as { Logger?: { prototype?: unknown } }).Logger?.prototype;
  if (exported && typeof (exported as { write?: unknown }).write === 'function')
    return exported as Record<symbol | string, unknown>;
  const derived = Object.getPrototypeOf(winston.createLogger()) as object;
  return Object.getPrototypeOf(derived) as Record<symbol | string, unknown>;
}
