import { IncomingMessage, type ServerResponse } from 'node:http';
import { bindEmitter, reportError } from '@threadline/core';
import {
  HttpInstrumentation,
  RequestLogProperty,
  type RequestState,
  resolveHttpOptions,
} from '@threadline/core/http';
import { type ExpressRequestLike, routerOf, routeTemplateOf } from './route.js';
import type { Middleware, NextFunction, ThreadlineExpressOptions } from './types.js';

const COMPONENT = 'express';
const STATE = Symbol('threadline.express.state');
// `req.log`, on the app's request prototype (never on Node's own IncomingMessage.prototype).
const logProperty = new RequestLogProperty(STATE, [IncomingMessage.prototype]);

type InstrumentedRequest = IncomingMessage &
  ExpressRequestLike & { [STATE]?: RequestState; id?: string; ip?: string };
type ErrorCapture = (error: unknown, req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

interface UsableApp {
  use(fn: ErrorCapture): unknown;
}

/**
 * Keeps `capture` as the last layer of the app, where it sees every error no handler dealt with
 * (a sync throw, a rejected promise in Express 5, `next(err)`) and passes it on unchanged, so the
 * app answers exactly as before. Re-appended if routes were added after it.
 */
function ensureLast(app: unknown, capture: ErrorCapture, installed: WeakMap<object, unknown>): void {
  const router = routerOf(app);
  const stack = router?.stack as unknown[] | undefined;
  if (!stack) return;
  // Layers are compared by identity, not by handle: libraries such as express-async-errors wrap a
  // layer's handle when it is created, and a handle comparison would then append a new layer on
  // every request.
  const mine = installed.get(stack);
  if (mine !== undefined && stack[stack.length - 1] === mine) return;
  if (mine !== undefined) {
    const at = stack.indexOf(mine);
    if (at !== -1) stack.splice(at, 1);
  }
  (app as UsableApp).use(capture);
  installed.set(stack, stack[stack.length - 1]);
}

/**
 * The Threadline middleware for Express 4 and 5: `app.use(threadline())` first. Each request runs
 * in its own context (request ID, trace context), and its metrics and one access line are written
 * when the response closes. Throws ThreadlineConfigError on bad options.
 */
export function threadline(options?: ThreadlineExpressOptions): Middleware {
  const resolved = resolveHttpOptions(COMPONENT, options);
  const http = new HttpInstrumentation(resolved, {
    routeOf: (source) => routeTemplateOf(source as ExpressRequestLike),
    // req.ip follows the app's 'trust proxy' setting, as the application's own code sees it.
    clientAddressOf: (source) => (source as InstrumentedRequest).ip,
  });
  const installed = new WeakMap<object, unknown>();
  const capture: ErrorCapture = function threadlineErrorCapture(error, req, _res, next) {
    const state = (req as InstrumentedRequest)[STATE];
    if (state) http.recordError(state, error);
    next(error);
  };
  return function threadlineMiddleware(req, res, next) {
    const r = req as InstrumentedRequest;
    // A second instance (a sub-app with its own) leaves the request to the first.
    if (r[STATE]) return next();
    try {
      if (r.app) ensureLast(r.app, capture, installed);
    } catch (error) {
      reportError(COMPONENT, error);
    }
    http.run(req, res, req, (state) => {
      r[STATE] = state;
      // What pino-http and cls-rtracer users reach for: the request ID, and a logger bound to the
      // request. The logger is made on first use only; the descriptor is shared.
      try {
        r.id = state.ctx.request_id;
        logProperty.attach(r);
      } catch (error) {
        // A request object that already owns a fixed `id` or `log` keeps them.
        reportError(COMPONENT, error);
      }
      // Body parsers resume the chain from the request's 'data'/'end' events; binding the request
      // keeps those continuations (and everything after them) in this request's context. A request
      // without a body gives a parser nothing to wait for, and skipping the binding saves a context
      // switch per event on the common GET.
      const h = req.headers;
      if (h['content-length'] !== undefined || h['transfer-encoding'] !== undefined) bindEmitter(req);
      next();
    });
  };
}
