// The request path's contracts, asserted the same way on every framework: Threadline's own
// endpoints are not traffic, what is logged and what is measured, trace-consistent sampling, the
// response's listeners in the request's context, and what peers' users rely on (req.log, req.id).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DiagEvent, onDiag, renderMetrics } from '@threadline/core';
import { FRAMEWORKS, parseMetrics, setup, start, sum, until } from './harness.js';

const SECRET = 'a-long-enough-secret';
const DURATION = 'http_server_request_duration_seconds_count';

function traceparent(i: number, flags: '00' | '01'): string {
  return `00-4bf92f3577b34da6a3ce929d${(i * 0x0690_0000).toString(16).padStart(8, '0')}-00f067aa0ba902b7-${flags}`;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  return r;
}

for (const fw of FRAMEWORKS) {
  describe(`request path on ${fw}`, () => {
    test('own endpoints are neither measured nor logged by default, and one label everywhere when included', async () => {
      for (const includeOwnEndpoints of [false, true]) {
        // The default is asserted with no option given at all.
        const { registry, logs, options } = setup(includeOwnEndpoints ? { includeOwnEndpoints } : {});
        const app = await start(fw, {
          threadline: options,
          metrics: { registry },
          debug: { secret: SECRET, registry },
        });
        try {
          const first = await fetch(`${app.url}/metrics`);
          const firstBody = await first.text();
          await get(`${app.url}/_threadline/debug`, { authorization: `Bearer ${SECRET}` });
          await get(`${app.url}/_threadline/page`);
          await get(`${app.url}/users/1`);
          await get(`${app.url}/metrics`);
          await until(() => logs.access().some((l) => l.path === '/users/1'));
          const samples = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
          const paths = logs.access().map((l) => l.path);
          if (!includeOwnEndpoints) {
            assert.deepEqual(paths, ['/users/1']);
            assert.equal(sum(samples, DURATION), 1);
            // The scrape does not count itself in flight.
            assert.equal(sum(parseMetrics(firstBody), 'http_server_active_requests'), 0);
          } else {
            await until(() => logs.access().length === 5);
            assert.equal(
              sum(samples, DURATION, { http_route: '/metrics', http_response_status_code: '200' }),
              2,
            );
            assert.equal(sum(samples, DURATION, { http_route: '/_threadline/debug' }), 1);
            assert.equal(sum(samples, DURATION, { http_route: '/_threadline/page' }), 1);
            assert.equal(sum(samples, DURATION, { http_route: '__unmatched__' }), 0);
            assert.deepEqual(
              logs
                .access()
                .map((l) => l.route)
                .sort(),
              ['/_threadline/debug', '/_threadline/page', '/metrics', '/metrics', '/users/:id'],
            );
          }
        } finally {
          await app.close();
        }
      }
    });

    test('skip hides the line and its exemplar; skipMetrics hides the measurement; unloggedExemplars asks for them', async () => {
      for (const unloggedExemplars of [false, true]) {
        // The default is asserted with skip alone; skipMetrics and unloggedExemplars with the opt-in.
        const { registry, logs, options } = setup(
          unloggedExemplars
            ? { skip: ['/health'], skipMetrics: ['/teapot'], unloggedExemplars }
            : { skip: ['/health'] },
        );
        const app = await start(fw, { threadline: options });
        try {
          await get(`${app.url}/health`, { traceparent: traceparent(1, '01') });
          await get(`${app.url}/teapot`, { traceparent: traceparent(2, '01') });
          await get(`${app.url}/users/3`, { traceparent: traceparent(3, '01') });
          await until(() => logs.access().length === 2);
          assert.deepEqual(
            logs
              .access()
              .map((l) => l.path)
              .sort(),
            ['/teapot', '/users/3'],
          );
          const om = (await renderMetrics(registry, 'openmetrics')).body;
          const samples = parseMetrics(om);
          assert.equal(sum(samples, DURATION, { http_route: '/health' }), 1);
          assert.equal(sum(samples, DURATION, { http_route: '/teapot' }), unloggedExemplars ? 0 : 1);
          assert.equal(sum(samples, 'http_server_active_requests'), 0);
          const exemplar = (route: string) =>
            new RegExp(`_bucket\\{[^}]*http_route="${route}"[^}]*\\} 1 # \\{trace_id=`).test(om);
          assert.equal(exemplar('/users/:id'), true);
          assert.equal(exemplar('/health'), unloggedExemplars);
        } finally {
          await app.close();
        }
      }
    });

    test("sampling follows the caller's sampled flag, else the trace ID's share; being slow overrides neither", async () => {
      // The caller sampled the traces: every line is kept, whatever the ratio.
      const sampled = setup({ sampleRate: 0.25, slowMs: 60_000 });
      const app = await start(fw, { threadline: sampled.options });
      try {
        for (let i = 0; i < 40; i++) await get(`${app.url}/health`, { traceparent: traceparent(i, '01') });
        await until(() => sampled.logs.access().length === 40);
      } finally {
        await app.close();
      }
      // Not sampled by the caller: the trace ID's share decides, though every request is slow here.
      const ratio = setup({ sampleRate: 0.5, slowMs: 0 });
      const app2 = await start(fw, { threadline: ratio.options });
      try {
        for (let i = 0; i < 40; i++) await get(`${app2.url}/health`, { traceparent: traceparent(i, '00') });
        await get(`${app2.url}/boom-sync`, { traceparent: traceparent(39, '00') });
        await until(() => ratio.logs.access().some((l) => l.path === '/boom-sync'));
        const expected = Array.from({ length: 20 }, (_, i) => traceparent(i, '00').slice(3, 35));
        assert.deepEqual(
          ratio.logs
            .access()
            .filter((l) => l.path === '/health')
            .map((l) => l.trace_id),
          expected,
        );
      } finally {
        await app2.close();
      }
    });

    test('a trace started here carries its line-sampling decision in the sampled flag', async () => {
      const { logs, options } = setup({ sampleRate: 0.5 });
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      try {
        for (let i = 0; i < 30; i++) await get(`${app.url}/users/${i}`);
        await until(() => logs.handler().length === 30);
        const kept = new Set(logs.access().map((l) => l.trace_id));
        assert.ok(kept.size > 3 && kept.size < 27, `kept ${kept.size} of 30`);
        for (const line of logs.handler()) {
          assert.equal(line.trace_flags === '03', kept.has(line.trace_id), `trace ${line.trace_id}`);
        }
      } finally {
        await app.close();
      }
    });

    test("overlapping requests: the response's 'finish' and 'close' listeners run in their own request's context", async () => {
      const seen: { event: string; id: string | undefined; tag: string }[] = [];
      const { options } = setup({ logger: false });
      const app = await start(fw, {
        threadline: options,
        onListener: (event, id, tag) => seen.push({ event, id, tag }),
      });
      try {
        const TOTAL = 60;
        const ids = new Map<string, string>();
        await Promise.all(
          Array.from({ length: TOTAL }, async (_, i) => {
            const r = await get(`${app.url}/listeners?tag=${i}`);
            ids.set(String(i), r.headers.get('x-request-id') ?? '');
          }),
        );
        await until(() => seen.length === TOTAL * 2);
        for (const s of seen) assert.equal(s.id, ids.get(s.tag), `${s.event} of request ${s.tag}`);
      } finally {
        await app.close();
      }
    });

    test('req.log / ctx.log and req.id / ctx.id, through the given logger', async () => {
      const { logs, options } = setup();
      const app = await start(fw, { threadline: options });
      try {
        const r = await fetch(`${app.url}/req-log?tag=t1`, { headers: { 'x-request-id': 'peer-id-1' } });
        assert.deepEqual(await r.json(), { id: 'peer-id-1', replaced: true });
        await until(() => logs.access().length === 1);
        const line = logs.lines.find((l) => l.message === 'from req.log')!;
        assert.equal(line.request_id, 'peer-id-1');
        assert.equal(line.step, 'req_log');
        assert.equal(line.tag, 't1');
        // The opt-in access fields are off by default.
        const access = logs.access()[0]!;
        for (const field of ['user_agent_original', 'client_address', 'url_query'])
          assert.ok(!(field in access), field);
      } finally {
        await app.close();
      }
    });

    test('opt-in access fields: user agent, client address, query string redacted and bounded', async () => {
      const { logs, options } = setup({ logUserAgent: true, logClientAddress: true, logQuery: true });
      const app = await start(fw, { threadline: options });
      try {
        const ua = `agent/${'x'.repeat(600)}`;
        await get(`${app.url}/users/1?tag=t1&token=sekrit-value&Api-Key=zz&my_secret=s&q=ok`, {
          'user-agent': ua,
        });
        await until(() => logs.access().length === 1);
        const access = logs.access()[0]!;
        assert.equal(access.user_agent_original, ua.slice(0, 512));
        assert.match(String(access.client_address), /127\.0\.0\.1$/);
        assert.equal(
          access.url_query,
          'tag=t1&token=[REDACTED]&Api-Key=[REDACTED]&my_secret=[REDACTED]&q=ok',
        );
        assert.ok(!JSON.stringify(logs.lines).includes('sekrit'));
        // An encoded key is redacted as its decoded name; a huge query is cut, not copied whole.
        await get(`${app.url}/users/2?%74oken=sekrit2&pad=${'p'.repeat(5000)}`);
        await until(() => logs.access().length === 2);
        const long = String(logs.access()[1]!.url_query);
        assert.equal(long.length, 512);
        assert.ok(long.startsWith('%74oken=[REDACTED]&pad=ppp'));
        assert.ok(!JSON.stringify(logs.lines).includes('sekrit2'));
      } finally {
        await app.close();
      }
    });

    test('/metrics without a token warns once when other hosts can reach it; an empty token is a clear setup error', async () => {
      const events: DiagEvent[] = [];
      const off = onDiag((e) => events.push(e));
      try {
        for (const [host, token, warnings] of [
          ['0.0.0.0', undefined, 1],
          ['0.0.0.0', 'tok', 0],
          ['127.0.0.1', undefined, 0],
        ] as const) {
          events.length = 0;
          const { registry, options } = setup({ logger: false });
          const metrics = token ? { registry, token } : { registry };
          const app = await start(fw, { threadline: options, metrics, host });
          try {
            for (let i = 0; i < 3; i++)
              await get(`${app.url}/metrics`, token ? { authorization: `Bearer ${token}` } : {});
            const open = events.filter((e) => e.code === 'TL_OPEN_ENDPOINT');
            assert.equal(open.length, warnings, `${host} token=${token}`);
            if (warnings) assert.match(open[0]!.message, /token/);
          } finally {
            await app.close();
          }
        }
      } finally {
        off();
      }
      const { registry } = setup();
      await assert.rejects(
        async () => start(fw, { metrics: { registry, token: '' } }),
        /token is an empty string .*METRICS_TOKEN.*leave the option out/,
      );
    });

    test('debug endpoint: failed attempts throttled per client, counted and logged', async () => {
      const events: DiagEvent[] = [];
      const off = onDiag((e) => events.push(e));
      const { registry, options } = setup({ logger: false });
      const app = await start(fw, { threadline: options, debug: { secret: SECRET, registry } });
      try {
        const url = `${app.url}/_threadline/debug`;
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) statuses.push((await get(url, { authorization: 'Bearer wrong' })).status);
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
        const right = await get(url, { authorization: `Bearer ${SECRET}` });
        assert.equal(right.status, 429, 'a throttled client is refused even with the right secret');
        assert.ok(Number(right.headers.get('retry-after')) > 0);
        const samples = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
        assert.equal(sum(samples, 'threadline_debug_auth_failures_total', { outcome: 'rejected' }), 5);
        assert.equal(sum(samples, 'threadline_debug_auth_failures_total', { outcome: 'throttled' }), 4);
        assert.equal(events.filter((e) => e.code === 'TL_AUTH_FAILED').length, 5);
      } finally {
        off();
        await app.close();
      }
    });
  });
}
