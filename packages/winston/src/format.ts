import { mergeContextFields } from '@threadline/core';
import winston from 'winston';
import { capturedFields, installCapture } from './capture.js';

const format = winston.format((info) => {
  const line = info as Record<string, unknown>;
  const captured = capturedFields(info);
  if (captured) mergeContextFields(line, captured);
  else mergeContextFields(line);
  return info;
});

/**
 * A winston format that adds the Threadline context of the `logger.info()` call to every line:
 * request_id, trace_id, span_id, trace_flags, model_name, model_version (model_alias), run_id, job
 * and the context's attributes. The context is taken when the line is logged, not when winston
 * formats it (later, under backpressure): using this format makes winston's loggers record it.
 * Reserved context fields always carry the context's value; attributes never overwrite a field the
 * line set itself. Outside a context it adds nothing.
 */
export function threadlineFormat(): winston.Logform.Format {
  installCapture();
  return format();
}
