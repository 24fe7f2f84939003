import { bindEmitter, reportError } from '@threadline/core';
import {
  HttpInstrumentation,
  RequestLogProperty,
  type RequestState,
  resolveHttpOptions,
} from '@threadline/core/http';
import type { KoaContextLike, KoaMiddleware, ThreadlineKoaOptions } from './types.js';

const COMPONENT = 'koa';
const SEEN = Symbol('threadline.koa.seen');
const STATE = Symbol('threadline.koa.state');
// `ctx.log`, on the app's context prototype.
const logProperty = new RequestLogProperty(STATE);

type InstrumentedContext = KoaContextLike & { [STATE]?: RequestState; id?: string; ip?: string };

/** The route template @koa/router matched (with router prefixes and nesting), or `undefined`. */
export function routeTemplateOf(ctx: KoaContextLike): string | undefined {
  const route = ctx._matchedRoute;
  if (typeof route === 'string') return route;
  if (route instanceof RegExp) return String(route);
  return undefined;
}

/**
 * The Threadline middleware for Koa 2 and 3: `app.use(threadline())` first. Each request runs in
 * its own context (request ID, trace context), and its metrics and one access line are written when
 * the response closes. Errors are recorded and rethrown unchanged, so Koa answers as before.
 * Throws ThreadlineConfigError on bad options.
 */
export function threadline(options?: ThreadlineKoaOptions): KoaMiddleware {
  const resolved = resolveHttpOptions(COMPONENT, options);
  const http = new HttpInstrumentation(resolved, {
    routeOf: (source) => routeTemplateOf(source as KoaContextLike),
    // ctx.ip follows the app's proxy setting, as the application's own code sees it.
    clientAddressOf: (source) => (source as InstrumentedContext).ip,
  });
  const header = resolved.requestIdHeader;
  return function threadlineMiddleware(ctx, next) {
    // A second instance (on a router, or in a mounted app with its own) leaves the request to the
    // first: one context, one request ID, one observation and one access line per request.
    const req = ctx.req as typeof ctx.req & { [SEEN]?: true };
    if (req[SEEN]) return next() as Promise<void>;
    req[SEEN] = true;
    return http.run(ctx.req, ctx.res, ctx, async (state) => {
      const c = ctx as InstrumentedContext;
      c[STATE] = state;
      try {
        c.id = state.ctx.request_id;
        logProperty.attach(c);
      } catch (error) {
        // A context that already owns a fixed `id` or `log` keeps them.
        reportError(COMPONENT, error);
      }
      // Koa writes the response after the middleware chain has returned, outside any request's
      // context: binding the response runs its listeners ('finish', 'close', and those of the
      // stream piping) in this request's context, as they are under Express.
      bindEmitter(ctx.res);
      try {
        await next();
      } catch (error) {
        http.recordError(state, error);
        keepRequestIdHeader(error, header, state.ctx.request_id);
        throw error;
      }
    });
  };
}

/**
 * Koa's error handler clears every response header before answering, then sets `err.headers`;
 * adding the request ID there keeps `X-Request-Id` on error answers too.
 */
// Header objects Threadline put on errors. An error object can be thrown by many requests (a
// memoised rejected promise, a module-level error): ours are replaced on every throw, so no request
// answers with another request's ID.
const ours = new WeakSet<object>();

function keepRequestIdHeader(error: unknown, header: string, id: string | undefined): void {
  if (id === undefined || error === null || typeof error !== 'object') return;
  try {
    const e = error as { headers?: Record<string, unknown> };
    const current = e.headers;
    if (current !== undefined && (typeof current !== 'object' || current === null)) return;
    // The application's own request-ID header on the error wins.
    if (current !== undefined && !ours.has(current) && header in current) return;
    const fresh = { ...current, [header]: id };
    ours.add(fresh);
    e.headers = fresh;
  } catch {
    // A frozen error keeps its headers as they are.
  }
}
