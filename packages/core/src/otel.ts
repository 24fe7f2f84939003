import { createRequire } from 'node:module';

/** The part of an OpenTelemetry span context Threadline reads. */
export interface OtelSpanIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: string;
  readonly tracestate?: string;
}

interface OtelApiLike {
  trace: {
    getActiveSpan():
      | {
          spanContext(): {
            traceId: string;
            spanId: string;
            traceFlags: number;
            traceState?: { serialize(): string };
          };
        }
      | undefined;
  };
}

// @opentelemetry/api is an optional peer: resolve it once, lazily, and never fail without it.
// Its own globals live under a versioned Symbol.for key, so whichever copy we load sees the
// tracer and context manager the application registered.
let api: OtelApiLike | null | undefined;
function loadApi(): OtelApiLike | null {
  if (api !== undefined) return api;
  try {
    const require = createRequire(import.meta.url);
    api = require('@opentelemetry/api') as OtelApiLike;
  } catch {
    api = null;
  }
  return api;
}

const INVALID_TRACE = '00000000000000000000000000000000';

// Where @opentelemetry/api 1.x keeps what the application registered (the supported peer range is
// ^1.3, which all share this key).
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** True when an OpenTelemetry context manager is registered (an SDK was started). */
function hasContextManager(): boolean {
  const registered = (globalThis as Record<symbol, { context?: unknown } | undefined>)[OTEL_GLOBAL];
  return registered !== undefined && registered.context !== undefined;
}

/**
 * The IDs of the active OpenTelemetry span, when `@opentelemetry/api` is installed and a span is
 * active (e.g. started by `@opentelemetry/instrumentation-http`); otherwise `undefined`.
 */
export function activeOtelSpan(): OtelSpanIds | undefined {
  // No context manager registered (no SDK started): no span can be active, and asking the API
  // walks five calls to its no-op manager. This runs for every request and every log line.
  if (!hasContextManager()) return undefined;
  const otel = api === undefined ? loadApi() : api;
  if (!otel) return undefined;
  try {
    const span = otel.trace.getActiveSpan();
    if (!span) return undefined;
    const sc = span.spanContext();
    if (!sc || sc.traceId === INVALID_TRACE) return undefined;
    const state = sc.traceState?.serialize();
    return {
      traceId: sc.traceId,
      spanId: sc.spanId,
      traceFlags: (sc.traceFlags & 0xff).toString(16).padStart(2, '0'),
      ...(state ? { tracestate: state } : {}),
    };
  } catch {
    return undefined;
  }
}
