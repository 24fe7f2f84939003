import { ThreadlineConfigError } from '../errors.js';
import { DEFAULT_DURATION_BUCKETS } from '../http/constants.js';
import { jsonLineSink, type LogSink } from '../log-sink.js';
import type { AnyRegistry } from '../metrics.js';
import { check } from '../options.js';
import {
  type Destination,
  type DestinationPattern,
  type DestinationPolicy,
  destinationFilter,
} from './destinations.js';

/** Options of `installOutgoingPropagation`. */
export interface OutgoingOptions {
  /** Instrument `fetch` (undici, through its diagnostics channels) (default true). */
  readonly fetch?: boolean;
  /** Instrument `node:http` and `node:https` requests (default true). */
  readonly http?: boolean;
  /**
   * Destinations that receive the context's headers (default `'internal'`: loopback and private
   * addresses, single-label and `.local`/`.internal`/`.svc` names). `'all'` sends them everywhere.
   * Metrics and log lines cover every call, wherever it goes.
   */
  readonly propagateTo?: DestinationPolicy;
  /** Destinations that never receive them, whatever `propagateTo` says. */
  readonly doNotPropagateTo?: readonly DestinationPattern[];
  /** Send `traceparent`/`tracestate` (default true). */
  readonly traceContext?: boolean;
  /** Send the request ID (default true), in `requestIdHeader` (default `x-request-id`). */
  readonly requestId?: boolean;
  readonly requestIdHeader?: string;
  /** Forward the context's W3C Baggage (default true). */
  readonly baggage?: boolean;
  /** Add the calling model (`model_name`, `model_version`) to outgoing baggage (default false). */
  readonly baggageModel?: boolean;
  /** Context attributes added to outgoing baggage under their own names (default none). */
  readonly baggageAttributes?: readonly string[];
  /** Registry of `http_client_request_duration_seconds` (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /** Buckets of the duration histogram, in seconds (default: the OpenTelemetry HTTP buckets). */
  readonly buckets?: readonly number[];
  /** Distinct `server_address` values (and other label values) kept before `__overflow__` (default 100). */
  readonly maxServerAddresses?: number;
  /** Where the line of a failed or slow call goes (default: one JSON line on stdout); `false`: none. */
  readonly logger?: LogSink | false;
  /** A call slower than this (ms) is logged (default 1000). */
  readonly slowMs?: number;
}

/** The options after validation. */
export interface ResolvedOutgoingOptions {
  readonly fetch: boolean;
  readonly http: boolean;
  readonly propagate: (d: Destination) => boolean;
  readonly traceContext: boolean;
  readonly requestIdHeader: string | undefined;
  readonly baggage: boolean;
  readonly baggageModel: boolean;
  readonly baggageAttributes: readonly string[];
  readonly registry: AnyRegistry | undefined;
  readonly buckets: readonly number[];
  readonly maxServerAddresses: number;
  readonly logger: LogSink | undefined;
  readonly slowMs: number;
}

const COMPONENT = 'core.outgoing';
const KEYS = [
  'fetch',
  'http',
  'propagateTo',
  'doNotPropagateTo',
  'traceContext',
  'requestId',
  'requestIdHeader',
  'baggage',
  'baggageModel',
  'baggageAttributes',
  'registry',
  'buckets',
  'maxServerAddresses',
  'logger',
  'slowMs',
] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Validates the options at setup (throws `ThreadlineConfigError`) and applies the defaults. */
export function resolveOutgoingOptions(options: OutgoingOptions = {}): ResolvedOutgoingOptions {
  check.keys(COMPONENT, options, KEYS);
  const o = options;
  const header = check.string(COMPONENT, 'requestIdHeader', o.requestIdHeader, 'x-request-id').toLowerCase();
  if (!HEADER_NAME.test(header)) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `option requestIdHeader is not a valid header name: ${JSON.stringify(header)}`,
    );
  }
  const attrs = o.baggageAttributes ?? [];
  if (!Array.isArray(attrs) || !attrs.every((a) => typeof a === 'string' && TOKEN.test(a))) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option baggageAttributes must be a list of baggage keys (tokens)',
    );
  }
  const logger = o.logger;
  if (logger !== undefined && logger !== false && typeof (logger as LogSink | null)?.log !== 'function') {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option logger must be a LogSink ({ log(level, fields, message) }) or false',
    );
  }
  const registry = o.registry;
  if (registry !== undefined && typeof registry?.getMetricsAsArray !== 'function') {
    throw new ThreadlineConfigError(COMPONENT, 'option registry must be a prom-client Registry');
  }
  return {
    fetch: check.boolean(COMPONENT, 'fetch', o.fetch, true),
    http: check.boolean(COMPONENT, 'http', o.http, true),
    propagate: destinationFilter(o.propagateTo, o.doNotPropagateTo),
    traceContext: check.boolean(COMPONENT, 'traceContext', o.traceContext, true),
    requestIdHeader: check.boolean(COMPONENT, 'requestId', o.requestId, true) ? header : undefined,
    baggage: check.boolean(COMPONENT, 'baggage', o.baggage, true),
    baggageModel: check.boolean(COMPONENT, 'baggageModel', o.baggageModel, false),
    baggageAttributes: [...attrs],
    registry,
    buckets: o.buckets ?? DEFAULT_DURATION_BUCKETS,
    maxServerAddresses: check.number(COMPONENT, 'maxServerAddresses', o.maxServerAddresses, 100, {
      min: 1,
      max: 10_000,
      integer: true,
    }),
    logger: logger === false ? undefined : (logger ?? jsonLineSink()),
    slowMs: check.number(COMPONENT, 'slowMs', o.slowMs, 1000, { min: 0 }),
  };
}
