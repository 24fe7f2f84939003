import { type LogLevel, type LogSink, writeEvent } from '@threadline/core';

/**
 * A model line through core's event writer (`writeEvent`), under the model package's component
 * name for diagnostics. Kept for `instrument.ts`; the other modules call core directly.
 */
export function writeLine(
  sink: LogSink | undefined,
  level: LogLevel,
  fields: Record<string, unknown>,
  message: string,
): void {
  writeEvent(sink, level, fields, message, 'model');
}
