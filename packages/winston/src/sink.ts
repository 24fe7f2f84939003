import { type LogSink, markAddsContext, reportError } from '@threadline/core';
import type winston from 'winston';
import { flushOnShutdown } from './flush.js';

// Set on the loggers createLogger makes; a child logger inherits it through its prototype.
const CONTEXT_LOGGER = Symbol('threadline.winston.contextLogger');

/** Marks `logger` as one that writes the Threadline context on every line itself. */
export function markContextLogger(logger: winston.Logger): void {
  Object.defineProperty(logger, CONTEXT_LOGGER, { value: true });
}

function writesContext(logger: winston.Logger): boolean {
  return (logger as unknown as Record<symbol, unknown>)[CONTEXT_LOGGER] === true;
}

/**
 * A Threadline `LogSink` over a winston logger, for plugins that write structured lines (the HTTP
 * access line, training events) through the application's own logger. Never throws. The logger is
 * registered for `shutdown()`'s flush (weakly).
 */
export function winstonSink(logger: winston.Logger): LogSink {
  const levelFor = (level: string): string => {
    if (level in logger.levels) return level;
    if (level === 'warn' && 'warning' in logger.levels) return 'warning';
    return 'info' in logger.levels ? 'info' : Object.keys(logger.levels)[0]!;
  };
  if (typeof (logger as { end?: unknown }).end === 'function') flushOnShutdown(logger);
  const sink: LogSink = {
    log(level, fields, message) {
      try {
        logger.log({ ...fields, level: levelFor(level), message });
      } catch (error) {
        reportError('winston.sink', error);
      }
    },
  };
  // Over a logger of ours the context is added by the logger (pino: as bindings serialized once
  // per request); over any other, plugins' event lines merge it in themselves.
  return writesContext(logger) ? markAddsContext(sink) : sink;
}
