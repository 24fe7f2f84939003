import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModelMonitor, newPredictionId } from '@threadline/model';
import { Registry } from 'prom-client';
import { OutcomeStore } from '../src/outcomes.js';
import type { DeclaredModel } from '../src/types.js';
import { figures, type QualitySpec } from '../src/window.js';
import { memorySink, scrape, sleep, value } from './helpers.js';

const close = (actual: number | undefined, expected: number, label: string): void => {
  assert.ok(actual !== undefined, `${label} missing`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${label}: ${actual} != ${expected}`);
};

function setup(
  outcomes: Parameters<typeof createModelMonitor>[0] extends infer O
    ? O extends { outcomes?: infer X }
      ? X
      : never
    : never = {},
) {
  const registry = new Registry();
  const logger = memorySink();
  const monitor = createModelMonitor({ registry, logger, inferenceLogSampleRate: 0, outcomes });
  const model = monitor.declare({ name: 'churn', version: '3' });
  return { registry, logger, monitor, model };
}

const V = { model_name: 'churn', model_version: '3' };
type Out = { label: string; p: number };

describe('delayed ground truth', () => {
  test('binary classification: gauges match a hand-computed confusion matrix and ROC AUC', async () => {
    const { registry, monitor, model } = setup();
    const predict = monitor.instrument(model, async (o: Out) => o, {
      classes: ['stay', 'churn'],
      positiveClass: 'churn',
      label: (o: Out) => o.label,
      score: (o: Out) => o.p,
    });
    // predicted, score, actual: TP=3 FP=2 FN=1 TN=4.
    const rows: [string, number, string][] = [
      ['churn', 0.9, 'churn'],
      ['churn', 0.8, 'churn'],
      ['churn', 0.7, 'stay'],
      ['stay', 0.4, 'churn'],
      ['stay', 0.3, 'stay'],
      ['stay', 0.2, 'stay'],
      ['churn', 0.6, 'churn'],
      ['stay', 0.1, 'stay'],
      ['churn', 0.55, 'stay'],
      ['stay', 0.45, 'stay'],
    ];
    for (const [label, p, actual] of rows) {
      const r = await predict({ label, p });
      // Booleans are accepted for a binary task: true is the positive class.
      assert.equal(
        monitor.recordOutcome(r.predictionId, r.predictionId.endsWith('0') ? actual === 'churn' : actual),
        'joined',
      );
    }
    await predict({ label: 'stay', p: 0.2 });
    await predict({ label: 'stay', p: 0.2 });
    const m = await scrape(registry);
    close(value(m, 'model_accuracy_ratio', V), 0.7, 'accuracy');
    close(value(m, 'model_precision_ratio', { ...V, class: 'churn', average: 'binary' }), 0.6, 'precision');
    close(value(m, 'model_recall_ratio', { ...V, class: 'churn', average: 'binary' }), 0.75, 'recall');
    close(value(m, 'model_f1_ratio', { ...V, class: 'churn', average: 'binary' }), 2 / 3, 'f1');
    // stay: precision 4/5, recall 4/6.
    close(
      value(m, 'model_precision_ratio', { ...V, class: '', average: 'macro' }),
      (0.6 + 0.8) / 2,
      'macro precision',
    );
    close(
      value(m, 'model_recall_ratio', { ...V, class: '', average: 'macro' }),
      (0.75 + 4 / 6) / 2,
      'macro recall',
    );
    const f1Stay = (2 * 0.8 * (4 / 6)) / (0.8 + 4 / 6);
    close(
      value(m, 'model_f1_ratio', { ...V, class: '', average: 'macro' }),
      (2 / 3 + f1Stay) / 2,
      'macro f1',
    );
    // 24 positive/negative pairs, 20 ranked right.
    close(value(m, 'model_roc_auc_ratio', V), 20 / 24, 'auc');
    assert.equal(value(m, 'model_outcome_samples', V), 10);
    close(value(m, 'model_outcome_join_ratio', V), 10 / 12, 'join ratio');
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'joined' }), 10);
    assert.equal(value(m, 'model_precision_ratio', { ...V, class: 'stay', average: 'binary' }), undefined);
  });

  test('multiclass: per-class and macro precision, recall and F1', async () => {
    const { registry, monitor, model } = setup();
    const predict = monitor.instrumentSync(model, (x: string) => x, { classes: ['a', 'b', 'c'] });
    const pairs: [string, string][] = [
      ['a', 'a'],
      ['a', 'b'],
      ['b', 'b'],
      ['b', 'b'],
      ['c', 'a'],
      ['c', 'c'],
      ['c', 'c'],
      ['a', 'a'],
    ];
    for (const [actual, predicted] of pairs) monitor.recordOutcome(predict(predicted).predictionId, actual);
    const m = await scrape(registry);
    close(value(m, 'model_accuracy_ratio', V), 0.75, 'accuracy');
    const expected = {
      a: { p: 2 / 3, r: 2 / 3, f: 2 / 3 },
      b: { p: 2 / 3, r: 1, f: 0.8 },
      c: { p: 1, r: 2 / 3, f: 0.8 },
    };
    for (const [cls, e] of Object.entries(expected)) {
      close(
        value(m, 'model_precision_ratio', { ...V, class: cls, average: 'none' }),
        e.p,
        `precision ${cls}`,
      );
      close(value(m, 'model_recall_ratio', { ...V, class: cls, average: 'none' }), e.r, `recall ${cls}`);
      close(value(m, 'model_f1_ratio', { ...V, class: cls, average: 'none' }), e.f, `f1 ${cls}`);
    }
    const macro = { ...V, class: '', average: 'macro' };
    close(value(m, 'model_precision_ratio', macro), (2 / 3 + 2 / 3 + 1) / 3, 'macro precision');
    close(value(m, 'model_recall_ratio', macro), (2 / 3 + 1 + 2 / 3) / 3, 'macro recall');
    close(value(m, 'model_f1_ratio', macro), (2 / 3 + 0.8 + 0.8) / 3, 'macro f1');
    assert.equal(value(m, 'model_roc_auc_ratio', V), undefined, 'no AUC without a positive class');
  });

  test('regression: MAE and MSE by hand; label delay histogram', async () => {
    const { registry, monitor, model } = setup();
    const predict = monitor.instrument(model, async (x: number) => x, { task: 'regression' });
    const predicted = [3, 5, 2.5, 7];
    const actual = [2, 5, 3, 10];
    const ids: string[] = [];
    for (const p of predicted) ids.push((await predict(p)).predictionId);
    const later = Date.now() + 5000;
    for (const [i, id] of ids.entries())
      assert.equal(monitor.recordOutcome(id, actual[i], { at: later }), 'joined');
    const m = await scrape(registry);
    close(value(m, 'model_mean_absolute_error', V), 4.5 / 4, 'mae');
    close(value(m, 'model_mean_squared_error', V), 10.25 / 4, 'mse');
    assert.equal(value(m, 'model_label_delay_seconds_count', V), 4);
    assert.equal(value(m, 'model_label_delay_seconds_bucket', { ...V, le: '1' }), 0);
    assert.equal(value(m, 'model_label_delay_seconds_bucket', { ...V, le: '10' }), 4);
    assert.equal(value(m, 'model_accuracy_ratio', V), undefined);
  });

  test('duplicate, late, evicted, unknown and invalid outcomes are counted and logged, never thrown', async () => {
    const { registry, logger, monitor, model } = setup({ ttlMs: 40, maxEntries: 3 });
    const predict = monitor.instrumentSync(model, (x: number) => x, { task: 'regression' });
    const a = predict(1).predictionId;
    assert.equal(monitor.recordOutcome(a, 1), 'joined');
    assert.equal(monitor.recordOutcome(a, 2), 'duplicate');
    assert.equal(monitor.recordOutcome(predict(1).predictionId, 'seven'), 'invalid');
    assert.equal(monitor.recordOutcome(predict(1).predictionId, Number.NaN), 'invalid');
    assert.equal(monitor.recordOutcome('not-an-id', 1), 'unknown');
    // Shaped like an old ID at first sight, but never made by this process: unknown, not late.
    assert.equal(monitor.recordOutcome('no-such-prediction', 1), 'unknown');
    assert.equal(monitor.recordOutcome('kx1-0123456789', 1), 'unknown');
    assert.equal(monitor.recordOutcome(newPredictionId(), 1), 'unknown');
    assert.equal(monitor.recordOutcome(42 as never, 1), 'invalid');
    assert.equal(monitor.recordOutcome(newPredictionId(Date.now() - 10_000), 1), 'late');
    const old = predict(5).predictionId;
    await sleep(60);
    assert.equal(monitor.recordOutcome(old, 5), 'late');
    // Capacity: the oldest of four pending predictions is evicted.
    const first = predict(1).predictionId;
    for (let i = 0; i < 3; i++) predict(1);
    assert.ok(monitor.pendingOutcomes <= 3);
    assert.equal(monitor.recordOutcome(first, 1), 'evicted');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'joined' }), 1);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'duplicate' }), 1);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'invalid' }), 2);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'late' }), 1);
    assert.equal(value(m, 'model_outcomes_total', { model_name: '', model_version: '', result: 'late' }), 1);
    assert.equal(
      value(m, 'model_outcomes_total', { model_name: '', model_version: '', result: 'unknown' }),
      4,
    );
    assert.equal(
      value(m, 'model_outcomes_total', { model_name: '', model_version: '', result: 'invalid' }),
      1,
    );
    assert.equal(
      value(m, 'model_outcomes_total', { model_name: '', model_version: '', result: 'evicted' }),
      1,
    );
    assert.ok((value(m, 'model_outcome_store_evictions_total') ?? 0) >= 1);
    const rejected = logger.events('model_outcome_rejected');
    assert.deepEqual([...new Set(rejected.map((l) => l.fields.result))].sort(), [
      'duplicate',
      'evicted',
      'invalid',
      'late',
      'unknown',
    ]);
    assert.equal(rejected[0]!.fields.code, 'TL_MODEL_OUTCOME_REJECTED');
  });

  test('the store stays within maxEntries over 1,000,000 predictions', async () => {
    const { registry, monitor, model } = setup({ maxEntries: 10_000 });
    const predict = monitor.instrumentSync(model, (x: number) => (x % 3 === 0 ? 'yes' : 'no'), {
      classes: ['no', 'yes'],
      positiveClass: 'yes',
    });
    let max = 0;
    let last = '';
    for (let i = 0; i < 1_000_000; i++) {
      last = predict(i).predictionId;
      if ((i & 0xffff) === 0) max = Math.max(max, monitor.pendingOutcomes);
    }
    max = Math.max(max, monitor.pendingOutcomes);
    assert.equal(max, 10_000);
    assert.equal(monitor.recordOutcome(last, 'yes'), 'joined');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcome_store_entries'), 10_000);
    assert.equal(value(m, 'model_outcome_store_evictions_total'), 990_000);
    assert.equal(value(m, 'model_predictions_total', V), 1_000_000);
  });
});

describe('sliding window', () => {
  const spec: QualitySpec = {
    task: 'classification',
    classes: ['no', 'yes'],
    classIndex: new Map([
      ['no', 0],
      ['yes', 1],
    ]),
    positive: 1,
    aucBuckets: 10,
  };
  const model = { name: 'm', version: '1', lineage: {} } as unknown as DeclaredModel;

  test('outcomes leave the gauges once their slice is older than the window', () => {
    let now = 1_000_000;
    const store = new OutcomeStore(100, 10_000_000, 1000, 4, 10, () => now);
    store.track('p1', model, spec, 1, 0.9, Number.NaN);
    assert.equal(store.record('p1', 'yes').result, 'joined');
    now += 400;
    store.track('p2', model, spec, 0, 0.2, Number.NaN);
    assert.equal(store.record('p2', 'yes').result, 'joined');
    let f = figures(store.window.totals().get(model)!);
    assert.equal(f.samples, 2);
    assert.equal(f.accuracy, 0.5);
    now += 800;
    f = figures(store.window.totals().get(model)!);
    assert.equal(f.samples, 1, 'the first slice slid out');
    assert.equal(f.accuracy, 0);
    now += 1000;
    assert.equal(store.window.totals().size, 0);
  });

  test('expired entries are dropped as new predictions arrive', () => {
    let now = 0;
    const store = new OutcomeStore(1000, 100, 1000, 4, 10, () => now);
    for (let i = 0; i < 50; i++) store.track(`a${i}`, model, spec, 0, 0.1, Number.NaN);
    now = 500;
    for (let i = 0; i < 30; i++) store.track(`b${i}`, model, spec, 0, 0.1, Number.NaN);
    assert.ok(store.size <= 50, `size ${store.size}`);
    store.expire();
    assert.equal(store.size, 30);
  });
});

describe('cluster aggregation', () => {
  test('info series stay 1 and ratios are averaged, not summed, across workers', async () => {
    const { AggregatorRegistry } = await import('prom-client');
    const worker = async (right: number) => {
      const { registry, monitor, model } = setup();
      const predict = monitor.instrumentSync(model, (x: string) => x, { classes: ['a', 'b'] });
      for (let i = 0; i < 4; i++) monitor.recordOutcome(predict('a').predictionId, i < right ? 'a' : 'b');
      return registry.getMetricsAsJSON();
    };
    // Two workers as prom-client's cluster support sees them: accuracy 1.0 and 0.5.
    const merged = AggregatorRegistry.aggregate([await worker(4), await worker(2)]);
    const text = await merged.metrics();
    const find = (name: string) =>
      text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('model_version="3"'));
    assert.match(find('model_info') ?? '', / 1$/);
    assert.match(find('model_accuracy_ratio') ?? '', / 0\.75$/);
    assert.match(find('model_outcome_samples') ?? '', / 8$/);
  });
});
