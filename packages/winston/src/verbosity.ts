import { bufferDebugLine, debugDecision } from '@threadline/core';
import winston from 'winston';

const LEVEL = Symbol.for('level');
// Marks a buffered line being written at flush time, so the filter lets it through once.
const REPLAY = Symbol('threadline.replay');

type Info = winston.Logform.TransformableInfo & { [LEVEL]?: string; [REPLAY]?: boolean };

/**
 * The first format of a logger with `verbosity: true`. The logger itself runs at debug level; this
 * filter drops what the configured level would have dropped, unless Threadline's per-request
 * verbosity says the line is to be written now (forced debug) or held (buffered, written at flush
 * in the same request, with its original time).
 */
export function verbosityFilter(
  levels: Readonly<Record<string, number>>,
  configured: string,
  target: { write(info: object): unknown } | undefined,
): { format: winston.Logform.Format; bind(logger: { write(info: object): unknown }): void } {
  let logger = target;
  const max = levels[configured]!;
  const debugMax = levels.debug ?? max;
  const format = winston.format((info: Info) => {
    if (info[REPLAY]) {
      delete info[REPLAY];
      return info;
    }
    const n = levels[info[LEVEL] ?? info.level];
    if (n === undefined || n <= max) return info;
    if (n > debugMax) return false;
    const decision = debugDecision();
    if (decision === 'write') return info;
    if (decision === 'buffer' && logger) {
      const held = logger;
      if (info.time === undefined) info.time = new Date().toISOString();
      bufferDebugLine(() => {
        info[REPLAY] = true;
        held.write(info);
      });
    }
    return false;
  })();
  return {
    format,
    bind(l) {
      logger = l;
    },
  };
}
