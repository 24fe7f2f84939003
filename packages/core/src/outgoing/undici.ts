import diagnosticsChannel from 'node:diagnostics_channel';
import { reportError } from '../guard.js';
import { type ContextHeaderOptions, contextHeaders } from '../propagation.js';
import type { Destination } from './destinations.js';
import type { ResolvedOutgoingOptions } from './options.js';
import { type CallRecorder, type OutgoingCall, pathOnly, startCall } from './record.js';

// The part of undici's request object its diagnostics channels hand out (undici 5 to 8).
interface UndiciRequest {
  readonly origin?: string | URL;
  readonly method?: string;
  readonly path?: string;
  /** undici 6+: a flat [name, value, ...] list; undici 5: raw `name: value\r\n` text. */
  readonly headers?: string[] | string;
  addHeader(name: string, value: string): unknown;
}

const COMPONENT = 'core.outgoing.fetch';

function hasHeader(headers: UndiciRequest['headers'], name: string): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return true;
    }
    return false;
  }
  if (typeof headers === 'string') {
    const lower = headers.toLowerCase();
    return lower.startsWith(`${name}:`) || lower.includes(`\n${name}:`);
  }
  return false;
}

/**
 * An OpenTelemetry undici instrumentation subscribed after us adds its own `traceparent` (its
 * client span) with `addHeader`, which appends: the call would carry two. So, on this request
 * only, a later `addHeader` of a header we added replaces our value: theirs wins, one set is sent.
 */
function yieldToLaterSubscribers(request: UndiciRequest, ours: Set<string>): void {
  const original = request.addHeader;
  (request as { addHeader: UndiciRequest['addHeader'] }).addHeader = function addHeader(
    this: UndiciRequest,
    name: string,
    value: string,
  ) {
    const lower = String(name).toLowerCase();
    if (ours.has(lower) && replaceHeader(this, lower, String(value))) {
      ours.delete(lower);
      return this;
    }
    return original.call(this, name, value);
  };
}

function replaceHeader(request: UndiciRequest, name: string, value: string): boolean {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) {
        headers[i + 1] = value;
        return true;
      }
    }
    return false;
  }
  if (typeof headers === 'string') {
    const lines = headers.split('\r\n');
    const i = lines.findIndex((l) => l.toLowerCase().startsWith(`${name}:`));
    if (i === -1) return false;
    lines[i] = `${name}: ${value}`;
    (request as { headers: string }).headers = lines.join('\r\n');
    return true;
  }
  return false;
}

// Origins repeat: parse each once (bounded, so a crawler of many hosts cannot grow it forever).
const origins = new Map<string, Destination | null>();
const MAX_ORIGINS = 1000;

function destinationOf(origin: string | URL | undefined, path: string): Destination | undefined {
  if (origin === undefined) return undefined;
  const key = String(origin);
  let d = origins.get(key);
  if (d === undefined) {
    try {
      const url = new URL(key);
      d = {
        hostname: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(),
        protocol: url.protocol,
        host: url.host,
        path: '',
      };
    } catch {
      d = null;
    }
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(key, d);
  }
  return d ? { ...d, path } : undefined;
}

/** The port of a destination, from its Host or the protocol's default. */
export function portOf(d: Destination): string {
  const colon = d.host.lastIndexOf(':');
  if (colon > d.host.lastIndexOf(']') && colon !== -1) return d.host.slice(colon + 1);
  return d.protocol === 'https:' ? '443' : '80';
}

/**
 * Subscribes to undici's diagnostics channels (Node's `fetch` and the `undici` package publish on
 * the same names): headers added on `undici:request:create`, the call measured until its body
 * ends (`undici:request:trailers`) or fails (`undici:request:error`). Returns the undo.
 */
export function instrumentUndici(options: ResolvedOutgoingOptions, recorder: CallRecorder): () => void {
  const calls = new WeakMap<object, OutgoingCall>();
  const headerOptions: ContextHeaderOptions = options;
  const onCreate = (message: unknown): void => {
    try {
      const request = (message as { request: UndiciRequest }).request;
      const path = pathOnly(request.path);
      const d = destinationOf(request.origin, path);
      if (!d) return;
      let propagated = false;
      if (options.propagate(d)) {
        const added = contextHeaders((n) => hasHeader(request.headers, n), headerOptions);
        for (const [name, value] of added) request.addHeader(name, value);
        if (added.length > 0) {
          propagated = true;
          yieldToLaterSubscribers(request, new Set(added.map(([name]) => name)));
        }
      }
      calls.set(request, startCall(request.method, d.hostname, portOf(d), path, propagated));
    } catch (error) {
      reportError(COMPONENT, error);
    }
  };
  const onHeaders = (message: unknown): void => {
    const m = message as { request: object; response?: { statusCode?: number } };
    const call = calls.get(m.request);
    if (call && typeof m.response?.statusCode === 'number') call.status = m.response.statusCode;
  };
  const onTrailers = (message: unknown): void => {
    const request = (message as { request: object }).request;
    const call = calls.get(request);
    if (!call) return;
    calls.delete(request);
    recorder.finish(call);
  };
  const onError = (message: unknown): void => {
    const m = message as { request: object; error: unknown };
    const call = calls.get(m.request);
    if (!call) return;
    calls.delete(m.request);
    recorder.finish(call, m.error ?? new Error('request failed'));
  };
  const subscriptions: [string, (message: unknown) => void][] = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
  ];
  return subscribeAll(COMPONENT, subscriptions);
}

/**
 * Subscribes guarded listeners (Node rethrows a throwing subscriber's error as an uncaught
 * exception on the next tick) and returns the undo.
 */
export function subscribeAll(
  component: string,
  subscriptions: [string, (message: unknown) => void][],
): () => void {
  const guarded = subscriptions.map(([name, fn]): [string, (message: unknown) => void] => [
    name,
    (message) => {
      try {
        fn(message);
      } catch (error) {
        reportError(component, error);
      }
    },
  ]);
  for (const [name, fn] of guarded) diagnosticsChannel.subscribe(name, fn);
  return () => {
    for (const [name, fn] of guarded) diagnosticsChannel.unsubscribe(name, fn);
  };
}
