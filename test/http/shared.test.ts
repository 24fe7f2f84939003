import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderMetrics } from '@threadline/core';
import { FRAMEWORKS, parseMetrics, setup, start, sum, until } from './harness.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = '00f067aa0ba902b7';

for (const fw of FRAMEWORKS) {
  describe(`shared assertions on ${fw}`, () => {
    test('context, request ID, trace context and route templates', async () => {
      const { registry, logs, options } = setup();
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      try {
        const r1 = await fetch(`${app.url}/users/42`, {
          headers: {
            'x-request-id': 'client-id-1',
            traceparent: `00-${TRACE}-${PARENT}-01`,
            tracestate: 'vendor=a',
          },
        });
        assert.equal(r1.status, 200);
        assert.equal(r1.headers.get('x-request-id'), 'client-id-1');
        const b1 = (await r1.json()) as { seen: string };
        assert.equal(b1.seen, 'client-id-1');

        const r2 = await fetch(`${app.url}/api/acme/items/7?x=1`);
        assert.equal(r2.status, 200);
        const generated = r2.headers.get('x-request-id');
        assert.match(generated ?? '', /^[0-9a-f-]{36}$/);
        assert.deepEqual(await r2.json(), { tenant: 'acme', item: '7', seen: generated });

        const r3 = await fetch(`${app.url}/admin/stats/monday`);
        assert.equal(r3.status, 200);
        const r4 = await fetch(`${app.url}/nowhere/at/all`);
        assert.equal(r4.status, 404);
        await r4.arrayBuffer();
        await until(() => logs.access().length === 4);

        const access = logs.access();
        const byRoute = Object.fromEntries(access.map((l) => [l.route, l]));
        assert.deepEqual(Object.keys(byRoute).sort(), [
          '/admin/stats/:day',
          '/api/:tenant/items/:itemId',
          '/users/:id',
          '__unmatched__',
        ]);
        const u = byRoute['/users/:id']!;
        assert.equal(u.request_id, 'client-id-1');
        assert.equal(u.trace_id, TRACE);
        assert.notEqual(u.span_id, PARENT);
        assert.equal(u.level, 'info');
        assert.equal(u.method, 'GET');
        assert.equal(u.status, 200);
        assert.equal(typeof u.duration_ms, 'number');
        assert.equal(u.path, '/users/42');
        assert.equal(byRoute['__unmatched__']!.level, 'warn');
        const handlerLine = logs.handler().find((l) => l.step === 'users')!;
        assert.equal(handlerLine.request_id, 'client-id-1');
        assert.equal(handlerLine.trace_id, TRACE);

        const om = await renderMetrics(registry, 'openmetrics');
        const samples = parseMetrics(om.body);
        const count = 'http_server_request_duration_seconds_count';
        assert.equal(
          sum(samples, count, {
            http_route: '/users/:id',
            http_request_method: 'GET',
            http_response_status_code: '200',
            model_name: '',
          }),
          1,
        );
        assert.equal(sum(samples, count, { http_route: '/api/:tenant/items/:itemId' }), 1);
        assert.equal(sum(samples, count, { http_route: '/admin/stats/:day' }), 1);
        assert.equal(
          sum(samples, count, { http_route: '__unmatched__', http_response_status_code: '404' }),
          1,
        );
        assert.equal(sum(samples, count), 4);
        // Never a raw path in a label.
        assert.ok(!samples.some((s) => /42|acme|monday|nowhere/.test(s.labels.http_route ?? '')));
        assert.equal(sum(samples, 'http_server_active_requests'), 0);
        assert.match(
          om.body,
          new RegExp(
            `http_server_request_duration_seconds_bucket\\{[^}]*http_route="/users/:id"[^}]*\\} 1 # \\{trace_id="${TRACE}"`,
          ),
        );
        assert.ok(
          sum(samples, 'http_server_response_body_size_bytes_count', { http_route: '/users/:id' }) === 1,
        );
      } finally {
        await app.close();
      }
    });

    test('errors: thrown sync and async are counted, logged once with stack, and answered as the bare app does', async () => {
      const { registry, logs, options } = setup();
      const app = await start(fw, { threadline: options });
      const bare = await start(fw, {});
      try {
        for (const path of ['/boom-sync', '/boom-async', '/teapot']) {
          const [a, b] = await Promise.all([fetch(app.url + path), fetch(bare.url + path)]);
          assert.equal(a.status, b.status, path);
          assert.equal(await a.text(), await b.text(), path);
        }
        await until(() => logs.access().length === 3);
        const sync = logs.access().find((l) => l.path === '/boom-sync')!;
        assert.equal(sync.level, 'error');
        assert.equal(sync.status, 500);
        assert.equal(sync.error_type, 'Error');
        assert.equal(sync.error_message, 'sync boom');
        assert.match(String(sync.error_stack), /sync boom\n\s+at /);
        assert.equal(sync.route, '/boom-sync');
        const asyncLine = logs.access().find((l) => l.path === '/boom-async')!;
        assert.equal(asyncLine.error_message, 'async boom');
        assert.equal(logs.access().find((l) => l.path === '/teapot')!.level, 'warn');
        const samples = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
        assert.equal(
          sum(samples, 'http_server_errors_total', { error_type: 'Error', http_route: '/boom-sync' }),
          1,
        );
        assert.equal(
          sum(samples, 'http_server_errors_total', { error_type: 'Error', http_route: '/boom-async' }),
          1,
        );
        assert.equal(sum(samples, 'http_server_errors_total'), 2);
      } finally {
        await app.close();
        await bare.close();
      }
    });

    test('non-standard methods fold to _OTHER; skip list; sampling keeps errors', async () => {
      const { registry, logs, options } = setup({ skip: ['/health'], sampleRate: 0, slowMs: 60_000 });
      const app = await start(fw, { threadline: options });
      try {
        const r = await fetch(`${app.url}/any`, { method: 'PROPFIND' });
        assert.equal(await r.text(), 'method PROPFIND');
        await (await fetch(`${app.url}/health`)).text();
        await (await fetch(`${app.url}/users/1`)).text();
        await (await fetch(`${app.url}/boom-sync`)).text();
        await until(() => logs.access().length >= 1);
        const parsed = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
        assert.equal(
          sum(parsed, 'http_server_request_duration_seconds_count', {
            http_request_method: '_OTHER',
            http_route: '/any',
          }),
          1,
        );
        assert.equal(sum(parsed, 'http_server_request_duration_seconds_count', { http_route: '/health' }), 1);
        // sampleRate 0 drops ordinary lines; the failure is always kept; /health is skipped.
        assert.deepEqual(
          logs.access().map((l) => l.path),
          ['/boom-sync'],
        );
      } finally {
        await app.close();
      }
    });
  });
}

