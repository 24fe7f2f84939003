import { diag } from './guard.js';
import { type ContextCounter, createCounter } from './metrics.js';

/** Stable codes of the failures reported here (on the `threadline:diag` channel). */
export const sinkErrorCodes = {
  /** A log transport or destination failed (emitted `error`, threw); the logger keeps serving. */
  LOG_TRANSPORT_FAILED: 'TL_LOG_TRANSPORT_FAILED',
  /** A telemetry exporter failed (threw, rejected, reported failure); the process keeps serving. */
  TELEMETRY_EXPORT_FAILED: 'TL_TELEMETRY_EXPORT_FAILED',
} as const;

/** Counter of failed log writes, by logger (`winston`, `pino`) and transport name. */
export const LOG_TRANSPORT_ERRORS = 'threadline_log_transport_errors_total';
/** Counter of failed telemetry exports, by signal (`traces`, ...) and exporter name. */
export const TELEMETRY_EXPORT_ERRORS = 'threadline_telemetry_export_errors_total';

/** Where the failure counters are registered: prom-client's global registry unless told otherwise. */
export interface SinkErrorOptions {
  readonly registry?: Parameters<typeof createCounter>[0]['registry'];
}

function counter(
  name: string,
  help: string,
  labels: [string, string],
  options: SinkErrorOptions,
): ContextCounter<string> {
  return createCounter({
    name,
    help,
    labelNames: labels,
    modelLabels: false,
    exemplars: false,
    // Transport and exporter names come from configuration, not requests: a handful per process.
    maxLabelValues: 20,
    ...(options.registry ? { registry: options.registry } : {}),
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Returns the function a Threadline logger calls when a transport fails: it counts the failure in
 * `threadline_log_transport_errors_total{logger,transport}` and publishes `TL_LOG_TRANSPORT_FAILED`.
 * The counter is created at setup (now), so a bad registry fails here, not at the first failure.
 */
export function logTransportErrorReporter(
  logger: string,
  options: SinkErrorOptions = {},
): (transport: string, error: unknown) => void {
  const errors = counter(
    LOG_TRANSPORT_ERRORS,
    'Log writes that failed in a transport or destination; the logger kept serving.',
    ['logger', 'transport'],
    options,
  );
  return (transport, error) => {
    try {
      errors.inc({ logger, transport });
    } catch {
      // Counting must not turn one failure into two.
    }
    diag({
      code: sinkErrorCodes.LOG_TRANSPORT_FAILED,
      component: logger,
      level: 'error',
      message: `log transport ${transport} failed: ${message(error)}`,
      error,
    });
  };
}

/**
 * Returns the function Threadline's telemetry calls when an exporter fails: it counts the failure
 * in `threadline_telemetry_export_errors_total{signal,exporter}` and publishes
 * `TL_TELEMETRY_EXPORT_FAILED`.
 */
export function telemetryExportErrorReporter(
  options: SinkErrorOptions = {},
): (signal: string, exporter: string, error: unknown) => void {
  const errors = counter(
    TELEMETRY_EXPORT_ERRORS,
    'Telemetry exports that failed (threw, rejected or reported failure); the process kept serving.',
    ['signal', 'exporter'],
    options,
  );
  return (signal, exporter, error) => {
    try {
      errors.inc({ signal, exporter });
    } catch {
      // As above.
    }
    diag({
      code: sinkErrorCodes.TELEMETRY_EXPORT_FAILED,
      component: 'otel',
      level: 'error',
      message: `${signal} exporter ${exporter} failed: ${message(error)}`,
      error,
    });
  };
}
