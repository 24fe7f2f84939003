import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Router from '@koa/router';
import { createRegistry, type LiveSnapshot } from '@threadline/core';
import { liveMiddleware, threadline } from '@threadline/koa';
import Koa from 'koa';
import {
  charts,
  elements,
  launchChromium,
  NO_CHROMIUM,
  openPage,
  type TestBrowser,
} from '../../../test/browser/chromium.js';

const TOKEN = 'koa-token';

describe('koa liveMiddleware', () => {
  let browser: TestBrowser | undefined;
  let server: Server;
  let base: string;
  before(async () => {
    const registry = createRegistry();
    const app = new Koa();
    app.use(threadline({ registry, logger: false }) as never);
    app.use(liveMiddleware({ registry, token: TOKEN, pollMs: 250, minSampleMs: 0 }) as never);
    const router = new Router();
    router.get('/items/:id', (ctx) => {
      ctx.body = { id: ctx.params.id };
    });
    app.use(router.routes());
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    server.close();
    await browser?.close();
  });

  test('serves the page at /live, the snapshot with the token only, and passes other requests on', async () => {
    assert.match((await fetch(`${base}/live`)).headers.get('content-type')!, /text\/html/);
    assert.equal((await fetch(`${base}/live?format=json`)).status, 401);
    await fetch(`${base}/items/1`).then((r) => r.text());
    const ok = await fetch(`${base}/live?format=json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const snap = (await ok.json()) as LiveSnapshot;
    assert.ok(snap.http?.routes.some((r) => r.route === '/items/:id'));
    assert.ok(!snap.http?.routes.some((r) => r.route === '/live'), 'the page is not traffic');
    assert.equal((await fetch(`${base}/items/2`)).status, 200);
  });

  test('the page draws the traffic and process rows in Chromium', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const w = await openPage(browser, `${base}/live#token=${TOKEN}`);
    for (let i = 0; i < 20; i++) await fetch(`${base}/items/${i}`).then((r) => r.text());
    await w.page.waitForSelector('#routes [data-route="/items/:id"]');
    const drawn = await charts(w.page, 3);
    for (const c of drawn) assert.ok(c.painted > 300, JSON.stringify(c));
    const missing = (await elements(w.page, '[data-missing]')).map((m) => m.data.missing);
    assert.ok(missing.includes('models') && missing.includes('drift'));
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.outside(), []);
  });
});
