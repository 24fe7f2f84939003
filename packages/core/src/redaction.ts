import { ThreadlineConfigError } from './errors.js';
import { warnOnce } from './guard.js';

/** Keys redacted by default: credentials that commonly reach logs through headers and bodies. */
export const DEFAULT_REDACT_KEYS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'password'];
/** The default replacement of a redacted value. */
export const DEFAULT_CENSOR = '[REDACTED]';
/** Deepest nesting a redactor checks; anything deeper is written as `TRUNCATED`, never unchecked. */
export const REDACT_MAX_DEPTH = 32;
/**
 * Most keys and array elements a redactor visits in one line. What is left once they are used up
 * is left out and replaced by one `TRUNCATED` marker: a line is never written with unchecked parts.
 */
export const REDACT_MAX_ENTRIES = 50_000;
/** What stands for a reference back to an enclosing object. */
export const CIRCULAR = '[Circular]';
/** What stands for a part of a line the redactor could not check (too deep, too large). */
export const TRUNCATED = '[Truncated]';

/** Redaction settings, checked once at setup. */
export interface Redaction {
  /** The keys as given, and lower-cased for matching. */
  readonly keys: readonly string[];
  readonly censor: string;
  /** Lower-cased keys: matching is case-insensitive. */
  readonly set: ReadonlySet<string>;
}

/**
 * Checks the `redact` and `censor` options of a logger the same way in every package: `redact` an
 * array of non-empty strings (default `DEFAULT_REDACT_KEYS`, `[]` for none), `censor` a non-empty
 * string. Throws `ThreadlineConfigError` otherwise.
 */
export function resolveRedaction(component: string, redact: unknown, censor: unknown): Redaction {
  const keys = redact ?? DEFAULT_REDACT_KEYS;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k === '')) {
    throw new ThreadlineConfigError(component, 'option redact must be an array of non-empty strings');
  }
  if (censor !== undefined && (typeof censor !== 'string' || censor === '')) {
    throw new ThreadlineConfigError(component, 'option censor must be a non-empty string');
  }
  return {
    keys: [...keys],
    censor: censor ?? DEFAULT_CENSOR,
    set: new Set(keys.map((k: string) => k.toLowerCase())),
  };
}

/** An Error as a plain object: name, message and stack (JSON.stringify would give `{}`), plus its own fields. */
export function serializeError(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const key of Object.keys(error))
    if (!(key in out)) out[key] = (error as unknown as Record<string, unknown>)[key];
  if (error.cause !== undefined) out.cause = error.cause;
  return out;
}

/** How a redactor treats Errors. */
export interface RedactorOptions {
  /**
   * `serialize`: every Error becomes `{ type, message, stack, ...own fields }` (for a JSON writer
   * that would write `{}`). `keep` (default): Errors stay Errors, copied only when one of their
   * fields is redacted, so a logger's own error serializer still sees an Error.
   */
  readonly errors?: 'serialize' | 'keep';
}

/** A redactor: `redact(value)` returns the value with censored keys, copying only what changes. */
export interface Redactor {
  readonly redaction: Redaction;
  /** True when a top-level field of this name is censored. */
  isRedactedKey(key: string): boolean;
  /** The value with every configured key censored at any depth; the caller's objects are untouched. */
  redact(value: unknown): unknown;
}

/** The state of one walk: the settings, the enclosing objects (for cycles) and the entries left. */
interface Walk {
  readonly set: ReadonlySet<string>;
  readonly censor: string;
  readonly serialize: boolean;
  readonly path: object[];
  left: number;
}

