import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorFields, flagFields, RunLog } from '../src/run-log.js';
import { captureSink } from './helpers.js';

test('every line carries the run, the experiment and the model; a throwing sink never reaches the run', () => {
  const sink = captureSink();
  const log = new RunLog(sink, 'r1', 'exp', { name: 'm', version: '2' });
  log.line('info', 'training_epoch', { epoch: 3 }, 'epoch 3');
  const f = sink.lines[0]!.fields;
  assert.deepEqual(
    [f.run_id, f.experiment, f.model_name, f.model_version, f.event, f.epoch],
    ['r1', 'exp', 'm', '2', 'training_epoch', 3],
  );
  const broken = new RunLog(
    {
      log() {
        throw new Error('disk full');
      },
    },
    'r2',
    'exp',
    undefined,
  );
  assert.doesNotThrow(() => broken.line('info', 'training_step', {}, 'step'));
});

test('end lines: finished, failed with the error, killed with the signal', () => {
  const sink = captureSink();
  const log = new RunLog(sink, 'r', 'e', undefined);
  const fields = { duration_ms: 5, epochs: 2, steps: 10, final_metrics: { loss: 0.1 } };
  log.ended('finished', fields, { signal: null });
  const err = Object.assign(new TypeError('labels missing'), { code: 'E_LABELS' });
  log.ended('failed', fields, { error: err, signal: null });
  log.ended('killed', fields, { signal: 'SIGINT' });
  assert.deepEqual(
    sink.lines.map((l) => [l.level, l.fields.event, l.fields.status, l.fields.epochs]),
    [
      ['info', 'training_finished', 'finished', 2],
      ['error', 'training_failed', 'failed', 2],
      ['warn', 'training_killed', 'killed', 2],
    ],
  );
  assert.equal(sink.lines[1]!.fields.error_code, 'E_LABELS');
  assert.equal(sink.lines[2]!.fields.signal, 'SIGINT');
  assert.deepEqual(errorFields('plain'), { error_type: 'string', error_message: 'plain' });
  assert.deepEqual(flagFields('duplicate', ['loss']), { duplicate: true, non_finite_metrics: ['loss'] });
  assert.deepEqual(flagFields('continued', []), {});
});
