import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { acceptIncomingBaggage } from '../baggage.js';
import { contextStorage, type ThreadlineContext } from '../context.js';
import { codes } from '../errors.js';
import { reportError, safeCall, warnOnce } from '../guard.js';
import { acceptRequestId, newRequestId } from '../ids.js';
import type { LogLevel } from '../log-sink.js';
import { activeOtelSpan } from '../otel.js';
import { continueTrace, isSampled } from '../trace-context.js';
import { debugSwitch, endRequestVerbosity, startRequestVerbosity } from '../verbosity.js';
import { bounded, loggedQuery, MAX_LOGGED_PATH, matchesAny, pathOf } from './access-line.js';
import { methodLabel, UNMATCHED_ROUTE } from './constants.js';
import { withoutExemplars } from './exemplars.js';
import { createHttpMetrics, type HttpMetrics } from './metrics.js';
import type { FinishedRequest, ResolvedHttpOptions } from './options.js';
import { REQUEST_STATE } from './own-endpoint.js';
import { type RequestLogger, requestLogger } from './request-logger.js';
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
  /** False when the request is not measured (`skipMetrics`, or an own endpoint left out). */
  measured: boolean;
  /** True once one of Threadline's own endpoints answered it. */
  own: boolean;
  /** The route label an own endpoint gave, used on every framework. */
  ownRoute: string | undefined;
  /** The request's logger, made on first use of `req.log` / `ctx.log`. */
  log: RequestLogger | undefined;
  /** The instrumentation the request belongs to (what `markOwnEndpoint` reaches). */
  readonly owner: HttpInstrumentation;
}

/** Reads something from the adapter's framework object; `undefined` when it has none. */
export type SourceReader = (source: unknown) => string | undefined;

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

/** What the finishing step knows of a request once its response closed (one object per request). */
interface Outcome extends FinishedRequest {
  readonly failed: boolean;
  readonly errorType: string | undefined;
  readonly requestBytes: number | undefined;
  readonly responseBytes: number | undefined;
}

/** Hooks an adapter supplies: how to read its framework object. */
export interface AdapterHooks {
  /** The matched route template; `undefined` when none matched. */
  readonly routeOf: SourceReader;
  /** The client address as the framework sees it (proxy trust applied); default: the socket's peer. */
  readonly clientAddressOf?: SourceReader;
}

/**
 * The HTTP logic both adapters share, written once: starting a request's context, and recording
 * its metrics and access line when the response closes. The adapters only supply the route.
 */
export class HttpInstrumentation {
  readonly metrics: HttpMetrics;
  private readonly options: ResolvedHttpOptions;
  private readonly routeOf: SourceReader;
  private readonly clientAddressOf: SourceReader | undefined;

