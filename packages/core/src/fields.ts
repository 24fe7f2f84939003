import { getContext, type ThreadlineContext } from './context.js';
import { activeOtelSpan } from './otel.js';

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
