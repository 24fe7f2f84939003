import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { codes, ThreadlineConfigError } from '../errors.js';
import { diag } from '../guard.js';
import { type AnyRegistry, type ContextCounter, createCounter } from '../metrics.js';
import { check } from '../options.js';
import { type DebugRuleInput, type DebugSwitch, debugSwitch } from '../verbosity.js';
import { FailureThrottle } from './throttle.js';

/** How failed attempts at the debug endpoint are throttled. */
export interface DebugThrottleOptions {
  /** Failed attempts one client may make per window before it is answered 429 (default 5). */
  readonly perClient?: number;
  /** Failed attempts of all clients together per window before every caller is answered 429 (default 30). */
  readonly overall?: number;
  /** The window in ms (default 60 000). */
  readonly windowMs?: number;
  /** Clients remembered at most, oldest forgotten first (default 1000). */
  readonly maxClients?: number;
}

/** Options of the HTTP endpoint that adds, lists and removes runtime debug rules. */
export interface DebugEndpointOptions {
  /** Required: callers send `Authorization: Bearer <secret>` (compared in constant time). At least 16 characters. */
  readonly secret: string;
  /** The switch to drive (default: the process-wide one). */
  readonly debugSwitch?: DebugSwitch;
  /** Throttle of failed attempts (per client and overall). */
  readonly throttle?: DebugThrottleOptions;
  /** Registry of `threadline_debug_auth_failures_total` (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
}

/** What the endpoint answers; adapters write it as JSON (no body on 204). */
export interface DebugResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Extra response headers (`retry-after` on 429, `www-authenticate` on 401). */
  readonly headers?: Record<string, string>;
}

/** One call to the endpoint, framework-free. */
export interface DebugRequest {
  readonly method: string;
  /** The path below the endpoint's mount point: `/` or `/<rule id>`. */
  readonly path: string;
  readonly authorization: string | undefined;
  /** The parsed JSON body (POST). */
  readonly body: unknown;
  /** The caller's address, for the per-client throttle (`undefined`: one shared bucket). */
  readonly client?: string | undefined;
}

/** Largest request body the endpoint reads. */
export const MAX_DEBUG_BODY_BYTES = 16 * 1024;
const MIN_SECRET_LENGTH = 16;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests in constant time, so neither the secret's content nor its length leaks. */
function authorized(authorization: string | undefined, expected: Buffer): boolean {
  const given =
    typeof authorization === 'string' && authorization.startsWith('Bearer ')
      ? authorization.slice(7).trim()
      : '';
  return timingSafeEqual(digest(given), expected) && given !== '';
}

function failureCounter(registry: AnyRegistry | undefined): ContextCounter<'outcome'> {
  return createCounter<'outcome'>({
    name: 'threadline_debug_auth_failures_total',
    help: 'Calls to the debug-switch endpoint refused: a wrong or missing secret (rejected), or over the failed-attempt limit (throttled).',
    labelNames: ['outcome'],
    modelLabels: false,
    exemplars: false,
    ...(registry ? { registry } : {}),
  });
}

function throttleOf(component: string, t: DebugThrottleOptions | undefined): FailureThrottle {
  check.keys(component, t, ['perClient', 'overall', 'windowMs', 'maxClients']);
  const int = { min: 1, integer: true };
  return new FailureThrottle({
    perClient: check.number(component, 'throttle.perClient', t?.perClient, 5, int),
    overall: check.number(component, 'throttle.overall', t?.overall, 30, int),
    windowMs: check.number(component, 'throttle.windowMs', t?.windowMs, 60_000, int),
    maxClients: check.number(component, 'throttle.maxClients', t?.maxClients, 1000, int),
  });
}

/**
 * Builds the debug-switch endpoint: `GET /` lists the rules, `POST /` adds one
 * (`{requestId|userId|sessionId|route, ttlMs}`), `DELETE /<id>` removes one. Throws at setup
 * without a secret: a switch that raises log volume must never be open to anyone.
 */
export function createDebugEndpoint(
  component: string,
  options: DebugEndpointOptions,
): (request: DebugRequest) => DebugResponse {
  if (!options || typeof options !== 'object') {
    throw new ThreadlineConfigError(component, 'the debug endpoint needs options with a secret');
  }
  const secret = options.secret;
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new ThreadlineConfigError(
      component,
      `the debug endpoint needs a secret of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  const sw = options.debugSwitch ?? debugSwitch;
  const expected = digest(secret);
  const throttle = throttleOf(component, options.throttle);
  const failures = failureCounter(options.registry);
  return (request): DebugResponse => {
    const client = request.client ?? 'unknown';
    const wait = throttle.retryAfterMs(client);
    if (wait > 0) {
      failures.inc({ outcome: 'throttled' });
      return {
        status: 429,
        headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
        body: { error: 'too many failed attempts' },
      };
    }
    if (!authorized(request.authorization, expected)) {
      failures.inc({ outcome: 'rejected' });
      const spent = throttle.fail(client);
      diag({
        code: codes.AUTH_FAILED,
        component,
        level: 'warn',
        message: spent
          ? `debug endpoint: failed-attempt limit reached (client ${client}); further attempts answered 429 until the window ends`
          : `debug endpoint: wrong or missing secret (client ${client})`,
      });
      return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { error: 'unauthorized' } };
    }
    const path = request.path.replace(/\/+$/, '') || '/';
    if (path === '/') {
      if (request.method === 'GET') return { status: 200, body: { rules: sw.list() } };
      if (request.method === 'POST') {
        try {
          return { status: 201, body: sw.add(request.body as DebugRuleInput) };
        } catch (error) {
          return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
        }
      }
      return { status: 405, body: { error: 'method not allowed' } };
    }
    if (request.method === 'DELETE' && /^\/dbg-\d+$/.test(path)) {
      return sw.remove(path.slice(1)) ? { status: 204 } : { status: 404, body: { error: 'no such rule' } };
    }
    return { status: 404, body: { error: 'not found' } };
  };
}

/**
 * Reads a small JSON body from a plain Node request (when no body parser ran). Resolves
 * `undefined` for an empty body; rejects with a status-carrying error on oversize or bad JSON.
 */
export function readJsonBody(req: IncomingMessage, limit = MAX_DEBUG_BODY_BYTES): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(Object.assign(new Error('invalid JSON'), { status: 400 }));
      }
    });
  });
}
