import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { IndexTracker } from '../src/order.js';

test('the index rule: in order, continued, duplicate, out of order; the highest only moves up', () => {
  const t = new IndexTracker('step', 'r');
  assert.equal(t.next(), 0);
  assert.equal(t.place(0, false), 'in_order');
  assert.equal(t.place(2, false), 'in_order');
  assert.equal(t.place(2, false), 'continued');
  assert.equal(t.place(2, true), 'duplicate');
  assert.equal(t.place(1, false), 'out_of_order');
  assert.equal(t.highest, 2);
  assert.equal(t.next(), 3);
  assert.deepEqual([t.outOfOrder, t.duplicates], [1, 1]);
});

test('a bad index becomes the next one, warned once per run and kind', () => {
  const seen: unknown[] = [];
  const listener = (message: unknown): void => {
    seen.push(message);
  };
  subscribe('threadline:diag', listener);
  try {
    const t = new IndexTracker('epoch', 'run-bad-index');
    t.place(4, false);
    assert.equal(t.take(-1), 5);
    assert.equal(t.take(1.5), 5);
    assert.equal(t.take(Number.NaN), 5);
    assert.equal(t.take(7), 7);
    assert.equal(t.take(undefined), 5);
  } finally {
    unsubscribe('threadline:diag', listener);
  }
  const warned = seen.filter((m) => (m as { code?: string }).code === 'TL_TRAINING_BAD_INDEX');
  assert.equal(warned.length, 1);
  assert.match((warned[0] as { message: string }).message, /epoch index -1 is not a non-negative integer/);
});
