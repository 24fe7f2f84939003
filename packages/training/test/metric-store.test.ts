import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricFieldName } from '../src/fields.js';
import { MAX_TRACKED_NAMES, MetricStore } from '../src/metric-store.js';

function store(scope: 'step' | 'epoch', goals?: Record<string, 'min' | 'max'>) {
  const values: [string, number][] = [];
  const nonFinite: string[] = [];
  const s = new MetricStore(scope, 'r', goals, {
    value: (name, value) => values.push([name, value]),
    nonFinite: (name) => nonFinite.push(name),
  });
  return { s, values, nonFinite };
}

test('last is the value at the highest index, best follows the goal, NaN is counted apart', () => {
  const { s, values, nonFinite } = store('epoch', { val_loss: 'min' });
  s.record({ loss: 1, accuracy: 0.5 }, 0, 'in_order');
  s.record({ loss: 0.4, accuracy: 0.9 }, 2, 'in_order');
  s.record({ loss: 0.1, accuracy: 0.95 }, 1, 'out_of_order');
  const r = s.record({ loss: Number.NaN, val_loss: 0.3 }, 2, 'duplicate');
  assert.deepEqual(r.nonFinite, ['loss']);
  assert.deepEqual(r.fields, { loss: null, val_loss: 0.3 });
  const loss = s.byName.get('loss')!;
  assert.deepEqual([loss.last, loss.last_index, loss.best, loss.best_index], [null, 2, 0.1, 1]);
  assert.equal(loss.goal, 'min');
  assert.equal(s.byName.get('accuracy')!.goal, 'max');
  assert.equal(s.byName.get('accuracy')!.last, 0.9);
  assert.equal(s.nonFiniteValues, 1);
  assert.deepEqual(nonFinite, ['loss']);
  // Out-of-order values never reach the gauge; the others do, in order.
  assert.deepEqual(
    values.map(([n]) => n),
    ['loss', 'accuracy', 'loss', 'accuracy', 'val_loss'],
  );
  assert.equal(s.repeats({ val_loss: 1 }, 2), true);
  assert.equal(s.repeats({ other: 1 }, 2), false);
  assert.deepEqual(s.lastValues(), { loss: null, accuracy: 0.9, val_loss: 0.3 });
});

test('names past the bound fold into __overflow__; log fields never take a reserved name', () => {
  const { s } = store('step');
  const many: Record<string, number> = {};
  for (let i = 0; i < MAX_TRACKED_NAMES + 5; i++) many[`m${i}`] = i;
  s.record(many, 0, 'in_order');
  assert.equal(s.byName.size, MAX_TRACKED_NAMES + 1);
  assert.equal(s.byName.get('__overflow__')!.count, 5);
  assert.equal(metricFieldName('epoch'), 'metric_epoch');
  assert.equal(metricFieldName('run_id'), 'metric_run_id');
  assert.equal(metricFieldName('trace_id'), 'metric_trace_id');
  assert.equal(metricFieldName('job'), 'metric_job');
  assert.equal(metricFieldName('val/acc'), 'val_acc');
  assert.equal(metricFieldName('1x'), '_1x');
  assert.equal(metricFieldName('loss'), 'loss');
});
