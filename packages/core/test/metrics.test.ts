import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  CONTENT_TYPES,
  checkBearerToken,
  codes,
  createCounter,
  createGauge,
  createHistogram,
  createRegistry,
  type DiagEvent,
  forgetMetrics,
  negotiateMetricsFormat,
  OVERFLOW_LABEL_VALUE,
  onDiag,
  renderMetrics,
  runWithContext,
  ThreadlineConfigError,
} from '@threadline/core';
import { Counter, Registry, type RegistryContentType } from 'prom-client';
import { findSamples, parsePromText, sampleValue } from '../../../test/helpers/prom-text.js';

const diagEvents: DiagEvent[] = [];
const stopDiag = onDiag((e) => diagEvents.push(e));
after(stopDiag);

const SAMPLED = {
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  trace_flags: '01',
};
const MODEL = { name: 'ranker', version: '1.4.0' };

async function scrape(
  registry: Registry<RegistryContentType>,
  format: 'openmetrics' | 'prometheus' = 'openmetrics',
) {
  const { body } = await renderMetrics(registry, format);
  return parsePromText(body);
}

describe('context-aware metrics', () => {
  test('histogram: model labels from the context, values parsed back', async () => {
    const registry = createRegistry();
    const h = createHistogram({
      name: 'inference_seconds',
      help: 'Inference time.',
      labelNames: ['phase'],
      buckets: [0.1, 1],
      registry,
    });
    runWithContext({ model: MODEL }, () => {
      h.observe({ phase: 'predict' }, 0.05);
      h.observe({ phase: 'predict' }, 0.5);
    });
    h.observe({ phase: 'predict' }, 2);
    const m = await scrape(registry, 'prometheus');
    const labels = { phase: 'predict', model_name: 'ranker', model_version: '1.4.0' };
    assert.equal(m.types.get('inference_seconds'), 'histogram');
    assert.equal(sampleValue(m, 'inference_seconds_bucket', { ...labels, le: '0.1' }), 1);
    assert.equal(sampleValue(m, 'inference_seconds_bucket', { ...labels, le: '1' }), 2);
    assert.equal(sampleValue(m, 'inference_seconds_bucket', { ...labels, le: '+Inf' }), 2);
    assert.equal(sampleValue(m, 'inference_seconds_count', labels), 2);
    assert.equal(sampleValue(m, 'inference_seconds_sum', labels), 0.55);
    // Outside any model context the model labels are empty, not missing.
    assert.equal(
      sampleValue(m, 'inference_seconds_count', { phase: 'predict', model_name: '', model_version: '' }),
      1,
    );
  });

  test('counter and gauge; modelLabels:false leaves them out', async () => {
    const registry = createRegistry();
    const c = createCounter({ name: 'predictions_total', help: 'p', registry });
    const g = createGauge({
      name: 'queue_depth',
      help: 'q',
      labelNames: ['queue'],
      modelLabels: false,
      registry,
    });
    runWithContext({ model: MODEL }, () => {
      c.inc();
      c.inc(undefined, 2);
      g.set({ queue: 'a' }, 5);
      g.inc({ queue: 'a' });
      g.dec({ queue: 'a' }, 3);
    });
    const m = await scrape(registry, 'prometheus');
    assert.equal(sampleValue(m, 'predictions_total', { model_name: 'ranker', model_version: '1.4.0' }), 3);
    assert.deepEqual(findSamples(m, 'queue_depth')[0]?.labels, { queue: 'a' });
    assert.equal(sampleValue(m, 'queue_depth', { queue: 'a' }), 3);
  });

  test('startTimer observes elapsed seconds with merged labels', async () => {
    const registry = createRegistry();
    const h = createHistogram({ name: 'timed_seconds', help: 't', labelNames: ['a', 'b'], registry });
    const end = h.startTimer({ a: 'x' });
    await new Promise((r) => setTimeout(r, 2));
    const seconds = end({ b: 'y' });
    assert.ok(seconds > 0);
    const m = await scrape(registry, 'prometheus');
    assert.equal(sampleValue(m, 'timed_seconds_count', { a: 'x', b: 'y' }), 1);
    assert.equal(sampleValue(m, 'timed_seconds_sum', { a: 'x', b: 'y' }), seconds);
  });
});