function isLeafObject(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof Promise ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

function cloneError(error: Error, changes: Record<string, unknown>): Error {
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  for (const key in changes) {
    Object.defineProperty(copy, key, {
      value: changes[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function truncated(reason: string): string {
  warnOnce(`redaction:${reason}`, {
    code: 'TL_REDACTION_TRUNCATED',
    component: 'core.redaction',
    message: `a log line was ${reason}; the unchecked part is written as ${TRUNCATED}`,
  });
  return TRUNCATED;
}

function walkArray(source: readonly unknown[], depth: number, w: Walk): unknown[] | undefined {
  let out: unknown[] | undefined;
  for (let i = 0; i < source.length; i++) {
    if (w.left-- <= 0) {
      out = source.slice(0, i);
      out.push(truncated(`larger than ${REDACT_MAX_ENTRIES} entries`));
      return out;
    }
    const current = source[i];
    if (current === null || typeof current !== 'object') continue;
    const next = walk(current, depth + 1, w);
    if (next !== current) {
      out ??= source.slice();
      out[i] = next;
    }
  }
  return out;
}

function walkFields(source: object, depth: number, w: Walk): Record<string, unknown> | undefined {
  const obj = source as Record<string, unknown>;
  let changes: Record<string, unknown> | undefined;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (w.left-- <= 0) {
      changes ??= {};
      for (let j = i; j < keys.length; j++) changes[keys[j]!] = undefined;
      changes[TRUNCATED] = truncated(`larger than ${REDACT_MAX_ENTRIES} entries`);
      return changes;
    }
    const current = obj[key];
    let next = current;
    if (w.set.has(key.toLowerCase())) next = w.censor;
    else if (current !== null && typeof current === 'object') next = walk(current, depth + 1, w);
    if (next !== current) {
      changes ??= {};
      changes[key] = next;
    }
  }
  return changes;
}

function walkError(error: Error, depth: number, w: Walk): unknown {
  if (w.serialize) {
    const plain = serializeError(error);
    return applyChanges(plain, walkFields(plain, depth, w));
  }
  const changes = walkFields(error, depth, w) ?? {};
  const cause = error.cause;
  if (cause !== null && typeof cause === 'object' && !Object.keys(error).includes('cause')) {
    const next = walk(cause, depth + 1, w);
    if (next !== cause) changes.cause = next;
  }
  return Object.keys(changes).length > 0 ? cloneError(error, changes) : error;
}

function walk(value: object, depth: number, w: Walk): unknown {
  if (depth > REDACT_MAX_DEPTH) return truncated(`nested deeper than ${REDACT_MAX_DEPTH} levels`);
  // A cycle: written as the JSON writers write one. Returning the object itself would put the
  // original, unredacted, under the copy.
  if (w.path.includes(value)) return CIRCULAR;
  if (isLeafObject(value)) return value;
  w.path.push(value);
  try {
    if (Array.isArray(value)) return walkArray(value, depth, w) ?? value;
    if (value instanceof Error) return walkError(value, depth, w);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let json: unknown;
      try {
        json = toJSON.call(value);
      } catch {
        return value; // the JSON writer will report its own failure
      }
      if (json === null || typeof json !== 'object') return json;
      return walk(json, depth, w);
    }
    return applyChanges(value, walkFields(value, depth, w));
  } finally {
    w.path.pop();
  }
}

/**
 * Returns a redactor for these settings. It walks arrays, plain objects, class instances (their
 * own enumerable fields, or what their `toJSON` returns, as JSON would) and Errors (own fields and
 * `cause`), stops at cycles, and is bounded by `REDACT_MAX_DEPTH` and `REDACT_MAX_ENTRIES`.
 */
export function createRedactor(redaction: Redaction, options: RedactorOptions = {}): Redactor {
  const { set, censor } = redaction;
  const serialize = options.errors === 'serialize';
  return {
    redaction,
    isRedactedKey: (key) => set.has(key.toLowerCase()),
    redact(value) {
      if (set.size === 0 || value === null || typeof value !== 'object') return value;
      return walk(value, 0, { set, censor, serialize, path: [], left: REDACT_MAX_ENTRIES });
    },
  };
}

/** The object with the changes applied, as a copy (own enumerable fields, as JSON sees them). */
function applyChanges(source: object, changes: Record<string, unknown> | undefined): object {
  if (!changes) return source;
  const copy: Record<string, unknown> = { ...(source as Record<string, unknown>) };
  for (const key in changes) {
    if (changes[key] === undefined && key !== TRUNCATED) delete copy[key];
    else copy[key] = changes[key];
  }
  return copy;
}
