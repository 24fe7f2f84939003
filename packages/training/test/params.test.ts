import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainingParamError, trainingCodes } from '../src/errors.js';
import { RunParams } from '../src/params.js';

test('parameters are write-once, compared by value whatever the key order', () => {
  const p = new RunParams('r1', undefined, { owner: 'a' });
  assert.deepEqual(p.add({ lr: 0.1, opt: { name: 'adam', beta: 0.9 } }), {
    lr: 0.1,
    opt: { name: 'adam', beta: 0.9 },
  });
  assert.deepEqual(p.add({ opt: { beta: 0.9, name: 'adam' }, lr: 0.1 }), {});
  assert.throws(
    () => p.add({ fresh: 1, lr: 0.2 }),
    (e: unknown) => e instanceof TrainingParamError && e.code === trainingCodes.PARAM_CONFLICT,
  );
  // The conflicting batch changed nothing, not even its valid key.
  assert.equal(p.values.fresh, undefined);
  assert.throws(
    () => p.add({ f: (() => 1) as never }),
    (e: unknown) => e instanceof TrainingParamError && e.code === trainingCodes.PARAM_INVALID,
  );
  assert.deepEqual(p.tags, { owner: 'a' });
});

test('values are stored as JSON holds them; the dataset version is write-once too', () => {
  const p = new RunParams('r2', 'v1', undefined);
  const layers = [4, 3];
  p.add({ layers, inf: Number.POSITIVE_INFINITY });
  layers.push(2);
  assert.deepEqual(p.values, { layers: [4, 3], inf: null });
  assert.equal(p.setDatasetVersion('v1'), false);
  assert.throws(() => p.setDatasetVersion('v2'), /dataset version of run r2 is already "v1"/);
  const q = new RunParams('r3', undefined, undefined);
  assert.equal(q.datasetVersion, null);
  assert.equal(q.setDatasetVersion('v9'), true);
  assert.equal(q.datasetVersion, 'v9');
});
