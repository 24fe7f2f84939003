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

/**
 * The IDs of the active OpenTelemetry span, when `@opentelemetry/api` is installed and a span is
 * active (e.g. started by `@opentelemetry/instrumentation-http`); otherwise `undefined`.
 */
export function activeOtelSpan(): OtelSpanIds | undefined {
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
