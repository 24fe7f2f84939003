import type { IncomingMessage } from 'node:http';
import type { LogLevel, LogSink } from '../log-sink.js';
import type { AnyRegistry } from '../metrics.js';

/** Who a request is on behalf of, for the runtime debug switch (never a metric label). */
export interface RequestIdentity {
  readonly userId?: string | undefined;
  readonly sessionId?: string | undefined;
}

/** What the level chooser and the skip test see of a finished request. */
export interface FinishedRequest {
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly aborted: boolean;
  readonly error: unknown;
}

/** Options shared by the Express and Koa middleware. */
export interface HttpOptions {
  /** prom-client registry for the HTTP metrics (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /** Buckets of the duration histogram, in seconds (default: the OpenTelemetry HTTP buckets). */
  readonly buckets?: readonly number[];
  /** Buckets of the body-size histograms, in bytes. */
  readonly sizeBuckets?: readonly number[];
  /** Trace exemplars on the histograms (default: on when the registry serves OpenMetrics). */
  readonly exemplars?: boolean;
  /** Distinct routes (and other label values) kept before folding into `__overflow__` (default 200). */
  readonly maxRoutes?: number;
  /** Where access lines go (default: one JSON line per request on stdout); `false` turns them off. */
  readonly logger?: LogSink | false;
  /** The access line's level (default: 5xx `error`, 4xx and client aborts `warn`, else `info`). */
  readonly level?: (request: FinishedRequest) => LogLevel;
  /** Paths (exact strings or patterns) whose access lines are not written, e.g. `['/healthz', '/metrics']`. */
  readonly skip?: readonly (string | RegExp)[];
  /**
   * Share of ordinary access lines kept, decided from the trace ID so every service and every line
   * of a trace agree (default 1: all). Errors, 4xx and slow requests are always kept.
   */
  readonly sampleRate?: number;
  /** A request slower than this (ms) is always logged and flushes its debug buffer (default 1000). */
  readonly slowMs?: number;
  /** Debug lines held per request until it ends, written only if it fails or is slow (default 100; 0: off). */
  readonly debugBuffer?: number;
  /** Extracts user and session IDs for the runtime debug switch. Runs inside a guard. */
  readonly identify?: (req: IncomingMessage) => RequestIdentity | undefined;
  /** Header carrying the request ID in and out (default `x-request-id`). */
  readonly requestIdHeader?: string;
  /** Adopt a valid incoming request ID (default true); otherwise always generate one. */
  readonly trustRequestId?: boolean;
  /** Longest incoming request ID adopted (default 128). */
  readonly maxRequestIdLength?: number;
}

/** The HTTP options after validation, with defaults applied. */
export interface ResolvedHttpOptions {
  readonly registry: AnyRegistry | undefined;
  readonly buckets: readonly number[];
  readonly sizeBuckets: readonly number[];
  readonly exemplars: boolean | undefined;
  readonly maxRoutes: number;
  readonly logger: LogSink | undefined;
  readonly level: (request: FinishedRequest) => LogLevel;
  readonly skip: readonly (string | RegExp)[];
  readonly sampleRate: number;
  readonly slowMs: number;
  readonly debugBuffer: number;
  readonly identify: ((req: IncomingMessage) => RequestIdentity | undefined) | undefined;
  readonly requestIdHeader: string;
  readonly trustRequestId: boolean;
  readonly maxRequestIdLength: number;
}

/** Option keys both adapters accept. */
export const HTTP_OPTION_KEYS = [
  'registry',
  'buckets',
  'sizeBuckets',
  'exemplars',
  'maxRoutes',
  'logger',
  'level',
  'skip',
  'sampleRate',
  'slowMs',
  'debugBuffer',
  'identify',
  'requestIdHeader',
  'trustRequestId',
  'maxRequestIdLength',
] as const;

import { ThreadlineConfigError } from '../errors.js';
import { MAX_REQUEST_ID_LENGTH } from '../ids.js';
import { jsonLineSink } from '../log-sink.js';
import { check } from '../options.js';
import { DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS } from './constants.js';

/** The default level of an access line: 5xx `error`, 4xx and client aborts `warn`, else `info`. */
export function defaultLevel(request: FinishedRequest): LogLevel {
  if (request.status >= 500) return 'error';
  if (request.aborted || request.status >= 400) return 'warn';
  return 'info';
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** Validates HTTP middleware options at setup (throws ThreadlineConfigError) and applies defaults. */
export function resolveHttpOptions(
  component: string,
  options: HttpOptions | undefined,
  extraKeys: readonly string[] = [],
): ResolvedHttpOptions {
  check.keys(component, options, [...HTTP_OPTION_KEYS, ...extraKeys]);
  const o = options ?? {};
  const logger = o.logger;
  if (
    logger !== undefined &&
    logger !== false &&
    (typeof logger !== 'object' || typeof logger?.log !== 'function')
  ) {
    throw new ThreadlineConfigError(
      component,
      'option logger must be a LogSink ({ log(level, fields, message) }) or false',
    );
  }
  const skip = o.skip ?? [];
  if (!Array.isArray(skip) || !skip.every((s) => typeof s === 'string' || s instanceof RegExp)) {
    throw new ThreadlineConfigError(
      component,
      'option skip must be an array of strings and regular expressions',
    );
  }
  const header = check.string(component, 'requestIdHeader', o.requestIdHeader, 'x-request-id').toLowerCase();
  if (!HEADER_NAME.test(header)) {
    throw new ThreadlineConfigError(
      component,
      `option requestIdHeader is not a valid header name: ${JSON.stringify(header)}`,
    );
  }
  const registry = o.registry;
  if (
    registry !== undefined &&
    (typeof registry !== 'object' || typeof registry?.getMetricsAsArray !== 'function')
  ) {
    throw new ThreadlineConfigError(component, 'option registry must be a prom-client Registry');
  }
  return {
    registry,
    buckets: o.buckets ?? DEFAULT_DURATION_BUCKETS,
    sizeBuckets: o.sizeBuckets ?? DEFAULT_SIZE_BUCKETS,
    exemplars:
      o.exemplars === undefined ? undefined : check.boolean(component, 'exemplars', o.exemplars, true),
    maxRoutes: check.number(component, 'maxRoutes', o.maxRoutes, 200, {
      min: 1,
      max: 100_000,
      integer: true,
    }),
    logger: logger === false ? undefined : (logger ?? jsonLineSink()),
    level: check.fn(component, 'level', o.level, defaultLevel),
    skip,
    sampleRate: check.number(component, 'sampleRate', o.sampleRate, 1, { min: 0, max: 1 }),
    slowMs: check.number(component, 'slowMs', o.slowMs, 1000, { min: 0 }),
    debugBuffer: check.number(component, 'debugBuffer', o.debugBuffer, 100, {
      min: 0,
      max: 10_000,
      integer: true,
    }),
    identify: check.fn(component, 'identify', o.identify, undefined),
    requestIdHeader: header,
    trustRequestId: check.boolean(component, 'trustRequestId', o.trustRequestId, true),
    maxRequestIdLength: check.number(
      component,
      'maxRequestIdLength',
      o.maxRequestIdLength,
      MAX_REQUEST_ID_LENGTH,
      {
        min: 1,
        max: 1024,
        integer: true,
      },
    ),
  };
}
