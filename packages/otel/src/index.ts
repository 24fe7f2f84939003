export { SPAN_ATTRIBUTE_NAMES, ThreadlineSpanProcessor } from './processor.js';
export { startTelemetry } from './telemetry.js';
export type {
  Instrumentation,
  InstrumentationOptions,
  InstrumentationSwitch,
  LogRecordProcessor,
  MetricReader,
  ShutdownTelemetry,
  SpanExporter,
  SpanProcessor,
  TelemetryOptions,
  ThreadlineSpanProcessorOptions,
} from './types.js';
