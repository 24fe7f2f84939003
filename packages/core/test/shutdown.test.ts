import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  type DiagEvent,
  drainServer,
  flushOnShutdown,
  isShuttingDown,
  onDiag,
  onShutdown,
  shutdown,
  ThreadlineConfigError,
} from '@threadline/core';

test('phases run in order: drain, final, flush; failures and overruns are named, never thrown', async () => {
  const order: string[] = [];
  const events: DiagEvent[] = [];
  const stop = onDiag((e) => events.push(e));
  const undo = [
    onShutdown({ name: 'logs', phase: 'flush', run: () => void order.push('flush') }),
    onShutdown({ name: 'push', run: async () => void order.push('final') }),
    onShutdown({ name: 'server', phase: 'drain', run: () => void order.push('drain') }),
    onShutdown({
      name: 'broken',
      run: () => {
        throw new Error('push failed');
      },
    }),
    onShutdown({ name: 'stuck', phase: 'flush', run: () => new Promise(() => {}) }),
  ];
  try {
    const result = await shutdown({ exit: false, flushTimeoutMs: 50 });
    assert.deepEqual(order, ['drain', 'final', 'flush']);
    assert.deepEqual(result, { ok: false, failed: ['broken'], timedOut: ['stuck'] });
    assert.ok(events.some((e) => e.code === 'TL_SHUTDOWN_TIMEOUT'));
    assert.equal(isShuttingDown(), false, 'with exit: false a later shutdown may run again');
  } finally {
    stop();
    for (const u of undo) u();
  }
  assert.deepEqual(
    await shutdown({ exit: false }),
    { ok: true, failed: [], timedOut: [] },
    'undo removed them',
  );
});

test('flushOnShutdown holds its target weakly and its undo removes it', async () => {
  let flushed = 0;
  const target = { name: 'logger' };
  const undo = flushOnShutdown(target, 'test', (t) => {
    assert.equal(t, target);
    flushed++;
  });
  await shutdown({ exit: false });
  assert.equal(flushed, 1);
  undo();
  await shutdown({ exit: false });
  assert.equal(flushed, 1);
});

test('drainServer finishes in-flight requests, refuses new connections, closes kept-alive ones', async () => {
  let release: () => void = () => {};
  let arrived: () => void = () => {};
  const received = new Promise<void>((r) => {
    arrived = r;
  });
  const server = createServer((_req, res) => {
    release = () => res.end('done');
    arrived();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const inFlight = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
  await received;
  const drained = drainServer(server, 2_000);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'no new connections');
  release();
  assert.equal(await inFlight, 'done');
  assert.equal(await drained, true);
});

test('drainServer gives up after its timeout and closes what remains', async () => {
  const server = createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const hung = fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await drainServer(server, 100), false);
  assert.ok((await hung) instanceof Error, 'the hung request was cut');
});

test('bad options throw at setup', () => {
  assert.throws(() => onShutdown({ name: '', run: () => {} }), ThreadlineConfigError);
  assert.throws(
    () => onShutdown({ name: 'x', phase: 'later' as never, run: () => {} }),
    ThreadlineConfigError,
  );
  assert.throws(() => shutdown({ drainTimeoutMs: -1 }), ThreadlineConfigError);
  assert.throws(() => shutdown({ servers: [{}] as never }), ThreadlineConfigError);
});
