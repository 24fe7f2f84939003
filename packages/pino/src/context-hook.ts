import {
  activeOtelSpan,
  contextRevision,
  getContext,
  logFields,
  RESERVED_LOG_FIELDS,
  type ThreadlineContext,
} from '@threadline/core';
import pino from 'pino';

// pino writes a logger's bindings ("chindings") as one pre-serialized string; pino.symbols exposes
// the key for integrations. Appending the context's fields there, serialized once per context
// revision, makes a line inside a request cost what a line of a child logger costs: the fields are
// not serialized again on every line, which is most of what a mixin costs.
const { chindingsSym } = pino.symbols;

interface Fragment {
  readonly revision: number;
  readonly spanId: string | undefined;
  readonly text: string;
}

const fragments = new WeakMap<object, Fragment>();
/** The mixin object meaning "the context is already in the bindings for this line". */
export const INJECTED: Readonly<Record<string, never>> = Object.freeze({});
let injecting = false;

/** True while a line is written with the context in its bindings (the mixin then adds nothing). */
export function contextInjected(): boolean {
  return injecting;
}

function fragmentFor(ctx: Readonly<ThreadlineContext>): string | undefined {
  // Attributes are free-form (and could need redaction): lines with them take the mixin path.
  for (const _ in ctx.attributes) return undefined;
  const spanId = activeOtelSpan()?.spanId;
  const revision = contextRevision(ctx);
  const cached = fragments.get(ctx);
  if (cached !== undefined && cached.revision === revision && cached.spanId === spanId) return cached.text;
  const fields = logFields(ctx);
  let text = '';
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) text += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  fragments.set(ctx, { revision, spanId, text });
  return text;
}

function hasReservedField(obj: object): boolean {
  for (const key in obj) if (RESERVED_LOG_FIELDS.has(key)) return true;
  return false;
}

/**
 * Writes one line with the current context's fields in the logger's bindings when it can: the
 * line sets no reserved field itself (the context must win, and pino writes bindings first) and
 * the context has no attributes. Otherwise, and outside a context, the mixin does the work.
 */
export function writeWithContext(self: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const ctx = getContext();
  const first = args[0] as unknown;
  if (
    ctx === undefined ||
    (first !== null && typeof first === 'object' && !(first instanceof Error) && hasReservedField(first))
  ) {
    method.apply(self, args);
    return;
  }
  const text = fragmentFor(ctx);
  if (text === undefined || text === '') {
    method.apply(self, args);
    return;
  }
  const target = self as unknown as Record<symbol, string>;
  const saved = target[chindingsSym]!;
  const outer = injecting;
  target[chindingsSym] = saved + text;
  injecting = true;
  try {
    method.apply(self, args);
  } finally {
    target[chindingsSym] = saved;
    injecting = outer;
  }
}
