import type { ClientRequest, IncomingMessage } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { codes } from '../errors.js';
import { reportError, warnOnce } from '../guard.js';
import { type ContextHeaderOptions, contextHeaders } from '../propagation.js';
import type { Destination } from './destinations.js';
import type { ResolvedOutgoingOptions } from './options.js';
import { type CallRecorder, type OutgoingCall, pathOnly, startCall } from './record.js';
import { portOf, subscribeAll } from './undici.js';

const COMPONENT = 'core.outgoing.http';

/**
 * True when `node:http` publishes `http.client.request.created` before the headers are written
 * (Node 22.12 and 23.2 on). Earlier, `http.client.request.start` comes after them, too late to add one.
 */
export function hasCreatedChannel(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);
}

type ClientRequestLike = ClientRequest & { readonly host?: string; readonly protocol?: string };

function destinationOf(req: ClientRequestLike): Destination | undefined {
  const hostHeader = req.getHeader('host');
  const hostname = (req.host ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  if (!hostname) return undefined;
  const protocol = req.protocol ?? 'http:';
  const host = typeof hostHeader === 'string' ? hostHeader.toLowerCase() : hostname;
  return { hostname, protocol, host, path: pathOnly(req.path) };
}

/** Adds the context's headers to a request that has not written them yet, and starts tracking it. */
function onRequestCreated(
  req: ClientRequestLike,
  options: ResolvedOutgoingOptions,
  calls: WeakMap<object, OutgoingCall>,
  recorder: CallRecorder,
): void {
  const d = destinationOf(req);
  if (!d) return;
  let propagated = false;
  if (options.propagate(d)) {
    if (req.headersSent) {
      // `http.request(url, { headers: [...] })` with a raw header list writes them at once.
      warnOnce('outgoing:headers-sent', {
        code: codes.BAD_HEADER,
        component: COMPONENT,
        message:
          'an outgoing request had written its headers before they could be added (raw header list); it was sent without the context headers',
      });
    } else {
      const headerOptions: ContextHeaderOptions = options;
      for (const [name, value] of contextHeaders((n) => req.getHeader(n) !== undefined, headerOptions)) {
        req.setHeader(name, value);
        propagated = true;
      }
    }
  }
  const call = startCall(req.method, d.hostname, portOf(d), d.path, propagated);
  calls.set(req, call);
  // 'close' comes after the response ended, or when the call failed: the one sure end. Listening
  // to it changes nothing for the caller (unlike 'response' or 'error' listeners would).
  req.once('close', () => {
    calls.delete(req);
    if (call.done) return;
    const complete = call.status !== undefined && call.response?.complete === true;
    recorder.finish(call, complete ? undefined : ((req as { errored?: unknown }).errored ?? abortedError()));
  });
}

function abortedError(): Error {
  const error = new Error('request closed before a response');
  error.name = 'AbortError';
  return error;
}

type RequestFn = (...args: unknown[]) => ClientRequest;
interface HttpModule {
  request: RequestFn;
  get: RequestFn;
}

/**
 * Instruments `node:http` and `node:https` client requests. Where Node publishes
 * `http.client.request.created`, only diagnostics channels are used; on older Node (20) no channel
 * comes early enough to add a header, so `request` and `get` of both modules are wrapped (and
 * restored by the undo, unless something wrapped them again since). Returns the undo.
 */
export function instrumentHttp(options: ResolvedOutgoingOptions, recorder: CallRecorder): () => void {
  const calls = new WeakMap<object, OutgoingCall>();
  const created = (req: ClientRequestLike): void => {
    try {
      onRequestCreated(req, options, calls, recorder);
    } catch (error) {
      reportError(COMPONENT, error);
    }
  };
  const subscriptions: [string, (message: unknown) => void][] = [
    [
      'http.client.response.finish',
      (message) => {
        const { request, response } = message as { request: object; response: IncomingMessage };
        const call = calls.get(request);
        if (!call) return;
        call.status = response.statusCode;
        call.response = response;
        response.once('end', () => {
          calls.delete(request);
          recorder.finish(call);
        });
      },
    ],
    [
      'http.client.request.error',
      (message) => {
        const { request, error } = message as { request: object; error: unknown };
        const call = calls.get(request);
        if (!call) return;
        calls.delete(request);
        recorder.finish(call, error);
      },
    ],
  ];
  let unpatch = (): void => {};
  if (hasCreatedChannel()) {
    subscriptions.push([
      'http.client.request.created',
      (m) => created((m as { request: ClientRequestLike }).request),
    ]);
  } else {
    unpatch = patchRequestFunctions(created);
  }
  const unsubscribe = subscribeAll(COMPONENT, subscriptions);
  return () => {
    unsubscribe();
    unpatch();
  };
}

function patchRequestFunctions(created: (req: ClientRequestLike) => void): () => void {
  const require = createRequire(import.meta.url);
  const modules = [require('node:http') as HttpModule, require('node:https') as HttpModule];
  let active = true;
  const undo: (() => void)[] = [];
  for (const mod of modules) {
    const original = { request: mod.request, get: mod.get };
    const request: RequestFn = function request(this: unknown, ...args: unknown[]) {
      const req = original.request.apply(this, args);
      if (active) created(req as ClientRequestLike);
      return req;
    };
    // Node's own `get` calls the module's unexported `request` and ends the request at once, so it
    // is rebuilt on the wrapped one: the headers must be added before `end()` writes them.
    const get: RequestFn = function get(this: unknown, ...args: unknown[]) {
      if (!active) return original.get.apply(this, args);
      const req = request.apply(this, args);
      req.end();
      return req;
    };
    mod.request = request;
    mod.get = get;
    undo.push(() => {
      if (mod.request === request) mod.request = original.request;
      if (mod.get === get) mod.get = original.get;
    });
  }
  syncBuiltinESMExports();
  return () => {
    active = false;
    for (const fn of undo) fn();
    syncBuiltinESMExports();
  };
}
