import type { OutgoingHttpHeaders } from 'node:http';
import { getContext } from './context.js';
import { currentTraceIds } from './fields.js';
import { newSpanId } from './ids.js';
import { formatTraceparent } from './trace-context.js';

/** Options for outgoing propagation. */
export interface PropagationOptions {
  /** Also send the current request ID (default true). */
  readonly requestId?: boolean;
  /** Header name for the request ID (default `x-request-id`). */
  readonly requestIdHeader?: string;
}

/**
 * The headers an outgoing call should carry to continue the current trace: `traceparent` (a new
 * child span ID under the current trace), `tracestate`, and the request ID. Empty outside a context.
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
