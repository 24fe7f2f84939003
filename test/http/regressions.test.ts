// Regressions found in review of the request path: each test fails on the code before its fix.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import { threadline as expressThreadline } from '@threadline/express';
import { threadline as koaThreadline } from '@threadline/koa';
import express from 'express';
import Koa from 'koa';
import { parseMetrics, setup, sum, until } from './harness.js';

const servers: { close(): void; closeAllConnections(): void }[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function listen(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends a GET on a raw socket and hangs up before any answer can come. */
async function abandon(url: string, path: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  await sleep(20);
  socket.destroy();
}

describe('review regressions', () => {
  test('express: wrapped layer handles (as express-async-errors does) do not grow the router stack', async () => {
    const { options } = setup();
    const app = express();
    app.use(expressThreadline(options));
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    const url = await listen(app as unknown as RequestListener);
    await fetch(`${url}/x`).then((r) => r.text());
    const stack = (app as unknown as { router: { stack: { handle: unknown }[] } }).router.stack;
    // Wrap every layer's handle the way such libraries do when a layer is created.
    for (const layer of stack) {
      const inner = layer.handle as (...a: unknown[]) => unknown;
      if (inner.length === 4) {
        layer.handle = function wrapped(this: unknown, a: unknown, b: unknown, c: unknown, d: unknown) {
          return inner.call(this, a, b, c, d);
        };
      }
    }
    const before = stack.length;
    for (let i = 0; i < 20; i++) await fetch(`${url}/x`).then((r) => r.text());
    assert.equal(stack.length, before);
  });

  test('koa: an error object thrown by several requests answers each with its own request ID', async () => {
    const { options } = setup();
    const app = new Koa();
    const shared = Object.assign(new Error('model not loaded'), { status: 503, expose: true });
    app.use(koaThreadline(options));
    app.use(async () => {
      throw shared;
    });
    const url = await listen(app.callback());
    for (const id of ['req-one', 'req-two', 'req-three']) {
      const res = await fetch(url, { headers: { 'x-request-id': id } });
      await res.text();
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('x-request-id'), id);
    }
    const fresh = await fetch(url);
    await fresh.text();
    assert.notEqual(fresh.headers.get('x-request-id'), 'req-three');
  });

  test('koa: an error carrying its own request-ID header keeps it', async () => {
    const { options } = setup();
    const app = new Koa();
    app.use(koaThreadline(options));
    app.use(async () => {
      throw Object.assign(new Error('x'), { status: 400, expose: true, headers: { 'x-request-id': 'mine' } });
    });
    const url = await listen(app.callback());
    const res = await fetch(url, { headers: { 'x-request-id': 'theirs' } });
    await res.text();
    assert.equal(res.headers.get('x-request-id'), 'mine');
  });

  test('koa: a second threadline() on a router leaves the request to the first', async () => {
    const { options, registry, logs } = setup();
    const app = new Koa();
    const router = new Router();
    app.use(koaThreadline(options));
    router.use(koaThreadline(options));
    router.get('/x', (ctx) => {
      ctx.body = { ok: true };
    });
    app.use(router.routes());
    const url = await listen(app.callback());
    const res = await fetch(`${url}/x`, { headers: { 'x-request-id': 'only-one' } });
    await res.text();
    assert.equal(res.headers.get('x-request-id'), 'only-one');
    await until(() => logs.access().length > 0);
    await sleep(50);
    assert.equal(logs.access().length, 1);
    assert.equal(logs.access()[0]!.request_id, 'only-one');
    const samples = parseMetrics(await registry.metrics());
    assert.equal(sum(samples, 'http_server_request_duration_seconds_count'), 1);
  });

  for (const framework of ['express', 'koa'] as const) {
    test(`${framework}: a client gone before Threadline's middleware runs does not leave the in-flight gauge up`, async () => {
      const { options, registry } = setup();
      let url: string;
      if (framework === 'express') {
        const app = express();
        app.use((_req, _res, next) => {
          setTimeout(next, 100);
        });
        app.use(expressThreadline(options));
        app.get('/slow', (_req, res) => {
          res.json({ ok: true });
        });
        url = await listen(app as unknown as RequestListener);
      } else {
        const app = new Koa();
        app.use(async (_ctx, next) => {
          await sleep(100);
          await next();
        });
        app.use(koaThreadline(options));
        app.use((ctx) => {
          ctx.body = { ok: true };
        });
        url = await listen(app.callback());
      }
      await abandon(url, '/slow');
      await sleep(300);
      const samples = parseMetrics(await registry.metrics());
      assert.equal(sum(samples, 'http_server_active_requests'), 0);
    });
  }

  test('skip patterns with the g flag skip every matching request, not every other one', async () => {
    const { options, logs } = setup({ skip: [/^\/healthz/g] });
    const app = express();
    app.use(expressThreadline(options));
    app.get('/healthz', (_req, res) => {
      res.send('ok');
    });
    app.get('/x', (_req, res) => {
      res.send('x');
    });
    const url = await listen(app as unknown as RequestListener);
    for (let i = 0; i < 4; i++) await fetch(`${url}/healthz`).then((r) => r.text());
    await fetch(`${url}/x`).then((r) => r.text());
    await until(() => logs.access().length > 0);
    await sleep(50);
    assert.deepEqual(
      logs.access().map((l) => l.route),
      ['/x'],
    );
  });
});
