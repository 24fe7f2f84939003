/** Keys redacted by default: credentials that commonly reach logs through headers and bodies. */
export const DEFAULT_REDACT_KEYS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'password'];
/** The default replacement of a redacted value. */
export const DEFAULT_CENSOR = '[REDACTED]';

// Deeper structures are written as they are: the walk is bounded so one huge object cannot stall a line.
const MAX_DEPTH = 8;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An Error as a plain object: name, message and stack (JSON.stringify would give `{}`), plus its own fields. */
export function serializeError(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const key of Object.keys(error))
    if (!(key in out)) out[key] = (error as unknown as Record<string, unknown>)[key];
  if (error.cause !== undefined) out.cause = error.cause;
  return out;
}

/**
 * Returns a redactor: it replaces the values of the given keys (case-insensitive) at any depth and
 * turns nested Errors into plain objects. Copy on write: objects that need no change are returned
 * as they are, and the caller's objects are never modified.
 */
export function createRedactor(keys: readonly string[], censor: string): (value: unknown) => unknown {
  const set = new Set(keys.map((k) => k.toLowerCase()));
  const walk = (value: unknown, depth: number, seen: Set<object>): unknown => {
    if (value === null || typeof value !== 'object') return value;
    let source = value as object;
    if (source instanceof Error) source = serializeError(source);
    else if (!Array.isArray(source) && !isPlainObject(source)) return value;
    if (depth >= MAX_DEPTH || seen.has(source)) return source;
    seen.add(source);
    let copy: object | undefined;
    if (Array.isArray(source)) {
      let arr: unknown[] | undefined;
      for (let i = 0; i < source.length; i++) {
        const next = walk(source[i], depth + 1, seen);
        if (next !== source[i]) {
          arr ??= source.slice();
          arr[i] = next;
        }
      }
      copy = arr;
    } else {
      const obj = source as Record<string, unknown>;
      let rec: Record<string, unknown> | undefined;
      for (const key of Object.keys(obj)) {
        const current = obj[key];
        const next = set.has(key.toLowerCase()) ? censor : walk(current, depth + 1, seen);
        if (next !== current) {
          rec ??= { ...obj };
          rec[key] = next;
        }
      }
      copy = rec;
    }
    seen.delete(source);
    return copy ?? source;
  };
  return (value) => walk(value, 0, new Set());
}
