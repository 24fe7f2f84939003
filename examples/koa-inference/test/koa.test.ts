import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRegistry, jsonLineSink } from '@threadline/core';
import { createService, type Service } from '@threadline/example-recommendation-service/service';
import type { Registry } from 'prom-client';
import { createKoaService, type KoaService } from '../src/app.js';

type Line = Record<string, unknown>;

interface Running {
  readonly lines: Line[];
  readonly base: string;
  readonly server: Server;
  readonly service: KoaService | Service;
}

async function start(make: typeof createKoaService | typeof createService): Promise<Running> {
  const lines: Line[] = [];
  const service = await make({
    registry: createRegistry() as unknown as Registry,
    logger: jsonLineSink({ write: (chunk: string) => lines.push(JSON.parse(chunk) as Line) }),
    users: 150,
    epochs: 2,
    // Every champion call also runs the challenger in shadow, so both services have shadow series.
    shadowRate: 1,
  });
  const server = (service.app as { listen(port: number, host: string): Server }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { lines, server, service, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r) return;
  r.server.closeAllConnections();
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
  r.service.close();
}

/** The same requests against either service. */
async function drive(base: string): Promise<void> {
  for (const user of [3, 4, 5, 6, 7, 8])
    await (await fetch(`${base}/recommendations/${user}?k=3`)).arrayBuffer();
  await (await fetch(`${base}/recommendations/abc`)).arrayBuffer();
  const rec = (await (await fetch(`${base}/recommendations/9?k=2`)).json()) as { prediction_id: string };
  await (
    await fetch(`${base}/outcomes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prediction_id: rec.prediction_id, clicked: true }),
    })
  ).arrayBuffer();
}

/** Metric name to the sorted label names of its samples, from a Prometheus text exposition. */
function shape(text: string): Map<string, string> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!m || m[1]!.startsWith('process_') || m[1]!.startsWith('nodejs_')) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((x) => x[1]!);
    let set = out.get(m[1]!);
    if (!set) {
      set = new Set();
      out.set(m[1]!, set);
    }
    for (const l of labels) set.add(l);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort().join(',')]));
}

describe('koa-inference', () => {
  let koa: Running | undefined;
  let express: Running | undefined;
  before(async () => {
    koa = await start(createKoaService);
    express = await start(createService);
  });
  after(async () => {
    await stop(koa);
    await stop(express);
  });

  test('GET /recommendations/:userId answers with items, model and prediction id', async () => {
    const res = await fetch(`${koa!.base}/recommendations/5?k=3`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal((body.items as unknown[]).length, 3);
    assert.equal(body.model_name, 'recommender');
    assert.match(String(body.model_version), /^[12]\.0$/);
    assert.match(String(body.prediction_id), /\S{8,}/);
    assert.match(String(res.headers.get('x-request-id')), /\S+/);
  });

  test('invalid input gets a 422 with the failing check; outcomes join', async () => {
    const bad = await fetch(`${koa!.base}/recommendations/5?k=999`);
    assert.equal(bad.status, 422);
    const issues = ((await bad.json()) as { issues: { feature: string; check: string }[] }).issues;
    assert.ok(issues.some((i) => i.feature === 'k' && i.check === 'range'));
    const rec = (await (await fetch(`${koa!.base}/recommendations/8`)).json()) as { prediction_id: string };
    const joined = await fetch(`${koa!.base}/outcomes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prediction_id: rec.prediction_id, clicked: false }),
    });
    assert.equal(joined.status, 202);
    assert.equal(((await joined.json()) as { result: string }).result, 'joined');
  });

  test('the Koa and Express services export the same metrics with the same labels', async () => {
    await drive(koa!.base);
    await drive(express!.base);
    const koaShape = shape(await (await fetch(`${koa!.base}/metrics`)).text());
    const expressShape = shape(await (await fetch(`${express!.base}/metrics`)).text());
    assert.ok(koaShape.has('http_server_request_duration_seconds_bucket'));
    assert.equal(
      koaShape.get('http_server_request_duration_seconds_count'),
      'http_request_method,http_response_status_code,http_route,model_name,model_version',
    );
    for (const name of [
      'model_inference_duration_seconds_bucket',
      'model_predictions_total',
      'data_validation_failures_total',
    ])
      assert.equal(koaShape.get(name), expressShape.get(name), name);
    assert.deepEqual([...koaShape.keys()].sort(), [...expressShape.keys()].sort());
  });

  test('the access lines and the model_inference line carry the same context fields as on Express', () => {
    const fields = (lines: Line[], event: string) =>
      Object.keys(lines.find((l) => l.event === event) ?? {})
        .filter((k) => k !== 'time')
        .sort();
    for (const event of ['http_request', 'model_inference']) {
      const k = fields(koa!.lines, event);
      assert.ok(k.includes('request_id') && k.includes('trace_id') && k.includes('model_version'), event);
      assert.deepEqual(k, fields(express!.lines, event), event);
    }
  });
});
