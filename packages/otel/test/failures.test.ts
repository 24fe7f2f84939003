// An exporter that throws, rejects or reports failure must not end the process: each failure is
// counted, reported on threadline:diag, and the SDK keeps exporting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRegistry, type DiagEvent, onDiag, withSpan } from '@threadline/core';
import { findSamples, parsePromText } from '../../../test/helpers/prom-text.js';
import { startTelemetry } from '../src/index.js';

class FlakyExporter {
  calls = 0;
  exported = 0;
  export(spans: unknown[], done: (result: { code: number; error?: Error }) => void): unknown {
    this.calls++;
    if (this.calls === 1) throw new Error('exporter bug');
    if (this.calls === 2) return Promise.reject(new Error('collector down'));
    if (this.calls === 3) {
      done({ code: 1, error: new Error('HTTP 503') });
      return undefined;
    }
    this.exported += spans.length;
    done({ code: 0 });
    return undefined;
  }
  shutdown(): Promise<void> {
    return Promise.reject(new Error('shutdown failed'));
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), 'condition reached');
}

test('a throwing, rejecting or failing exporter is counted and contained', async () => {
  const saved = process.env.OTEL_BSP_SCHEDULE_DELAY;
  process.env.OTEL_BSP_SCHEDULE_DELAY = '5';
  const registry = createRegistry();
  const exporter = new FlakyExporter();
  const events: DiagEvent[] = [];
  const unsubscribe = onDiag((e) => events.push(e));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const shutdown = startTelemetry({
    instrumentations: { http: false },
    traceExporter: exporter as never,
    registry,
  });
  try {
    for (let i = 1; i <= 4; i++) {
      await withSpan(`work-${i}`, {}, async () => {});
      await until(() => exporter.calls >= i);
    }
    await until(() => exporter.exported >= 1);
    await shutdown();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    const failures = events.filter((e) => e.code === 'TL_TELEMETRY_EXPORT_FAILED');
    assert.ok(failures.length >= 4, `diag events: ${failures.map((e) => e.message).join('; ')}`);
    const samples = findSamples(
      parsePromText(await registry.metrics()),
      'threadline_telemetry_export_errors_total',
    );
    const total = samples.reduce((n, s) => n + s.value, 0);
    assert.ok(total >= 4, `counted ${total}`);
    assert.ok(samples.every((s) => s.labels.signal === 'traces' && s.labels.exporter === 'FlakyExporter'));
  } finally {
    process.off('unhandledRejection', onUnhandled);
    unsubscribe();
    await shutdown();
    if (saved === undefined) delete process.env.OTEL_BSP_SCHEDULE_DELAY;
    else process.env.OTEL_BSP_SCHEDULE_DELAY = saved;
  }
});
