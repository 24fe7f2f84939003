import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRegistry, runWithContext } from '@threadline/core';
import { createModelMonitor } from '@threadline/model';
import { Histogram, Registry } from 'prom-client';
import { parsePromText, type Sample } from '../../../test/helpers/prom-text.js';
import { monoNow, wallMs } from '../src/clock.js';
import { DURATION_BUCKETS, SCORE_BUCKETS, SIZE_BUCKETS, VALUE_BUCKETS } from '../src/metrics.js';

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

describe('model histograms (scrape-time, from core)', () => {
  test('model_inference_duration_seconds: a sampled trace is an exemplar, an unsampled one is not', async () => {
    const registry = createRegistry();
    const monitor = createModelMonitor({ registry, logger: false });
    const model = monitor.declare({ name: 'churn', version: '1' });
    const predict = monitor.instrumentSync(model, (x: number) => x * 2);
    runWithContext({ trace_id: TRACE_A, span_id: '00f067aa0ba902b7', trace_flags: '00' }, () => predict(1));
    let parsed = parsePromText(await registry.metrics());
    const predictPhase = (x: Sample) =>
      x.name === 'model_inference_duration_seconds_bucket' && x.labels.phase === 'predict';
    assert.equal(parsed.samples.filter(predictPhase).length, DURATION_BUCKETS.length + 1);
    assert.equal(parsed.samples.filter((x) => x.exemplar).length, 0, 'unsampled: no exemplar');
    const before = Date.now() / 1000;
    runWithContext({ trace_id: TRACE_B, span_id: 'b7ad6b7169203331', trace_flags: '01' }, () => predict(1));
    const after = Date.now() / 1000;
    parsed = parsePromText(await registry.metrics());
    const exemplars = parsed.samples.filter((x) => x.exemplar);
    assert.equal(exemplars.length, 1);
    assert.ok(predictPhase(exemplars[0]!));
    assert.deepEqual(exemplars[0]!.exemplar!.labels, { trace_id: TRACE_B, span_id: 'b7ad6b7169203331' });
    const at = exemplars[0]!.exemplar!.timestamp!;
    assert.ok(at >= before - 0.002 && at <= after + 0.002, `exemplar time ${at} in [${before}, ${after}]`);
    assert.equal(parsed.types.get('model_inference_duration_seconds'), 'histogram');
    monitor.close();
    assert.equal(registry.getSingleMetric('model_inference_duration_seconds'), undefined);
  });

  test('a model declared again after retire() continues its duration series', async () => {
    const registry = new Registry();
    const monitor = createModelMonitor({ registry, logger: false });
    const decl = { name: 'churn', version: '1' };
    const first = monitor.declare(decl);
    monitor.instrumentSync(first, (x: number) => x)(1);
    monitor.retire(first);
    const again = monitor.declare(decl);
    monitor.instrumentSync(again, (x: number) => x)(1);
    const counts = parsePromText(await registry.metrics()).samples.filter(
      (x) => x.name === 'model_inference_duration_seconds_count',
    );
    assert.deepEqual(
      counts.map((x) => [x.labels.phase, x.value]),
      [['predict', 2]],
    );
  });

  test('output and size histograms render as prom-client histograms of the same values would', async () => {
    const registry = new Registry();
    const monitor = createModelMonitor({ registry, logger: false });
    const v1 = monitor.declare({ name: 'churn', version: '1' });
    const v2 = monitor.declare({ name: 'price', version: '2' });
    const scores = monitor.instrumentSync(v1, (xs: number[]) => xs, {
      batch: true,
      classes: ['no', 'yes'],
      positiveClass: 'yes',
      label: (p: number) => (p >= 0.5 ? 'yes' : 'no'),
      score: (p: number) => p,
    });
    const values = monitor.instrumentSync(v2, (x: string) => x.length * 1.5, {
      task: 'regression',
      inputSize: (x: string) => x.length,
    });
    scores([0.1, 0.5, 0.95]);
    scores([1, 0.3]);
    values('abcd');
    values('');
    values('a'.repeat(2000));

    const expected = new Registry();
    const make = (name: string, buckets: readonly number[]) =>
      new Histogram({
        name,
        help: (registry.getSingleMetric(name) as unknown as { help: string }).help,
        labelNames: ['model_name', 'model_version'],
        buckets: [...buckets],
        registers: [expected],
      });
    const c1 = { model_name: 'churn', model_version: '1' };
    const p2 = { model_name: 'price', model_version: '2' };
    const batch = make('model_batch_size', SIZE_BUCKETS);
    const score = make('model_output_score', SCORE_BUCKETS);
    const value = make('model_output_value', VALUE_BUCKETS);
    const input = make('model_input_size', SIZE_BUCKETS);
    batch.observe(c1, 3);
    for (const x of [0.1, 0.5, 0.95]) score.observe(c1, x);
    batch.observe(c1, 2);
    for (const x of [1, 0.3]) score.observe(c1, x);
    for (const x of ['abcd', '', 'a'.repeat(2000)]) {
      input.observe(p2, x.length);
      value.observe(p2, x.length * 1.5);
    }
    for (const name of ['model_batch_size', 'model_output_score', 'model_output_value', 'model_input_size']) {
      const text = await registry.getSingleMetricAsString(name);
      assert.equal(text, await expected.getSingleMetricAsString(name), name);
      assert.ok(parsePromText(text).samples.length > 0, name);
    }
  });

  test('wall-clock time from the monotonic clock follows Date.now, including a step of the system clock', () => {
    for (let i = 0; i < 5; i++) {
      const lo = Date.now();
      const t = wallMs(monoNow());
      const hi = Date.now();
      assert.ok(t >= lo - 1 && t <= hi + 1, `${t} in [${lo}, ${hi}]`);
    }
    const real = Date.now;
    const STEP = 3_600_000;
    Date.now = () => real() + STEP;
    try {
      // Past one monotonic millisecond the offset is read again and the step is seen.
      const from = monoNow();
      while (monoNow() - from < 1.5) {}
      const lo = Date.now();
      const t = wallMs(monoNow());
      assert.ok(t >= lo - 1 && t <= Date.now() + 1, 'the step is followed');
    } finally {
      Date.now = real;
    }
    const from = monoNow();
    while (monoNow() - from < 1.5) {}
    assert.ok(Math.abs(wallMs(monoNow()) - Date.now()) <= 1, 'and the step back');
  });
});
