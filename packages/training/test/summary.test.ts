import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { type RunSummary, runTraining } from '../src/index.js';
import { captureSink, sample, tempDir } from './helpers.js';

test('a loop that only calls logEpoch(): the summary, the end line and the metrics agree', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const sink = captureSink();
    const registry = new Registry();
    const path = join(dir, 'summary.json');
    await runTraining(
      { experiment: 'log-epoch-only', logger: sink, registry, progress: false, summaryPath: path },
      (run) => {
        for (let e = 0; e < 10; e++) run.logEpoch(e, { loss: 1 / (e + 1) });
        // Validation metrics for the last epoch: merged into it, not one more epoch.
        run.logEpoch(9, { val_loss: 0.2 });
      },
    );
    assert.equal(sink.events('training_epoch').length, 11);
    const summary = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
    assert.equal(summary.epochs.count, 10);
    assert.equal(summary.epochs.timed, 0);
    assert.equal(summary.epochs.total_ms, 0);
    assert.equal(summary.epochs.last_epoch, 9);
    assert.deepEqual(summary.epochs.durations_ms, []);
    assert.equal(sink.events('training_finished')[0]!.epochs, 10);
    const text = await registry.metrics();
    assert.equal(sample(text, 'training_epochs_total', { experiment: 'log-epoch-only' }), 10);
    // No epoch had a duration, so the histogram has no sample at all.
    assert.equal(sample(text, 'training_epoch_duration_seconds_count'), undefined);
  } finally {
    cleanup();
  }
});

test('timed and untimed epochs: count covers all, the duration aggregates the timed ones', async () => {
  const sink = captureSink();
  let summary: RunSummary | undefined;
  await runTraining({ experiment: 'mixed-epochs', logger: sink, progress: false }, async (run) => {
    await run.epoch(0, () => ({ loss: 1 }));
    run.logEpoch(1, { loss: 0.8 });
    run.logEpoch(2, { loss: 0.7 }, { durationMs: 12.5 });
    summary = run.summary();
  });
  assert.equal(summary!.epochs.count, 3);
  assert.equal(summary!.epochs.timed, 2);
  assert.equal(summary!.epochs.durations_ms.length, 2);
  assert.equal(summary!.epochs.last_ms, 12.5);
  assert.equal(sink.events('training_finished')[0]!.epochs, 3);
});
