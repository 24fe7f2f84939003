import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { acceptIncomingBaggage } from '../baggage.js';
import { contextStorage, type ThreadlineContext } from '../context.js';
import { codes } from '../errors.js';
import { reportError, safeCall, warnOnce } from '../guard.js';
import { acceptRequestId, newRequestId } from '../ids.js';
import type { LogLevel } from '../log-sink.js';
import { activeOtelSpan } from '../otel.js';
import { continueTrace } from '../trace-context.js';
import { debugSwitch, endRequestVerbosity, startRequestVerbosity } from '../verbosity.js';
import { methodLabel, UNMATCHED_ROUTE } from './constants.js';
import { createHttpMetrics, type HttpMetrics } from './metrics.js';
import type { FinishedRequest, ResolvedHttpOptions } from './options.js';
import { keepTrace } from './sampling.js';

/** One request in flight, as the adapters and the finishing step see it. */
export interface RequestState {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request's context (the same object every continuation of the request sees). */
  readonly ctx: ThreadlineContext;
  /** The framework object the adapter reads the route template from (Express `req`, Koa `ctx`). */
  source: unknown;
  /** The method as a label value (`_OTHER` for non-standard methods). */
  readonly method: string;
  /** `req.url` as it arrived (frameworks rewrite it while routing). */
  readonly url: string;
  readonly start: number;
  /** The error the framework saw, when a handler threw or passed one on. */
  error: unknown;
  finished: boolean;
}

/** Longest path written to an access line; a huge URL is cut, not copied whole into every line. */
const MAX_LOGGED_PATH = 512;
const COMPONENT = 'http';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  return typeof error;
}

