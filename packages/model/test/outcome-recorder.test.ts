import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OutcomeRecorder } from '../src/outcome-recorder.js';
import { newPredictionId } from '../src/outcomes.js';
import type { QualitySpec } from '../src/window.js';
import { scrape, value } from './helpers.js';
import { monitorCore } from './monitor-core.js';

const SPEC: QualitySpec = {
  task: 'classification',
  classes: ['stay', 'churn'],
  classIndex: new Map([
    ['stay', 0],
    ['churn', 1],
  ]),
  positive: 1,
  aucBuckets: 10,
};

function setup(options: Parameters<typeof monitorCore>[0] = {}) {
  const parts = monitorCore(options);
  const model = parts.versions.declare({ name: 'churn', version: '4' });
  return { ...parts, model, recorder: new OutcomeRecorder(parts.core, parts.versions) };
}

const V = { model_name: 'churn', model_version: '4' };
const NONE = { model_name: '', model_version: '' };

describe('outcome recorder', () => {
  test('a joined outcome is counted under its version and its label delay observed in seconds', async () => {
    let now = 1_000_000;
    const { registry, logger, store, model, recorder } = setup({ now: () => now });
    const id = newPredictionId(now);
    store.track(id, model, SPEC, 1, 0.8, Number.NaN);
    now += 2_000;
    assert.equal(recorder.record(id, 'churn', { at: new Date(now + 3_000) }), 'joined');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'joined' }), 1);
    assert.equal(value(m, 'model_label_delay_seconds_count', V), 1);
    assert.equal(value(m, 'model_label_delay_seconds_sum', V), 5, 'from the prediction to options.at');
    assert.equal(logger.events('model_outcome_rejected').length, 0, 'a joined outcome writes no line');
  });

  test('duplicate, unknown and rejected outcomes are counted by result and logged', async () => {
    const { registry, logger, store, model, recorder } = setup();
    const id = newPredictionId();
    store.track(id, model, SPEC, 0, Number.NaN, Number.NaN);
    assert.equal(recorder.record(id, true, { at: Date.now() }), 'joined');
    assert.equal(recorder.record(id, 'stay'), 'duplicate');
    assert.equal(recorder.record('0-00000000', 'stay'), 'unknown');
    const other = newPredictionId();
    store.track(other, model, SPEC, 0, Number.NaN, Number.NaN);
    assert.equal(recorder.record(other, 3), 'invalid');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'duplicate' }), 1);
    assert.equal(value(m, 'model_outcomes_total', { ...V, result: 'invalid' }), 1);
    assert.equal(value(m, 'model_outcomes_total', { ...NONE, result: 'unknown' }), 1);
    const lines = logger.events('model_outcome_rejected');
    assert.deepEqual(
      lines.map((l) => l.fields.result),
      ['duplicate', 'unknown', 'invalid'],
    );
    assert.equal(lines[0]!.fields.code, 'TL_MODEL_OUTCOME_REJECTED');
    assert.equal(lines[0]!.fields.model_version, '4');
    assert.equal(lines[2]!.fields.reason, 'a classification outcome must be a class name');
    assert.equal('model_name' in lines[1]!.fields, false, 'an unknown ID names no model');
  });

  test('an ID that cannot be ours is invalid, never thrown, and cut to 64 characters in the line', async () => {
    const { registry, logger, recorder } = setup();
    assert.equal(recorder.record(42 as never, 'stay'), 'invalid');
    assert.equal(recorder.record('x'.repeat(65), 'stay'), 'invalid');
    assert.equal(value(await scrape(registry), 'model_outcomes_total', { ...NONE, result: 'invalid' }), 2);
    const lines = logger.events('model_outcome_rejected');
    assert.equal(lines[0]!.fields.prediction_id, undefined);
    assert.equal(lines[1]!.fields.prediction_id, 'x'.repeat(64));
    assert.match(String(lines[1]!.fields.reason), /must be a string from a Prediction/);
  });

  test('rejected lines keep within the warning budget of their result; the counter stays exact', async () => {
    const { registry, logger, recorder } = setup({ warnPerMinute: 3 });
    for (let i = 0; i < 10; i++) recorder.record(`0-0000000${i}`, 'stay');
    recorder.record(7 as never, 'stay');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcomes_total', { ...NONE, result: 'unknown' }), 10);
    const lines = logger.events('model_outcome_rejected');
    assert.equal(lines.filter((l) => l.fields.result === 'unknown').length, 3);
    assert.equal(
      lines.filter((l) => l.fields.result === 'invalid').length,
      1,
      'another result has its own budget',
    );
  });
});