  /**
   * @param options resolved options (see `resolveHttpOptions`)
   * @param hooks reads the matched route template (and optionally the client address) from the
   *   adapter's object; a bare function is the route reader
   */
  constructor(options: ResolvedHttpOptions, hooks: AdapterHooks | SourceReader) {
    this.options = options;
    const h: AdapterHooks = typeof hooks === 'function' ? { routeOf: hooks } : hooks;
    this.routeOf = h.routeOf;
    this.clientAddressOf = h.clientAddressOf;
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
    const ctx = this.context(headers, requestId);
    return contextStorage().run(ctx, () => {
      const url = req.url ?? '/';
      const state: RequestState = {
        req,
        res,
        ctx,
        source,
        method: methodLabel(req.method),
        url,
        start: performance.now(),
        error: undefined,
        finished: false,
        measured: o.skipMetrics.length === 0 || !matchesAny(o.skipMetrics, pathOf(url)),
        own: false,
        ownRoute: undefined,
        log: undefined,
        owner: this,
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

  /** The request's logger (`req.log`, `ctx.log`), made on first use. Never throws. */
  logger(state: RequestState): RequestLogger {
    if (state.log === undefined) state.log = requestLogger(this.options.requestLogSink, state.ctx);
    return state.log;
  }

  private context(headers: IncomingMessage['headers'], requestId: string): ThreadlineContext {
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
      // A trace that starts here carries this service's line-sampling decision in its sampled flag,
      // so the services it calls keep or drop the trace's lines with it.
      const rate = this.options.sampleRate;
      if (trace.parentId === undefined && rate < 1 && !keepTrace(traceId, rate)) traceFlags = '02';
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
    if (headers.baggage !== undefined) acceptIncomingBaggage(ctx, headers.baggage, this.options.registry);
    return ctx;
  }

  private begin(state: RequestState, requestId: string): void {
    const o = this.options;
    const { res } = state;
    if (!res.headersSent) res.setHeader(o.requestIdHeader, requestId);
    (res as ServerResponse & { [REQUEST_STATE]?: RequestState })[REQUEST_STATE] = state;
    // Without an active debug rule nobody is asked who the request is from.
    let force = false;
    if (debugSwitch.active) {
      const who = o.identify ? safeCall(COMPONENT, o.identify, [state.req]) : undefined;
      force = debugSwitch.matches({ requestId, userId: who?.userId, sessionId: who?.sessionId });
    }
    if (force || o.debugBuffer > 0) startRequestVerbosity({ forceDebug: force, bufferLimit: o.debugBuffer });
    if (state.measured) this.metrics.inFlight.inc(state.method);
    const onClose = (): void => {
      // 'close' normally fires in the request's own context (the response's write started there):
      // entering the store again would cost a context frame per request for nothing.
      const store = contextStorage();
      if (store.getStore() === state.ctx) this.finishGuarded(state);
      else store.run(state.ctx, () => this.finishGuarded(state));
    };
    // 'close' fires once; `on` spares the wrapper `once` allocates, and finish() runs only once anyway.
    res.on('close', onClose);
    // The client may have gone while middleware ahead of ours awaited: 'close' has fired already and
    // will not again, so finish now (counted as aborted) or the in-flight gauge never comes down.
    if (res.destroyed) {
      res.removeListener('close', onClose);
      onClose();
    }
  }

  private finishGuarded(state: RequestState): void {
    try {
      this.finish(state);
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }

  /** Marks the request as answered by one of Threadline's own endpoints (see `markOwnEndpoint`). */
  markOwn(state: RequestState, route: string | undefined): void {
    if (state.finished || state.own) return;
    state.own = true;
    if (typeof route === 'string' && route !== '') state.ownRoute = route;
    // Left out: it leaves the in-flight count now, so a scrape does not see itself in flight.
    if (!this.options.includeOwnEndpoints && state.measured) {
      state.measured = false;
      this.metrics.inFlight.dec(state.method);
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

  private outcome(state: RequestState): Outcome {
    const { req, res } = state;
    const aborted = !res.writableFinished;
    const status = res.statusCode;
    const failed = aborted || status >= 500;
    const error = state.error;
    return {
      method: req.method ?? '',
      route: state.ownRoute ?? safeCall(COMPONENT, this.routeOf, [state.source]) ?? UNMATCHED_ROUTE,
      path: pathOf(state.url),
      status,
      durationMs: performance.now() - state.start,
      aborted,
      error,
      failed,
      errorType: failed
        ? aborted
          ? 'aborted'
          : error !== undefined
            ? errorName(error)
            : String(status)
        : undefined,
      requestBytes: contentLength(req.headers['content-length']),
      responseBytes: contentLength(res.getHeader('content-length')),
    };
  }

  private finish(state: RequestState): void {
    if (state.finished) return;
    state.finished = true;
    const o = this.options;
    const measured = state.measured;
    if (measured) this.metrics.inFlight.dec(state.method);
    if (state.own && !o.includeOwnEndpoints) {
      endRequestVerbosity(false);
      return;
    }
    const out = this.outcome(state);
    const level = this.lineLevel(state, out);
    const logged = level !== undefined;
    if (measured) {
      // An exemplar must lead to a trace whose access line exists.
      if (logged || o.unloggedExemplars || !isSampled(state.ctx.trace_flags)) this.record(state, out);
      else withoutExemplars(state.ctx, () => this.record(state, out));
    }
    const slow = out.durationMs >= o.slowMs;
    endRequestVerbosity(
      out.failed || (slow && logged) || (debugSwitch.active && debugSwitch.matches({ route: out.route })),
    );
    if (logged && o.logger) this.writeLine(state, out, level);
  }

  /** The access line's level, or `undefined` when the line is skipped or its trace sampled out. */
  private lineLevel(state: RequestState, finished: FinishedRequest): LogLevel | undefined {
    const o = this.options;
    if (o.skip.length > 0 && matchesAny(o.skip, finished.path)) return undefined;
    // Without a logger no line is written, but the same rule decides the exemplars.
    const level = o.logger
      ? (safeCall(COMPONENT, o.level, [finished], 'info' as LogLevel) ?? 'info')
      : finished.status >= 400 || finished.aborted
        ? 'warn'
        : 'info';
    if (level !== 'info' && level !== 'debug') return level;
    return this.traceKept(state.ctx) ? level : undefined;
  }

  /**
   * The trace's line-sampling decision, the same in every service: the caller's sampled flag keeps
   * it; otherwise the trace ID's share decides.
   */
  private traceKept(ctx: ThreadlineContext): boolean {
    const rate = this.options.sampleRate;
    return rate >= 1 || isSampled(ctx.trace_flags) || keepTrace(ctx.trace_id, rate);
  }

  private record(state: RequestState, out: Outcome): void {
    const m = this.metrics;
    const method = state.method;
    const route = out.route;
    const labels = { http_request_method: method, http_route: route, http_response_status_code: out.status };
    if (!out.aborted) {
      m.duration.observe(labels, out.durationMs / 1000);
      if (out.requestBytes !== undefined) m.requestSize.observe(labels, out.requestBytes);
      if (out.responseBytes !== undefined) m.responseSize.observe(labels, out.responseBytes);
    }
    if (out.errorType !== undefined) {
      m.errors.inc({ error_type: out.errorType, http_request_method: method, http_route: route });
    }
  }

  private writeLine(state: RequestState, out: Outcome, level: LogLevel): void {
    const o = this.options;
    const { path, error } = out;
    const fields: Record<string, unknown> = {
      event: 'http_request',
      method: out.method.length > 32 ? out.method.slice(0, 32) : out.method,
      route: out.route,
      path: bounded(path, MAX_LOGGED_PATH),
      status: out.status,
      duration_ms: Math.round(out.durationMs * 1000) / 1000,
    };
    if (out.requestBytes !== undefined) fields.request_bytes = out.requestBytes;
    if (out.responseBytes !== undefined) fields.response_bytes = out.responseBytes;
    if (out.aborted) fields.aborted = true;
    if (out.errorType !== undefined) fields.error_type = out.errorType;
    if (error !== undefined && out.failed) {
      fields.error_message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.stack) fields.error_stack = error.stack;
    }
    if (o.logUserAgent) {
      const ua = headerValue(state.req.headers['user-agent']);
      if (ua) fields.user_agent_original = bounded(ua);
    }
    if (o.logClientAddress) {
      const address = this.clientAddress(state);
      if (address) fields.client_address = bounded(address, 64);
    }
    if (o.logQuery) {
      const query = loggedQuery(state.url, o.redactQueryKeys);
      if (query !== undefined) fields.url_query = query;
    }
    const dropped = state.ctx.verbosity?.dropped;
    if (dropped) fields.debug_lines_dropped = dropped;
    const message = out.aborted ? 'request aborted' : out.failed ? 'request failed' : 'request completed';
    o.logger!.log(level, fields, message);
  }

  private clientAddress(state: RequestState): string | undefined {
    const fromFramework = this.clientAddressOf
      ? safeCall(COMPONENT, this.clientAddressOf, [state.source])
      : undefined;
    return fromFramework || state.req.socket?.remoteAddress || undefined;
  }
}