function contentLength(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The HTTP logic both adapters share, written once: starting a request's context, and recording
 * its metrics and access line when the response closes. The adapters only supply the route.
 */
export class HttpInstrumentation {
  readonly metrics: HttpMetrics;
  private readonly options: ResolvedHttpOptions;
  private readonly routeOf: (source: unknown) => string | undefined;

  /**
   * @param options resolved options (see `resolveHttpOptions`)
   * @param routeOf reads the matched route template from the adapter's object; `undefined` when none matched
   */
  constructor(options: ResolvedHttpOptions, routeOf: (source: unknown) => string | undefined) {
    this.options = options;
    this.routeOf = routeOf;
    this.metrics = createHttpMetrics(options);
  }

  /**
   * Runs `next` inside a fresh context for this request: request ID (adopted when valid, else new),
   * trace context (an active OpenTelemetry server span, else the W3C headers, else a new trace),
   * `X-Request-Id` on the response, and the finishing step on the response's `close`.
   */
  run<R>(req: IncomingMessage, res: ServerResponse, source: unknown, next: (state: RequestState) => R): R {
    const o = this.options;
    const headers = req.headers;
    const rawId = o.trustRequestId ? headers[o.requestIdHeader] : undefined;
    let requestId = acceptRequestId(rawId, o.maxRequestIdLength);
    if (requestId === undefined) {
      if (rawId !== undefined) this.invalid(o.requestIdHeader);
      requestId = newRequestId();
    }
    const otel = activeOtelSpan();
    let traceId: string;
    let spanId: string;
    let traceFlags: string;
    let tracestate: string | undefined;
    if (otel) {
      ({ traceId, spanId, traceFlags, tracestate } = otel);
    } else {
      const traceparent = headers.traceparent;
      const trace = continueTrace(traceparent, headers.tracestate);
      if (traceparent !== undefined && trace.parentId === undefined) this.invalid('traceparent');
      else if (trace.parentId !== undefined && headers.tracestate && trace.tracestate === undefined) {
        if (headerValue(headers.tracestate)?.trim()) this.invalid('tracestate');
      }
      ({ traceId, spanId, traceFlags, tracestate } = trace);
    }
    // A fresh root context, built directly: this runs once per request, and the generic builder's
    // copying of a parent is not needed for a root.
    const ctx: ThreadlineContext = {
      request_id: requestId,
      trace_id: traceId,
      span_id: spanId,
      trace_flags: traceFlags,
      attributes: {},
    };
    if (tracestate !== undefined) ctx.tracestate = tracestate;
    if (headers.baggage !== undefined) acceptIncomingBaggage(ctx, headers.baggage, o.registry);
    return contextStorage().run(ctx, () => {
      const state: RequestState = {
        req,
        res,
        ctx,
        source,
        method: methodLabel(req.method),
        url: req.url ?? '/',
        start: performance.now(),
        error: undefined,
        finished: false,
      };
      try {
        this.begin(state, requestId);
      } catch (error) {
        reportError(COMPONENT, error);
      }
      return next(state);
    });
  }

  /** Records an error a handler threw or passed on; the first one wins (it is logged once, at the end). */
  recordError(state: RequestState, error: unknown): void {
    if (state.error === undefined) state.error = error === undefined ? new Error('undefined thrown') : error;
  }

  private begin(state: RequestState, requestId: string): void {
    const o = this.options;
    const { res } = state;
    if (!res.headersSent) res.setHeader(o.requestIdHeader, requestId);
    const who = o.identify ? safeCall(COMPONENT, o.identify, [state.req]) : undefined;
    const force = debugSwitch.matches({ requestId, userId: who?.userId, sessionId: who?.sessionId });
    if (force || o.debugBuffer > 0) startRequestVerbosity({ forceDebug: force, bufferLimit: o.debugBuffer });
    this.metrics.inFlight.inc(state.method);
    const onClose = (): void => {
      contextStorage().run(state.ctx, () => {
        try {
          this.finish(state);
        } catch (error) {
          reportError(COMPONENT, error);
        }
      });
    };
    res.once('close', onClose);
    // The client may have gone while middleware ahead of ours awaited: 'close' has fired already and
    // will not again, so finish now (counted as aborted) or the in-flight gauge never comes down.
    if (res.destroyed) {
      res.removeListener('close', onClose);
      onClose();
    }
  }

  private invalid(header: string): void {
    this.metrics.invalidHeaders.inc({ header });
    warnOnce(`http:invalid:${header}`, {
      code: codes.BAD_HEADER,
      component: COMPONENT,
      message: `invalid ${header} header replaced (counted in threadline_http_invalid_headers_total)`,
    });
  }

  private finish(state: RequestState): void {
    if (state.finished) return;
    state.finished = true;
    const o = this.options;
    const { req, res, method } = state;
    const durationMs = performance.now() - state.start;
    const aborted = !res.writableFinished;
    const status = res.statusCode;
    const route = safeCall(COMPONENT, this.routeOf, [state.source]) ?? UNMATCHED_ROUTE;
    const m = this.metrics;
    m.inFlight.dec(method);
    const labels = { http_request_method: method, http_route: route, http_response_status_code: status };
    const requestBytes = contentLength(req.headers['content-length']);
    const responseBytes = contentLength(res.getHeader('content-length'));
    if (!aborted) {
      m.duration.observe(labels, durationMs / 1000);
      if (requestBytes !== undefined) m.requestSize.observe(labels, requestBytes);
      if (responseBytes !== undefined) m.responseSize.observe(labels, responseBytes);
    }
    const error = state.error;
    const failed = aborted || status >= 500;
    let errorType: string | undefined;
    if (failed) {
      errorType = aborted ? 'aborted' : error !== undefined ? errorName(error) : String(status);
      m.errors.inc({ error_type: errorType, http_request_method: method, http_route: route });
    }
    const slow = durationMs >= o.slowMs;
    endRequestVerbosity(failed || slow || debugSwitch.matches({ route }));
    const sink = o.logger;
    if (!sink) return;
    const path = pathOf(state.url);
    if (o.skip.length > 0 && skipped(o.skip, path)) return;
    const finished: FinishedRequest = {
      method: req.method ?? '',
      route,
      path,
      status,
      durationMs,
      aborted,
      error,
    };
    const level = safeCall(COMPONENT, o.level, [finished], 'info' as LogLevel) ?? 'info';
    if ((level === 'info' || level === 'debug') && !slow && !keepTrace(state.ctx.trace_id, o.sampleRate))
      return;
    const fields: Record<string, unknown> = {
      event: 'http_request',
      method: finished.method.length > 32 ? finished.method.slice(0, 32) : finished.method,
      route,
      path: path.length > MAX_LOGGED_PATH ? path.slice(0, MAX_LOGGED_PATH) : path,
      status,
      duration_ms: Math.round(durationMs * 1000) / 1000,
    };
    if (requestBytes !== undefined) fields.request_bytes = requestBytes;
    if (responseBytes !== undefined) fields.response_bytes = responseBytes;
    if (aborted) fields.aborted = true;
    if (errorType !== undefined) fields.error_type = errorType;
    if (error !== undefined && (status >= 500 || aborted)) {
      fields.error_message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.stack) fields.error_stack = error.stack;
    }
    const dropped = state.ctx.verbosity?.dropped;
    if (dropped) fields.debug_lines_dropped = dropped;
    const message = aborted ? 'request aborted' : failed ? 'request failed' : 'request completed';
    sink.log(level, fields, message);
  }
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function skipped(skip: readonly (string | RegExp)[], path: string): boolean {
  for (const s of skip) {
    if (typeof s === 'string') {
      if (s === path) return true;
    } else {
      // A pattern with the g or y flag keeps lastIndex between calls and would skip every other request.
      s.lastIndex = 0;
      if (s.test(path)) return true;
    }
  }
  return false;
}
