import { AsyncResource } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { reportError } from '../guard.js';
import { methodLabel } from '../http/constants.js';
import { type ContextHistogram, createHistogram } from '../metrics.js';
import type { ResolvedOutgoingOptions } from './options.js';

/** Labels of `http_client_request_duration_seconds`. */
export type ClientLabel = 'http_request_method' | 'server_address' | 'http_response_status_code';

/** One outgoing call in flight. */
export interface OutgoingCall {
  readonly method: string;
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
  readonly start: number;
  readonly propagated: boolean;
  /** Runs a function in the caller's async context (every AsyncLocalStorage, OpenTelemetry's too). */
  readonly inCaller: (fn: () => void) => void;
  status: number | undefined;
  /** The node:http response, once it arrived (to tell a complete body from a cut one). */
  response?: { readonly complete: boolean };
  done: boolean;
}

const COMPONENT = 'core.outgoing';
const MAX_LOGGED_PATH = 512;

/** Starts tracking one call; must run in the caller's context. */
export function startCall(
  method: string | undefined,
  hostname: string,
  port: string,
  path: string,
  propagated: boolean,
): OutgoingCall {
  return {
    method: method ?? 'GET',
    hostname,
    port,
    path,
    start: performance.now(),
    propagated,
    inCaller: AsyncResource.bind((fn: () => void) => fn()),
    status: undefined,
    done: false,
  };
}

function errorType(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  // A system error's code (ECONNREFUSED, UND_ERR_SOCKET) says more than its class name.
  const code = (error as Error & { code?: unknown }).code;
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  if (typeof cause === 'string') return cause;
  return error.name || 'Error';
}

/** Records finished calls: the duration histogram, and one line per failed or slow call. */
export class CallRecorder {
  readonly duration: ContextHistogram<ClientLabel>;

  constructor(private readonly options: ResolvedOutgoingOptions) {
    this.duration = createHistogram<ClientLabel>({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of outgoing HTTP client requests, by method, server address and status.',
      labelNames: ['http_request_method', 'server_address', 'http_response_status_code'],
      buckets: options.buckets,
      maxLabelValues: options.maxServerAddresses,
      ...(options.registry ? { registry: options.registry } : {}),
    });
  }

  /**
   * Ends a call once: `error` for a call that got no complete response. Runs in the caller's
   * context, so the model labels, the exemplar and the log line's IDs are the caller's.
   */
  finish(call: OutgoingCall, error?: unknown): void {
    if (call.done) return;
    call.done = true;
    const durationMs = performance.now() - call.start;
    call.inCaller(() => {
      try {
        this.record(call, durationMs, error);
      } catch (e) {
        reportError(COMPONENT, e);
      }
    });
  }

  private record(call: OutgoingCall, durationMs: number, error: unknown): void {
    const status = call.status;
    const method = methodLabel(call.method.toUpperCase());
    this.duration.observe(
      {
        http_request_method: method,
        server_address: call.hostname,
        http_response_status_code: error === undefined && status !== undefined ? status : undefined,
      },
      durationMs / 1000,
    );
    const sink = this.options.logger;
    if (!sink) return;
    const failed = error !== undefined || status === undefined || status >= 500;
    const slow = durationMs >= this.options.slowMs;
    if (!failed && !slow) return;
    const fields: Record<string, unknown> = {
      event: 'http_client_request',
      method: call.method.length > 32 ? call.method.slice(0, 32) : call.method,
      server_address: call.hostname,
      server_port: call.port,
      path: call.path.length > MAX_LOGGED_PATH ? call.path.slice(0, MAX_LOGGED_PATH) : call.path,
      duration_ms: Math.round(durationMs * 1000) / 1000,
      propagated: call.propagated,
    };
    if (status !== undefined) fields.status = status;
    if (error !== undefined) {
      fields.error_type = errorType(error);
      fields.error_message = error instanceof Error ? error.message : String(error);
    } else if (status !== undefined && status >= 500) fields.error_type = String(status);
    const message = failed ? 'outgoing request failed' : 'outgoing request slow';
    sink.log(failed ? 'error' : 'warn', fields, message);
  }
}

/** The path of a request target without its query string (which may carry secrets). */
export function pathOnly(path: string | undefined): string {
  if (!path) return '/';
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}
