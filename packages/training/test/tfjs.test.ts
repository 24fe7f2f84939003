import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { logFields } from '@threadline/core';
import { type RunSummary, runTraining, tfjsCallback } from '../src/index.js';
import { captureSink, iris } from './helpers.js';

function irisModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      units: 12,
      activation: 'relu',
      inputShape: [4],
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function tensors(): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const data = iris();
  return { xs: tf.tensor2d(data.x), ys: tf.oneHot(tf.tensor1d(data.y, 'int32'), 3) as tf.Tensor2D };
}

test('TF.js model.fit on iris inside runTraining: logged loss decreases, steps and epochs recorded', async () => {
  const sink = captureSink();
  const { xs, ys } = tensors();
  const model = irisModel();
  const epochs = 20;
  let summary: RunSummary | undefined;
  let inside: Record<string, unknown> = {};
  try {
    await runTraining(
      { experiment: 'iris-tfjs', logger: sink, progress: false, params: { optimizer: 'adam', lr: 0.05 } },
      async (run) => {
        const callback = tfjsCallback();
        await model.fit(xs, ys, {
          epochs,
          batchSize: 50,
          shuffle: false,
          verbose: 0,
          callbacks: [
            callback,
            {
              onEpochEnd: async () => {
                inside = logFields();
              },
            },
          ],
        });
        assert.equal(callback.run, run);
        summary = run.summary();
      },
    );
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
  const lines = sink.events('training_epoch');
  assert.equal(lines.length, epochs);
  const losses = lines.map((l) => l.loss as number);
  assert.ok(losses.every((l) => Number.isFinite(l)));
  assert.ok(losses.at(-1)! < losses[0]! * 0.5, `loss must fall: ${losses}`);
  // Adam may wobble by an epoch; each quarter of training must still end lower than the last.
  const q = epochs / 4;
  const means = [0, 1, 2, 3].map((i) => losses.slice(i * q, (i + 1) * q).reduce((a, b) => a + b, 0) / q);
  assert.ok(
    means.every((m, i) => i === 0 || m < means[i - 1]!),
    `quarter means must decrease: ${means}`,
  );
  assert.ok((lines.at(-1)!.acc as number) > 0.8, `accuracy ${lines.at(-1)!.acc}`);
  assert.equal(typeof lines[0]!.duration_ms, 'number');
  assert.deepEqual(
    lines.map((l) => l.epoch),
    Array.from({ length: epochs }, (_, i) => i),
  );
  // 150 rows in batches of 50: three steps per epoch, numbered across epochs.
  const steps = sink.events('training_step');
  assert.equal(steps.length, epochs * 3);
  assert.deepEqual(steps.at(-1)!.step, epochs * 3 - 1);
  assert.equal(steps.at(-1)!.epoch, epochs - 1);
  assert.equal(steps[0]!.batch, undefined);
  assert.equal(summary!.epochs.count, epochs);
  assert.equal(summary!.metrics.epoch.acc!.goal, 'max');
  assert.equal(inside.run_id, summary!.run_id);
  assert.equal(inside.experiment, 'iris-tfjs');
});

test('a standalone TF.js callback starts and finishes its own run', async () => {
  const sink = captureSink();
  const { xs, ys } = tensors();
  const model = irisModel();
  const callback = tfjsCallback(
    { experiment: 'iris-tfjs-standalone', logger: sink, progress: false },
    { steps: false },
  );
  let firstRun: string | undefined;
  try {
    await model.fit(xs, ys, { epochs: 3, batchSize: 75, verbose: 0, callbacks: callback });
    firstRun = callback.run?.runId;
    await model.fit(xs, ys, { epochs: 1, batchSize: 75, verbose: 0, callbacks: callback });
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
  assert.equal(callback.run?.status, 'finished');
  // A second fit with the same callback is a second run.
  assert.notEqual(callback.run?.runId, firstRun);
  assert.equal(sink.events('training_started').length, 2);
  assert.equal(sink.events('training_epoch').filter((l) => l.run_id === firstRun).length, 3);
  assert.equal(sink.events('training_step').length, 0);
  assert.deepEqual(
    sink.events('training_finished').map((l) => l.run_id),
    [firstRun, callback.run?.runId],
  );
});

test('a standalone TF.js callback with an unwritable summary path fails when it is created', () => {
  assert.throws(
    () => tfjsCallback({ experiment: 'x', summaryPath: '/nonexistent-dir/summary.json' }),
    /summaryPath "\/nonexistent-dir\/summary\.json" is not writable \(ENOENT/,
  );
  assert.throws(() => tfjsCallback({ experiment: 'x', bogus: 1 } as never), /unknown option "bogus"/);
});
