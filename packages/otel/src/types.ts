import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

/** A span processor as the OpenTelemetry SDK accepts it. */
export type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];
/** A span exporter as the OpenTelemetry SDK accepts it. */
export type SpanExporter = NodeSDKConfiguration['traceExporter'];
/** One OpenTelemetry instrumentation instance. */
export type Instrumentation = Exclude<NodeSDKConfiguration['instrumentations'][number], readonly unknown[]>;
/** A metric reader as the OpenTelemetry SDK accepts it. */
export type MetricReader = NonNullable<NodeSDKConfiguration['metricReaders']>[number];
/** A log record processor as the OpenTelemetry SDK accepts it. */
export type LogRecordProcessor = NonNullable<NodeSDKConfiguration['logRecordProcessors']>[number];

/**
 * One optional instrumentation: `true` to enable it with its defaults, or its own config object
 * (passed unchanged to the instrumentation's constructor).
 */
export type InstrumentationSwitch = boolean | Record<string, unknown>;

/** Which instrumentations `startTelemetry` registers. */
export interface InstrumentationOptions {
  /** `@opentelemetry/instrumentation-http` (default on): one server span per incoming request. */
  readonly http?: InstrumentationSwitch;
  /** `@opentelemetry/instrumentation-express` (default off; install it to turn it on). */
  readonly express?: InstrumentationSwitch;
  /** `@opentelemetry/instrumentation-koa` (default off; install it to turn it on). */
  readonly koa?: InstrumentationSwitch;
}

/** Options of `startTelemetry`. Everything is optional: the `OTEL_*` environment fills the rest. */
export interface TelemetryOptions {
  /**
   * `service.name` on the resource, and the `service` field of the log lines of every Threadline
   * logger created afterwards. Default: core's `resolveServiceName()` (`OTEL_SERVICE_NAME`,
   * `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, the nearest package.json name, `unknown_service:node`).
   */
  readonly serviceName?: string;
  /** `service.version` on the resource. */
  readonly serviceVersion?: string;
  /** Extra resource attributes (e.g. `deployment.environment.name`). */
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean>>;
  /** Instrumentations to register (default: http only). */
  readonly instrumentations?: InstrumentationOptions;
  /** More instrumentation instances to register as they are. */
  readonly extraInstrumentations?: readonly Instrumentation[];
  /**
   * Where finished spans go. Default: exporters chosen from `OTEL_TRACES_EXPORTER` (otlp, console,
   * none; default otlp) with the protocol from `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` /
   * `OTEL_EXPORTER_OTLP_PROTOCOL` (http/protobuf, http/json, grpc), batched per `OTEL_BSP_*`.
   * Give `traceExporter` to batch into your own exporter, or `spanProcessors` to take full control.
   */
  readonly traceExporter?: SpanExporter;
  /** Span processors used instead of the exporters above (Threadline's processor is always added first). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /**
   * Export metrics through the SDK as well (default false: Threadline's metrics are served by
   * prom-client). When true, `OTEL_METRICS_EXPORTER` and friends decide, unless `metricReaders` is given.
   */
  readonly metrics?: boolean;
  /** Metric readers to use when `metrics` is on. */
  readonly metricReaders?: readonly MetricReader[];
  /**
   * Set up the SDK's log pipeline as well (default false: logs go through winston/pino). When true,
   * `OTEL_LOGS_EXPORTER` and friends decide, unless `logRecordProcessors` is given.
   */
  readonly logs?: boolean;
  /** Log record processors to use when `logs` is on. */
  readonly logRecordProcessors?: readonly LogRecordProcessor[];
  /**
   * Register OpenTelemetry's ESM loader hook (import-in-the-middle), limited to the modules the
   * instrumentations patch, so an ESM app's `import express from 'express'` is instrumented too.
   * Default: on when an instrumentation other than http is enabled. Needs Node >= 20.6 and must
   * run before the app is imported (call `startTelemetry` from a `node --import` file).
   */
  readonly esmHook?: boolean;
  /** Options of the Threadline span processor that is always installed. */
  readonly spanAttributes?: ThreadlineSpanProcessorOptions;
  /** Where `threadline_telemetry_export_errors_total` is registered (default: prom-client's global registry). */
  readonly registry?: import('@threadline/core').SinkErrorOptions['registry'];
}

/** Options of `ThreadlineSpanProcessor`. */
export interface ThreadlineSpanProcessorOptions {
  /**
   * Also copy these free context attributes (set with `setAttribute`) onto spans, under the same
   * names. Keep the list short: every name is copied to every span.
   */
  readonly attributes?: readonly string[];
}

/** Flushes and stops everything `startTelemetry` started. Safe to call more than once. */
export type ShutdownTelemetry = () => Promise<void>;
