import type { SpanExporter, SpanProcessor } from './types.js';

/** The parts of `@opentelemetry/sdk-trace` used here (the same in its 2.x and 3.x lines). */
export interface TraceSdkModule {
  BatchSpanProcessor: new (options: {
    exporter: SpanExporter;
    maxQueueSize?: number;
    maxExportBatchSize?: number;
    scheduledDelayMillis?: number;
    exportTimeoutMillis?: number;
  }) => SpanProcessor;
  SimpleSpanProcessor: new (options: { exporter: SpanExporter }) => SpanProcessor;
  ConsoleSpanExporter: new () => SpanExporter;
}

/** Each OTLP trace exporter package exports one class of this shape. */
export interface OtlpExporterModule {
  OTLPTraceExporter: new () => SpanExporter;
}

/** The parts of `@opentelemetry/resources` used here. */
export interface ResourcesModule {
  defaultResource(): ResourceLike;
  resourceFromAttributes(attributes: Record<string, string | number | boolean>): ResourceLike;
}

/** A resource, as far as this package handles one. */
export interface ResourceLike {
  merge(other: ResourceLike | null): ResourceLike;
}
