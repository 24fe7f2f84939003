import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Registry, register } from 'prom-client';
import { currentRun, runTraining, trackTraining, wrapTraining } from '../src/index.js';
import { captureSink, sample } from './helpers.js';

const quiet = { logger: captureSink(), progress: false as const };

async function epochs(experiment: string, n: number, registry?: Registry): Promise<void> {
  await runTraining({ experiment, ...quiet, ...(registry ? { registry } : {}) }, async (run) => {
    assert.equal(run.registry, registry ?? register);
    for (let e = 0; e < n; e++) {
      await run.epoch(e, async () => {
        // Yield, so concurrent runs interleave their epochs.
        await new Promise((resolve) => setImmediate(resolve));
        return { loss: 1 / (e + 1) };
      });
    }
  });
}

test('by default the run metrics are on the global registry, next to the service metrics', async () => {
  const service = new Counter({ name: 'service_requests_total', help: 'A metric of the service.' });
  service.inc();
  await epochs('default-registry', 3);
  const text = await register.metrics();
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'default-registry' }), 3);
  assert.equal(
    sample(text, 'training_run_status', { experiment: 'default-registry', status: 'finished' }),
    1,
  );
  assert.equal(sample(text, 'service_requests_total'), 1);
});

test('two sequential runs of one experiment share its series: counters add up, gauges are the latest run', async () => {
  await epochs('sequential', 3);
  await assert.rejects(
    runTraining({ experiment: 'sequential', ...quiet }, async (run) => {
      run.logEpoch(0, { loss: 2 });
      throw new Error('oom');
    }),
    /oom/,
  );
  const text = await register.metrics();
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'sequential' }), 4);
  assert.equal(sample(text, 'training_run_status', { experiment: 'sequential', status: 'failed' }), 1);
  assert.equal(sample(text, 'training_run_status', { experiment: 'sequential', status: 'finished' }), 0);
  assert.equal(sample(text, 'training_run_failed', { experiment: 'sequential' }), 1);
  assert.equal(
    sample(text, 'training_metric', { experiment: 'sequential', name: 'loss', scope: 'epoch' }),
    2,
  );
  // The finished run's success time survives the failed one.
  assert.ok(sample(text, 'training_last_success_timestamp_seconds', { experiment: 'sequential' })! > 0);
});

test('two concurrent runs: different experiments stay apart, the same experiment adds up', async () => {
  await Promise.all([epochs('concurrent-a', 4), epochs('concurrent-b', 2)]);
  await Promise.all([epochs('concurrent-same', 3), epochs('concurrent-same', 5)]);
  const text = await register.metrics();
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'concurrent-a' }), 4);
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'concurrent-b' }), 2);
  assert.equal(sample(text, 'training_epoch_duration_seconds_count', { experiment: 'concurrent-a' }), 4);
  assert.equal(
    sample(text, 'training_metric', { experiment: 'concurrent-b', name: 'loss', scope: 'epoch' }),
    0.5,
  );
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'concurrent-same' }), 8);
  assert.equal(sample(text, 'training_run_status', { experiment: 'concurrent-same', status: 'finished' }), 1);
});

test('wrapTraining and @trackTraining use the global registry too; `registry` still picks another', async () => {
  const wrapped = wrapTraining({ experiment: 'wrapped-global', ...quiet }, async () => {
    currentRun()!.logEpoch(0, { loss: 1 });
  });
  await wrapped();
  await wrapped();
  class Trainer {
    @trackTraining({ experiment: 'decorated-global', ...quiet })
    async train(): Promise<void> {
      currentRun()!.logEpoch(0, { loss: 1 });
    }
  }
  await new Trainer().train();
  const own = new Registry();
  await epochs('own-registry', 2, own);
  const text = await register.metrics();
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'wrapped-global' }), 2);
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'decorated-global' }), 1);
  assert.equal(sample(text, 'training_epochs_total', { experiment: 'own-registry' }), undefined);
  assert.equal(sample(await own.metrics(), 'training_epochs_total', { experiment: 'own-registry' }), 2);
});
