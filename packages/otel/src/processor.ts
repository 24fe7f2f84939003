import type { Context, Span } from '@opentelemetry/api';
import { check, getContext, reportError, ThreadlineConfigError } from '@threadline/core';
import type { ThreadlineSpanProcessorOptions } from './types.js';

const COMPONENT = 'otel.processor';

/** The span attributes the processor writes, named as the log fields are, so one query finds both. */
export const SPAN_ATTRIBUTE_NAMES = [
  'model_name',
  'model_version',
  'model_alias',
  'run_id',
  'request_id',
] as const;

type Attributes = Record<string, string>;

/**
 * A span processor that writes the current Threadline context (model name, version and alias, run
 * ID, request ID) onto every span as it starts, so traces can be filtered by model version.
 * It needs nothing from the SDK, so it also fits a tracer provider you build yourself:
 * `new NodeTracerProvider({ spanProcessors: [new ThreadlineSpanProcessor(), ...] })`.
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
      const values: Attributes = {};
      const model = ctx.model;
      if (model) {
        values.model_name = model.name;
        values.model_version = model.version;
        if (model.alias !== undefined) values.model_alias = model.alias;
      }
      if (ctx.run_id !== undefined) values.run_id = ctx.run_id;
      if (ctx.request_id !== undefined) values.request_id = ctx.request_id;
      // What the span's creator set is more specific than the ambient context: keep it.
      const own = (span as { attributes?: Readonly<Record<string, unknown>> }).attributes;
      for (const key in values) {
        if (own?.[key] === undefined) span.setAttribute(key, values[key]!);
      }
      for (const key of this.extra) {
        const value = ctx.attributes[key];
        if (own?.[key] !== undefined) continue;
        if (typeof value === 'string' || typeof value === 'boolean') span.setAttribute(key, value);
        else if (typeof value === 'number' && Number.isFinite(value)) span.setAttribute(key, value);
      }
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }

  /** Nothing to do when a span ends: the attributes were written at start. */
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
