import { type LogSink, reportError } from '@threadline/core';
import type winston from 'winston';

/**
 * A Threadline `LogSink` over a winston logger, for plugins that write structured lines (the HTTP
 * access line, training events) through the application's own logger. Never throws.
 */
export function winstonSink(logger: winston.Logger): LogSink {
  const levelFor = (level: string): string => {
    if (level in logger.levels) return level;
    if (level === 'warn' && 'warning' in logger.levels) return 'warning';
    return 'info' in logger.levels ? 'info' : Object.keys(logger.levels)[0]!;
  };
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
