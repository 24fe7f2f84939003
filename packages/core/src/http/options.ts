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
  /**
   * Paths (exact strings or patterns) that are not logged: no access line, and no exemplar (an
   * exemplar must lead to a line) unless `unloggedExemplars`. They are still measured.
   */
  readonly skip?: readonly (string | RegExp)[];
  /**
   * Paths (exact strings or patterns) that are not measured: no histogram observation, no error
   * count, no in-flight count, no exemplar. They are still logged unless `skip` lists them too.
   */
  readonly skipMetrics?: readonly (string | RegExp)[];
  /**
   * Measure and log Threadline's own endpoints (`/metrics`, the debug switch, dashboard pages) like
   * application routes (default false: they are neither measured nor logged).
   */
  readonly includeOwnEndpoints?: boolean;
  /**
   * Exemplars also on requests whose access line was not written (skipped paths). Default false:
   * an exemplar always leads to a trace that has its access line.
   */
  readonly unloggedExemplars?: boolean;
  /**
   * Share of traces whose `info`/`debug` access lines are kept (default 1: all). A request whose
   * incoming `traceparent` has the sampled flag set is always kept; otherwise the trace ID decides,
   * the same way in every service, and a trace started here carries the decision on in its sampled
   * flag. Lines at `warn` and `error` (4xx, 5xx, aborts) are always kept.
   */
  readonly sampleRate?: number;
  /**
   * A request slower than this (ms) flushes its debug buffer when its line is kept (default 1000).
   * Being slow never overrides the trace's sampling decision, so services agree on every trace.
   */
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
  /** Add `user_agent_original` (the `User-Agent` header, cut to 512 characters) to access lines (default false). */
  readonly logUserAgent?: boolean;
  /**
   * Add `client_address` to access lines (default false): the framework's client IP (Express
   * `req.ip`, Koa `ctx.ip`, which follow its proxy-trust setting), else the socket's peer address.
   */
  readonly logClientAddress?: boolean;
  /** Add `url_query` (the query string, sensitive values redacted, cut to 512 characters) to access lines (default false). */
  readonly logQuery?: boolean;
  /** More query keys to redact in `url_query`, on top of the defaults (`token`, `password`, `secret`, `api_key`, ...). */
  readonly redactQueryKeys?: readonly string[];
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
  readonly skipMetrics: readonly (string | RegExp)[];
  readonly includeOwnEndpoints: boolean;
  readonly unloggedExemplars: boolean;
  readonly sampleRate: number;
  readonly slowMs: number;
  readonly debugBuffer: number;
  readonly identify: ((req: IncomingMessage) => RequestIdentity | undefined) | undefined;
  readonly requestIdHeader: string;
  readonly trustRequestId: boolean;
  readonly maxRequestIdLength: number;
  /** Where `req.log` / `ctx.log` write: the given logger, else a JSON-line sink on stdout. */
  readonly requestLogSink: LogSink;
  readonly logUserAgent: boolean;
  readonly logClientAddress: boolean;
  readonly logQuery: boolean;
  /** Normalised query keys redacted in `url_query`. */
  readonly redactQueryKeys: ReadonlySet<string>;
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
  'skipMetrics',
  'includeOwnEndpoints',
  'unloggedExemplars',
  'sampleRate',
  'slowMs',
  'debugBuffer',
  'identify',
  'requestIdHeader',
  'trustRequestId',
  'maxRequestIdLength',
  'logUserAgent',
  'logClientAddress',
  'logQuery',
  'redactQueryKeys',
] as const;

import { ThreadlineConfigError } from '../errors.js';
import { MAX_REQUEST_ID_LENGTH } from '../ids.js';
import { jsonLineSink } from '../log-sink.js';
import { check } from '../options.js';
import { DEFAULT_REDACTED_QUERY_KEYS, normaliseKey } from './access-line.js';
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
  const sink = sinkOf(component, o.logger);
  const skip = pathList(component, 'skip', o.skip);
  const skipMetrics = pathList(component, 'skipMetrics', o.skipMetrics);
  const redact = o.redactQueryKeys ?? [];
  if (!Array.isArray(redact) || !redact.every((k) => typeof k === 'string' && k !== '')) {
    throw new ThreadlineConfigError(
      component,
      'option redactQueryKeys must be an array of non-empty strings',
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
    logger: sink,
    level: check.fn(component, 'level', o.level, defaultLevel),
    skip,
    skipMetrics,
    includeOwnEndpoints: check.boolean(component, 'includeOwnEndpoints', o.includeOwnEndpoints, false),
    unloggedExemplars: check.boolean(component, 'unloggedExemplars', o.unloggedExemplars, false),
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
    requestLogSink: sink ?? jsonLineSink(),
    logUserAgent: check.boolean(component, 'logUserAgent', o.logUserAgent, false),
    logClientAddress: check.boolean(component, 'logClientAddress', o.logClientAddress, false),
    logQuery: check.boolean(component, 'logQuery', o.logQuery, false),
    redactQueryKeys: new Set([...DEFAULT_REDACTED_QUERY_KEYS, ...redact].map(normaliseKey)),
  };
}

/** The access-line sink: the given one, the default JSON-line sink, or none (`false`). */
function sinkOf(component: string, logger: unknown): LogSink | undefined {
  if (logger === false) return undefined;
  if (logger === undefined) return jsonLineSink();
  if (typeof logger !== 'object' || logger === null || typeof (logger as LogSink).log !== 'function') {
    throw new ThreadlineConfigError(
      component,
      'option logger must be a LogSink ({ log(level, fields, message) }) or false',
    );
  }
  return logger as LogSink;
}

function pathList(component: string, name: string, value: unknown): readonly (string | RegExp)[] {
  const list = value ?? [];
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' || s instanceof RegExp)) {
    throw new ThreadlineConfigError(
      component,
      `option ${name} must be an array of strings and regular expressions`,
    );
  }
  return list;
}
