import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  continueTrace,
  createHistogram,
  createRegistry,
  getContext,
  logFields,
  negotiateMetricsFormat,
  renderMetrics,
  runWithContext,
} from '@threadline/core';

test('context flows and metrics render in both formats', async () => {
  const registry = createRegistry();
  const h = createHistogram({ name: 'smoke_seconds', help: 'x', labelNames: ['route'], registry });
  const t = continueTrace('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  await runWithContext(
    {
      request_id: 'r1',
      trace_id: t.traceId,
      span_id: t.spanId,
      trace_flags: t.traceFlags,
      model: { name: 'm', version: '2' },
    },
    async () => {
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(getContext()?.request_id, 'r1');
      assert.equal(logFields().model_version, '2');
      h.observe({ route: '/a' }, 0.2);
    },
  );
  const om = await renderMetrics(
    registry,
    negotiateMetricsFormat('application/openmetrics-text; version=1.0.0'),
  );
  assert.match(
    om.body,
    /smoke_seconds_bucket\{le="0.25",route="\/a",model_name="m",model_version="2"\} 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c"/,
  );
  const prom = await renderMetrics(registry, 'prometheus');
  assert.doesNotMatch(prom.body, /# \{/);
  assert.match(prom.body, /smoke_seconds_count\{route="\/a",model_name="m",model_version="2"\} 1/);
});
