import { type LogSink, reportError } from '@threadline/core';
import type pino from 'pino';

/**
 * A Threadline `LogSink` over a pino logger, for plugins that write structured lines (the HTTP
 * access line, training events) through the application's own logger. Never throws.
 */
export function pinoSink(logger: pino.Logger): LogSink {
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
