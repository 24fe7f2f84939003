import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createRegistry, runWithContext } from '@threadline/core';
import {
  type CheckResult,
  createValidator,
  expressValidation,
  getValidation,
  koaValidation,
  type ValidationSchema,
} from '@threadline/validation';
import express from 'express';
import Koa from 'koa';
import { z } from 'zod';
import { assertPrototypeClean, close, listen, memorySink, sampleValue } from './helpers.js';

const schema: ValidationSchema = {
  version: 1,
  features: [
    { name: 'sepal_length', type: 'number', min: 4, max: 8 },
    { name: 'species', type: 'string', domain: ['setosa', 'versicolor', 'virginica'], required: false },
  ],
};
const Row = z.object({ sepal_length: z.number() }).loose();
const good = { sepal_length: 5.1, species: 'setosa' };
const bad = { sepal_length: 40, species: 'daisy' };

async function post(url: string, body: unknown, raw?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    json: text ? JSON.parse(text) : undefined,
  };
}

/** A select that throws on a body without `instances`, as user code may. */
function instances(body: unknown): unknown {
  const rows = (body as { instances?: unknown }).instances;
  if (!Array.isArray(rows)) throw new TypeError('instances must be an array');
  return rows;
}

/** Builds the same endpoints on each framework. */
interface Fixture {
  url: string;
  server: Server;
  registry: ReturnType<typeof createRegistry>;
  lines: ReturnType<typeof memorySink>['lines'];
  seen: unknown[];
  /** A route whose body parser keeps `__proto__` keys (as JSON.parse does). */
  protoPath: string;
}

function fixtures(): {
  reject: ReturnType<typeof createValidator>;
  warn: ReturnType<typeof createValidator>;
} & Omit<Fixture, 'url' | 'server' | 'seen' | 'protoPath'> {
  const registry = createRegistry();
  const { sink, lines } = memorySink();
  const common = { schema, standardSchema: Row, registry, logger: sink, name: 'iris' };
  return {
    registry,
    lines,
    reject: createValidator({ ...common, mode: 'reject' }),
    warn: createValidator({ ...common, mode: 'warn' }),
  };
}

