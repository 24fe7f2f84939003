import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import { Counter, Histogram } from 'prom-client';
import {
  createLiveResponder,
  createRegistry,
  displayText,
  escapeHtml,
  jsonForScript,
  LiveSampler,
  renderPage,
} from '../src/index.js';
import { CLIENT_HELPERS } from '../src/live/client.js';
import { LIVE_SCRIPT } from '../src/live/script.js';

function httpHistogram() {
  const registry = createRegistry();
  const h = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'h',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: [0.1, 0.2, 0.4, 0.8],
    registers: [registry],
  });
  return { registry, h };
}

describe('live snapshot', () => {
  test('rates and percentiles come from the deltas between two polls', async () => {
    const { registry, h } = httpHistogram();
    const sampler = new LiveSampler(registry);
    // Before the first poll: slow requests that must not weigh on the interval's percentiles.
    for (let i = 0; i < 50; i++)
      h.observe({ http_request_method: 'GET', http_route: '/a', http_response_status_code: '200' }, 0.7);
    const first = await sampler.sample(1000);
    assert.equal(first.interval, null);
    assert.equal(first.http!.routes[0]!.rps, null);
    // Interval: 100 requests in 2 s, uniform in (0, 0.1] then 10 errors in (0.1, 0.2].
    for (let i = 0; i < 90; i++)
      h.observe({ http_request_method: 'GET', http_route: '/a', http_response_status_code: '200' }, 0.05);
    for (let i = 0; i < 10; i++)
      h.observe({ http_request_method: 'GET', http_route: '/a', http_response_status_code: '503' }, 0.15);
    const second = await sampler.sample(3000);
    const a = second.http!.routes.find((r) => r.route === '/a')!;
    assert.equal(second.interval, 2);
    assert.equal(a.rps, 50);
    assert.equal(a.error_rate, 0.1);
    // histogram_quantile: rank 50 of 90 in the first bucket (0, 0.1] -> 0.1 * 50/90.
    assert.ok(Math.abs(a.p50! - (0.1 * 50) / 90) < 1e-12);
    // rank 95: 5 of the 10 in (0.1, 0.2] -> 0.15.
    assert.ok(Math.abs(a.p95! - 0.15) < 1e-12);
    assert.equal(a.requests, 150);
    const third = await sampler.sample(4000);
    assert.equal(third.http!.routes[0]!.rps, 0);
    assert.equal(third.http!.routes[0]!.p50, null, 'no requests, no percentile');
  });

  test('at most ten routes, the own route left out, sections missing are named', async () => {
    const { registry, h } = httpHistogram();
    for (let r = 0; r < 30; r++)
      for (let i = 0; i <= r; i++)
        h.observe(
          { http_request_method: 'GET', http_route: `/r${r}`, http_response_status_code: '200' },
          0.01,
        );
    h.observe({ http_request_method: 'GET', http_route: '/live', http_response_status_code: '200' }, 0.01);
    const sampler = new LiveSampler(registry);
    sampler.excludeRoute('/live');
    const snap = await sampler.sample();
    assert.equal(snap.http!.routes.length, 10);
    assert.equal(snap.http!.routes[0]!.route, '/r29');
    assert.ok(!snap.http!.routes.some((r) => r.route === '/live'));
    assert.equal(snap.http!.total.requests, 465);
    assert.equal(snap.models, null);
    assert.equal(snap.drift, null);
    assert.equal(snap.missing.length, 3);
  });

  test('model versions: rates, canary share, error rate', async () => {
    const registry = createRegistry();
    const labelNames = ['model_name', 'model_version'];
    const p = new Counter({ name: 'model_predictions_total', help: 'p', labelNames, registers: [registry] });
    const e = new Counter({
      name: 'model_prediction_errors_total',
      help: 'e',
      labelNames,
      registers: [registry],
    });
    const sampler = new LiveSampler(registry);
    p.inc({ model_name: 'm', model_version: '1' }, 0);
    await sampler.sample(0);
    p.inc({ model_name: 'm', model_version: '1' }, 90);
    p.inc({ model_name: 'm', model_version: '2' }, 10);
    e.inc({ model_name: 'm', model_version: '2' }, 10);
    const snap = await sampler.sample(1000);
    const v2 = snap.models!.versions.find((v) => v.model_version === '2')!;
    assert.equal(snap.models!.versions[0]!.model_version, '1');
    assert.equal(v2.prediction_rate, 10);
    assert.equal(v2.traffic_share, 0.1);
    assert.equal(v2.error_rate, 0.5);
  });

  test('the responder checks the token, shares one read between close polls, and validates options', async () => {
    const { registry, h } = httpHistogram();
    let reads = 0;
    const get = h.get.bind(h);
    h.get = (() => {
      reads++;
      return get();
    }) as typeof h.get;
    const live = createLiveResponder('test.live', {
      registry,
      token: 't',
      defaultMetrics: false,
      minSampleMs: 60_000,
    });
    assert.equal((await live('format=json', undefined)).status, 401);
    assert.equal((await live('format=json', 'Bearer x')).status, 401);
    const ok = await live('format=json', 'Bearer t');
    assert.equal(ok.status, 200);
    await live('format=json', 'Bearer t');
    assert.equal(reads, 1);
    const page = await live(undefined, undefined);
    assert.match(page.headers['content-type']!, /text\/html/);
    assert.match(page.body, /connect-src &#39;self&#39;/);
    assert.throws(() => createLiveResponder('test.live', { token: '' }), /token/);
    assert.throws(() => createLiveResponder('test.live', { minSampleMs: -1 }), /minSampleMs/);
  });
});

describe('page shell', () => {
  test('escapes, bounds and embeds data so nothing closes its element', () => {
    assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    assert.equal(Array.from(displayText('x'.repeat(500))).length, 120);
    const hostile = { name: '</script><script>alert(1)</script>\u2028' };
    const json = jsonForScript(hostile);
    assert.ok(!json.includes('<') && !json.includes('\u2028'));
    assert.deepEqual(JSON.parse(json), hostile);
    const html = renderPage({ title: '<b>t</b>', data: hostile, script: '' });
    assert.ok(html.includes('<title>&lt;b&gt;t&lt;/b&gt;</title>'));
    assert.match(html, /connect-src &#39;none&#39;/);
    assert.equal(html.match(/<\/script>/g)!.length, 4, 'data, uPlot, helpers, page script');
  });

  test('the browser scripts parse', () => {
    for (const code of [CLIENT_HELPERS, LIVE_SCRIPT]) assert.doesNotThrow(() => new vm.Script(code));
  });
});
