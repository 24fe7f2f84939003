import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { MetricStore } from '../src/metric-store.js';
import { RunMetrics } from '../src/run-metrics.js';
import { sample } from './helpers.js';

test('a pushing run records into the exposed registry and into its own, which holds only its series', async () => {
  const exposed = new Registry();
  const a = new RunMetrics('exp-a', exposed, true);
  const b = new RunMetrics('exp-b', exposed, false);
  assert.equal(b.pushRegistry, undefined);
  const steps = new MetricStore('step', 'r', undefined, { nonFinite: () => {} });
  a.started(new Date());
  b.started(new Date());
  steps.record({ loss: 0.5 }, 0, 'in_order');
  a.step('in_order', steps);
  a.step('in_order', steps);
  a.epoch('in_order', 20);
  b.epoch('in_order', null);
  b.epoch('out_of_order', null);
  a.ended('finished', 100, new Date(), steps);
  const shown = await exposed.metrics();
  assert.equal(sample(shown, 'training_epochs_total', { experiment: 'exp-a' }), 1);
  assert.equal(sample(shown, 'training_epochs_total', { experiment: 'exp-b' }), 2);
  assert.equal(sample(shown, 'training_steps_total', { experiment: 'exp-a' }), 2);
  assert.equal(sample(shown, 'training_out_of_order_steps_total', { experiment: 'exp-b', kind: 'epoch' }), 1);
  const pushed = await a.pushRegistry!.metrics();
  assert.equal(sample(pushed, 'training_epochs_total', { experiment: 'exp-a' }), 1);
  assert.equal(sample(pushed, 'training_steps_total', { experiment: 'exp-a' }), 2);
  assert.equal(sample(pushed, 'training_metric', { name: 'loss', scope: 'step' }), 0.5);
  assert.equal(sample(pushed, 'training_run_status', { status: 'finished' }), 1);
  assert.equal(sample(pushed, 'training_epochs_total', { experiment: 'exp-b' }), undefined);
});

test('steps reach the metrics at most once a second, and at every flush', async () => {
  const registry = new Registry();
  const m = new RunMetrics('flush', registry, false);
  const steps = new MetricStore('step', 'r', undefined, { nonFinite: () => {} });
  for (let i = 0; i < 1000; i++) {
    steps.record({ loss: 1 / (i + 1) }, i, 'in_order');
    m.step('in_order', steps);
  }
  // The first step flushed at once; the next 999 wait for the second to pass or for a flush.
  assert.equal(sample(await registry.metrics(), 'training_steps_total'), 1);
  m.flushSteps(steps);
  const text = await registry.metrics();
  assert.equal(sample(text, 'training_steps_total'), 1000);
  assert.equal(sample(text, 'training_metric', { name: 'loss', scope: 'step' }), 1 / 1000);
});
