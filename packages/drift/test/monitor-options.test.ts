import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addsContext, ThreadlineConfigError } from '@threadline/core';
import { buildProfile } from '../src/index.js';
import { resolveMonitorOptions, resolveWindow } from '../src/monitor-options.js';

test('window: tumbling 1000 rows by default; sliding splits the size into slices', () => {
  assert.deepEqual(resolveWindow(), { type: 'tumbling', byTime: false, sliceCount: 1, sliceSize: 1000 });
  assert.deepEqual(resolveWindow({ type: 'sliding', rows: 25, slices: 4 }), {
    type: 'sliding',
    byTime: false,
    sliceCount: 4,
    sliceSize: 7,
  });
  assert.deepEqual(resolveWindow({ type: 'sliding', durationMs: 1000 }), {
    type: 'sliding',
    byTime: true,
    sliceCount: 10,
    sliceSize: 100,
  });
});

test('window: bad shapes throw at setup', () => {
  for (const bad of [
    { rows: 10, durationMs: 10 },
    { rows: 0 },
    { rows: 1.5 },
    { type: 'sliding', slices: 1 },
    { type: 'hopping' },
    { size: 10 },
  ]) {
    assert.throws(() => resolveWindow(bad as never), ThreadlineConfigError, JSON.stringify(bad));
  }
});

test('logger: core jsonLineSink by default, none with false', () => {
  const reference = buildProfile({ x: [1, 2, 3, 4] });
  assert.ok(addsContext(resolveMonitorOptions({ reference }).logger!));
  assert.equal(resolveMonitorOptions({ reference, logger: false }).logger, undefined);
  assert.throws(() => resolveMonitorOptions({ reference, logger: {} as never }), /logger must be a LogSink/);
});
