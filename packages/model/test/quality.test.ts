import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { OutcomeStore } from '../src/outcomes.js';
import { createQualityGauges } from '../src/quality.js';
import type { DeclaredModel } from '../src/types.js';
import type { QualitySpec } from '../src/window.js';
import { scrape, value } from './helpers.js';

const model = (version: string): DeclaredModel =>
  Object.freeze({
    name: 'churn',
    version,
    lineage: { run_id: '', dataset_version: '', git_sha: '', trained_at: '', framework: '' },
  });

const spec = (classes: string[], positive: string | undefined): QualitySpec => ({
  task: 'classification',
  classes,
  classIndex: new Map(classes.map((c, i) => [c, i])),
  positive: positive === undefined ? -1 : classes.indexOf(positive),
  aucBuckets: 10,
});

const REGRESSION: QualitySpec = {
  task: 'regression',
  classes: [],
  classIndex: new Map(),
  positive: -1,
  aucBuckets: 10,
};

function setup() {
  const registry = new Registry();
  const store = new OutcomeStore(1000, 3_600_000, 3_600_000, 12, 10);
  createQualityGauges(registry, store);
  let n = 0;
  /** Tracks one prediction and, unless `actual` is undefined, joins its outcome. */
  const add = (
    m: DeclaredModel,
    s: QualitySpec,
    predicted: number,
    score: number,
    v: number,
    actual?: unknown,
  ) => {
    const id = `p${n++}`;
    store.track(id, m, s, predicted, score, v);
    if (actual !== undefined) assert.equal(store.record(id, actual).result, 'joined');
  };
  return { registry, store, add };
}

const near = (actual: number | undefined, expected: number, what: string) => {
  assert.ok(actual !== undefined, `${what} missing`);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);
};

describe('quality gauges', () => {
  test('binary classification: accuracy, the positive class with average="binary", ROC AUC, join ratio', async () => {
    const { registry, add } = setup();
    const v = model('1');
    const s = spec(['stay', 'churn'], 'churn');
    // predicted (0 stay, 1 churn), score, actual: TP=2 FP=1 FN=1 TN=1, one never joined.
    add(v, s, 1, 0.95, Number.NaN, 'churn');
    add(v, s, 1, 0.85, Number.NaN, 'churn');
    add(v, s, 1, 0.75, Number.NaN, 'stay');
    add(v, s, 0, 0.35, Number.NaN, 'churn');
    add(v, s, 0, 0.15, Number.NaN, 'stay');
    add(v, s, 0, 0.05, Number.NaN);
    const m = await scrape(registry);
    const V = { model_name: 'churn', model_version: '1' };
    near(value(m, 'model_accuracy_ratio', V), 3 / 5, 'accuracy');
    near(value(m, 'model_precision_ratio', { ...V, class: 'churn', average: 'binary' }), 2 / 3, 'precision');
    near(value(m, 'model_recall_ratio', { ...V, class: 'churn', average: 'binary' }), 2 / 3, 'recall');
    near(value(m, 'model_f1_ratio', { ...V, class: 'churn', average: 'binary' }), 2 / 3, 'f1');
    assert.equal(
      value(m, 'model_precision_ratio', { ...V, class: 'stay', average: 'binary' }),
      undefined,
      'a binary task reports the positive class only',
    );
    // Positives score 0.95, 0.85, 0.35; negatives 0.75, 0.15: 5 of 6 pairs ranked right.
    near(value(m, 'model_roc_auc_ratio', V), 5 / 6, 'roc auc');
    near(value(m, 'model_outcome_join_ratio', V), 5 / 6, 'join ratio');
    assert.equal(value(m, 'model_outcome_samples', V), 5);
    near(
      value(m, 'model_precision_ratio', { ...V, class: '', average: 'macro' }),
      (2 / 3 + 1 / 2) / 2,
      'macro',
    );
  });

  test('multi-class: per-class figures with average="none", no ROC AUC; regression: MAE and MSE', async () => {
    const { registry, add } = setup();
    const c = model('2');
    const s = spec(['a', 'b', 'c'], undefined);
    add(c, s, 0, Number.NaN, Number.NaN, 'a');
    add(c, s, 1, Number.NaN, Number.NaN, 'a');
    add(c, s, 2, Number.NaN, Number.NaN, 'c');
    const r = model('3');
    add(r, REGRESSION, -1, Number.NaN, 1.5, 1);
    add(r, REGRESSION, -1, Number.NaN, 2, 4);
    const m = await scrape(registry);
    const C = { model_name: 'churn', model_version: '2' };
    near(value(m, 'model_precision_ratio', { ...C, class: 'a', average: 'none' }), 1, 'precision a');
    near(value(m, 'model_recall_ratio', { ...C, class: 'a', average: 'none' }), 1 / 2, 'recall a');
    near(value(m, 'model_precision_ratio', { ...C, class: 'b', average: 'none' }), 0, 'precision b');
    assert.equal(value(m, 'model_roc_auc_ratio', C), undefined);
    const R = { model_name: 'churn', model_version: '3' };
    near(value(m, 'model_mean_absolute_error', R), (0.5 + 2) / 2, 'mae');
    near(value(m, 'model_mean_squared_error', R), (0.25 + 4) / 2, 'mse');
    assert.equal(value(m, 'model_accuracy_ratio', R), undefined);
  });

  test('one pass over the window per scrape, fresh on the next; a forgotten version leaves the gauges', async () => {
    const { registry, store, add } = setup();
    const v = model('1');
    const s = spec(['stay', 'churn'], 'churn');
    add(v, s, 1, 0.9, Number.NaN, 'churn');
    const totals = store.window.totals.bind(store.window);
    let passes = 0;
    store.window.totals = () => {
      passes++;
      return totals();
    };
    const V = { model_name: 'churn', model_version: '1' };
    near(value(await scrape(registry), 'model_accuracy_ratio', V), 1, 'accuracy');
    assert.equal(passes, 1, 'nine gauges, one pass');
    add(v, s, 1, 0.8, Number.NaN, 'stay');
    near(value(await scrape(registry), 'model_accuracy_ratio', V), 1 / 2, 'accuracy after a wrong one');
    assert.equal(passes, 2);
    store.forget(v);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_accuracy_ratio', V), undefined);
    assert.equal(value(m, 'model_outcome_samples', V), undefined);
  });
});
