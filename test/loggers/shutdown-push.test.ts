// A Pushgateway push in flight when the service shuts down is awaited, and the final state pushed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { type LogSink, shutdown } from '@threadline/core';
import { runTraining } from '@threadline/training';

test('shutdown waits for the push in flight and pushes the final state once more', async () => {
  const pushes: { at: number; body: string }[] = [];
  const gateway = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // A slow gateway: the push is still in flight when the shutdown starts.
      setTimeout(() => {
        pushes.push({ at: Date.now(), body: Buffer.concat(chunks).toString() });
        res.writeHead(200).end();
      }, 200);
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  const quiet: LogSink = { log: () => {} };
  try {
    let started = 0;
    let doneWhenResolved = 0;
    let result: Awaited<ReturnType<typeof shutdown>> | undefined;
    await runTraining(
      {
        experiment: 'shutdown-push',
        logger: quiet,
        progress: false,
        handleSignals: false,
        pushgateway: { url },
      },
      async (run) => {
        await run.epoch(0, () => ({ loss: 1 }));
        started = Date.now();
        result = await shutdown({ exit: false });
        doneWhenResolved = pushes.filter((p) => p.at >= started).length;
      },
    );
    assert.deepEqual(result, { ok: true, failed: [], timedOut: [] });
    assert.ok(
      doneWhenResolved >= 2,
      `the push in flight and a final one before shutdown resolved (${doneWhenResolved})`,
    );
    assert.match(pushes.at(-1)!.body, /training_run_status/);
  } finally {
    await new Promise((r) => gateway.close(r));
  }
});
