import { createRedactor as coreRedactor, resolveRedaction } from '@threadline/core';

export { DEFAULT_CENSOR, DEFAULT_REDACT_KEYS, serializeError } from '@threadline/core';

/**
 * Returns a redactor: it replaces the values of the given keys (case-insensitive) at any depth up
 * to core's bounds (`REDACT_MAX_DEPTH`, `REDACT_MAX_ENTRIES`), inside arrays, class instances and
 * Errors, and turns nested Errors into plain objects. Copy on write: the caller's objects are never
 * modified. The same rules as `@threadline/pino`'s, from one definition in `@threadline/core`.
 */
export function createRedactor(keys: readonly string[], censor: string): (value: unknown) => unknown {
  const redactor = coreRedactor(resolveRedaction('winston', keys, censor), { errors: 'serialize' });
  return (value) => redactor.redact(value);
}
