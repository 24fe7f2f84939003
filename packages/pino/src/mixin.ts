import { logFields, RESERVED_LOG_FIELDS } from '@threadline/core';

/**
 * A pino `mixin` that adds the current Threadline context to every line: request_id, trace_id,
 * span_id, trace_flags, model_name, model_version (model_alias), run_id, job and attributes.
 * Use it with `threadlineMixinMergeStrategy` so the context's reserved fields win over a line's.
 */
export function threadlineMixin(): () => Record<string, unknown> {
  return () => logFields();
}

/**
 * A pino `mixinMergeStrategy`: the line's own fields win, except the reserved context fields
 * (request_id, trace_id, ...), which are always the context's. The line's object is not modified.
 */
export function threadlineMixinMergeStrategy(
  mergeObject: object,
  mixinObject: object,
): Record<string, unknown> {
  const out = mixinObject as Record<string, unknown>;
  const line = mergeObject as Record<string, unknown>;
  for (const key in line) {
    if (!(RESERVED_LOG_FIELDS.has(key) && key in out)) out[key] = line[key];
  }
  return out;
}
