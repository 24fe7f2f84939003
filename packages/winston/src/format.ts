import { mergeContextFields } from '@threadline/core';
import winston from 'winston';

/**
 * A winston format that adds the current Threadline context to every line: request_id, trace_id,
 * span_id, trace_flags, model_name, model_version (model_alias), run_id, job and the context's
 * attributes. Reserved context fields always carry the context's value; attributes never overwrite
 * a field the line set itself. Outside a context it adds nothing.
 */
export const threadlineFormat: () => winston.Logform.Format = winston.format((info) => {
  mergeContextFields(info as Record<string, unknown>);
  return info;
});
