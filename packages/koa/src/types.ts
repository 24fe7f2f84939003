import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  DebugEndpointOptions,
  HttpOptions,
  MetricsEndpointOptions,
  RequestLogger,
} from '@threadline/core';
import type {} from 'koa';

// What threadline() adds to every context, typed on Koa's BaseContext (declaration merging), so
// `Context` and every router context carry it.
declare module 'koa' {
  interface BaseContext {
    /** The request ID (`X-Request-Id`), set by threadline(). */
    id: string;
    /** A logger bound to the request's context, writing through the middleware's logger. */
    log: RequestLogger;
  }
}

/** Options of `threadline()` for Koa. */
export type ThreadlineKoaOptions = HttpOptions;

/** Options of `metricsMiddleware()`: the endpoint options plus the path it answers on. */
export type MetricsMiddlewareOptions = MetricsEndpointOptions & {
  /** Path served (default `/metrics`). */
  readonly path?: string;
};

/** Options of `debugMiddleware()`. */
export type DebugMiddlewareOptions = DebugEndpointOptions & {
  /** Path prefix served (default `/_threadline/debug`). */
  readonly path?: string;
};

/** The part of a Koa context Threadline reads and writes (Koa 2 and 3). */
export interface KoaContextLike {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  status: number;
  body: unknown;
  respond?: boolean;
  set(field: string, value: string): void;
  get(field: string): string;
  readonly request: { body?: unknown };
  /** Set by @koa/router: the matched route's template. */
  readonly _matchedRoute?: string | RegExp;
}

/** A Koa middleware. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;