async function expressFixture(): Promise<Fixture> {
  const { registry, lines, reject, warn } = fixtures();
  const seen: unknown[] = [];
  const app = express();
  app.use(express.json());
  // The request context a Threadline HTTP adapter would set, so log lines and labels can be checked.
  app.use((_req, _res, next) =>
    runWithContext({ request_id: 'req-1', model: { name: 'iris-clf', version: '3' } }, () => next()),
  );
  app.post('/predict', expressValidation(reject), (req, res) => {
    seen.push(getValidation(req)?.result.success);
    res.json({ ok: true });
  });
  app.post('/warn', expressValidation(warn), (req, res) => {
    res.json({ ok: true, success: getValidation(req)?.result.success });
  });
  app.post('/batch', expressValidation(reject, { select: instances }), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/q', expressValidation(reject, { from: 'query' }), (_req, res) => res.json({ ok: true }));
  const params = createValidator({
    schema: { version: 1, features: [{ name: 'model', type: 'string', domain: ['iris'] }] },
    registry,
    logger: false,
    mode: 'reject',
  });
  app.get('/models/:model', expressValidation(params, { from: 'params' }), (_req, res) =>
    res.json({ ok: true }),
  );
  const server = createServer(app);
  return { url: await listen(server), server, registry, lines, seen, protoPath: '/predict' };
}

async function koaFixture(): Promise<Fixture> {
  const { registry, lines, reject, warn } = fixtures();
  const seen: unknown[] = [];
  const app = new Koa();
  const router = new Router();
  const parse = bodyParser();
  app.use((ctx, next) => (ctx.path === '/predict-raw' ? next() : parse(ctx, next)));
  app.use((_ctx, next) =>
    runWithContext({ request_id: 'req-1', model: { name: 'iris-clf', version: '3' } }, next),
  );
  router.post('/predict', koaValidation(reject), (ctx) => {
    seen.push(getValidation(ctx)?.result.success);
    ctx.body = { ok: true };
  });
  router.post('/warn', koaValidation(warn), (ctx) => {
    ctx.body = { ok: true, success: getValidation(ctx)?.result.success };
  });
  router.post('/batch', koaValidation(reject, { select: instances }), (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/q', koaValidation(reject, { from: 'query' }), (ctx) => {
    ctx.body = { ok: true };
  });
  const params = createValidator({
    schema: { version: 1, features: [{ name: 'model', type: 'string', domain: ['iris'] }] },
    registry,
    logger: false,
    mode: 'reject',
  });
  router.get('/models/:model', koaValidation(params, { from: 'params' }), (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/boom', koaValidation(warn, { from: 'query' }), () => {
    throw Object.assign(new Error('handler failed'), { status: 503, expose: true });
  });
  // @koa/bodyparser refuses __proto__ bodies itself; a permissive parser shows what the hook does.
  const permissive: Koa.Middleware = async (ctx, next) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    (ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    await next();
  };
  router.post('/predict-raw', permissive, koaValidation(reject), (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  const server = createServer(app.callback());
  return { url: await listen(server), server, registry, lines, seen, protoPath: '/predict-raw' };
}

for (const [framework, make] of [
  ['express', expressFixture],
  ['koa', koaFixture],
] as const) {
  describe(`${framework} hook`, () => {
    let f: Fixture;
    before(async () => {
      f = await make();
    });
    after(() => close(f.server));

    test('a valid input reaches the handler, which can read the result', async () => {
      const res = await post(`${f.url}/predict`, good);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { ok: true });
      assert.deepEqual(f.seen, [true]);
    });

    test('reject mode answers 422 with the issues as JSON, and the handler never runs', async () => {
      const before = f.seen.length;
      const res = await post(`${f.url}/predict`, bad);
      assert.equal(res.status, 422);
      assert.match(res.type!, /^application\/json/);
      assert.equal(res.json.error, 'validation_failed');
      const issues = res.json.issues as CheckResult[];
      assert.deepEqual(issues.map((i) => `${i.feature}/${i.check}`).sort(), [
        'sepal_length/range',
        'species/domain',
      ]);
      const range = issues.find((i) => i.check === 'range')!;
      assert.equal(range.unexpected_count, 1);
      assert.deepEqual(range.partial_unexpected_list, [40]);
      assert.equal(res.json.statistics.errors, 2);
      assert.equal(f.seen.length, before);
    });

    test('one log line per failing request, with the context fields', async () => {
      const before = f.lines.length;
      await post(`${f.url}/predict`, bad);
      await post(`${f.url}/predict`, good);
      assert.equal(f.lines.length, before + 1);
      const line = f.lines.at(-1)!;
      assert.equal(line.level, 'error');
      assert.equal(line.fields.event, 'validation_failed');
      assert.equal(line.fields.request_id, 'req-1');
      assert.equal(line.fields.model_name, 'iris-clf');
      assert.equal(line.fields.outcome, 'rejected');
      assert.equal(line.fields.validator, 'iris');
      assert.match(line.message, /data validation failed/);
    });

    test('metrics carry the feature, the check and the model labels', async () => {
      const labels = { feature: 'sepal_length', check: 'range', model_name: 'iris-clf', model_version: '3' };
      const checks = await sampleValue(f.registry, 'data_validation_checks_total', labels);
      const failures = await sampleValue(f.registry, 'data_validation_failures_total', labels);
      assert.ok(checks !== undefined && checks >= 3, `checks ${checks}`);
      assert.ok(failures !== undefined && failures >= 2, `failures ${failures}`);
      assert.ok(failures < checks);
    });

    test('warn mode passes a failing input through, logged at warn', async () => {
      const res = await post(`${f.url}/warn`, bad);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { ok: true, success: false });
      assert.equal(f.lines.at(-1)!.level, 'warn');
      assert.equal(f.lines.at(-1)!.fields.outcome, 'passed');
    });

    test('select picks a batch of rows out of the body', async () => {
      assert.equal((await post(`${f.url}/batch`, { instances: [good, good] })).status, 200);
      const res = await post(`${f.url}/batch`, { instances: [good, bad, good] });
      assert.equal(res.status, 422);
      const range = (res.json.issues as CheckResult[]).find((i) => i.check === 'range')!;
      assert.deepEqual(range.partial_unexpected_index_list, [1]);
      // A select that throws on a malformed body is a failed input, not a crash.
      const broken = await post(`${f.url}/batch`, { rows: [good] });
      assert.equal(broken.status, 422);
      assert.ok((broken.json.issues as CheckResult[]).some((i) => i.check === 'row_type'));
    });

    test('query and route params can be validated instead of the body', async () => {
      const q = await fetch(`${f.url}/q?sepal_length=5`);
      // Query values are strings: the number check says so.
      assert.equal(q.status, 422);
      const body = (await q.json()) as { issues: CheckResult[] };
      assert.ok(body.issues.some((i) => i.feature === 'sepal_length' && i.check === 'type'));
      assert.equal((await fetch(`${f.url}/models/iris`)).status, 200);
      const unknown = await fetch(`${f.url}/models/daisy`);
      assert.equal(unknown.status, 422);
    });

    test('a __proto__ body is rejected, counted, and pollutes nothing', async () => {
      const res = await post(
        `${f.url}${f.protoPath}`,
        undefined,
        '{"sepal_length": 5, "__proto__": {"polluted": true}, "constructor": {"prototype": {"isAdmin": true}}}',
      );
      assert.equal(res.status, 422);
      assert.ok((res.json.issues as CheckResult[]).some((i) => i.check === 'forbidden_key'));
      assertPrototypeClean();
      const count = await sampleValue(f.registry, 'data_validation_failures_total', {
        feature: '__input__',
        check: 'forbidden_key',
      });
      assert.equal(count, 1);
    });

    test('NaN cannot arrive in JSON, but a wrong type or a deep body gets a clear 422', async () => {
      const wrong = await post(`${f.url}/predict`, { sepal_length: 'five' });
      assert.equal(wrong.status, 422);
      let deep = '0';
      for (let i = 0; i < 200; i++) deep = `[${deep}]`;
      const nested = await post(`${f.url}/predict`, undefined, `{"sepal_length": 5, "x": ${deep}}`);
      assert.equal(nested.status, 422);
      const depth = (nested.json.issues as CheckResult[]).find((i) => i.check === 'payload_depth')!;
      assert.deepEqual(depth.expected, { max_depth: 32 });
    });

    if (framework === 'koa') {
      test('errors thrown after the hook propagate to Koa unchanged', async () => {
        const res = await fetch(`${f.url}/boom?sepal_length=5`);
        assert.equal(res.status, 503);
        assert.equal(await res.text(), 'handler failed');
      });
    }
  });
}

describe('hook setup', () => {
  test('bad options throw at once', () => {
    const validator = createValidator({ schema, logger: false, registry: createRegistry() });
    assert.throws(() => expressValidation({} as never), /createValidator/);
    assert.throws(() => koaValidation(validator, { from: 'headers' as never }), /option from/);
    assert.throws(() => expressValidation(validator, { status: 200 }), /option status/);
    assert.throws(() => koaValidation(validator, { select: 'instances' as never }), /option select/);
  });
});