describe('exemplars', () => {
  test('present in OpenMetrics for a sampled trace, absent for an unsampled one', async () => {
    const registry = createRegistry();
    const h = createHistogram({
      name: 'ex_seconds',
      help: 'e',
      labelNames: ['route'],
      buckets: [1],
      registry,
    });
    const c = createCounter({ name: 'ex_requests_total', help: 'e', labelNames: ['route'], registry });
    runWithContext({ ...SAMPLED, model: MODEL }, () => {
      h.observe({ route: '/sampled' }, 0.5);
      c.inc({ route: '/sampled' });
    });
    runWithContext({ ...SAMPLED, trace_flags: '00', model: MODEL }, () => {
      h.observe({ route: '/unsampled' }, 0.5);
      c.inc({ route: '/unsampled' });
    });
    const om = await scrape(registry, 'openmetrics');
    assert.ok(om.eof, 'OpenMetrics ends with # EOF');
    const exemplar = { trace_id: SAMPLED.trace_id, span_id: SAMPLED.span_id };
    const bucket = findSamples(om, 'ex_seconds_bucket', { route: '/sampled', le: '1' });
    assert.equal(bucket.length, 1);
    assert.deepEqual(bucket[0]!.exemplar?.labels, exemplar);
    assert.equal(bucket[0]!.exemplar?.value, 0.5);
    const counter = findSamples(om, 'ex_requests_total', { route: '/sampled' });
    assert.equal(counter.length, 1);
    assert.deepEqual(counter[0]!.exemplar?.labels, exemplar);
    for (const s of findSamples(om, 'ex_seconds_bucket', { route: '/unsampled' })) {
      assert.equal(s.exemplar, undefined);
    }
    assert.equal(findSamples(om, 'ex_requests_total', { route: '/unsampled' })[0]?.exemplar, undefined);
    // Trace IDs are never labels.
    for (const s of om.samples) assert.equal(s.labels.trace_id, undefined);

    const prom = await scrape(registry, 'prometheus');
    assert.equal(prom.eof, false);
    assert.equal(prom.samples.filter((s) => s.exemplar).length, 0);
    assert.equal(sampleValue(prom, 'ex_requests_total', { route: '/sampled' }), 1);
  });

  test('a Prometheus-text registry gets no exemplars at all', async () => {
    const registry = new Registry();
    const h = createHistogram({ name: 'plain_seconds', help: 'p', buckets: [1], registry });
    runWithContext(SAMPLED, () => h.observe(undefined, 0.2));
    assert.doesNotMatch(await registry.metrics(), / # \{/);
    assert.equal(sampleValue(await scrape(registry, 'prometheus'), 'plain_seconds_count'), 1);
  });
});

describe('exposition', () => {
  test('content negotiation', () => {
    const table: [string | undefined, 'openmetrics' | 'prometheus'][] = [
      [undefined, 'prometheus'],
      ['', 'prometheus'],
      ['text/plain', 'prometheus'],
      ['*/*', 'prometheus'],
      ['application/openmetrics-text', 'openmetrics'],
      ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
      // What Prometheus itself sends when it can take exemplars.
      [
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
        'openmetrics',
      ],
      ['text/plain;q=0.9, application/openmetrics-text;q=0.5', 'prometheus'],
      ['application/openmetrics-text;q=0, text/plain', 'prometheus'],
      ['application/openmetrics-text;q=abc', 'openmetrics'],
    ];
    for (const [accept, expected] of table) {
      assert.equal(negotiateMetricsFormat(accept), expected, String(accept));
    }
  });

  test('renderMetrics: both formats from one registry, repeatedly, counters keep their _total name', async () => {
    const registry = createRegistry();
    createCounter({ name: 'jobs_total', help: 'j', registry, modelLabels: false }).inc();
    for (let i = 0; i < 2; i++) {
      const om = await renderMetrics(registry, 'openmetrics');
      assert.equal(om.contentType, CONTENT_TYPES.openmetrics);
      const parsedOm = parsePromText(om.body);
      assert.equal(parsedOm.types.get('jobs'), 'counter');
      assert.equal(sampleValue(parsedOm, 'jobs_total'), 1);
      const prom = await renderMetrics(registry, 'prometheus');
      assert.equal(prom.contentType, CONTENT_TYPES.prometheus);
      const parsedProm = parsePromText(prom.body);
      assert.equal(parsedProm.types.get('jobs_total'), 'counter');
      assert.equal(sampleValue(parsedProm, 'jobs_total'), 1);
    }
  });

  test('checkBearerToken', () => {
    assert.equal(checkBearerToken(undefined, undefined), true, 'no token configured');
    assert.equal(checkBearerToken('Bearer s3cret', 's3cret'), true);
    assert.equal(checkBearerToken('Bearer s3cret ', 's3cret'), true);
    assert.equal(checkBearerToken('Bearer wrong!', 's3cret'), false);
    assert.equal(checkBearerToken('Bearer s3cre', 's3cret'), false);
    assert.equal(checkBearerToken('Basic s3cret', 's3cret'), false);
    assert.equal(checkBearerToken('s3cret', 's3cret'), false);
    assert.equal(checkBearerToken(undefined, 's3cret'), false);
  });
});

describe('cardinality guard', () => {
  test('values past the limit fold into __overflow__, are counted and warned once', async () => {
    const registry = createRegistry();
    const c = createCounter({
      name: 'guarded_total',
      help: 'g',
      labelNames: ['customer'],
      maxLabelValues: 3,
      registry,
    });
    const before = diagEvents.length;
    for (let i = 0; i < 10; i++) c.inc({ customer: `c${i}` });
    c.inc({ customer: 'c0' });
    const m = await scrape(registry, 'prometheus');
    const series = findSamples(m, 'guarded_total');
    assert.deepEqual(series.map((s) => s.labels.customer).sort(), ['__overflow__', 'c0', 'c1', 'c2']);
    assert.equal(sampleValue(m, 'guarded_total', { customer: 'c0' }), 2);
    assert.equal(sampleValue(m, 'guarded_total', { customer: OVERFLOW_LABEL_VALUE }), 7);
    assert.equal(
      sampleValue(m, 'threadline_metric_label_overflow_total', {
        metric: 'guarded_total',
        label: 'customer',
      }),
      7,
    );
    const warnings = diagEvents
      .slice(before)
      .filter((e) => e.code === codes.LABEL_OVERFLOW && e.message.includes('guarded_total'));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.level, 'warn');
  });

  test('repeated label sets: folded values are counted every time, model changes are seen', async () => {
    const registry = createRegistry();
    const c = createCounter({
      name: 'repeat_total',
      help: 'r',
      labelNames: ['k'],
      maxLabelValues: 1,
      registry,
    });
    const a = { name: 'a', version: '1' };
    const b = { name: 'b', version: '1' };
    c.inc({ k: 'x' });
    c.inc({ k: 'x' });
    for (let i = 0; i < 3; i++) c.inc({ k: 'y' });
    runWithContext({ model: a }, () => c.inc({ k: 'x' }));
    runWithContext({ model: a }, () => c.inc({ k: 'x' }));
    runWithContext({ model: b }, () => c.inc({ k: 'x' }));
    runWithContext({ model: b }, () => c.inc({ k: 'x' }));
    c.inc({ k: 'x' });
    const m = await scrape(registry, 'prometheus');
    assert.equal(sampleValue(m, 'repeat_total', { k: 'x', model_name: '', model_version: '' }), 3);
    assert.equal(sampleValue(m, 'repeat_total', { k: OVERFLOW_LABEL_VALUE, model_name: '' }), 3);
    assert.equal(sampleValue(m, 'repeat_total', { k: 'x', model_name: 'a', model_version: '1' }), 2);
    // The second model name folds: every one of its updates is counted.
    assert.equal(
      sampleValue(m, 'repeat_total', { k: 'x', model_name: OVERFLOW_LABEL_VALUE, model_version: '1' }),
      2,
    );
    assert.equal(
      sampleValue(m, 'threadline_metric_label_overflow_total', { metric: 'repeat_total', label: 'k' }),
      3,
    );
    assert.equal(
      sampleValue(m, 'threadline_metric_label_overflow_total', {
        metric: 'repeat_total',
        label: 'model_name',
      }),
      2,
    );
  });

  test('model labels are guarded too', async () => {
    const registry = createRegistry();
    const h = createHistogram({ name: 'model_guard_seconds', help: 'g', maxLabelValues: 2, registry });
    for (let v = 0; v < 4; v++)
      runWithContext({ model: { name: 'm', version: String(v) } }, () => h.observe(undefined, 1));
    const m = await scrape(registry, 'prometheus');
    const versions = findSamples(m, 'model_guard_seconds_count').map((s) => s.labels.model_version);
    assert.deepEqual(versions.sort(), ['0', '1', '__overflow__']);
  });
});

