import {
  activeOtelSpan,
  contextRevision,
  getContext,
  logFields,
  RESERVED_LOG_FIELDS,
  type ThreadlineContext,
} from '@threadline/core';
import pino from 'pino';
import { threadlineMixinMergeStrategy } from './merge.js';

// pino writes a logger's bindings ("chindings") as one pre-serialized string; pino.symbols exposes
// the key for integrations. Appending the context's fields there, serialized once per context
// revision, makes a line inside a request cost what a line of a child logger costs: the fields are
// not serialized again on every line, which is most of what a mixin costs.
const { chindingsSym, errorKeySym } = pino.symbols;

interface Fragment {
  /** The context object it was built for: a child context copies its parent's properties. */
  readonly ctx: object;
  readonly revision: number;
  readonly spanId: string | undefined;
  readonly text: string;
}

// Kept on the context object itself: cheaper than a WeakMap for one short-lived object per request.
const FRAGMENT = Symbol('threadline.pino.fragment');
type WithFragment = Readonly<ThreadlineContext> & { [FRAGMENT]?: Fragment };

// IDs, versions and names rarely need escaping: test once, quote directly. Control characters
// and surrogates are exactly what must go through JSON.stringify.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
function quote(value: unknown): string {
  return typeof value === 'string' && !NEEDS_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
}

function fragmentFor(ctx: WithFragment): string | undefined {
  // Attributes are free-form (and could need redaction): lines with them take the mixin path.
  for (const _ in ctx.attributes) return undefined;
  const spanId = activeOtelSpan()?.spanId;
  const revision = contextRevision(ctx);
  const cached = ctx[FRAGMENT];
  if (
    cached !== undefined &&
    cached.ctx === ctx &&
    cached.revision === revision &&
    cached.spanId === spanId
  ) {
    return cached.text;
  }
  const fields = logFields(ctx);
  let text = '';
  for (const key in fields) {
    const value = fields[key];
    // Field names are Threadline's own snake_case identifiers: no escaping needed.
    if (value !== undefined) text += `,"${key}":${quote(value)}`;
  }
  (ctx as { [FRAGMENT]?: Fragment })[FRAGMENT] = { ctx, revision, spanId, text };
  return text;
}

function hasReservedField(obj: object): boolean {
  for (const key in obj) if (RESERVED_LOG_FIELDS.has(key)) return true;
  return false;
}

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}

/** The log method's arguments with the context's fields merged in, by the mixin's rule. */
function withFields(self: pino.Logger, args: unknown[], fields: Record<string, unknown>): unknown[] {
  const first = args[0];
  if (first instanceof Error) {
    // What pino does with an Error first argument, plus the fields; pino still takes the message
    // from the error when none is given.
    const errorKey = (self as unknown as Record<symbol, string>)[errorKeySym] ?? 'err';
    return [{ ...fields, [errorKey]: first }, ...args.slice(1)];
  }
  if (first !== null && typeof first === 'object') {
    return [threadlineMixinMergeStrategy(first, fields), ...args.slice(1)];
  }
  return [fields, ...args];
}

/**
 * Writes one line with the current context's fields. The fast path appends them, serialized
 * once per context revision, to the logger's bindings for the duration of the call: taken when
 * the line sets no reserved field itself (the context must win, and pino writes bindings first)
 * and the context has no attributes. Otherwise the fields are merged into the line's arguments.
 */
export function writeWithContext(self: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const ctx = getContext();
  const first = args[0] as unknown;
  if (
    ctx !== undefined &&
    !(first !== null && typeof first === 'object' && !(first instanceof Error) && hasReservedField(first))
  ) {
    const text = fragmentFor(ctx);
    if (text === '') {
      method.apply(self, args);
      return;
    }
    if (text !== undefined) {
      const target = self as unknown as Record<symbol, string>;
      const saved = target[chindingsSym]!;
      target[chindingsSym] = saved + text;
      try {
        method.apply(self, args);
      } finally {
        target[chindingsSym] = saved;
      }
      return;
    }
  }
  const fields = logFields(ctx);
  if (isEmpty(fields)) {
    method.apply(self, args);
    return;
  }
  method.apply(self, withFields(self, args, fields) as Parameters<pino.LogFn>);
}
