import { type LogSink, markAddsContext, reportError } from '@threadline/core';
import type pino from 'pino';
import { flushOnShutdown } from './flush.js';

// Set on the loggers createPinoLogger makes; a child logger inherits it through its prototype.
const CONTEXT_LOGGER = Symbol('threadline.pino.contextLogger');

/** Marks `logger` as one that writes the Threadline context on every line itself. */
export function markContextLogger(logger: pino.Logger): void {
  Object.defineProperty(logger, CONTEXT_LOGGER, { value: true });
}

function writesContext(logger: pino.Logger): boolean {
  return (logger as unknown as Record<symbol, unknown>)[CONTEXT_LOGGER] === true;
}

/**
 * A Threadline `LogSink` over a pino logger, for plugins that write structured lines (the HTTP
 * access line, training events) through the application's own logger. Never throws. The logger is
 * registered for `shutdown()`'s flush (weakly).
 */
export function pinoSink(logger: pino.Logger): LogSink {
  flushOnShutdown(logger);
  const sink: LogSink = {
    log(level, fields, message) {
      try {
        logger[level](fields, message);
      } catch (error) {
        reportError('pino.sink', error);
      }
    },
  };
  // Over a logger of ours the context is added by the logger (pino: as bindings serialized once
  // per request); over any other, plugins' event lines merge it in themselves.
  return writesContext(logger) ? markAddsContext(sink) : sink;
}