describe('bad input at run time', () => {
  test('NaN, infinities and negative increments are rejected without throwing, and reported', async () => {
    const registry = createRegistry();
    const h = createHistogram({ name: 'reject_seconds', help: 'r', registry, modelLabels: false });
    const c = createCounter({ name: 'reject_total', help: 'r', registry, modelLabels: false });
    const g = createGauge({ name: 'reject_gauge', help: 'r', registry, modelLabels: false });
    const before = diagEvents.length;
    h.observe(undefined, 1);
    c.inc();
    g.set(undefined, 4);
    h.observe(undefined, Number.NaN);
    h.observe(undefined, Number.POSITIVE_INFINITY);
    h.observe(undefined, 'x' as unknown as number);
    c.inc(undefined, -1);
    c.inc(undefined, Number.NaN);
    g.set(undefined, Number.NaN);
    g.inc(undefined, Number.NEGATIVE_INFINITY);
    // An unknown label reaches prom-client, which throws: still not the caller's problem.
    h.observe({ nope: 'x' } as never, 1);
    const m = await scrape(registry, 'prometheus');
    assert.equal(sampleValue(m, 'reject_seconds_count'), 2);
    assert.equal(sampleValue(m, 'reject_seconds_sum'), 2);
    assert.equal(sampleValue(m, 'reject_total'), 1);
    assert.equal(sampleValue(m, 'reject_gauge'), 4);
    const rejected = diagEvents.slice(before).filter((e) => e.code === codes.METRIC_REJECTED);
    assert.deepEqual(rejected.map((e) => e.message.split(':')[0]).sort(), [
      'metric reject_gauge',
      'metric reject_seconds',
      'metric reject_total',
    ]);
  });
});

