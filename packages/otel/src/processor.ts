import type { Context, Span } from '@opentelemetry/api';
import {
  check,
  contextSpanAttributes,
  getContext,
  reportError,
  SPAN_CONTEXT_ATTRIBUTES,
  ThreadlineConfigError,
  type ThreadlineContext,
} from '@threadline/core';
import type { ThreadlineSpanProcessorOptions } from './types.js';

const COMPONENT = 'otel.processor';

/** The span attributes the processor writes, named as the log fields are (core's `SPAN_CONTEXT_ATTRIBUTES`). */
export const SPAN_ATTRIBUTE_NAMES = SPAN_CONTEXT_ATTRIBUTES;

/** `SpanKind.SERVER` of @opentelemetry/api (a stable enum value). */
const SERVER = 1;

interface WritableSpan {
  readonly kind?: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
  spanContext(): { traceId: string };
  setAttribute(key: string, value: string | number | boolean): unknown;
}

/**
 * A span processor that writes the current Threadline context (model name, version and alias, run
 * ID, request ID) onto every span as it starts, so traces can be filtered by model version. The
 * HTTP server span starts before the middleware has made the request's context: it gets the same
 * attributes as it ends (`onEnding`, while the span can still be written), from the context of
 * the same trace. It needs nothing from the SDK, so it also fits a tracer provider you build
 * yourself: `new NodeTracerProvider({ spanProcessors: [new ThreadlineSpanProcessor(), ...] })`.
 */
export class ThreadlineSpanProcessor {
  private readonly extra: readonly string[];

  /** Validates the options; throws `ThreadlineConfigError` on bad ones. */
  constructor(options: ThreadlineSpanProcessorOptions = {}) {
    check.keys(COMPONENT, options, ['attributes']);
    const extra: unknown = options.attributes ?? [];
    if (!Array.isArray(extra)) {
      throw new ThreadlineConfigError(COMPONENT, 'option attributes must be an array of attribute names');
    }
    extra.forEach((name, i) => {
      check.string(COMPONENT, `attributes[${i}]`, name, undefined);
    });
    this.extra = [...extra];
  }

  /** Copies the context onto the span. Runs on the caller's path, so it never throws. */
  onStart(span: Span, _parentContext: Context): void {
    const ctx = getContext();
    if (!ctx) return;
    try {
      this.write(span as unknown as WritableSpan, ctx);
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }

  /**
   * A server span is ended by the HTTP instrumentation once the response is out, in the request's
   * async flow: the middleware's context is current. Only a context of the span's own trace is
   * used, so a span ended from elsewhere never takes another request's attributes.
   */
  onEnding(span: Span): void {
    try {
      const s = span as unknown as WritableSpan;
      if (s.kind !== SERVER) return;
      const ctx = getContext();
      if (!ctx || ctx.trace_id !== s.spanContext().traceId) return;
      this.write(s, ctx);
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }

  private write(span: WritableSpan, ctx: Readonly<ThreadlineContext>): void {
    const values = contextSpanAttributes(ctx);
    // What the span's creator set is more specific than the ambient context: keep it.
    const own = span.attributes;
    for (const key in values) {
      const value = values[key as keyof typeof values];
      if (value !== undefined && own?.[key] === undefined) span.setAttribute(key, value);
    }
    for (const key of this.extra) {
      const value = ctx.attributes[key];
      if (own?.[key] !== undefined) continue;
      if (typeof value === 'string' || typeof value === 'boolean') span.setAttribute(key, value);
      else if (typeof value === 'number' && Number.isFinite(value)) span.setAttribute(key, value);
    }
  }

  /** Nothing to do once a span has ended: the attributes were written at start or while ending. */
  onEnd(_span: unknown): void {}

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
