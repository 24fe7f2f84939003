import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  activeOtelSpan,
  createHistogram,
  createRegistry,
  currentTraceIds,
  logFields,
  propagationHeaders,
  runWithContext,
  tracingEnabled,
  withSpan,
} from '@threadline/core';
import { useInMemoryTracing } from '../../../test/helpers/otel.js';
import { parsePromText } from '../../../test/helpers/prom-text.js';

const THREADLINE_TRACE = 'a'.repeat(32);

describe('without a tracer provider', () => {
  test('withSpan just runs the function and tracingEnabled is false', async () => {
    assert.equal(tracingEnabled(), false);
    assert.equal(
      withSpan('x', { a: 1 }, () => 7),
      7,
    );
    assert.equal(await withSpan('y', undefined, async () => 8), 8);
    assert.equal(activeOtelSpan(), undefined);
  });
});

describe('with a registered tracer provider', () => {
  const exporter = useInMemoryTracing();

  test('logFields and currentTraceIds take trace_id/span_id from the active span', async () => {
    const tracer = trace.getTracer('test');
    await runWithContext(
      { request_id: 'r1', trace_id: THREADLINE_TRACE, span_id: 'b'.repeat(16), trace_flags: '01' },
      () =>
        tracer.startActiveSpan('http-server', async (span) => {
          await new Promise((r) => setTimeout(r, 1));
          const sc = span.spanContext();
          const fields = logFields();
          assert.equal(fields.request_id, 'r1');
          assert.equal(fields.trace_id, sc.traceId);
          assert.equal(fields.span_id, sc.spanId);
          assert.equal(fields.trace_flags, '01');
          assert.notEqual(fields.trace_id, THREADLINE_TRACE, 'one trace, not two');
          assert.deepEqual(currentTraceIds(), { traceId: sc.traceId, spanId: sc.spanId, traceFlags: '01' });
          const outgoing = propagationHeaders().traceparent;
          assert.match(outgoing ?? '', new RegExp(`^00-${sc.traceId}-[0-9a-f]{16}-01$`));
          span.end();
        }),
    );
    // Outside the span the Threadline context's own trace is used again.
    runWithContext({ trace_id: THREADLINE_TRACE, span_id: 'b'.repeat(16), trace_flags: '01' }, () => {
      assert.equal(logFields().trace_id, THREADLINE_TRACE);
    });
  });

  test('exemplars carry the active span’s ids', async () => {
    const registry = createRegistry();
    const h = createHistogram({ name: 'otel_exemplar_seconds', help: 'h', registry, buckets: [1] });
    const ids = trace.getTracer('test').startActiveSpan('op', (span) => {
      h.observe(undefined, 0.5);
      span.end();
      return span.spanContext();
    });
    const parsed = parsePromText(await registry.metrics());
    const bucket = parsed.samples.find(
      (s) => s.name === 'otel_exemplar_seconds_bucket' && s.labels.le === '1',
    );
    assert.deepEqual(bucket?.exemplar?.labels, { trace_id: ids.traceId, span_id: ids.spanId });
  });

  test('withSpan creates a span with clean attributes, nested under the active span', async () => {
    assert.equal(tracingEnabled(), true);
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('parent', async (parent) => {
      const value = await withSpan(
        'threadline.work',
        { phase: 'predict', n: 3, bad: Number.NaN, skip: undefined },
        async () => {
          await new Promise((r) => setTimeout(r, 1));
          return 'done';
        },
      );
      assert.equal(value, 'done');
      parent.end();
    });
    const spans = exporter.getFinishedSpans();
    assert.ok(spans.length > 0);
    const work = spans.find((s) => s.name === 'threadline.work');
    const parent = spans.find((s) => s.name === 'parent');
    assert.ok(work && parent);
    assert.deepEqual(work.attributes, { phase: 'predict', n: 3 });
    assert.equal(work.spanContext().traceId, parent.spanContext().traceId);
    assert.equal(work.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(work.instrumentationScope.name, '@threadline/core');
  });

  test('withSpan records and rethrows a synchronous error', () => {
    const boom = new Error('sync boom');
    assert.throws(
      () =>
        withSpan('sync-fail', undefined, () => {
          throw boom;
        }),
      (e) => e === boom,
    );
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.status.code, SpanStatusCode.ERROR);
    assert.equal(spans[0]!.status.message, 'sync boom');
    assert.equal(spans[0]!.events[0]?.name, 'exception');
  });

  test('withSpan records and rethrows a rejection, and ends the span when it settles', async () => {
    const boom = new Error('async boom');
    await assert.rejects(
      withSpan('async-fail', undefined, async () => {
        await new Promise((r) => setTimeout(r, 1));
        throw boom;
      }),
      (e) => e === boom,
    );
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.name, 'async-fail');
    assert.equal(spans[0]!.status.code, SpanStatusCode.ERROR);
  });
});
