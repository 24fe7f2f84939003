import { reportError } from '@threadline/core';
import {
  createDebugEndpoint,
  createMetricsResponder,
  markOwnEndpoint,
  readJsonBody,
  writeMetricsResponse,
} from '@threadline/core/http';
import { type ExpressRequestLike, routeTemplateOf } from './route.js';
import type { DebugHandlerOptions, MetricsHandlerOptions, Middleware } from './types.js';

type HandlerRequest = ExpressRequestLike & { baseUrl?: string; ip?: string };

/**
 * Serves the registry for Prometheus: `app.get('/metrics', metricsHandler())`. Negotiates
 * OpenMetrics (exemplars) or Prometheus text, checks the bearer token when one is set, and collects
 * the default process metrics unless `defaultMetrics: false`. Throws ThreadlineConfigError on bad options.
 */
export function metricsHandler(options?: MetricsHandlerOptions): Middleware {
  const responder = createMetricsResponder('express.metrics', options);
  return function threadlineMetrics(req, res) {
    const r = req as typeof req & HandlerRequest;
    markOwnEndpoint(res, routeTemplateOf(r) ?? (r.baseUrl || undefined));
    writeMetricsResponse(responder, req, res).catch((error: unknown) =>
      reportError('express.metrics', error),
    );
  };
}

/**
 * The runtime debug switch over HTTP: `app.use('/_threadline/debug', express.json(), debugHandler({ secret }))`.
 * `GET /` lists rules, `POST /` adds one, `DELETE /<id>` removes one; every call needs
 * `Authorization: Bearer <secret>`. Throws ThreadlineConfigError without a secret.
 */
export function debugHandler(options: DebugHandlerOptions): Middleware {
  const endpoint = createDebugEndpoint('express.debug', options);
  return function threadlineDebug(req, res) {
    const r = req as typeof req & HandlerRequest & { body?: unknown };
    // Mounted with app.use, the mount path is the route label (through the route-count guard).
    markOwnEndpoint(res, r.baseUrl || undefined);
    const bodyReady: Promise<unknown> =
      req.method === 'POST' && r.body === undefined ? readJsonBody(req) : Promise.resolve(r.body);
    bodyReady
      .then(
        (body) => {
          const url = req.url ?? '/';
          const q = url.indexOf('?');
          const out = endpoint({
            method: req.method ?? 'GET',
            path: q === -1 ? url : url.slice(0, q),
            authorization: req.headers.authorization,
            body,
            // req.ip follows the app's 'trust proxy' setting; the overall limit holds whatever it says.
            client: r.ip ?? req.socket.remoteAddress,
          });
          if (res.headersSent) return;
          if (out.body === undefined) {
            res.writeHead(out.status, out.headers).end();
            return;
          }
          res.writeHead(out.status, { ...out.headers, 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(out.body));
        },
        (error: { status?: number; message?: string }) => {
          if (res.headersSent) return;
          res.writeHead(error.status ?? 400, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: error.message ?? 'bad request' }));
        },
      )
      .catch((error: unknown) => reportError('express.debug', error));
  };
}
