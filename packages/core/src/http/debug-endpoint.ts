import type { IncomingMessage } from 'node:http';
import { ThreadlineConfigError } from '../errors.js';
import { checkBearerToken } from '../exposition.js';
import { type DebugRuleInput, type DebugSwitch, debugSwitch } from '../verbosity.js';

/** Options of the HTTP endpoint that adds, lists and removes runtime debug rules. */
export interface DebugEndpointOptions {
  /** Required: callers send `Authorization: Bearer <secret>` (compared in constant time). At least 16 characters. */
  readonly secret: string;
  /** The switch to drive (default: the process-wide one). */
  readonly debugSwitch?: DebugSwitch;
}

/** What the endpoint answers; adapters write it as JSON (no body on 204). */
export interface DebugResponse {
  readonly status: number;
  readonly body?: unknown;
}

/** One call to the endpoint, framework-free. */
export interface DebugRequest {
  readonly method: string;
  /** The path below the endpoint's mount point: `/` or `/<rule id>`. */
  readonly path: string;
  readonly authorization: string | undefined;
  /** The parsed JSON body (POST). */
  readonly body: unknown;
}

/** Largest request body the endpoint reads. */
export const MAX_DEBUG_BODY_BYTES = 16 * 1024;
const MIN_SECRET_LENGTH = 16;

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
  return (request) => {
    if (!checkBearerToken(request.authorization, secret))
      return { status: 401, body: { error: 'unauthorized' } };
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
