import { type LogSink, reportError } from '@threadline/core';
import type winston from 'winston';
import { flushOnShutdown } from './flush.js';

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
  return {
    log(level, fields, message) {
      try {
        logger.log({ ...fields, level: levelFor(level), message });
      } catch (error) {
        reportError('winston.sink', error);
      }
    },
  };
}
