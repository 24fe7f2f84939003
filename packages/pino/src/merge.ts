import { RESERVED_LOG_FIELDS } from '@threadline/core';

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
