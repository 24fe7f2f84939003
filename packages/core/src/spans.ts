import { createRequire } from 'node:module';

/** Attribute values a span accepts. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(error: unknown): unknown;
  end(): void;
}

interface ApiLike {
  trace: {
    getTracerProvider(): { getDelegate?(): unknown };
    getTracer(
      name: string,
      version?: string,
    ): {
      startActiveSpan<R>(
        name: string,
        options: { attributes?: Record<string, string | number | boolean> },
        fn: (span: SpanLike) => R,
      ): R;
    };
  };
  ProxyTracerProvider: new () => { getDelegate(): unknown };
}

let api: ApiLike | null | undefined;
let noopDelegate: unknown;
function loadApi(): ApiLike | null {
  if (api !== undefined) return api;
  try {
    api = createRequire(import.meta.url)('@opentelemetry/api') as ApiLike;
    // A fresh proxy's delegate is the API's no-op provider singleton: the thing to compare against.
    noopDelegate = new api.ProxyTracerProvider().getDelegate();
  } catch {
    api = null;
  }
  return api;
}

const SPAN_STATUS_ERROR = 2;
const TRACER_NAME = '@threadline/core';

/** True when `@opentelemetry/api` is installed and the application registered a tracer provider. */
export function tracingEnabled(): boolean {
  const otel = loadApi();
  if (!otel) return false;
  const provider = otel.trace.getTracerProvider();
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  return delegate !== noopDelegate;
}

function clean(
  attributes: SpanAttributes | undefined,
): Record<string, string | number | boolean> | undefined {
  if (!attributes) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const key in attributes) {
    const v = attributes[key];
    if (v !== undefined && (typeof v !== 'number' || Number.isFinite(v))) out[key] = v;
  }
  return out;
}

/**
 * Runs `fn` inside an OpenTelemetry span named `name`, for Threadline's own work (training epochs,
 * validation, drift evaluation, inference phases). With no tracer provider registered it just calls
 * `fn`: the cost is one property check. Errors are recorded on the span and rethrown unchanged;
 * a promise result ends the span when it settles.
 */
export function withSpan<R>(name: string, attributes: SpanAttributes | undefined, fn: () => R): R {
  if (!tracingEnabled()) return fn();
  const tracer = api!.trace.getTracer(TRACER_NAME);
  const attrs = clean(attributes);
  return tracer.startActiveSpan(name, attrs ? { attributes: attrs } : {}, (span) => {
    let result: R;
    try {
      result = fn();
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as Promise<unknown>).then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          fail(span, error);
          span.end();
          throw error;
        },
      ) as R;
    }
    span.end();
    return result;
  });
}

function fail(span: SpanLike, error: unknown): void {
  try {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SPAN_STATUS_ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  } catch {
    // Recording must not replace the user's error.
  }
}
