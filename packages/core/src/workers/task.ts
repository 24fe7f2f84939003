import { createRequire } from 'node:module';
import type { Baggage } from '../baggage.js';
import { getContext, type ModelRef, runWithContext } from '../context.js';
import { currentTraceIds } from '../fields.js';
import { reportError } from '../guard.js';
import { tracingEnabled } from '../spans.js';
import { afterWorkerTask } from './share.js';

/** The caller's context as it crosses to a worker: plain data, structured-clone safe. */
export interface TaskContext {
  readonly request_id?: string;
  readonly trace_id?: string;
  readonly span_id?: string;
  readonly trace_flags?: string;
  readonly tracestate?: string;
  readonly model?: ModelRef;
  readonly run_id?: string;
  readonly job?: string;
  readonly attributes?: Record<string, string | number | boolean | null>;
  readonly baggage?: Baggage;
}

/** A task payload wrapped with the caller's context (see `withTaskContext`). */
export interface ContextTask<T> {
  readonly threadline: TaskContext | undefined;
  readonly payload: T;
}

function plainModel(model: ModelRef | undefined): ModelRef | undefined {
  if (!model) return undefined;
  const out: { -readonly [K in keyof ModelRef]: ModelRef[K] } = { name: model.name, version: model.version };
  if (model.alias !== undefined) out.alias = model.alias;
  if (model.stage !== undefined) out.stage = model.stage;
  return out;
}

/** The current context as plain data for another thread; `undefined` outside a context. */
export function captureTaskContext(): TaskContext | undefined {
  const ctx = getContext();
  const trace = currentTraceIds(ctx);
  if (!ctx && !trace) return undefined;
  const out: Record<string, unknown> = {};
  if (ctx?.request_id !== undefined) out.request_id = ctx.request_id;
  if (trace) {
    // The active OpenTelemetry span, when there is one, so spans in the worker are its children.
    out.trace_id = trace.traceId;
    out.span_id = trace.spanId;
    out.trace_flags = trace.traceFlags;
    if (trace.tracestate !== undefined) out.tracestate = trace.tracestate;
  }
  const model = plainModel(ctx?.model);
  if (model) out.model = model;
  if (ctx?.run_id !== undefined) out.run_id = ctx.run_id;
  if (ctx?.job !== undefined) out.job = ctx.job;
  if (ctx) {
    // Only primitives cross: an attribute holding a function or a socket would make postMessage throw.
    const attributes: Record<string, string | number | boolean | null> = {};
    let any = false;
    for (const key in ctx.attributes) {
      const v = ctx.attributes[key];
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        attributes[key] = v;
        any = true;
      }
    }
    if (any) out.attributes = attributes;
    if (ctx.baggage) out.baggage = { ...ctx.baggage };
  }
  return out as TaskContext;
}

/**
 * Wraps a task payload with the caller's context, for `pool.run(withTaskContext(data))`,
 * `worker.postMessage(...)` or `workerData`. The worker unwraps it with `runWithTaskContext`.
 */
export function withTaskContext<T>(payload: T): ContextTask<T> {
  return { threadline: captureTaskContext(), payload };
}

/** True for a value made by `withTaskContext`. */
export function isContextTask(value: unknown): value is ContextTask<unknown> {
  return typeof value === 'object' && value !== null && 'threadline' in value && 'payload' in value;
}

interface OtelApi {
  context: { active(): unknown; with<R>(ctx: unknown, fn: () => R): R };
  trace: { setSpanContext(ctx: unknown, sc: object): unknown };
}

let api: OtelApi | null | undefined;
function otelApi(): OtelApi | null {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
    } catch {
      api = null;
    }
  }
  return api;
}

/**
 * In the worker: runs `fn(payload)` inside the caller's context, so log lines carry the caller's
 * request, trace, model and run IDs and metrics its model labels. With a tracer provider
 * registered in the worker, spans started in `fn` are children of the caller's span (one trace).
 * A value not made by `withTaskContext` is passed to `fn` as it is, outside any context.
 */
export function runWithTaskContext<T, R>(task: ContextTask<T> | T, fn: (payload: T) => R): R {
  if (!isContextTask(task)) return fn(task as T);
  const payload = task.payload as T;
  const t = task.threadline;
  if (!t) return fn(payload);
  const run = (): R =>
    runWithContext(
      {
        ...(t.request_id !== undefined ? { request_id: t.request_id } : {}),
        ...(t.trace_id !== undefined
          ? { trace_id: t.trace_id, span_id: t.span_id, trace_flags: t.trace_flags }
          : {}),
        ...(t.tracestate !== undefined ? { tracestate: t.tracestate } : {}),
        ...(t.model ? { model: t.model } : {}),
        ...(t.run_id !== undefined ? { run_id: t.run_id } : {}),
        ...(t.job !== undefined ? { job: t.job } : {}),
        ...(t.baggage ? { baggage: t.baggage } : {}),
        attributes: { ...t.attributes },
      },
      () => fn(payload),
      { inherit: false },
    );
  const otel = t.trace_id && t.span_id && tracingEnabled() ? otelApi() : null;
  if (!otel) return run();
  let parent: unknown;
  try {
    parent = otel.trace.setSpanContext(otel.context.active(), {
      traceId: t.trace_id,
      spanId: t.span_id,
      traceFlags: Number.parseInt(t.trace_flags ?? '00', 16) & 0xff,
      isRemote: true,
    });
  } catch (error) {
    reportError('core.workers', error);
    return run();
  }
  return otel.context.with(parent, run);
}

let running = 0;

/**
 * A pool's task function (`export default taskHandler(score)` in a piscina worker file): runs each
 * task in its caller's context (`runWithTaskContext`), and before handing back the result sends
 * this worker's metrics when it goes idle (an idle piscina worker's event loop is blocked, so
 * they could not leave later). Errors reach the pool unchanged.
 */
export function taskHandler<T, R>(
  fn: (payload: T) => R | Promise<R>,
): (task: ContextTask<T> | T) => Promise<R> {
  return async (task) => {
    running++;
    try {
      return await runWithTaskContext(task, fn);
    } finally {
      running--;
      try {
        await afterWorkerTask(running === 0);
      } catch {
        // Sending metrics must not replace the task's own outcome.
      }
    }
  };
}
