import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { runTraining } from '../src/index.js';
import { Pusher } from '../src/push.js';
import { captureSink, sample } from './helpers.js';

test('a Pushgateway that is down: the run goes on, the failure is logged and counted', async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const sink = captureSink();
  const registry = new Registry();
  const value = await runTraining(
    {
      experiment: 'push-down',
      logger: sink,
      registry,
      progress: false,
      pushgateway: { url: `http://127.0.0.1:${port}`, timeoutMs: 2000, everyEpoch: true },
    },
    async (run) => {
      await run.epoch(0, () => ({ loss: 1 }));
      return 'done';
    },
  );
  assert.equal(value, 'done');
  assert.equal(sink.events('training_finished').length, 1);
  const failures = sink.events('training_push_failed');
  assert.ok(failures.length >= 1);
  assert.equal(failures[0]!.error_code, 'ECONNREFUSED');
  const text = await registry.metrics();
  assert.equal(sample(text, 'training_pushgateway_push_failures_total'), failures.length);
});

test('pushes never overlap: asked while one is in flight, they coalesce into one more', async () => {
  let inFlight = 0;
  let most = 0;
  const bodies: string[] = [];
  const server = createHttpServer((req, res) => {
    inFlight++;
    most = Math.max(most, inFlight);
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      setTimeout(() => {
        bodies.push(`${req.method} ${req.url} ${body}`);
        inFlight--;
        res.end();
      }, 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const registry = new Registry();
    const counter = new Counter({ name: 'pushed_total', help: 'A pushed counter.', registers: [registry] });
    const failures: unknown[] = [];
    const pusher = new Pusher(
      { url: `http://127.0.0.1:${port}`, jobName: 'coalesce', groupings: { instance: 'a' } },
      registry,
      (e) => failures.push(e),
    );
    counter.inc();
    const first = pusher.push();
    counter.inc();
    const pending = [pusher.push(), pusher.push(), pusher.push()];
    await Promise.all([first, ...pending]);
    assert.deepEqual(failures, []);
    assert.equal(most, 1);
    assert.equal(bodies.length, 2);
    assert.match(bodies[0]!, /^POST \/metrics\/job\/coalesce\/instance\/a /);
    // The coalesced push sends the state as it was when it ran: both increments.
    assert.match(bodies[1]!, /pushed_total 2/);
  } finally {
    server.close();
  }
});
