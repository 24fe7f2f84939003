import { logFields } from '@threadline/core';
import type pino from 'pino';
import { writeWithContext } from './context-hook.js';

export { threadlineMixinMergeStrategy } from './merge.js';

/**
 * A pino `mixin` that adds the current Threadline context to every line: request_id, trace_id,
 * span_id, trace_flags, model_name, model_version (model_alias), run_id, job and attributes.
 * Use it with `threadlineMixinMergeStrategy` so the context's reserved fields win over a line's.
 * `threadlinePinoOptions()` does the same job faster.
 */
export function threadlineMixin(): () => Record<string, unknown> {
  return () => logFields();
}

/**
 * The pino options that put the Threadline context on every line, to spread into your own:
 * `pino({ ...threadlinePinoOptions(), level: 'info' })`. Its `logMethod` hook writes the context
 * as bindings serialized once per request (so a line costs about what a child logger's line
 * costs), and merges the fields into the line when it must (the line sets a reserved field, or the
 * context has attributes). Do not combine it with `threadlineMixin`, which would add them twice.
 */
export function threadlinePinoOptions(): Pick<pino.LoggerOptions, 'hooks'> {
  return {
    hooks: {
      logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn) {
        writeWithContext(this, args, method);
      },
    },
  };
}
