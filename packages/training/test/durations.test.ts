import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EpochDurations, MAX_EPOCH_DURATIONS, PhaseDurations, roundDurations } from '../src/durations.js';
import { MAX_TRACKED_NAMES } from '../src/metric-store.js';

test('epoch durations: aggregates over all, the latest kept one by one, bounded', () => {
  const d = new EpochDurations();
  assert.equal(d.add(null), false);
  assert.equal(d.add(-1), false);
  assert.equal(d.add(Number.NaN), false);
  for (let i = 0; i < MAX_EPOCH_DURATIONS + 10; i++) assert.equal(d.add(i + 0.12345), true);
  assert.equal(d.all.count, MAX_EPOCH_DURATIONS + 10);
  const latest = d.latest();
  assert.equal(latest.length, MAX_EPOCH_DURATIONS);
  assert.equal(latest[0], 10.123);
  const r = roundDurations(d.all);
  assert.equal(r.min_ms, 0.123);
  assert.equal(r.last_ms, MAX_EPOCH_DURATIONS + 9.123);
});

test('data-load phases are bounded like metric names', () => {
  const p = new PhaseDurations();
  for (let i = 0; i < MAX_TRACKED_NAMES; i++) assert.equal(p.add(`phase${i}`, 1), `phase${i}`);
  assert.equal(p.add('one_too_many', 2), '__overflow__');
  assert.equal(p.add('phase3', 2), 'phase3');
  assert.equal(p.byPhase.get('phase3')!.count, 2);
  assert.equal(p.byPhase.size, MAX_TRACKED_NAMES + 1);
});
