import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  runWithContext,
  setAttribute,
  setContext,
  ThreadlineConfigError,
  tracingEnabled,
  withSpan,
} from '@threadline/core';
import { startTelemetry, ThreadlineSpanProcessor } from '../src/index.js';

const memory = new InMemorySpanExporter();
// Resource detection finishes asynchronously; the processor holds spans until it has, so tests
// flush before reading.
const processor = new SimpleSpanProcessor({ exporter: memory });
const model = { name: 'ranker', version: '3.1.0' };
let finished: ReadableSpan[] = [];

async function flush(): Promise<ReadableSpan[]> {
  await processor.forceFlush();
  finished = memory.getFinishedSpans();
  return finished;
}

function one(name: string): ReadableSpan {
  const found = finished.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one span named ${name}, got ${finished.map((s) => s.name).join(',')}`);
  return found[0]!;
}

test('ThreadlineSpanProcessor rejects bad options at construction', () => {
  assert.throws(() => new ThreadlineSpanProcessor({ attributes: 'tenant' } as never), ThreadlineConfigError);
  assert.throws(() => new ThreadlineSpanProcessor({ attributes: [''] }), ThreadlineConfigError);
  assert.throws(() => new ThreadlineSpanProcessor({ attribute: ['x'] } as never), ThreadlineConfigError);
  assert.throws(() => startTelemetry({ spanAttributes: { attributes: 5 } } as never), ThreadlineConfigError);
});

test('without a tracer provider, withSpan runs the function and makes no span', () => {
  assert.equal(tracingEnabled(), false);
  const result = withSpan('model.inference', { phase: 'predict' }, () => 42);
  assert.equal(result, 42);
  assert.equal(trace.getActiveSpan(), undefined);
});

describe('with the SDK started', () => {
  let shutdown: () => Promise<void>;

  before(() => {
    shutdown = startTelemetry({
      serviceName: 'ranker-api',
      instrumentations: { http: false },
      spanProcessors: [processor],
      spanAttributes: { attributes: ['tenant'] },
    });
  });
  after(() => shutdown());
  beforeEach(() => memory.reset());

  test('spans started in a Threadline context carry the model, run and request', async () => {
    runWithContext({ request_id: 'req-1', model: { ...model, alias: 'champion' }, run_id: 'run-7' }, () => {
      trace.getTracer('test').startSpan('predict').end();
    });
    assert.ok((await flush()).length > 0);
    const attrs = one('predict').attributes;
    assert.equal(attrs.model_name, 'ranker');
    assert.equal(attrs.model_version, '3.1.0');
    assert.equal(attrs.model_alias, 'champion');
    assert.equal(attrs.run_id, 'run-7');
    assert.equal(attrs.request_id, 'req-1');
  });

  test('a model chosen late in the request reaches spans started after it', async () => {
    runWithContext({ request_id: 'req-2' }, () => {
      trace.getTracer('test').startSpan('before-model').end();
      setContext({ model });
      trace.getTracer('test').startSpan('after-model').end();
    });
    await flush();
    assert.equal(one('before-model').attributes.model_name, undefined);
    assert.equal(one('before-model').attributes.request_id, 'req-2');
    assert.equal(one('after-model').attributes.model_version, '3.1.0');
    assert.equal(one('after-model').attributes.model_alias, undefined, 'alias only when set');
  });

  test('outside any context spans get no Threadline attributes; the creator’s own values win', async () => {
    trace.getTracer('test').startSpan('bare').end();
    runWithContext({ model }, () => {
      trace
        .getTracer('test')
        .startSpan('explicit', { attributes: { model_version: '9.9.9' } })
        .end();
    });
    await flush();
    const bare = one('bare').attributes;
    for (const key of ['model_name', 'model_version', 'run_id', 'request_id'])
      assert.equal(bare[key], undefined);
    assert.equal(one('explicit').attributes.model_version, '9.9.9');
    assert.equal(one('explicit').attributes.model_name, 'ranker');
  });

  test('listed free attributes are copied, others are not', async () => {
    runWithContext({ model }, () => {
      setAttribute('tenant', 'acme');
      setAttribute('secret', 'nope');
      trace.getTracer('test').startSpan('attrs').end();
    });
    await flush();
    assert.equal(one('attrs').attributes.tenant, 'acme');
    assert.equal(one('attrs').attributes.secret, undefined);
  });

  test('withSpan from core makes spans with the right parent and the model attributes', async () => {
    assert.equal(tracingEnabled(), true);
    await runWithContext({ model, run_id: 'run-9' }, () =>
      trace.getTracer('test').startActiveSpan('training.run', async (root) => {
        await withSpan('training.epoch', { epoch: 1 }, async () => {
          withSpan('validation.batch', { rows: 10 }, () => undefined);
        });
        root.end();
      }),
    );
    assert.equal((await flush()).length, 3);
    const root = one('training.run');
    const epoch = one('training.epoch');
    const batch = one('validation.batch');
    assert.equal(epoch.parentSpanContext?.spanId, root.spanContext().spanId);
    assert.equal(batch.parentSpanContext?.spanId, epoch.spanContext().spanId);
    assert.equal(batch.spanContext().traceId, root.spanContext().traceId);
    assert.equal(epoch.attributes.epoch, 1);
    assert.equal(epoch.attributes.run_id, 'run-9');
    assert.equal(batch.attributes.model_version, '3.1.0');
    assert.equal(epoch.resource.attributes['service.name'], 'ranker-api');
  });

  test('a failing withSpan records the error and rethrows it unchanged', async () => {
    const boom = new Error('bad batch');
    assert.throws(
      () =>
        withSpan('validation.batch', undefined, () => {
          throw boom;
        }),
      (e) => e === boom,
    );
    await flush();
    const span = one('validation.batch');
    assert.equal(span.status.code, 2);
    assert.ok(span.events.some((e) => e.name === 'exception'));
  });

  test('a second start before shutdown is a setup error', () => {
    assert.throws(() => startTelemetry({ instrumentations: { http: false } }), ThreadlineConfigError);
  });
});

test('after shutdown the provider is gone: withSpan makes no spans, and start works again', async () => {
  assert.equal(tracingEnabled(), false);
  memory.reset();
  assert.equal(
    withSpan('model.inference', undefined, () => 'ok'),
    'ok',
  );
  assert.equal((await flush()).length, 0);

  // The first SDK shut its processors down; a new start gets new ones.
  const exporter = new InMemorySpanExporter();
  const fresh = new SimpleSpanProcessor({ exporter });
  const again = startTelemetry({ instrumentations: { http: false }, spanProcessors: [fresh] });
  try {
    withSpan('model.inference', undefined, () => 'ok');
    await fresh.forceFlush();
    assert.equal(exporter.getFinishedSpans().length, 1);
  } finally {
    await again();
  }
  await again(); // a second call is harmless
});

test('the processor writes core’s span attribute list, defined once', async () => {
  const { SPAN_CONTEXT_ATTRIBUTES } = await import('@threadline/core');
  const { SPAN_ATTRIBUTE_NAMES } = await import('../src/index.js');
  assert.equal(SPAN_ATTRIBUTE_NAMES, SPAN_CONTEXT_ATTRIBUTES);
});
