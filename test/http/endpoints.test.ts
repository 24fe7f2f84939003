import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import Router from '@koa/router';
import { createRegistry, DebugSwitch, debugSwitch, ThreadlineConfigError } from '@threadline/core';
import {
  debugHandler,
  threadline as expressThreadline,
  metricsHandler,
  startMetricsServer,
} from '@threadline/express';
import { debugMiddleware, threadline as koaThreadline, metricsMiddleware } from '@threadline/koa';
import express from 'express';
import Koa from 'koa';
import { parseMetrics, sum } from './harness.js';

const SECRET = 'a-long-enough-secret';

async function listen(handler: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler as RequestListener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function expressMetricsApp(options: Record<string, unknown>): unknown {
  const app = express();
  app.use(expressThreadline({ registry: options.registry as never, logger: false }));
  app.get('/metrics', metricsHandler(options));
  app.get('/hello', (_req, res) => {
    res.send('hi');
  });
  return app;
}

function koaMetricsApp(options: Record<string, unknown>): unknown {
  const app = new Koa();
  app.use(koaThreadline({ registry: options.registry as never, logger: false }) as never);
  app.use(metricsMiddleware(options) as never);
  const router = new Router();
  router.get('/hello', (ctx) => {
    ctx.body = 'hi';
  });
  app.use(router.routes() as never);
  return app.callback();
}

afterEach(() => debugSwitch.clear());

for (const [name, build] of [
  ['express', expressMetricsApp],
  ['koa', koaMetricsApp],
] as const) {
  describe(`/metrics on ${name}`, () => {
    test('bearer token, OpenMetrics negotiation with exemplars, default process metrics', async () => {
      const registry = createRegistry();
      const app = await listen(build({ registry, token: 's3cret' }));
      try {
        await (await fetch(`${app.url}/hello`)).text();
        const denied = await fetch(`${app.url}/metrics`);
        assert.equal(denied.status, 401);
        assert.equal(denied.headers.get('www-authenticate'), 'Bearer');
        const wrong = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer s3creX' } });
        assert.equal(wrong.status, 401);
        const om = await fetch(`${app.url}/metrics`, {
          headers: { authorization: 'Bearer s3cret', accept: 'application/openmetrics-text; version=1.0.0' },
        });
        assert.equal(om.status, 200);
        assert.match(om.headers.get('content-type') ?? '', /application\/openmetrics-text/);
        const omBody = await om.text();
        assert.match(omBody, /# EOF\n$/);
        assert.match(
          omBody,
          /http_server_request_duration_seconds_bucket\{[^}]*http_route="\/hello"[^}]*\} 1 # \{trace_id="[0-9a-f]{32}"/,
        );
        const prom = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer s3cret' } });
        assert.match(prom.headers.get('content-type') ?? '', /text\/plain/);
        const samples = parseMetrics(await prom.text());
        assert.equal(sum(samples, 'http_server_request_duration_seconds_count', { http_route: '/hello' }), 1);
        assert.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'));
      } finally {
        await app.close();
      }
    });

    test('defaultMetrics: false leaves process metrics out; bad options throw at setup', async () => {
      const registry = createRegistry();
      const app = await listen(build({ registry, defaultMetrics: false }));
      try {
        const text = await (await fetch(`${app.url}/metrics`)).text();
        assert.ok(!text.includes('process_cpu_user_seconds_total'));
      } finally {
        await app.close();
      }
      assert.throws(() => build({ registry, token: '' }), ThreadlineConfigError);
      assert.throws(() => build({ registry, bogus: true }), ThreadlineConfigError);
    });
  });
}

describe('metrics on its own port', () => {
  test('startMetricsServer serves /metrics and 404 elsewhere', async () => {
    const registry = createRegistry();
    const server = await startMetricsServer({ registry, port: 0, defaultMetrics: false, token: 'tok' });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer tok' } });
      assert.equal(ok.status, 200);
      await ok.text();
      assert.equal((await fetch(`${base}/other`)).status, 404);
    } finally {
      await server.close();
    }
  });
});

describe('option validation', () => {
  test('bad middleware options throw ThreadlineConfigError at setup', () => {
    for (const make of [expressThreadline, koaThreadline] as ((o: unknown) => unknown)[]) {
      assert.throws(() => make({ bogus: 1 }), ThreadlineConfigError);
      assert.throws(() => make({ sampleRate: 2 }), ThreadlineConfigError);
      assert.throws(() => make({ logger: { write() {} } }), ThreadlineConfigError);
      assert.throws(() => make({ requestIdHeader: 'bad header' }), ThreadlineConfigError);
      assert.throws(() => make({ buckets: [2, 1], registry: createRegistry() }), ThreadlineConfigError);
      assert.throws(() => make({ skip: '/health' }), ThreadlineConfigError);
    }
  });
});

for (const name of ['express', 'koa'] as const) {
  describe(`debug-switch endpoint on ${name}`, () => {
    function build(sw: DebugSwitch): unknown {
      if (name === 'express') {
        const app = express();
        app.use('/_threadline/debug', express.json(), debugHandler({ secret: SECRET, debugSwitch: sw }));
        return app;
      }
      const app = new Koa();
      app.use(debugMiddleware({ secret: SECRET, debugSwitch: sw }) as never);
      return app.callback();
    }

    test('refuses to mount without a secret', () => {
      const make = name === 'express' ? debugHandler : debugMiddleware;
      assert.throws(() => make(undefined as never), ThreadlineConfigError);
      assert.throws(() => make({ secret: '' }), ThreadlineConfigError);
      assert.throws(() => make({ secret: 'short' }), ThreadlineConfigError);
    });

    test('adds, lists and removes rules; every call needs the secret', async () => {
      const sw = new DebugSwitch();
      const app = await listen(build(sw));
      const url = `${app.url}/_threadline/debug`;
      const auth = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
      try {
        const denied = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"route":"/x"}',
        });
        assert.equal(denied.status, 401);
        const wrong = await fetch(url, { headers: { authorization: `Bearer ${SECRET.replace('a', 'b')}` } });
        assert.equal(wrong.status, 401);
        assert.equal(sw.list().length, 0);
        const added = await fetch(url, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ userId: 'u-7', ttlMs: 60_000 }),
        });
        assert.equal(added.status, 201);
        const rule = (await added.json()) as { id: string; userId: string };
        assert.equal(rule.userId, 'u-7');
        assert.ok(sw.matches({ userId: 'u-7' }));
        const bad = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ ttlMs: 5 }) });
        assert.equal(bad.status, 400);
        const list = (await (await fetch(url, { headers: auth })).json()) as { rules: { id: string }[] };
        assert.deepEqual(
          list.rules.map((r) => r.id),
          [rule.id],
        );
        assert.equal((await fetch(`${url}/${rule.id}`, { method: 'DELETE', headers: auth })).status, 204);
        assert.equal((await fetch(`${url}/${rule.id}`, { method: 'DELETE', headers: auth })).status, 404);
        assert.equal(sw.list().length, 0);
      } finally {
        await app.close();
      }
    });
  });
}
