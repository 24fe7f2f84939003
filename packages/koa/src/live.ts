import { check, createLiveResponder, type LivePageOptions } from '@threadline/core';
import { markOwnEndpoint } from '@threadline/core/http';
import type { KoaMiddleware } from './types.js';

/** Options of `liveMiddleware()`: core's live page options plus the path. */
export type LiveMiddlewareOptions = LivePageOptions & {
  /** Path served (default `/live`). */
  readonly path?: string;
};

/**
 * The live page at `path` (default `/live`), mounted like /metrics: `app.use(liveMiddleware())`.
 * Serves a self-contained page (uPlot inlined) that polls `?format=json` for a snapshot of the
 * in-process registry; with `token` the JSON needs `Authorization: Bearer <token>` (the /metrics
 * check); open the page as `/live#token=...`. Other requests pass on. Throws ThreadlineConfigError
 * on bad options.
 */
export function liveMiddleware(options: LiveMiddlewareOptions = {}): KoaMiddleware {
  const component = 'koa.live';
  const path = check.string(component, 'path', options.path, '/live');
  const { path: _path, ...rest } = options;
  const responder = createLiveResponder(component, rest);
  return async function threadlineLive(ctx, next) {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    // The page's own polls are not traffic: not measured, not logged (unless includeOwnEndpoints).
    markOwnEndpoint(ctx.res, path);
    const url = ctx.req.url ?? '';
    const q = url.indexOf('?');
    const out = await responder(
      q === -1 ? undefined : url.slice(q + 1),
      ctx.get('authorization') || undefined,
    );
    ctx.status = out.status;
    for (const name of Object.keys(out.headers)) ctx.set(name, out.headers[name]!);
    ctx.body = out.body;
  };
}
