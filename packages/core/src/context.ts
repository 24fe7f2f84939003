import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import type { Baggage } from './baggage.js';

/** The model a piece of work runs under. */
export interface ModelRef {
  readonly name: string;
  readonly version: string;
  /** A moving pointer to this version, e.g. `champion`, `canary`. */
  readonly alias?: string;
  /** A lifecycle stage, e.g. `staging`, `production`. */
  readonly stage?: string;
}

/**
 * What Threadline carries through an async flow. The store object is shared by every continuation
 * of the flow that created it, so a field set late (a model chosen by the handler) is seen by the
 * access log written at the end of the same request.
 */
export interface ThreadlineContext {
  request_id?: string;
  trace_id?: string;
  span_id?: string;
  /** Two lowercase hex digits, as in `traceparent`. */
  trace_flags?: string;
  tracestate?: string;
  model?: ModelRef;
  /** Training or batch run. */
  run_id?: string;
  /** Name of the job, for work outside a request (batch jobs, consumers, timers). */
  job?: string;
  /** Free attributes; copied into log fields. Keep values small and bounded. */
  attributes: Record<string, unknown>;
  /** Per-request debug verbosity (forced debug, buffered debug lines); see verbosity.ts. */
  verbosity?: RequestVerbosity;
  /** W3C Baggage members: received with the request, forwarded on outgoing calls; see baggage.ts. */
  baggage?: Baggage;
}

/** Debug-line handling for one request: forced on, or held in a bounded buffer until the end. */
export interface RequestVerbosity {
  /** Debug lines are written now, whatever the logger's level. */
  forceDebug: boolean;
  /** Pending writes of buffered debug lines, oldest first (undefined: no buffering). */
  buffer: (() => void)[] | undefined;
  /** Most lines the buffer keeps; older ones are dropped first. */
  limit: number;
  /** Lines dropped because the buffer was full. */
  dropped: number;
}

/** Fields accepted when starting or updating a context. */
export type ContextFields = Partial<Omit<ThreadlineContext, 'attributes'>> & {
  attributes?: Record<string, unknown>;
};

interface GlobalStore {
  readonly version: number;
  readonly als: AsyncLocalStorage<ThreadlineContext>;
}

// Versioned global key: two installed copies of core agree on one store, as OpenTelemetry's API
// does for its globals. Bump the version only for an incompatible store shape.
const STORE_KEY = Symbol.for('threadline.core.context.v1');
type GlobalWithStore = typeof globalThis & { [STORE_KEY]?: GlobalStore };
const g = globalThis as GlobalWithStore;
if (!g[STORE_KEY]) {
  g[STORE_KEY] = { version: 1, als: new AsyncLocalStorage<ThreadlineContext>() };
}
const als = g[STORE_KEY].als;

/** The AsyncLocalStorage behind Threadline (shared by every copy of core in the process). */
export function contextStorage(): AsyncLocalStorage<ThreadlineContext> {
  return als;
}

function build(fields: ContextFields, parent: ThreadlineContext | undefined): ThreadlineContext {
  // Object.assign, not spread: on Node 20 a spread copy that then gains a key the parent lacked
  // (the usual child: a model, a run_id) costs about ten times more.
  const ctx: ThreadlineContext = parent
    ? Object.assign({}, parent, { attributes: Object.assign({}, parent.attributes) })
    : { attributes: {} };
  for (const key of Object.keys(fields) as (keyof ContextFields)[]) {
    if (key === 'attributes') continue;
    const value = fields[key];
    if (value !== undefined) (ctx as unknown as Record<string, unknown>)[key] = value;
  }
  if (fields.attributes) Object.assign(ctx.attributes, fields.attributes);
  return ctx;
}

/**
 * Runs `fn` in a new context. By default it inherits the current context's fields (a child);
 * pass `{ inherit: false }` for a fresh root, as the HTTP adapters do per request.
 */
export function runWithContext<R>(fields: ContextFields, fn: () => R, options?: { inherit?: boolean }): R {
  const parent = options?.inherit === false ? undefined : als.getStore();
  return als.run(build(fields, parent), fn);
}

/** The current context, or `undefined` outside any Threadline context. Do not mutate it: use `setContext`. */
export function getContext(): Readonly<ThreadlineContext> | undefined {
  return als.getStore();
}

// Counts in-place changes of a context object, so a consumer can cache what it derives from one
// (a logger's serialized fields) and notice when it is stale. Symbol.for: shared by copies of core.
const REVISION = Symbol.for('threadline.core.context.revision.v1');
type Revisioned = ThreadlineContext & { [REVISION]?: number };

/** How many times `setContext`/`setAttribute` changed this context object (0 for a new one). */
export function contextRevision(ctx: Readonly<ThreadlineContext>): number {
  return (ctx as Revisioned)[REVISION] ?? 0;
}

function touch(ctx: Revisioned): void {
  ctx[REVISION] = (ctx[REVISION] ?? 0) + 1;
}

/**
 * Sets fields on the current context (seen by every later step of the same flow).
 * Returns false, and does nothing, outside a context.
 */
export function setContext(fields: ContextFields): boolean {
  const ctx = als.getStore();
  if (!ctx) return false;
  touch(ctx);
  for (const key of Object.keys(fields) as (keyof ContextFields)[]) {
    if (key === 'attributes') continue;
    (ctx as unknown as Record<string, unknown>)[key] = fields[key];
  }
  if (fields.attributes) Object.assign(ctx.attributes, fields.attributes);
  return true;
}

/** Sets one free attribute on the current context. Returns false outside a context. */
export function setAttribute(key: string, value: unknown): boolean {
  const ctx = als.getStore();
  if (!ctx) return false;
  touch(ctx);
  ctx.attributes[key] = value;
  return true;
}

/**
 * Returns `fn` bound to the current context: wherever it is called later (a callback queue,
 * a pool), it runs in the context that was current now.
 */
export function bindContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ctx = als.getStore();
  if (!ctx) return fn;
  return function bound(this: unknown, ...args: A): R {
    return als.run(ctx, () => fn.apply(this, args));
  };
}

const BOUND = Symbol('threadline.boundEmitter');
type PatchedEmitter = EventEmitter & { [BOUND]?: () => void };

/**
 * Binds an EventEmitter to the current context: every listener runs in it, whatever emits the
 * event (native streams, pools). Returns a function that removes the binding.
 */
export function bindEmitter<E extends EventEmitter>(emitter: E): () => void {
  const ctx = als.getStore();
  const target = emitter as PatchedEmitter;
  if (!ctx) return () => {};
  target[BOUND]?.();
  const original = target.emit;
  const patched = function emit(this: EventEmitter, ...args: Parameters<EventEmitter['emit']>): boolean {
    // Entering the context costs a frame per event: not for events emitted in it already, nor for
    // events nobody listens to (most of a response's, when Koa writes it after the chain).
    if (als.getStore() === ctx || this.listenerCount(args[0]) === 0) return original.apply(this, args);
    return als.run(ctx, () => original.apply(this, args));
  };
  target.emit = patched;
  const undo = (): void => {
    if (target.emit === patched) target.emit = original;
    if (target[BOUND] === undo) delete target[BOUND];
  };
  target[BOUND] = undo;
  return undo;
}
