import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRegistry, jsonLineSink } from '@threadline/core';
import { exportedSeriesNames, THREADLINE_METRICS } from '@threadline/dashboards';
import type { Registry } from 'prom-client';
import { createService, type Service } from '../src/service.js';

type Line = Record<string, unknown>;

const lines: Line[] = [];
const logger = jsonLineSink(
  { write: (chunk: string) => lines.push(JSON.parse(chunk) as Line) },
  { service: 'rec-test' },
);
let service: Service;
let server: Server;
let base = '';

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Series names a Prometheus text exposition serves or declares: a labelled counter has no sample
 * until its first increment, but its `# TYPE` line shows the registry exports it.
 */
function seriesNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/.exec(line);
    if (declared) {
      const [, name, type] = declared;
      if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
      else if (type === 'counter') names.add(name!.endsWith('_total') ? name! : `${name}_total`);
      else names.add(name!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

describe('recommendation service', () => {
  before(async () => {
    service = await createService({
      registry: createRegistry() as unknown as Registry,
      logger,
      users: 200,
      epochs: 3,
      random: () => 0.5,
    });
    server = service.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    service.close();
  });

  test('the nightly job ingested the batch files, dropped the bad rows, and logged its run', () => {
    const dropped = lines.find(
      (l) => l.event === 'validation_failed' && l.pipeline_step === 'ingest_ratings',
    );
    assert.ok(dropped, 'the malformed rows of the last batch were reported');
    const arrivals = lines.filter((l) => l.event === 'pipeline_batch_received');
    assert.ok(arrivals.length >= 5, `${arrivals.length} batch arrivals logged`);
    const epochs = lines.filter((l) => l.event === 'training_epoch');
    assert.equal(epochs.length, 3);
    const runId = service.current().runId;
    for (const l of epochs) assert.equal(l.run_id, runId);
    assert.ok(
      (epochs[2]!.loss as number) < (epochs[0]!.loss as number),
      'the factorisation loss decreases over epochs',
    );
    const deployed = lines.filter((l) => l.event === 'model_deployed');
    assert.deepEqual(deployed.map((l) => l.model_version).sort(), ['1.0', '2.0']);
    assert.ok(deployed.every((l) => l.run_id === runId && String(l.dataset_version).startsWith('ratings-')));
  });

  test('GET /healthz names the live versions', async () => {
    const { status, body } = await get('/healthz');
    assert.equal(status, 200);
    assert.deepEqual(
      (body.models as { version: string }[]).map((m) => m.version),
      ['1.0', '2.0'],
    );
  });

  test('GET /recommendations/:userId answers with items, model and prediction id, stable per user', async () => {
    const first = await get('/recommendations/5?k=3');
    assert.equal(first.status, 200);
    const items = first.body.items as { movie_id: number; title: string }[];
    assert.equal(items.length, 3);
    assert.ok(items.every((i) => typeof i.title === 'string' && i.title.length > 0));
    assert.equal(first.body.model_name, 'recommender');
    assert.match(String(first.body.model_version), /^[12]\.0$/);
    assert.match(String(first.body.prediction_id), /\S{8,}/);
    const again = await get('/recommendations/5?k=3');
    assert.equal(again.body.model_version, first.body.model_version);
    assert.notEqual(again.body.prediction_id, first.body.prediction_id);
    const drama = await get('/recommendations/5?k=4&genre=Drama');
    assert.ok((drama.body.items as { genre: string }[]).every((i) => i.genre === 'Drama'));
  });

  test('the canary sends about a fifth of users to the challenger', async () => {
    let challenger = 0;
    const n = 200;
    for (let user = 1; user <= n; user++) {
      const { body } = await get(`/recommendations/${user}?k=1`);
      if (body.model_version === '2.0') challenger++;
    }
    assert.ok(challenger > n * 0.1 && challenger < n * 0.3, `${challenger} of ${n} on the challenger`);
  });

  test('invalid inputs are rejected with 422 and the failing check', async () => {
    const cases: [string, string, string][] = [
      ['/recommendations/abc', 'user_id', 'type'],
      ['/recommendations/0', 'user_id', 'range'],
      ['/recommendations/5?k=500', 'k', 'range'],
      ['/recommendations/5?genre=Space%20Opera', 'genre', 'domain'],
    ];
    for (const [path, feature, check] of cases) {
      const { status, body } = await get(path);
      assert.equal(status, 422, path);
      const issues = body.issues as { feature: string; check: string }[];
      assert.ok(
        issues.some((i) => i.feature === feature && i.check === check),
        `${path}: ${JSON.stringify(issues)}`,
      );
    }
  });

  test('POST /outcomes joins delayed ground truth to the prediction, once', async () => {
    const { body: rec } = await get('/recommendations/11?k=2');
    const joined = await post('/outcomes', { prediction_id: rec.prediction_id, clicked: true });
    assert.deepEqual([joined.status, joined.body.result], [202, 'joined']);
    const duplicate = await post('/outcomes', { prediction_id: rec.prediction_id, clicked: false });
    assert.equal(duplicate.body.result, 'duplicate');
    // Same shape as a real ID (issue time, then random hex), but never issued.
    const neverIssued = `${String(rec.prediction_id).split('-')[0]}-0000000000000000`;
    const unknown = await post('/outcomes', { prediction_id: neverIssued, clicked: true });
    assert.deepEqual([unknown.status, unknown.body.result], [404, 'unknown']);
    const bad = await post('/outcomes', { prediction_id: 7 });
    assert.equal(bad.status, 422);
  });

  test('a failing feature store answers 503 and is logged with the request context', async () => {
    service.setFaultRate(1);
    try {
      const { status, body } = await get('/recommendations/12');
      assert.equal(status, 503);
      assert.equal(body.error, 'feature_store_unavailable');
    } finally {
      service.setFaultRate(0);
    }
    const failed = lines.findLast((l) => l.event === 'recommendation_failed');
    assert.ok(failed);
    assert.match(String(failed.request_id), /\S+/);
    assert.match(String(failed.trace_id), /^[0-9a-f]{32}$/);
    assert.equal(failed.model_name, 'recommender');
  });

  test("the handler writes the seed's model_inference line with the request and model context", () => {
    const line = lines.find((l) => l.event === 'model_inference');
    assert.ok(line);
    for (const field of [
      'time',
      'level',
      'service',
      'request_id',
      'trace_id',
      'span_id',
      'model_name',
      'model_version',
    ])
      assert.ok(line[field] !== undefined && line[field] !== '', `${field} missing`);
    assert.equal(typeof line.inference_time_ms, 'number');
    assert.equal(typeof line.input_size, 'number');
    const access = lines.find((l) => l.event === 'http_request' && l.request_id === line.request_id);
    assert.ok(access, 'the access line of the same request carries the same request_id');
    assert.equal(access.trace_id, line.trace_id);
  });

  test('cold-start users drift the inputs away from the training reference', async () => {
    // Users the models never saw: no history, the global mean, no top genre.
    // 250 requests give the champion at least one window (100 rows) of nothing but new users.
    for (let i = 0; i < 250; i++)
      await (await fetch(`${base}/recommendations/${500_000 + i}?k=1`)).arrayBuffer();
    const text = await (await fetch(`${base}/metrics`)).text();
    const share = /^ml_dataset_drift_share\{model_name="recommender",model_version="1\.0"\} (\S+)/m.exec(
      text,
    );
    assert.ok(share, 'the champion window was evaluated');
    assert.ok(Number(share[1]) >= 0.5, `drift share ${share[1]}`);
    assert.match(
      text,
      /^ml_feature_drift_detected\{feature="history_length",method="ks",model_name="recommender",model_version="1\.0"\} 1/m,
    );
    const line = lines.find((l) => l.event === 'drift_detected');
    assert.ok(line, 'a drift_detected line was written');
    assert.equal(line.model_name, 'recommender');
  });

  test('/metrics serves every metric the dashboard and the alerts read', async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    const served = seriesNames(await res.text());
    const wanted = exportedSeriesNames(THREADLINE_METRICS);
    const missing = [...wanted].filter((name) => !served.has(name));
    assert.deepEqual(missing, [], 'metrics the bundle reads but the service does not serve');
  });

  test('the scheduled retraining swaps in new versions and retires the old ones', async () => {
    const before = service.current().runId;
    await service.retrain();
    const { body } = await get('/healthz');
    assert.deepEqual(
      (body.models as { version: string }[]).map((m) => m.version),
      ['1.1', '2.1'],
    );
    assert.notEqual(service.current().runId, before);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^model_info\{[^}]*model_version="1\.1"/m);
    assert.doesNotMatch(text, /^model_info\{[^}]*model_version="1\.0"/m);
    const served = await get('/recommendations/5?k=1');
    assert.match(String(served.body.model_version), /^[12]\.1$/);
  });
});
