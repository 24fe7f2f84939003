import assert from 'node:assert/strict';
import { once } from 'node:events';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { getContext, jsonLineSink, logFields, runWithContext, ThreadlineConfigError } from '@threadline/core';
import { createModelMonitor, withModel } from '@threadline/model';
import express from 'express';
import Koa from 'koa';
import { Gauge, Registry } from 'prom-client';
import { METRIC_NAMES } from '../src/metrics.js';
import { memorySink, scrape, sum, value } from './helpers.js';

const lineage = {
  run_id: 'run-42',
  dataset_version: 'ds-2024-05',
  git_sha: 'abc1234',
  trained_at: new Date('2024-05-01T10:00:00Z'),
  framework: 'onnxruntime-node',
};

async function get(server: http.Server, path: string, headers: Record<string, string> = {}): Promise<string> {
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return res.text();
}

describe('declare', () => {
  test('model_info carries the lineage and the lineage line is written once, through a real JSON sink', async () => {
    const registry = new Registry();
    const chunks: string[] = [];
    const monitor = createModelMonitor({
      registry,
      logger: jsonLineSink({ write: (c: string) => chunks.push(c) }),
    });
    const m = monitor.declare({
      name: 'churn',
      version: '1.4.0',
      alias: 'champion',
      stage: 'production',
      ...lineage,
    });
    assert.equal(
      monitor.declare({
        name: 'churn',
        version: '1.4.0',
        alias: 'champion',
        stage: 'production',
        ...lineage,
      }),
      m,
    );
    const metrics = await scrape(registry);
    assert.equal(
      value(metrics, 'model_info', {
        model_name: 'churn',
        model_version: '1.4.0',
        model_alias: 'champion',
        model_stage: 'production',
        run_id: 'run-42',
        dataset_version: 'ds-2024-05',
        git_sha: 'abc1234',
        trained_at: '2024-05-01T10:00:00.000Z',
        framework: 'onnxruntime-node',
      }),
      1,
    );
    assert.equal(chunks.length, 1);
    const line = JSON.parse(chunks[0]!);
    assert.equal(line.event, 'model_deployed');
    assert.equal(line.level, 'info');
    assert.equal(line.model_name, 'churn');
    assert.equal(line.model_version, '1.4.0');
    assert.equal(line.model_alias, 'champion');
    assert.equal(line.run_id, 'run-42');
    assert.equal(line.git_sha, 'abc1234');
    assert.equal(line.trained_at, '2024-05-01T10:00:00.000Z');
  });

  test('live: false defers the lineage line to goLive, written once', () => {
    const logger = memorySink();
    const monitor = createModelMonitor({ registry: new Registry(), logger });
    const m = monitor.declare({ name: 'churn', version: '2', live: false });
    assert.equal(logger.events('model_deployed').length, 0);
    monitor.goLive(m);
    monitor.goLive(m);
    assert.equal(logger.events('model_deployed').length, 1);
  });

  test('bad declarations throw at setup with a clear message', () => {
    const monitor = createModelMonitor({ registry: new Registry(), maxModels: 2, logger: false });
    assert.throws(() => monitor.declare({ name: '', version: '1' }), ThreadlineConfigError);
    assert.throws(() => monitor.declare({ name: 'a', version: '1\n2' }), /control characters/);
    assert.throws(
      () => monitor.declare({ name: 'a', version: '1', git_sha: 'x'.repeat(200) }),
      /at most 128/,
    );
    assert.throws(
      () => monitor.declare({ name: 'a', version: '1', trained_at: new Date('nope') }),
      /invalid Date/,
    );
    assert.throws(
      () => monitor.declare({ name: 'a', version: '1', colour: 'red' } as never),
      /unknown option "colour"/,
    );
    monitor.declare({ name: 'a', version: '1', run_id: 'r1' });
    assert.throws(() => monitor.declare({ name: 'a', version: '1', run_id: 'r2' }), /other lineage/);
    monitor.declare({ name: 'a', version: '2' });
    assert.throws(() => monitor.declare({ name: 'a', version: '3' }), /at most 2 model versions/);
    assert.throws(() => createModelMonitor({ registry: new Registry(), logger: {} as never }), /log\(level/);
  });

  test('one monitor per registry; close() frees it', () => {
    const registry = new Registry();
    const a = createModelMonitor({ registry, logger: false });
    assert.throws(() => createModelMonitor({ registry, logger: false }), /one model monitor per registry/);
    a.close();
    assert.throws(() => a.declare({ name: 'x', version: '1' }), /closed/);
    createModelMonitor({ registry, logger: false }).declare({ name: 'x', version: '1' });
  });

  test("a name clash leaves the registry as it was; close() removes exactly the monitor's metrics", () => {
    const registry = new Registry();
    new Gauge({ name: 'model_outcome_samples', help: 'someone else', registers: [registry] });
    assert.throws(
      () => createModelMonitor({ registry, logger: false }),
      /model_outcome_samples is already registered/,
    );
    assert.deepEqual(
      registry.getMetricsAsArray().map((m) => m.name),
      ['model_outcome_samples'],
    );
    const clean = new Registry();
    const monitor = createModelMonitor({ registry: clean, logger: false });
    assert.deepEqual(
      clean
        .getMetricsAsArray()
        .map((m) => m.name)
        .sort(),
      [...METRIC_NAMES].sort(),
    );
    monitor.close();
    assert.deepEqual(clean.getMetricsAsArray(), []);
  });

  test('retire removes the model_info series and frees the slot', async () => {
    const registry = new Registry();
    const logger = memorySink();
    const monitor = createModelMonitor({ registry, maxModels: 1, logger });
    const m = monitor.declare({ name: 'a', version: '1' });
    monitor.retire(m);
    assert.equal(sum(await scrape(registry), 'model_info'), 0);
    assert.equal(logger.events('model_retired').length, 1);
    monitor.declare({ name: 'a', version: '2' });
    assert.equal(sum(await scrape(registry), 'model_info'), 1);
  });

  test('unknown model names are counted and logged, and the work still runs', async () => {
    const registry = new Registry();
    const logger = memorySink();
    const monitor = createModelMonitor({ registry, logger, warnLogsPerMinute: 3 });
    const m = monitor.declare({ name: 'churn', version: '1', alias: 'champion' });
    assert.equal(monitor.resolve('churn'), m);
    assert.equal(monitor.resolve('churn', '1'), m);
    assert.equal(monitor.resolve('churn', 'champion'), m);
    assert.equal(monitor.resolve('fraud'), undefined);
    assert.equal(monitor.resolve('churn', '9'), undefined);
    const ran = monitor.withModel('nope@1', () => getContext()?.model);
    assert.equal(ran, undefined);
    for (let i = 0; i < 10; i++) monitor.resolve(`bad-${i}`);
    const metrics = await scrape(registry);
    assert.equal(value(metrics, 'model_unknown_references_total'), 13);
    const lines = logger.events('model_unknown');
    assert.equal(lines.length, 3, 'warning lines are bounded by warnLogsPerMinute');
    assert.equal(lines[0]!.fields.requested_model, 'fraud');
    assert.equal(lines[0]!.fields.code, 'TL_MODEL_UNKNOWN');
    assert.equal(lines[0]!.level, 'warn');
  });
});

describe('model context', () => {
  test('withModel binds the model in a child context and keeps the request', async () => {
    const monitor = createModelMonitor({ registry: new Registry(), logger: false });
    const m = monitor.declare({ name: 'churn', version: '1', alias: 'champion' });
    await runWithContext({ request_id: 'r-1' }, async () => {
      await withModel(m, async () => {
        await new Promise((r) => setTimeout(r, 1));
        const f = logFields();
        assert.equal(f.request_id, 'r-1');
        assert.equal(f.model_name, 'churn');
        assert.equal(f.model_version, '1');
        assert.equal(f.model_alias, 'champion');
      });
      assert.equal(getContext()?.model, undefined, 'the parent context is untouched');
    });
    assert.equal(
      monitor.withModel('churn@champion', () => getContext()?.model),
      m,
    );
  });

  test('express: the selected model is set on the request context the adapter made', async () => {
    const monitor = createModelMonitor({ registry: new Registry(), logger: false });
    const v1 = monitor.declare({ name: 'churn', version: '1' });
    monitor.declare({ name: 'churn', version: '2' });
    const app = express();
    const seenAtEnd: string[] = [];
    // Stands in for the HTTP adapter: one root context per request, read again when it ends.
    app.use((req, res, next) => {
      runWithContext(
        { request_id: String(req.headers['x-request-id']) },
        () => {
          const ctx = getContext()!;
          res.on('finish', () => seenAtEnd.push(`${ctx.request_id}:${ctx.model?.version}`));
          next();
        },
        { inherit: false },
      );
    });
    app.use(monitor.express((req: express.Request) => (req.headers['x-model'] as string | undefined) ?? v1));
    app.get('/', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1));
      res.send(`${logFields().model_name}@${logFields().model_version}`);
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      assert.equal(await get(server, '/', { 'x-request-id': 'a' }), 'churn@1');
      assert.equal(await get(server, '/', { 'x-request-id': 'b', 'x-model': 'churn@2' }), 'churn@2');
      assert.equal(
        await get(server, '/', { 'x-request-id': 'c', 'x-model': 'churn@7' }),
        'undefined@undefined',
      );
    } finally {
      server.close();
    }
    assert.deepEqual(seenAtEnd.sort(), ['a:1', 'b:2', 'c:undefined']);
  });

  test('express without an adapter: the model still reaches the handler through a child context', async () => {
    const monitor = createModelMonitor({ registry: new Registry(), logger: false });
    monitor.declare({ name: 'churn', version: '3' });
    const app = express();
    app.use(monitor.express('churn'));
    app.get('/', (_req, res) => {
      setImmediate(() => res.send(String(getContext()?.model?.version)));
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      assert.equal(await get(server, '/'), '3');
    } finally {
      server.close();
    }
    assert.throws(() => monitor.express('fraud'), /not declared/);
  });

  test('koa: the selected model is bound per request, a throwing selector is contained', async () => {
    const monitor = createModelMonitor({ registry: new Registry(), logger: false });
    const v1 = monitor.declare({ name: 'churn', version: '1' });
    const v2 = monitor.declare({ name: 'churn', version: '2' });
    const app = new Koa();
    app.use(
      monitor.koa((ctx: Koa.Context) => {
        if (ctx.get('x-boom')) throw new Error('selector bug');
        return ctx.get('x-user') === 'u2' ? v2 : v1;
      }),
    );
    app.use(async (ctx) => {
      await new Promise((r) => setTimeout(r, 1));
      ctx.body = String(getContext()?.model?.version);
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      assert.equal(await get(server, '/', { 'x-user': 'u1' }), '1');
      assert.equal(await get(server, '/', { 'x-user': 'u2' }), '2');
      assert.equal(await get(server, '/', { 'x-boom': '1' }), 'undefined');
    } finally {
      server.close();
    }
  });
});
