import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { budgetedWriter, DIAG_CHANNEL, type DiagEvent, type LogLevel, type LogSink } from '@threadline/core';
import { ReportPublisher } from '../src/publish.js';
import type { DriftReport } from '../src/types.js';

function sink(): LogSink & { lines: { level: LogLevel; fields: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; fields: Record<string, unknown> }[] = [];
  return { lines, log: (level, fields) => lines.push({ level, fields }) };
}

function report(features: Record<string, { drift: boolean; skipped?: string }>): DriftReport {
  return {
    drift_share: 0.5,
    dataset_drift: false,
    features: Object.fromEntries(
      Object.entries(features).map(([name, f]) => [
        name,
        { method: 'ks', statistic: 0.3, p_value: 0.01, threshold: 0.05, n_current: 100, ...f },
      ]),
    ),
  } as unknown as DriftReport;
}

test('publish: drift_detected only when a feature crosses into drift; a skipped feature keeps its state', () => {
  const logger = sink();
  const seen: DriftReport[] = [];
  const publisher = new ReportPublisher(undefined, budgetedWriter(logger), (r) => seen.push(r));
  publisher.publish(report({ a: { drift: true }, b: { drift: false } }));
  publisher.publish(report({ a: { drift: true }, b: { drift: true } }));
  publisher.publish(report({ a: { drift: false, skipped: 'too_few_values' }, b: { drift: false } }));
  publisher.publish(report({ a: { drift: true }, b: { drift: true } }));
  assert.deepEqual(
    logger.lines.map((l) => [l.level, l.fields.event, l.fields.feature]),
    [
      ['warn', 'drift_detected', 'a'],
      ['warn', 'drift_detected', 'b'],
      ['warn', 'drift_detected', 'b'],
    ],
  );
  assert.equal(logger.lines[0]!.fields.p_value, 0.01);
  assert.equal(seen.length, 4);
  assert.equal(publisher.lastReport(), seen[3]);
});

test('publish: a throwing onReport is reported, and the report is still kept', () => {
  const events: DiagEvent[] = [];
  const onDiag = (e: unknown) => events.push(e as DiagEvent);
  diagnosticsChannel.subscribe(DIAG_CHANNEL, onDiag);
  try {
    const publisher = new ReportPublisher(undefined, budgetedWriter(undefined), () => {
      throw new Error('hook down');
    });
    const r = report({ a: { drift: false } });
    publisher.publish(r);
    assert.equal(publisher.lastReport(), r);
  } finally {
    diagnosticsChannel.unsubscribe(DIAG_CHANNEL, onDiag);
  }
  assert.ok(events.some((e) => e.code === 'TL_CALLBACK_FAILED' && e.message === 'hook down'));
});
