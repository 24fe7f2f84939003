import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { RunLifecycle } from '../src/lifecycle.js';

test('a run starts once and ends once; events after the end are late, warned once', () => {
  const life = new RunLifecycle('life-1');
  assert.equal(life.end('finished'), false, 'never started');
  assert.equal(life.start(), true);
  assert.equal(life.start(), false);
  assert.equal(life.late('step'), false);
  assert.equal(life.end('killed', { signal: 'SIGTERM' }), true);
  assert.equal(life.end('failed', { error: new Error('x') }), false);
  assert.equal(life.status, 'killed');
  assert.equal(life.signal, 'SIGTERM');
  assert.equal(life.error, null);
  assert.ok(life.durationMs! >= 0 && life.endedWall! >= life.startedWall);
  const seen: unknown[] = [];
  const listener = (m: unknown): void => {
    seen.push(m);
  };
  subscribe('threadline:diag', listener);
  try {
    assert.equal(life.late('step'), true);
    assert.equal(life.late('epoch'), true);
  } finally {
    unsubscribe('threadline:diag', listener);
  }
  const late = seen.filter((m) => (m as { code?: string }).code === 'TL_TRAINING_LATE_EVENT');
  assert.equal(late.length, 1);
  assert.match((late[0] as { message: string }).message, /run life-1 already killed: step not recorded/);
});

test('a failed end keeps the error with its stack; a thrown non-Error is kept as text', () => {
  const life = new RunLifecycle('life-2');
  life.start();
  life.end('failed', { error: new RangeError('bad shape') });
  assert.equal(life.error!.name, 'RangeError');
  assert.match(life.error!.stack!, /bad shape/);
  const other = new RunLifecycle('life-3');
  other.start();
  other.end('failed', { error: 42 });
  assert.deepEqual(other.error, { name: 'Error', message: '42' });
});