describe('setup', () => {
  test('the same metric twice is the same wrapper; a clash throws ThreadlineConfigError', () => {
    const registry = createRegistry();
    const a = createHistogram({ name: 'shared_seconds', help: 's', labelNames: ['route'], registry });
    const b = createHistogram({
      name: 'shared_seconds',
      help: 'other help',
      labelNames: ['route'],
      registry,
    });
    assert.equal(a, b);
    assert.throws(
      () => createCounter({ name: 'shared_seconds', help: 's', registry }),
      ThreadlineConfigError,
    );
    assert.throws(
      () => createHistogram({ name: 'shared_seconds', help: 's', labelNames: ['status'], registry }),
      /already registered as a histogram/,
    );
    // The same name in another registry is another metric.
    assert.notEqual(
      createHistogram({
        name: 'shared_seconds',
        help: 's',
        labelNames: ['route'],
        registry: createRegistry(),
      }),
      a,
    );
  });

  test('a name registered by other code, and bad options, throw at setup', () => {
    const registry = createRegistry();
    new Counter({ name: 'foreign_total', help: 'f', registers: [registry] });
    const bad: [string, () => unknown][] = [
      ['foreign', () => createCounter({ name: 'foreign_total', help: 'f', registry })],
      ['bad name', () => createCounter({ name: 'bad-name', help: 'h', registry })],
      ['no help', () => createCounter({ name: 'ok_total', help: '', registry })],
      [
        'bad label',
        () => createCounter({ name: 'ok_total', help: 'h', labelNames: ['bad-label'], registry }),
      ],
      ['reserved label', () => createCounter({ name: 'ok_total', help: 'h', labelNames: ['__x'], registry })],
      ['bad max', () => createCounter({ name: 'ok_total', help: 'h', maxLabelValues: 0, registry })],
      [
        'unsorted buckets',
        () => createHistogram({ name: 'ok_seconds', help: 'h', buckets: [1, 0.5], registry }),
      ],
      ['empty buckets', () => createHistogram({ name: 'ok_seconds', help: 'h', buckets: [], registry })],
      [
        'NaN bucket',
        () => createHistogram({ name: 'ok_seconds', help: 'h', buckets: [Number.NaN], registry }),
      ],
      ['not an object', () => createGauge(null as never)],
    ];
    for (const [name, fn] of bad) {
      assert.throws(fn, (e: unknown) => e instanceof ThreadlineConfigError && e.code === 'TL_CONFIG', name);
    }
  });

  test('forgetMetrics after registry.clear() allows creating them again', async () => {
    const registry = createRegistry();
    const first = createCounter({ name: 'reset_total', help: 'r', registry, modelLabels: false });
    first.inc();
    registry.clear();
    forgetMetrics(registry);
    const second = createCounter({ name: 'reset_total', help: 'r', registry, modelLabels: false });
    assert.notEqual(first, second);
    second.inc(undefined, 5);
    assert.equal(sampleValue(await scrape(registry, 'prometheus'), 'reset_total'), 5);
  });
});

