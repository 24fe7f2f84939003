import { type LogSink, reportError } from '@threadline/core';
import type pino from 'pino';
import { flushOnShutdown } from './flush.js';

/**
 * A Threadline `LogSink` over a pino logger, for plugins that write structured lines (the HTTP
 * access line, training events) through the application's own logger. Never throws. The logger is
 * registered for `shutdown()`'s flush (weakly).
 */
export function pinoSink(logger: pino.Logger): LogSink {
  flushOnShutdown(logger);
  return {
    log(level, fields, message) {
      try {
        logger[level](fields, message);
      } catch (error) {
        reportError('pino.sink', error);
      }
    },
  };
}
