import { contextRevision, getContext, type ThreadlineContext } from './context.js';
import { activeOtelSpan } from './otel.js';

/**
 * The log fields whose value always comes from the context (a line cannot contradict the request,
 * trace, model or run it was written in). The one list every logger bridge, sink and plugin uses.
 */
export const CONTEXT_LOG_FIELDS = [
  'request_id',
  'trace_id',
  'span_id',
  'trace_flags',
  'model_name',
  'model_version',
  'model_alias',
  'run_id',
  'job',
] as const;

/** The envelope every Threadline log line starts with. */
export const ENVELOPE_LOG_FIELDS = ['time', 'level', 'message', 'service'] as const;

/**
 * The context fields written onto spans as attributes, under the log field names so one query
 * finds both. Trace and span IDs are not among them: a span has its own.
 */
export const SPAN_CONTEXT_ATTRIBUTES = [
  'model_name',
  'model_version',
  'model_alias',
  'run_id',
  'request_id',
] as const;

/** One of `SPAN_CONTEXT_ATTRIBUTES`. */
export type SpanContextAttribute = (typeof SPAN_CONTEXT_ATTRIBUTES)[number];

/** The span attributes of a context (see `SPAN_CONTEXT_ATTRIBUTES`); unset fields are left out. */
export function contextSpanAttributes(
  ctx: Readonly<ThreadlineContext>,
): Partial<Record<SpanContextAttribute, string>> {
  const out: Partial<Record<SpanContextAttribute, string>> = {};
  const model = ctx.model;
  if (model) {
    out.model_name = model.name;
    out.model_version = model.version;
    if (model.alias !== undefined) out.model_alias = model.alias;
  }
  if (ctx.run_id !== undefined) out.run_id = ctx.run_id;
  if (ctx.request_id !== undefined) out.request_id = ctx.request_id;
  return out;
}

/** The flat, snake_case fields Threadline adds to every log line. */
export interface LogFields {
  request_id?: string;
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
  model_name?: string;
  model_version?: string;
  model_alias?: string;
  run_id?: string;
  job?: string;
  [attribute: string]: unknown;
}

/**
 * Projects a context (the current one by default) to flat log fields. An active OpenTelemetry
 * span, when there is one, supplies trace_id/span_id, so logs join the same trace as the spans.
 * Attributes come first so they can never overwrite the reserved fields.
 */
export function logFields(ctx: Readonly<ThreadlineContext> | undefined = getContext()): LogFields {
  const out: LogFields = {};
  const span = activeOtelSpan();
  if (!ctx && !span) return out;
  if (ctx) {
    for (const key in ctx.attributes) out[key] = ctx.attributes[key];
    if (ctx.request_id !== undefined) out.request_id = ctx.request_id;
  }
  if (span) {
    out.trace_id = span.traceId;
    out.span_id = span.spanId;
    out.trace_flags = span.traceFlags;
  } else if (ctx?.trace_id !== undefined) {
    out.trace_id = ctx.trace_id;
    if (ctx.span_id !== undefined) out.span_id = ctx.span_id;
    if (ctx.trace_flags !== undefined) out.trace_flags = ctx.trace_flags;
  }
  if (ctx) {
    const model = ctx.model;
    if (model) {
      out.model_name = model.name;
      out.model_version = model.version;
      if (model.alias !== undefined) out.model_alias = model.alias;
    }
    if (ctx.run_id !== undefined) out.run_id = ctx.run_id;
    if (ctx.job !== undefined) out.job = ctx.job;
  }
  return out;
}

/** The trace position to use now: the active OpenTelemetry span, else the Threadline context's. */
export function currentTraceIds(
  ctx: Readonly<ThreadlineContext> | undefined = getContext(),
): { traceId: string; spanId: string; traceFlags: string; tracestate?: string } | undefined {
  const span = activeOtelSpan();
  if (span) return span;
  if (ctx?.trace_id && ctx.span_id) {
    return {
      traceId: ctx.trace_id,
      spanId: ctx.span_id,
      traceFlags: ctx.trace_flags ?? '00',
      ...(ctx.tracestate !== undefined ? { tracestate: ctx.tracestate } : {}),
    };
  }
  return undefined;
}

const EMPTY: Readonly<LogFields> = Object.freeze({});

interface Captured {
  readonly ctx: object;
  readonly revision: number;
  readonly spanId: string | undefined;
  readonly fields: Readonly<LogFields>;
}

// Kept on the context object, not enumerable, so a child context (built with Object.assign) does
// not inherit its parent's entry; the ctx check covers a copy made another way.
const CAPTURED = Symbol('threadline.core.capturedFields');

/**
 * The current context's log fields as a frozen snapshot, for a logger that writes the line later
 * than it is called (winston formats lines when its stream gets to them). Built once per context
 * revision and active span, so taking it at every call costs a lookup, not a copy. Never mutate it.
 */
export function captureLogFields(): Readonly<LogFields> {
  const ctx = getContext();
  const span = activeOtelSpan();
  if (!ctx) return span ? Object.freeze(logFields(undefined)) : EMPTY;
  const revision = contextRevision(ctx);
  const spanId = span?.spanId;
  const cached = (ctx as { [CAPTURED]?: Captured })[CAPTURED];
  if (cached && cached.ctx === ctx && cached.revision === revision && cached.spanId === spanId) {
    return cached.fields;
  }
  const fields = Object.freeze(logFields(ctx));
  Object.defineProperty(ctx, CAPTURED, {
    value: { ctx, revision, spanId, fields },
    configurable: true,
    writable: true,
    enumerable: false,
  });
  return fields;
}