describe('prom-text helper', () => {
  test('rejects malformed exposition so tests cannot pass on garbage', () => {
    assert.throws(() => parsePromText('metric{a="1" 1'));
    assert.throws(() => parsePromText('metric notanumber'));
    assert.throws(() => parsePromText('# EOF\nmetric 1'));
    assert.throws(() => parsePromText('metric{a=1} 1'));
    const parsed = parsePromText('m{a="x\\"y\\\\z\\n"} 2 # {trace_id="t"} 0.5 1.5\n# EOF\n');
    assert.deepEqual(parsed.samples[0], {
      name: 'm',
      labels: { a: 'x"y\\z\n' },
      value: 2,
      exemplar: { labels: { trace_id: 't' }, value: 0.5, timestamp: 1.5 },
    });
  });
});

describe('cluster aggregation of gauges', () => {
  test('the aggregator option reaches prom-client and is checked at setup', async () => {
    const { AggregatorRegistry } = await import('prom-client');
    const worker = async (value: number) => {
      const registry = new Registry();
      const share = createGauge({ name: 'share_ratio', help: 'h', registry, aggregator: 'average' });
      const count = createGauge({ name: 'items', help: 'h', registry, modelLabels: false });
      share.set(undefined, value);
      count.set(undefined, value * 10);
      return registry.getMetricsAsJSON();
    };
    const merged = AggregatorRegistry.aggregate([await worker(0.2), await worker(0.6)]);
    const text = await merged.metrics();
    assert.match(text, /^share_ratio\{model_name="",model_version=""\} 0\.4$/m);
    assert.match(text, /^items 8$/m);
    assert.throws(
      () =>
        createGauge({ name: 'bad_agg', help: 'h', registry: new Registry(), aggregator: 'median' as never }),
      ThreadlineConfigError,
    );
  });
});
