import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { runTraining, type TrainingOptions } from '../src/index.js';
import type { TrainingRun } from '../src/run.js';
import { captureSink } from './helpers.js';

/** Runs `fn` as a run whose progress goes to a non-TTY stream; returns what was written there. */
async function progressOf(
  options: Partial<TrainingOptions>,
  fn: (run: TrainingRun) => Promise<void> | void,
): Promise<string[]> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  await runTraining(
    { experiment: 'progress', logger: captureSink(), progressStream: stream, ...options },
    fn,
  ).catch(() => {});
  return text.trim() === '' ? [] : text.trim().split('\n');
}

describe('plain progress lines (no TTY)', () => {
  test('epochs are counted from 1 to N, whatever indexes the loop uses', async () => {
    const lines = await progressOf({ totalEpochs: 2 }, async (run) => {
      await run.epoch(0, () => ({ loss: 0.912345, acc: 0.5 }));
      await run.epoch(1, () => ({ loss: 0.5, acc: 0.75 }));
    });
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^epoch 1\/2 loss=0\.9123 acc=0\.5 \(\d+ ms\)$/);
    assert.match(lines[1]!, /^epoch 2\/2 loss=0\.5 acc=0\.75/);
    const fromOne = await progressOf({ totalEpochs: 3 }, (run) => {
      for (let e = 1; e <= 3; e++) run.logEpoch(e, { loss: 1 / e });
    });
    assert.deepEqual(
      fromOne.map((l) => l.split(' ')[1]),
      ['1/3', '2/3', '3/3'],
    );
  });

  test('a known total: at most 10 lines, every tenth of the run and the last', async () => {
    const lines = await progressOf({ totalEpochs: 100 }, (run) => {
      for (let e = 0; e < 100; e++) run.logEpoch(e, { loss: 1 / (e + 1) }, { durationMs: 1 });
    });
    assert.deepEqual(
      lines.map((l) => l.split(' ')[1]),
      ['10/100', '20/100', '30/100', '40/100', '50/100', '60/100', '70/100', '80/100', '90/100', '100/100'],
    );
    const odd = await progressOf({ totalEpochs: 15 }, (run) => {
      for (let e = 0; e < 15; e++) run.logEpoch(e, { loss: 1 });
    });
    assert.deepEqual(
      odd.map((l) => Number(l.split(' ')[1]!.split('/')[0])),
      [2, 4, 6, 8, 10, 12, 14, 15],
    );
  });

  test('an unknown total: epochs 1, 2, 4, 8, ... and the last one when the run ends', async () => {
    const lines = await progressOf({}, (run) => {
      for (let e = 0; e < 37; e++) run.logEpoch(e, { loss: 1 / (e + 1) });
    });
    assert.deepEqual(
      lines.map((l) => l.split(' ')[1]),
      ['1', '2', '4', '8', '16', '32', '37'],
    );
    assert.match(lines.at(-1)!, /^epoch 37 loss=0\.02703$/);
  });

  test('a run that fails early still shows its last epoch; merged metrics are not one more epoch', async () => {
    const lines = await progressOf({ totalEpochs: 100 }, (run) => {
      for (let e = 0; e < 23; e++) {
        run.logEpoch(e, { loss: 1 });
        run.logEpoch(e, { val_loss: 2 });
      }
      throw new Error('diverged');
    });
    assert.deepEqual(
      lines.map((l) => l.split(' ')[1]),
      ['10/100', '20/100', '23/100'],
    );
    assert.match(lines.at(-1)!, /val_loss=2/);
  });
});

test('the TTY bar over steps counts epochs from 1 as well', async () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  await runTraining(
    {
      experiment: 'bar',
      logger: captureSink(),
      progress: 'bar',
      progressStream: stream,
      totalEpochs: 2,
      stepsPerEpoch: 3,
    },
    async (run) => {
      for (let e = 0; e < 2; e++) {
        await run.epoch(e, () => {
          for (let s = 0; s < 3; s++) run.logStep({ loss: 1 / (e * 3 + s + 1) });
          return { loss: 0.5 };
        });
      }
    },
  );
  assert.match(text, /epoch 1\/2 \[[^\]]+\] 3\/3 steps \| loss=0\.5/);
  assert.match(text, /epoch 2\/2 \[[^\]]+\] 3\/3 steps/);
  assert.doesNotMatch(text, /epoch 0\//);
});
