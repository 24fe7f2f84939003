import { bufferDebugLine, debugDecision } from '@threadline/core';
import type winston from 'winston';
import { PRESTAMPED, stamp } from './capture.js';

const LEVEL = Symbol.for('level');

type Info = Record<string | symbol, unknown>;

/**
 * Per-request verbosity for a logger with `verbosity: true`, decided when the line is logged (in
 * the request's context, whatever winston's stream does later). The logger itself runs at debug
 * level; this drops what the configured level would have dropped, unless Threadline's per-request
 * verbosity says the line is to be written now (forced debug) or held (buffered, written at flush
 * in the same request, with its original time and context).
 */
export function installVerbosity(
  logger: winston.Logger,
  levels: Readonly<Record<string, number>>,
  configured: string,
): void {
  const max = levels[configured]!;
  const debugMax = levels.debug ?? max;
  const write = logger.write;
  const filtered = function write_(this: winston.Logger, info: unknown, ...rest: unknown[]): boolean {
    if (info === null || typeof info !== 'object') return Reflect.apply(write, this, [info, ...rest]);
    const line = info as Info;
    const n = levels[(line[LEVEL] ?? line.level) as string];
    if (n === undefined || n <= max) return Reflect.apply(write, this, [info, ...rest]);
    if (n > debugMax) return true;
    const decision = debugDecision();
    if (decision === 'write') return Reflect.apply(write, this, [info, ...rest]);
    if (decision === 'buffer') {
      stamp(line, true);
      bufferDebugLine(() => {
        line[PRESTAMPED] = true;
        Reflect.apply(write, logger, [line]);
      });
    }
    return true;
  };
  Object.defineProperty(logger, 'write', { value: filtered, writable: true, configurable: true });
}
