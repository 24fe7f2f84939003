import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  register as globalRegistry,
  type PrometheusContentType,
} from 'prom-client';
import { codes, ThreadlineConfigError } from '../errors.js';
import { checkBearerToken, negotiateMetricsFormat, renderMetrics } from '../exposition.js';
import { diag, reportError } from '../guard.js';
import type { AnyRegistry } from '../metrics.js';
import { check } from '../options.js';

/** Options of a /metrics endpoint. */
export interface MetricsEndpointOptions {
  /** Registry to serve (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /**
   * Require `Authorization: Bearer <token>` (compared in constant time). An empty string is a setup
   * error; without a token, serving on an address other hosts can reach logs one warning.
   */
  readonly token?: string;
  /** Also collect prom-client's default process metrics into the registry (default true). */
  readonly defaultMetrics?: boolean;
  /**
   * In the primary of a Node cluster: serve the sum over all workers, gathered through prom-client's
   * AggregatorRegistry (workers call `clusterWorkerMetrics`). Served as Prometheus text.
   */
  readonly cluster?: boolean;
}

/** A response the adapters write as they like. */
export interface MetricsResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Answers one scrape from its `Accept` and `Authorization` headers; `localAddress` (the address the
 * scrape arrived on) lets an endpoint without a token warn when it is reachable from other hosts.
 * Never rejects.
 */
export type MetricsResponder = (
  accept: string | undefined,
  authorization: string | undefined,
  localAddress?: string,
) => Promise<MetricsResponse>;

export const METRICS_OPTION_KEYS = ['registry', 'token', 'defaultMetrics', 'cluster'] as const;

const withDefaults = new WeakSet<AnyRegistry>();

/**
 * Collects prom-client's default metrics into `registry` once, unless the application already did
 * (prom-client would throw on the second registration).
 */
export function ensureDefaultMetrics(registry: AnyRegistry): void {
  if (withDefaults.has(registry)) return;
  withDefaults.add(registry);
  if (registry.getSingleMetric('process_cpu_user_seconds_total')) return;
  try {
    collectDefaultMetrics({ register: registry });
  } catch (error) {
    reportError('http.metrics', error);
  }
}

let aggregator: AggregatorRegistry<PrometheusContentType> | undefined;

/**
 * In a cluster worker: answer the primary's requests for this worker's metrics from `registry`
 * (default: the global one), with the default process metrics unless turned off.
 */
export function clusterWorkerMetrics(
  options: { registry?: AnyRegistry; defaultMetrics?: boolean } = {},
): void {
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  if (options.defaultMetrics !== false) ensureDefaultMetrics(registry);
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's message listeners (once per process).
  aggregator ??= new AggregatorRegistry();
}

/** True for an address only this host can reach. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined || address === '') return false;
  const a = address.toLowerCase();
  return a === 'localhost' || a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

function tokenOf(component: string, token: unknown): string | undefined {
  if (token === '') {
    throw new ThreadlineConfigError(
      component,
      'option token is an empty string (often METRICS_TOKEN= set to nothing): set a non-empty token, or leave the option out to serve /metrics without one',
    );
  }
  return check.string(component, 'token', token, undefined);
}

/** Warns once per endpoint when it serves without a token on an address other hosts can reach. */
export function openEndpointWarning(component: string): (localAddress: string | undefined) => void {
  let warned = false;
  return (localAddress) => {
    if (warned || localAddress === undefined || isLoopback(localAddress)) return;
    warned = true;
    diag({
      code: codes.OPEN_ENDPOINT,
      component,
      level: 'warn',
      message: `/metrics is served without a token on ${localAddress}, reachable from other hosts: set the token option (e.g. from METRICS_TOKEN), or serve metrics on a loopback port with startMetricsServer`,
    });
  };
}

/** Validates /metrics options at setup and returns the responder. */
export function createMetricsResponder(
  component: string,
  options: MetricsEndpointOptions = {},
  extraKeys: readonly string[] = [],
): MetricsResponder {
  check.keys(component, options, [...METRICS_OPTION_KEYS, ...extraKeys]);
  const token = tokenOf(component, options.token);
  const warnOpen = token === undefined ? openEndpointWarning(component) : undefined;
  const useCluster = check.boolean(component, 'cluster', options.cluster, false);
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  if (typeof registry?.getMetricsAsArray !== 'function') {
    throw new ThreadlineConfigError(component, 'option registry must be a prom-client Registry');
  }
  if (useCluster && !cluster.isPrimary) {
    throw new ThreadlineConfigError(
      component,
      'option cluster serves the sum of the workers and belongs in the cluster primary; workers call clusterWorkerMetrics()',
    );
  }
  if (check.boolean(component, 'defaultMetrics', options.defaultMetrics, true) && !useCluster)
    ensureDefaultMetrics(registry);
  if (useCluster) aggregator ??= new AggregatorRegistry();
  return async (accept, authorization, localAddress): Promise<MetricsResponse> => {
    warnOpen?.(localAddress);
    if (!checkBearerToken(authorization, token)) {
      return {
        status: 401,
        headers: { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' },
        body: 'Unauthorized\n',
      };
    }
    try {
      if (useCluster) {
        const body: string = await aggregator!.clusterMetrics();
        return { status: 200, headers: { 'content-type': aggregator!.contentType }, body };
      }
      const { contentType, body } = await renderMetrics(registry, negotiateMetricsFormat(accept));
      return { status: 200, headers: { 'content-type': contentType }, body };
    } catch (error) {
      reportError(component, error);
      return {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'metrics unavailable\n',
      };
    }
  };
}

/**
 * The address a request's server listens on (`0.0.0.0` when bound to every interface), else the
 * address the connection arrived on: what decides whether other hosts can reach the endpoint.
 */
export function servingAddress(req: IncomingMessage): string | undefined {
  try {
    const bound = (req.socket as { server?: Server } | undefined)?.server?.address();
    if (bound && typeof bound === 'object') return bound.address;
  } catch {
    // Fall back to the connection's own address.
  }
  return req.socket?.localAddress;
}

/** Writes a metrics response to a plain Node response. */
export async function writeMetricsResponse(
  responder: MetricsResponder,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const out = await responder(req.headers.accept, req.headers.authorization, servingAddress(req));
  if (res.headersSent || res.destroyed) return;
  res.writeHead(out.status, out.headers);
  res.end(req.method === 'HEAD' ? undefined : out.body);
}

/** A running standalone metrics server. */
export interface MetricsServer {
  readonly server: Server;
  readonly port: number;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Serves /metrics on its own port (so it is not exposed with the application), e.g. in a cluster
 * primary. Other paths answer 404.
 */
export async function startMetricsServer(
  options: MetricsEndpointOptions & { port?: number; host?: string; path?: string } = {},
): Promise<MetricsServer> {
  const component = 'http.metrics-server';
  const port = check.number(component, 'port', options.port, 9464, { min: 0, max: 65535, integer: true });
  const host = check.string(component, 'host', options.host, '127.0.0.1');
  const path = check.string(component, 'path', options.path, '/metrics');
  const { port: _p, host: _h, path: _pa, ...rest } = options;
  const responder = createMetricsResponder(component, rest);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found\n');
      return;
    }
    writeMetricsResponse(responder, req, res).catch((error: unknown) => reportError(component, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