describe('trace-based access-line sampling', () => {
  test('every service decides the same for a trace its caller did not sample, from the trace ID alone', async () => {
    const traces = Array.from(
      { length: 40 },
      (_, i) => `4bf92f3577b34da6a3ce929d${(i * 0x0690_0000).toString(16).padStart(8, '0')}`,
    );
    const kept: string[][] = [];
    for (const fw of ['express5', 'koa3'] as const) {
      const { logs, options } = setup({ sampleRate: 0.5, slowMs: 60_000 });
      const app = await start(fw, { threadline: options });
      try {
        for (const t of traces) {
          await (
            await fetch(`${app.url}/health`, { headers: { traceparent: `00-${t}-00f067aa0ba902b7-00` } })
          ).text();
        }
        await (
          await fetch(`${app.url}/boom-sync`, {
            headers: { traceparent: `00-${traces[39]}-00f067aa0ba902b7-00` },
          })
        ).text();
        await until(() => logs.access().some((l) => l.path === '/boom-sync'));
        kept.push(
          logs
            .access()
            .filter((l) => l.path === '/health')
            .map((l) => String(l.trace_id)),
        );
        // A failure is kept even when its trace is not sampled.
        assert.ok(logs.access().some((l) => l.path === '/boom-sync' && l.trace_id === traces[39]));
      } finally {
        await app.close();
      }
    }
    assert.deepEqual(kept[0], kept[1]);
    // The IDs' last 32 bits run from 0 to 0xf9... in even steps: the first half is kept.
    assert.deepEqual(kept[0], traces.slice(0, 20));
  });
});
