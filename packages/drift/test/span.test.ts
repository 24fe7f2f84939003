import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { buildProfile, createDriftMonitor, type LogLevel } from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
after(() => {
  trace.disable();
  context.disable();
});

test('each evaluation is a "drift evaluation" span, and the drift log line carries its trace', async () => {
  const lines: { level: LogLevel; fields: Record<string, unknown> }[] = [];
  const monitor = createDriftMonitor({
    reference: buildProfile({ x: Array.from({ length: 200 }, (_, i) => i) }),
    metrics: false,
    window: { rows: 100 },
    logger: { log: (level, fields) => lines.push({ level, fields }) },
  });
  for (let i = 0; i < 100; i++) monitor.observe({ x: 1000 + i });
  await monitor.flush();
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'drift evaluation');
  assert.equal(spans.length, 1);
  assert.equal(spans[0]!.attributes['threadline.drift.features'], 1);
  assert.equal(spans[0]!.attributes['threadline.drift.rows'], 100);
  const event = lines.find((l) => l.fields.event === 'drift_detected')!;
  assert.equal(event.fields.trace_id, spans[0]!.spanContext().traceId);
  assert.equal(event.fields.span_id, spans[0]!.spanContext().spanId);
  monitor.close();
});
