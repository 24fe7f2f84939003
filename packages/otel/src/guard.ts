import type { telemetryExportErrorReporter } from '@threadline/core';
import type { SpanExporter } from './types.js';

/** `ExportResultCode.FAILED` of @opentelemetry/core (a stable enum value). */
const FAILED = 1;

interface ExportResult {
  code: number;
  error?: Error;
}

type Report = ReturnType<typeof telemetryExportErrorReporter>;

function exporterName(exporter: object): string {
  const name = exporter.constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'exporter';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Wraps a span exporter so that none of its failures reach the process: a throw, a rejected
 * promise (an `async export` nobody awaits would be an unhandled rejection, fatal by default) or a
 * failed result is counted in `threadline_telemetry_export_errors_total` and reported on
 * `threadline:diag`; the SDK is told the export failed and carries on.
 */
export function guardExporter(exporter: SpanExporter, report: Report): SpanExporter {
  const name = exporterName(exporter);
  const inner = exporter as unknown as {
    export(spans: unknown[], done: (result: ExportResult) => void): unknown;
    shutdown?(): Promise<void>;
    forceFlush?(): Promise<void>;
  };
  const settle = async (what: 'shutdown' | 'forceFlush'): Promise<void> => {
    try {
      await inner[what]?.();
    } catch (error) {
      report('traces', name, error);
    }
  };
  const guarded = {
    export(spans: unknown[], done: (result: ExportResult) => void): void {
      let called = false;
      const finish = (result: ExportResult): void => {
        if (called) return;
        called = true;
        if (result?.code !== 0) report('traces', name, result?.error ?? new Error('export failed'));
        try {
          done(result);
        } catch (error) {
          report('traces', name, error);
        }
      };
      try {
        const returned = inner.export(spans, finish) as { then?: unknown } | undefined;
        if (returned && typeof returned.then === 'function') {
          (returned as Promise<unknown>).then(undefined, (error: unknown) =>
            finish({ code: FAILED, error: asError(error) }),
          );
        }
      } catch (error) {
        finish({ code: FAILED, error: asError(error) });
      }
    },
    shutdown: () => settle('shutdown'),
    forceFlush: () => settle('forceFlush'),
  };
  return guarded as unknown as SpanExporter;
}
