import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { settings } from '../src/predict-settings.js';
import { extract, MAX_TRACKED_ITEMS, PredictionRecorder } from '../src/prediction-recorder.js';
import type { PredictOptions } from '../src/types.js';
import { scrape, value } from './helpers.js';
import { monitorCore } from './monitor-core.js';

const V = { model_name: 'churn', model_version: '1' };

function recorder<T>(options: PredictOptions<unknown, unknown, unknown, unknown, T>, sampleRate = 1) {
  const parts = monitorCore({ inferenceLogSampleRate: sampleRate });
  const model = parts.versions.declare({ name: 'churn', version: '1' });
  const cell = parts.versions.cellOf(model)!;
  const x = new PredictionRecorder<unknown, unknown, unknown, unknown, T>(
    parts.core,
    cell,
    settings(parts.core, cell, options),
  );
  return { ...parts, model, x };
}

describe('prediction recorder', () => {
  test('observe records the phase in seconds and returns its end, the start of the next phase', async () => {
    const { registry, x } = recorder({});
    assert.equal(x.observe('preprocess', 1000, 1250), 1250);
    assert.equal(x.observe('predict', 1250, 1750), 1750);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_inference_duration_seconds_sum', { ...V, phase: 'preprocess' }), 0.25);
    assert.equal(value(m, 'model_inference_duration_seconds_sum', { ...V, phase: 'predict' }), 0.5);
    assert.equal(
      value(m, 'model_inference_duration_seconds_count', { ...V, phase: 'postprocess' }),
      undefined,
    );
  });

  test('finish, one output: counted, its value observed, tracked for its outcome, one inference line', async () => {
    const { registry, logger, store, model, x } = recorder({ task: 'regression', inputSize: () => 3 });
    const p = x.finish([1, 2, 3], 0.75, 10, 12.5);
    assert.equal(p.output, 0.75);
    assert.equal(p.model, model);
    assert.equal(p.nonFinite, false);
    assert.equal(p.predictionIds, undefined);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_predictions_total', V), 1);
    assert.equal(value(m, 'model_output_value_sum', V), 0.75);
    assert.equal(value(m, 'model_input_size_sum', V), 3);
    assert.equal(store.size, 1);
    assert.equal(store.record(p.predictionId, 1).result, 'joined');
    const [line] = logger.events('model_inference');
    assert.equal(line?.fields.prediction_id, p.predictionId);
    assert.equal(line?.fields.inference_time_ms, 2.5);
    assert.equal(line?.fields.input_size, 3);
    assert.equal(line?.fields.model_version, undefined, 'the context adds the model, not the recorder');
  });

  test('finish, a batch: one ID per item, classes counted, NaN scores flagged and left out', async () => {
    type Out = { label: string; p: number };
    const { registry, logger, x } = recorder<Out>({
      batch: true,
      classes: ['stay', 'churn'],
      positiveClass: 'churn',
      label: (o) => o.label,
      score: (o) => o.p,
    });
    const out: Out[] = [
      { label: 'churn', p: 0.9 },
      { label: 'odd', p: 0.2 },
      { label: 'stay', p: Number.NaN },
    ];
    const p = x.finish([], out, 0, 1);
    assert.equal(p.predictionIds?.length, 3);
    assert.equal(new Set([...p.predictionIds!, p.predictionId]).size, 4);
    assert.equal(p.nonFinite, true);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_predictions_total', V), 3);
    assert.equal(value(m, 'model_batch_size_sum', V), 3);
    assert.equal(value(m, 'model_output_class_total', { ...V, class: '__other__' }), 1);
    assert.equal(value(m, 'model_output_score_count', V), 2);
    assert.equal(value(m, 'model_prediction_non_finite_total', V), 1);
    assert.equal(logger.events('model_output_non_finite')[0]?.fields.count, 1);
    assert.equal(logger.events('model_inference')[0]?.fields.batch_size, 3);
  });

  test('a batch past MAX_TRACKED_ITEMS: every item counted, the rest untracked and reported', async () => {
    const { registry, logger, store, x } = recorder({ batch: true, task: 'regression' });
    const n = MAX_TRACKED_ITEMS + 7;
    const p = x.finish(
      [],
      Array.from({ length: n }, () => 1),
      0,
      1,
    );
    assert.equal(p.predictionIds?.length, MAX_TRACKED_ITEMS);
    assert.equal(store.size, MAX_TRACKED_ITEMS);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_predictions_total', V), n);
    assert.equal(value(m, 'model_batch_items_untracked_total', V), 7);
    const [line] = logger.events('model_batch_untracked');
    assert.equal(line?.fields.untracked_items, 7);
    assert.equal(line?.fields.code, 'TL_MODEL_BATCH_UNTRACKED');
  });

  test('failed counts by error type and writes an error line', async () => {
    const { registry, logger, x } = recorder({});
    x.failed(new Error('weights missing'), 'exception');
    x.failed('late', 'timeout');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_prediction_errors_total', { ...V, error_type: 'exception' }), 1);
    assert.equal(value(m, 'model_prediction_errors_total', { ...V, error_type: 'timeout' }), 1);
    const [failed] = logger.events('model_inference_failed');
    assert.equal(failed?.level, 'error');
    assert.equal(failed?.fields.error_message, 'weights missing');
    assert.equal(logger.events('model_inference_timeout')[0]?.fields.code, 'TL_MODEL_TIMEOUT');
  });

  test('no inference line at sample rate 0; the counts stay exact', async () => {
    const { registry, logger, x } = recorder({}, 0);
    for (let i = 0; i < 5; i++) x.finish(i, i, 0, 1);
    assert.equal(logger.events('model_inference').length, 0);
    assert.equal(value(await scrape(registry), 'model_predictions_total', V), 5);
  });

  test('extract: a throwing extractor reads as no value', () => {
    assert.equal(
      extract((o: { a: number }) => o.a, { a: 1 }),
      1,
    );
    assert.equal(
      extract(() => {
        throw new Error('bug');
      }, {}),
      undefined,
    );
  });
});
