import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModelMonitor, MAX_TRACKED_ITEMS } from '@threadline/model';
import { Registry } from 'prom-client';
import { parsePromText } from '../../../test/helpers/prom-text.js';

const ITEMS = 1_000_000;

/**
 * Milliseconds `fn` keeps the thread busy: the fastest of a few runs, since a shared machine or a
 * garbage collection can only add time to a run, never take it away.
 */
function busyMs(fn: () => void, runs = 5): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('bounded work on bad input', () => {
  test('a 1,000,000-item batch adds a few ms of blocking at most; the items past the cap are counted', async () => {
    const registry = new Registry();
    const monitor = createModelMonitor({ registry, logger: false });
    const model = monitor.declare({ name: 'churn', version: '1' });
    const batch = Array.from({ length: ITEMS }, (_, i) => (i % 10) / 10);
    const raw = (xs: number[]) => xs;
    const predict = monitor.instrumentSync(model, raw, {
      batch: true,
      classes: ['no', 'yes'],
      positiveClass: 'yes',
      label: (p: number) => (p >= 0.5 ? 'yes' : 'no'),
      score: (p: number) => p,
    });
    const bare = busyMs(() => raw(batch));
    let result: ReturnType<typeof predict> | undefined;
    const instrumented = busyMs(() => {
      result = predict(batch);
    });
    const added = instrumented - bare;
    assert.ok(added < 50, `added ${added.toFixed(1)} ms of blocking for ${ITEMS} items`);
    assert.equal(result!.output, batch, 'the output is returned whole');
    assert.equal(result!.predictionIds!.length, MAX_TRACKED_ITEMS);
    const parsed = parsePromText(await registry.metrics());
    const value = (name: string) => parsed.samples.find((s) => s.name === name)?.value;
    assert.equal(value('model_predictions_total'), 5 * ITEMS, 'every item is a prediction');
    assert.equal(value('model_batch_items_untracked_total'), 5 * (ITEMS - MAX_TRACKED_ITEMS));
    const classes = parsed.samples.filter((s) => s.name === 'model_output_class_total');
    assert.equal(
      classes.reduce((n, s) => n + s.value, 0),
      5 * MAX_TRACKED_ITEMS,
    );
    monitor.close();
  });
});
