import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRegistry, type LiveSnapshot, type ModelStats, type RouteStats } from '@threadline/core';
import { buildProfile, createDriftMonitor } from '@threadline/drift';
import { liveHandler, threadline } from '@threadline/express';
import { createModelMonitor } from '@threadline/model';
import express from 'express';
import {
  charts,
  elements,
  launchChromium,
  NO_CHROMIUM,
  openPage,
  screenshot,
  scriptRan,
  type TestBrowser,
} from '../../../test/browser/chromium.js';

const TOKEN = 's3cret-token';
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const quiet = { log() {} };

/** A small model service: two versions behind a canary, a shadow, drift on two features, a failing route. */
function service() {
  const registry = createRegistry();
  const app = express();
  app.use(threadline({ registry, logger: false, skip: ['/live'] }));
  app.get('/live', liveHandler({ registry, token: TOKEN, pollMs: 250, minSampleMs: 0 }));
  const monitor = createModelMonitor({ registry, logger: quiet });
  const v1 = monitor.declare({ name: 'ranker', version: '1.0.0' });
  const v2 = monitor.declare({ name: 'ranker', version: '2.0.0' });
  const score = (k: number) => (x: number) => ({ label: x * k > 0.5 ? 'yes' : 'no' });
  const classification = {
    classes: ['yes', 'no'],
    positiveClass: 'yes',
    label: (o: { label: string }) => o.label,
  };
  const p1 = monitor.instrument(v1, score(1), classification);
  const p2 = monitor.instrument(v2, score(1.5), classification);
  const canary = monitor.canary({ primary: p1, candidate: p2, share: 0.3 });
  const shadow = monitor.shadow({ primary: p1, shadow: p2 });
  const reference = buildProfile({
    price: Array.from({ length: 200 }, (_, i) => i % 50),
    [HOSTILE]: Array.from({ length: 200 }, (_, i) => (i % 2 ? 'a' : 'b')),
  });
  const drift = createDriftMonitor({
    reference,
    registry,
    window: { rows: 40 },
    model: { name: 'ranker', version: '1.0.0' },
  });
  let n = 0;
  app.get('/predict/:user', async (req, res) => {
    const x = (n++ % 10) / 10;
    const out = await canary(req.params.user, x);
    await shadow(x);
    drift.observe({ price: 40 + (n % 10), [HOSTILE]: 'a' });
    res.json(out);
  });
  app.get('/boom', (_req, res) => {
    res.status(500).send('no');
  });
  return { app, close: () => drift.close() };
}

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function traffic(base: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await fetch(`${base}/predict/u${i}`).then((r) => r.text());
    if (i % 5 === 0) await fetch(`${base}/boom`).then((r) => r.text());
  }
}

