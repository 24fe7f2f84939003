import { register as globalRegistry } from 'prom-client';
import { ThreadlineConfigError } from '../errors.js';
import { checkBearerToken } from '../exposition.js';
import { reportError } from '../guard.js';
import { ensureDefaultMetrics } from '../http/metrics-endpoint.js';
import type { AnyRegistry } from '../metrics.js';
import { check } from '../options.js';
import { renderPage } from './page.js';
import { LIVE_SCRIPT } from './script.js';
import { LiveSampler, type LiveSnapshot } from './snapshot.js';

/** Options of the live page. */
export interface LivePageOptions {
  /** Registry to read (default: prom-client's global registry, the one `/metrics` serves). */
  readonly registry?: AnyRegistry;
  /** Require `Authorization: Bearer <token>` for the data (the page passes `#token=...` on). */
  readonly token?: string;
  /** Collect prom-client's default process metrics into the registry (default true), for the bottom row. */
  readonly defaultMetrics?: boolean;
  /** Page title (default "Threadline live"). */
  readonly title?: string;
  /** How often the page polls, in ms (default 2000, at least 250). */
  readonly pollMs?: number;
  /** Polls closer together than this share one registry read, in ms (default 1000). */
  readonly minSampleMs?: number;
}

/** A response the adapters write as they like. */
export interface LiveResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Answers one request to the live page from its query string and `Authorization` header. Never
 * rejects. `ownRoute`, the route template the page is served under, is left out of the traffic.
 */
export type LiveResponder = (
  query: string | undefined,
  authorization: string | undefined,
  ownRoute?: string,
) => Promise<LiveResponse>;

export const LIVE_OPTION_KEYS = [
  'registry',
  'token',
  'defaultMetrics',
  'title',
  'pollMs',
  'minSampleMs',
] as const;

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/**
 * Validates the live page's options at setup and returns its responder: the page itself for a
 * plain GET, the current snapshot as JSON for `?format=json` (what the page polls). The snapshot
 * is read from the registry's metric families by their conventional names, with no Prometheus;
 * polls within `minSampleMs` share one read, so many open tabs cost one read per interval.
 * Throws ThreadlineConfigError on bad options.
 */
export function createLiveResponder(
  component: string,
  options: LivePageOptions = {},
  extraKeys: readonly string[] = [],
): LiveResponder {
  check.keys(component, options, [...LIVE_OPTION_KEYS, ...extraKeys]);
  const token = check.string(component, 'token', options.token, undefined);
  const title = check.string(component, 'title', options.title, 'Threadline live');
  const pollMs = check.number(component, 'pollMs', options.pollMs, 2000, { min: 250, max: 600_000 });
  const minSampleMs = check.number(component, 'minSampleMs', options.minSampleMs, 1000, {
    min: 0,
    max: 600_000,
  });
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  if (typeof registry?.getSingleMetric !== 'function') {
    throw new ThreadlineConfigError(component, 'option registry must be a prom-client Registry');
  }
  if (check.boolean(component, 'defaultMetrics', options.defaultMetrics, true))
    ensureDefaultMetrics(registry);
  const sampler = new LiveSampler(registry);
  let last: { at: number; snapshot: Promise<LiveSnapshot> } | undefined;
  const page = renderPage({
    title,
    data: { title, pollMs, auth: token !== undefined },
    script: LIVE_SCRIPT,
    connectSelf: true,
  });
  const html: LiveResponse = {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE },
    body: page,
  };
  return async (query, authorization, ownRoute) => {
    if (ownRoute !== undefined) sampler.excludeRoute(ownRoute);
    if (!new URLSearchParams(query ?? '').has('format')) return html;
    if (!checkBearerToken(authorization, token)) {
      return {
        status: 401,
        headers: {
          'www-authenticate': 'Bearer',
          'content-type': 'application/json; charset=utf-8',
          ...NO_STORE,
        },
        body: '{"error":"unauthorized"}',
      };
    }
    try {
      const now = Date.now();
      if (!last || now - last.at >= minSampleMs) last = { at: now, snapshot: sampler.sample(now) };
      const snapshot = await last.snapshot;
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE },
        body: JSON.stringify(snapshot),
      };
    } catch (error) {
      reportError(component, error);
      return {
        status: 500,
        headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE },
        body: '{"error":"unavailable"}',
      };
    }
  };
}
