import { ThreadlineConfigError } from '@threadline/core';
import type { OtlpExporterModule, TraceSdkModule } from './internal-types.js';
import type { SpanExporter, SpanProcessor } from './types.js';

const COMPONENT = 'otel.env';

// The OTLP exporters read their endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*
// themselves; only the choice of exporter and the batching are decided here. The SDK does the
// same when it owns the span processors, but it cannot be given an extra processor beside them.
const OTLP_PACKAGES: Record<string, string> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
};

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === '' ? undefined : value;
}

function list(name: string): string[] {
  return (env(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'null');
}

function count(name: string): number | undefined {
  const raw = env(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ThreadlineConfigError(
      COMPONENT,
      `${name} must be a non-negative integer, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** The protocol of the OTLP trace exporter: the traces-specific variable first, then the general one. */
export function otlpTraceProtocol(): string {
  return env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
}

/** A batching processor over `exporter`, tuned by the standard `OTEL_BSP_*` variables. */
export function batchProcessor(traceSdk: TraceSdkModule, exporter: SpanExporter): SpanProcessor {
  const options: ConstructorParameters<TraceSdkModule['BatchSpanProcessor']>[0] = { exporter };
  const maxQueueSize = count('OTEL_BSP_MAX_QUEUE_SIZE');
  const scheduledDelayMillis = count('OTEL_BSP_SCHEDULE_DELAY');
  const exportTimeoutMillis = count('OTEL_BSP_EXPORT_TIMEOUT');
  const maxExportBatchSize = count('OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  if (maxQueueSize !== undefined) options.maxQueueSize = maxQueueSize;
  if (scheduledDelayMillis !== undefined) options.scheduledDelayMillis = scheduledDelayMillis;
  if (exportTimeoutMillis !== undefined) options.exportTimeoutMillis = exportTimeoutMillis;
  if (maxExportBatchSize !== undefined) options.maxExportBatchSize = maxExportBatchSize;
  return new traceSdk.BatchSpanProcessor(options);
}

/**
 * The export processors `OTEL_TRACES_EXPORTER` asks for (default `otlp`; `none` for none).
 * Unknown exporters or protocols throw at setup rather than silently dropping every span.
 */
export function exportProcessorsFromEnv(
  traceSdk: TraceSdkModule,
  load: (name: string) => unknown,
  guard: (exporter: SpanExporter) => SpanExporter = (e) => e,
): SpanProcessor[] {
  let names = [...new Set(list('OTEL_TRACES_EXPORTER'))];
  if (names.length === 0) names = ['otlp'];
  if (names.includes('none')) {
    if (names.length > 1) {
      throw new ThreadlineConfigError(COMPONENT, `OTEL_TRACES_EXPORTER mixes "none" with ${names.join(',')}`);
    }
    return [];
  }
  return names.map((name) => {
    if (name === 'console')
      return new traceSdk.SimpleSpanProcessor({ exporter: guard(new traceSdk.ConsoleSpanExporter()) });
    if (name !== 'otlp') {
      throw new ThreadlineConfigError(
        COMPONENT,
        `OTEL_TRACES_EXPORTER=${name} is not supported here (otlp, console, none); pass traceExporter instead`,
      );
    }
    const protocol = otlpTraceProtocol();
    const pkg = OTLP_PACKAGES[protocol];
    if (!pkg) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `unknown OTLP protocol ${JSON.stringify(protocol)}; use one of ${Object.keys(OTLP_PACKAGES).join(', ')}`,
      );
    }
    const { OTLPTraceExporter } = load(pkg) as OtlpExporterModule;
    return batchProcessor(traceSdk, guard(new OTLPTraceExporter()));
  });
}