describe('express liveHandler', () => {
  let browser: TestBrowser | undefined;
  let svc: ReturnType<typeof service>;
  let server: Server;
  let base: string;
  before(async () => {
    svc = service();
    ({ server, base } = await listen(svc.app));
    browser = await launchChromium();
  });
  after(async () => {
    svc.close();
    server.close();
    await browser?.close();
  });

  test('the data needs the token; the page is a static shell with no data in it', async () => {
    const page = await fetch(`${base}/live`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.ok(!(await page.text()).includes('"http"'));
    assert.equal((await fetch(`${base}/live?format=json`)).status, 401);
    const wrong = await fetch(`${base}/live?format=json`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const ok = await fetch(`${base}/live?format=json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    const snap = (await ok.json()) as LiveSnapshot;
    assert.equal(typeof snap.time, 'number');
  });

  test('the page draws traffic, models, process and drift from the registry and shows the polled numbers', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const w = await openPage(browser, `${base}/live#token=${TOKEN}`);
    const snapshots: Promise<LiveSnapshot | null>[] = [];
    w.page.on('response', (r) => {
      if (r.url().endsWith('?format=json') && r.status() === 200) snapshots.push(r.json().catch(() => null));
    });
    await traffic(base, 30);
    await w.page.waitForFunction(
      () =>
        Number(
          (globalThis as unknown as { document: { body: { dataset: { polls?: string } } } }).document.body
            .dataset.polls,
        ) >= 2,
    );
    await traffic(base, 40);
    const want = [
      'rps-chart',
      'errors-chart',
      'latency-chart',
      'predictions-chart',
      'canary-chart',
      'cpu-chart',
      'memory-chart',
      'lag-chart',
      'drift-share-chart',
    ];
    await w.page
      .waitForFunction(
        (ids) =>
          ids.every(
            (id) =>
              Number(
                (
                  globalThis as unknown as {
                    document: { getElementById(i: string): { dataset: { points?: string } } | null };
                  }
                ).document.getElementById(id)?.dataset.points ?? 0,
              ) > 1,
          ),
        want,
        { timeout: 15_000 },
      )
      .catch(() => {}); // the assertions below say which chart is short
    const drawn = await charts(w.page, want.length);
    for (const id of want) {
      const c = drawn.find((d) => d.id === id);
      assert.ok(c && c.points > 1 && c.painted > 300, `${id}: ${JSON.stringify(c)}`);
    }
    // One read of the DOM, compared with the snapshot that made it.
    const seen = await elements(
      w.page,
      'body, #routes tbody tr, #versions tbody tr, #drift-table tbody tr, #http-total',
    );
    const polls = Number(seen[0]!.data.polls);
    const snap = (await snapshots[polls - 1])!;
    const rows = (attr: string) => seen.filter((s) => s.data[attr] !== undefined);
    assert.ok(snap.http && snap.models && snap.drift && snap.process);
    for (const r of rows('route')) {
      const route: RouteStats = snap.http.routes.find((x) => x.route === r.data.route)!;
      for (const k of ['rps', 'error_rate', 'p50', 'p95', 'p99'] as const)
        assert.deepEqual(JSON.parse(r.fields[k]!), route[k], `${route.route} ${k}`);
    }
    assert.deepEqual(
      rows('route')
        .map((r) => r.data.route)
        .sort(),
      ['/boom', '/predict/:user'],
    );
    // Every /boom answer is a 500: its error rate is 1 in each poll that saw one, null in the others.
    const all = (await Promise.all(snapshots)).filter((x) => x !== null);
    const boomRates = all.map((x) => x.http?.routes.find((r) => r.route === '/boom')?.error_rate ?? null);
    assert.ok(boomRates.includes(1));
    assert.ok(
      boomRates.every((r) => r === 1 || r === null),
      JSON.stringify(boomRates),
    );
    const versions = rows('version');
    assert.deepEqual(versions.map((v) => v.data.version).sort(), ['ranker@1.0.0', 'ranker@2.0.0']);
    for (const v of versions) {
      const m: ModelStats = snap.models.versions.find(
        (x) => `${x.model_name}@${x.model_version}` === v.data.version,
      )!;
      assert.deepEqual(JSON.parse(v.fields.prediction_rate!), m.prediction_rate);
    }
    assert.ok(snap.models.shadow.length > 0, 'shadow disagreement listed');
    const features = rows('feature');
    assert.deepEqual(features.map((f) => f.data.feature).sort(), [HOSTILE, 'price'].sort());
    assert.equal(JSON.parse(features.find((f) => f.data.feature === 'price')!.fields.detected!), true);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.outside(), []);
    assert.equal(await scriptRan(w.page), false);
    await screenshot(w.page, 'live-page.png');
  });

  test('what is missing is said when a plugin is not in use', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const registry = createRegistry();
    const app = express();
    app.use(threadline({ registry, logger: false }));
    app.get('/live', liveHandler({ registry, defaultMetrics: false, pollMs: 250 }));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const { server: s2, base: b2 } = await listen(app);
    try {
      await fetch(`${b2}/`).then((r) => r.text());
      const w = await openPage(browser, `${b2}/live`);
      await w.page.waitForSelector('[data-missing="models"]');
      const missing = await elements(w.page, '[data-missing]');
      const text = missing.map((m) => m.text).join('\n');
      assert.match(text, /@threadline\/model not in use/);
      assert.match(text, /@threadline\/drift not in use/);
      assert.match(text, /default metrics are off/);
      assert.equal(missing.filter((m) => m.data.missing === 'http').length, 0, 'HTTP has data');
      assert.deepEqual(w.errors, []);
    } finally {
      s2.close();
    }
  });

  test('bad options throw at setup', () => {
    assert.throws(() => liveHandler({ pollMs: 1 }), /pollMs/);
    assert.throws(() => liveHandler({ registry: {} as never }), /prom-client Registry/);
    assert.throws(() => liveHandler({ bogus: 1 } as never), /bogus/);
  });
});
