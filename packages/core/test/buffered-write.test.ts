import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { flushPeriodically, resolveBufferedWrite, ThreadlineConfigError } from '@threadline/core';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('flushPeriodically flushes only what is held, and stops when the writer closes', async () => {
  const writer = Object.assign(new EventEmitter(), { _len: 0, fd: 3, flushes: 0, flush() {} });
  writer.flush = () => {
    writer.flushes++;
    writer._len = 0;
  };
  flushPeriodically(writer, 10);
  await sleep(60);
  assert.equal(writer.flushes, 0, 'an empty buffer is not written');
  writer._len = 100;
  await sleep(40);
  assert.equal(writer.flushes, 1);
  writer.emit('close');
  writer._len = 100;
  await sleep(40);
  assert.equal(writer.flushes, 1, 'no flush after close');
});

test('resolveBufferedWrite: defaults, and bad values fail naming the component', () => {
  assert.deepEqual(resolveBufferedWrite('x', 1, {}), { dest: 1, minLength: 4096, flushIntervalMs: 100 });
  assert.deepEqual(resolveBufferedWrite('x', '/tmp/a.log', { minLength: 0, flushIntervalMs: 5 }), {
    dest: '/tmp/a.log',
    minLength: 0,
    flushIntervalMs: 5,
  });
  for (const [dest, options] of [
    ['', {}],
    [1.5, {}],
    [1, { minLength: 8193 }],
    [1, { minLength: -1 }],
    [1, { flushIntervalMs: 0.5 }],
  ] as const) {
    assert.throws(
      () => resolveBufferedWrite('comp', dest, options),
      (e: unknown) => {
        return e instanceof ThreadlineConfigError && /comp/.test(String(e.message));
      },
    );
  }
});
