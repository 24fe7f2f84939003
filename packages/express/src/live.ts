import { createLiveResponder, type LivePageOptions, reportError } from '@threadline/core';
import { markOwnEndpoint } from '@threadline/core/http';
import type { Middleware } from './types.js';

/** Options of `liveHandler()`: core's live page options (registry, token, title, pollMs, ...). */
export type LiveHandlerOptions = LivePageOptions;

/**
 * The live page, mounted like /metrics: `app.get('/live', liveHandler())`. Serves a self-contained
 * page (uPlot inlined) that polls the same path with `?format=json` for a snapshot of the
 * in-process registry: traffic, models, process and drift. With `token`, the JSON needs
 * `Authorization: Bearer <token>` (checked as /metrics does); open the page as `/live#token=...`.
 * Throws ThreadlineConfigError on bad options.
 */
export function liveHandler(options?: LiveHandlerOptions): Middleware {
  const responder = createLiveResponder('express.live', options);
  return function threadlineLive(req, res) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // The template the middleware labels this request with: mount path plus route path.
    const r = req as typeof req & { baseUrl?: string; route?: { path?: unknown } };
    const own =
      typeof r.route?.path === 'string' ? `${r.baseUrl ?? ''}${r.route.path}` : r.baseUrl || undefined;
    // The page's own polls are not traffic: not measured, not logged (unless includeOwnEndpoints).
    markOwnEndpoint(res, own);
    responder(q === -1 ? undefined : url.slice(q + 1), req.headers.authorization, own)
      .then((out) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(out.status, out.headers);
        res.end(req.method === 'HEAD' ? undefined : out.body);
      })
      .catch((error: unknown) => reportError('express.live', error));
  };
}
