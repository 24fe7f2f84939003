import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { settings } from '../src/predict-settings.js';
import { PredictionRecorder } from '../src/prediction-recorder.js';
import { predictorInternals, remember } from '../src/predictor-internals.js';
import type { PredictOptions } from '../src/types.js';
import { monitorCore } from './monitor-core.js';

function remembered<T>(options: PredictOptions<unknown, unknown, unknown, unknown, T>) {
  const parts = monitorCore();
  const model = parts.versions.declare({ name: 'churn', version: '1' });
  const cell = parts.versions.cellOf(model)!;
  const x = new PredictionRecorder<unknown, unknown, unknown, unknown, T>(
    parts.core,
    cell,
    settings(parts.core, cell, options),
  );
  const predictor = () => undefined;
  assert.equal(remember(predictor, x as never), predictor, 'remember returns the predictor itself');
  return { cell, internals: predictorInternals(predictor)! };
}

describe('predictor internals', () => {
  test('only a remembered function has internals', () => {
    assert.equal(
      predictorInternals(() => 1),
      undefined,
    );
    assert.equal(predictorInternals({}), undefined);
    assert.equal(predictorInternals(undefined), undefined);
  });

  test('a classifier reads the class of an item through its label extractor, strings only', () => {
    type Out = { label: unknown };
    const { cell, internals } = remembered<Out>({
      classes: ['a', 'b'],
      batch: true,
      label: (o) => o.label as string,
    });
    assert.equal(internals.cell, cell);
    assert.equal(internals.batch, true);
    assert.equal(internals.task, 'classification');
    assert.equal(internals.read({ label: 'b' }), 'b');
    assert.equal(internals.read({ label: 3 }), undefined);
    assert.equal(internals.read(null), undefined, 'a throwing extractor reads as nothing');
  });

  test('a regressor reads numbers, the item itself without a value extractor', () => {
    assert.equal(remembered({ task: 'regression' }).internals.read(2.5), 2.5);
    assert.equal(remembered({ task: 'regression' }).internals.read('2.5'), undefined);
    const withValue = remembered<{ y: number }>({ value: (o) => o.y }).internals;
    assert.equal(withValue.task, 'regression');
    assert.equal(withValue.batch, false);
    assert.equal(withValue.read({ y: 4 }), 4);
  });
});
