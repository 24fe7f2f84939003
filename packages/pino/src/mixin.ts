import { logFields, RESERVED_LOG_FIELDS } from '@threadline/core';
import type pino from 'pino';
import { contextInjected, INJECTED, writeWithContext } from './context-hook.js';

/**
 * A pino `mixin` that adds the current Threadline context to every line: request_id, trace_id,
 * span_id, trace_flags, model_name, model_version (model_alias), run_id, job and attributes.
 * Use it with `threadlineMixinMergeStrategy` so the context's reserved fields win over a line's.
 */
export function threadlineMixin(): () => Record<string, unknown> {
  return () => (contextInjected() ? INJECTED : logFields());
}

/**
 * A pino `mixinMergeStrategy`: the line's own fields win, except the reserved context fields
 * (request_id, trace_id, ...), which are always the context's. The line's object is not modified.
 */
export function threadlineMixinMergeStrategy(
  mergeObject: object,
  mixinObject: object,
): Record<string, unknown> {
  if (mixinObject === INJECTED) return mergeObject as Record<string, unknown>;
  const out = mixinObject as Record<string, unknown>;
  const line = mergeObject as Record<string, unknown>;
  for (const key in line) {
    if (!(RESERVED_LOG_FIELDS.has(key) && key in out)) out[key] = line[key];
  }
  return out;
}

/**
 * The pino options that put the Threadline context on every line, to spread into your own:
 * `pino({ ...threadlinePinoOptions(), level: 'info' })`. The `logMethod` hook writes the context
 * as pre-serialized bindings (cached per request), so a line costs about what a child logger's
 * line costs; the mixin covers the cases the hook leaves to it.
 */
export function threadlinePinoOptions(): Pick<pino.LoggerOptions, 'mixin' | 'mixinMergeStrategy' | 'hooks'> {
  return {
    mixin: threadlineMixin(),
    mixinMergeStrategy: threadlineMixinMergeStrategy,
    hooks: {
      logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn) {
        writeWithContext(this, args, method);
      },
    },
  };
}
