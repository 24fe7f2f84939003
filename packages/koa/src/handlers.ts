import { check } from '@threadline/core';
import {
  createDebugEndpoint,
  createMetricsResponder,
  markOwnEndpoint,
  readJsonBody,
  servingAddress,
} from '@threadline/core/http';
import type { DebugMiddlewareOptions, KoaMiddleware, MetricsMiddlewareOptions } from './types.js';

/**
 * Serves the registry for Prometheus at `path` (default `/metrics`) and passes other requests on:
 * `app.use(metricsMiddleware())`. Negotiates OpenMetrics or Prometheus text, checks the bearer
 * token when one is set, and collects default process metrics unless `defaultMetrics: false`.
 */
export function metricsMiddleware(options: MetricsMiddlewareOptions = {}): KoaMiddleware {
  const component = 'koa.metrics';
  const path = check.string(component, 'path', options.path, '/metrics');
  const { path: _path, ...rest } = options;
  const responder = createMetricsResponder(component, rest);
  return async function threadlineMetrics(ctx, next) {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    markOwnEndpoint(ctx.res, path);
    const out = await responder(
      ctx.get('accept') || undefined,
      ctx.get('authorization') || undefined,
      servingAddress(ctx.req),
    );
    ctx.status = out.status;
    for (const name of Object.keys(out.headers)) ctx.set(name, out.headers[name]!);
    ctx.body = out.body;
  };
}

/** Alias of `metricsMiddleware`, named like the Express adapter's handler. */
export const metricsHandler: typeof metricsMiddleware = metricsMiddleware;

/**
 * The runtime debug switch over HTTP at `path` (default `/_threadline/debug`): `GET` lists rules,
 * `POST` adds one, `DELETE <path>/<id>` removes one; every call needs `Authorization: Bearer <secret>`.
 * Throws ThreadlineConfigError without a secret.
 */
export function debugMiddleware(options: DebugMiddlewareOptions): KoaMiddleware {
  const component = 'koa.debug';
  const endpoint = createDebugEndpoint(component, options);
  const base = check.string(component, 'path', options?.path, '/_threadline/debug').replace(/\/+$/, '');
  return async function threadlineDebug(ctx, next) {
    const p = ctx.path;
    if (p !== base && !p.startsWith(`${base}/`)) {
      await next();
      return;
    }
    markOwnEndpoint(ctx.res, base);
    let body = ctx.request.body;
    if (ctx.method === 'POST' && body === undefined) {
      try {
        body = await readJsonBody(ctx.req);
      } catch (error) {
        ctx.status = (error as { status?: number }).status ?? 400;
        ctx.body = { error: (error as Error).message };
        return;
      }
    }
    const out = endpoint({
      method: ctx.method,
      path: p.slice(base.length) || '/',
      authorization: ctx.get('authorization') || undefined,
      body,
      // ctx.ip follows the app's proxy setting; the overall limit holds whatever it says.
      client: (ctx as { ip?: string }).ip ?? ctx.req.socket.remoteAddress,
    });
    ctx.status = out.status;
    if (out.headers) for (const name of Object.keys(out.headers)) ctx.set(name, out.headers[name]!);
    if (out.body !== undefined) ctx.body = out.body;
  };
}
