import type { OutgoingHttpHeaders } from 'node:http';
import { type BaggageEntry, formatBaggage } from './baggage.js';
import { getContext } from './context.js';
import { currentTraceIds } from './fields.js';
import { newSpanId } from './ids.js';
import { activeOtelSpan } from './otel.js';
import { formatTraceparent } from './trace-context.js';

/** Options for outgoing propagation. */
export interface PropagationOptions {
  /** Also send the current request ID (default true). */
  readonly requestId?: boolean;
  /** Header name for the request ID (default `x-request-id`). */
  readonly requestIdHeader?: string;
  /** Also send the context's W3C Baggage (default true). */
  readonly baggage?: boolean;
  /** Add the calling model (`model_name`, `model_version`) to the baggage (default false). */
  readonly baggageModel?: boolean;
  /** Context attributes added to the baggage under their own names (default none). */
  readonly baggageAttributes?: readonly string[];
}

/** What `contextHeaders` adds, resolved once at setup by the automatic propagation. */
export interface ContextHeaderOptions {
  readonly traceContext: boolean;
  /** Header of the request ID; `undefined`: not sent. */
  readonly requestIdHeader: string | undefined;
  readonly baggage: boolean;
  readonly baggageModel: boolean;
  readonly baggageAttributes: readonly string[];
}

function outgoingBaggage(o: ContextHeaderOptions): string | undefined {
  const ctx = getContext();
  if (!ctx) return undefined;
  const members: Record<string, BaggageEntry> = Object.assign(
    Object.create(null),
    o.baggage ? ctx.baggage : undefined,
  );
  if (o.baggageModel && ctx.model) {
    members.model_name = { value: ctx.model.name };
    members.model_version = { value: ctx.model.version };
  }
  for (const key of o.baggageAttributes) {
    const v = ctx.attributes[key];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      members[key] = { value: String(v) };
  }
  return formatBaggage(members);
}

/**
 * The context's headers for one outgoing call, leaving alone those it already has (`has` answers
 * for a lowercase name). A call that already carries `traceparent` (set by the caller, or by an
 * OpenTelemetry instrumentation that ran first) keeps its own trace headers: one set, one trace.
 * Under an active OpenTelemetry span with no client span, that span is the parent, so the trace
 * has no gap; otherwise the call gets a new child span ID.
 */
export function contextHeaders(has: (name: string) => boolean, o: ContextHeaderOptions): [string, string][] {
  const out: [string, string][] = [];
  if (o.traceContext && !has('traceparent')) {
    const trace = currentTraceIds();
    if (trace) {
      const parent = activeOtelSpan() ? trace.spanId : newSpanId();
      out.push(['traceparent', formatTraceparent(trace.traceId, parent, trace.traceFlags)]);
      if (trace.tracestate && !has('tracestate')) out.push(['tracestate', trace.tracestate]);
    }
  }
  const header = o.requestIdHeader;
  if (header !== undefined) {
    const requestId = getContext()?.request_id;
    if (requestId && !has(header)) out.push([header, requestId]);
  }
  if ((o.baggage || o.baggageModel || o.baggageAttributes.length > 0) && !has('baggage')) {
    const value = outgoingBaggage(o);
    if (value !== undefined) out.push(['baggage', value]);
  }
  return out;
}

/**
 * The headers an outgoing call should carry to continue the current trace: `traceparent` (a new
 * child span ID under the current trace), `tracestate`, the request ID and the context's baggage.
 * Empty outside a context.
 */
export function propagationHeaders(options?: PropagationOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const trace = currentTraceIds();
  if (trace) {
    headers.traceparent = formatTraceparent(trace.traceId, newSpanId(), trace.traceFlags);
    if (trace.tracestate) headers.tracestate = trace.tracestate;
  }
  const requestId = getContext()?.request_id;
  if (requestId && options?.requestId !== false) {
    headers[options?.requestIdHeader ?? 'x-request-id'] = requestId;
  }
  const baggage = outgoingBaggage({
    traceContext: true,
    requestIdHeader: undefined,
    baggage: options?.baggage !== false,
    baggageModel: options?.baggageModel === true,
    baggageAttributes: options?.baggageAttributes ?? [],
  });
  if (baggage !== undefined) headers.baggage = baggage;
  return headers;
}

type HeaderTarget =
  | Headers
  | OutgoingHttpHeaders
  | { setHeader(name: string, value: string): unknown; getHeader?(name: string): unknown };

/**
 * Adds the propagation headers to a fetch `Headers`, a plain header object, or an
 * `http.ClientRequest`, without overwriting headers the caller set. Returns the target.
 */
export function injectTraceHeaders<T extends HeaderTarget>(target: T, options?: PropagationOptions): T {
  const headers = propagationHeaders(options);
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    if (typeof Headers !== 'undefined' && target instanceof Headers) {
      if (!target.has(name)) target.set(name, value);
    } else if (typeof (target as { setHeader?: unknown }).setHeader === 'function') {
      const req = target as { setHeader(n: string, v: string): unknown; getHeader?(n: string): unknown };
      if (req.getHeader?.(name) === undefined) req.setHeader(name, value);
    } else {
      const obj = target as OutgoingHttpHeaders;
      const exists = Object.keys(obj).some((k) => k.toLowerCase() === name);
      if (!exists) obj[name] = value;
    }
  }
  return target;
}

/**
 * Returns fetch `RequestInit` with the propagation headers added: `fetch(url, withTraceHeaders(init))`.
 */
export function withTraceHeaders(init: RequestInit = {}, options?: PropagationOptions): RequestInit {
  const headers = new Headers(init.headers);
  injectTraceHeaders(headers, options);
  return { ...init, headers };
}
