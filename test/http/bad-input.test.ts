import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { DIAG_CHANNEL, renderMetrics } from '@threadline/core';
import { FRAMEWORKS, parseMetrics, type Running, setup, start, sum, until } from './harness.js';

/** Sends raw bytes and returns everything the server wrote before closing (or after `ms`). */
async function raw(url: string, bytes: string, ms = 1000): Promise<string> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write(bytes);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, ms))]);
  socket.destroy();
  return Buffer.concat(chunks).toString('latin1');
}

/** Status line and body of a raw answer, without headers that vary (date, request ID, etag). */
function essence(answer: string): { status: string; body: string } {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  return { status: head.split('\r\n')[0] ?? '', body: rest.join('\r\n\r\n') };
}

/**
 * What a client sees of /stream-error: status, bytes before the break, and whether it broke. Some
 * frameworks leave the response open after the stream fails (Koa 2): the client gives up after a
 * second, and that is the outcome too.
 */
function streamOutcome(url: string): Promise<{ status: number; body: string; broke: boolean | 'gave up' }> {
  return new Promise((resolve) => {
    let status = 0;
    let body = '';
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status, body, broke: 'gave up' });
    }, 1000);
    const req = request(`${url}/stream-error`, (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, body, broke: false });
      });
      res.on('error', () => {
        clearTimeout(timer);
        resolve({ status, body, broke: true });
      });
      res.on('aborted', () => {});
    });
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ status, body, broke: true });
    });
    req.end();
  });
}

for (const fw of FRAMEWORKS) {
  describe(`bad input and faults on ${fw}`, () => {
    test('malformed, duplicate and hostile headers: same answers as the bare app, replaced, counted', async () => {
      const { registry, logs, options } = setup();
      const diags: unknown[] = [];
      const onDiag = (m: unknown) => diags.push(m);
      diagnosticsChannel.subscribe(DIAG_CHANNEL, onDiag);
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      const bare = await start(fw, {});
      try {
        const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
        const cases = [
          `GET /admin/stats/1 HTTP/1.1\r\nHost: x\r\ntraceparent: 00-xyz-nope-01\r\nConnection: close\r\n\r\n`,
          `GET /admin/stats/2 HTTP/1.1\r\nHost: x\r\ntraceparent: ${tp}\r\ntraceparent: ${tp}\r\nConnection: close\r\n\r\n`,
          `GET /admin/stats/3 HTTP/1.1\r\nHost: x\r\nx-request-id: ${'a'.repeat(5000)}\r\nConnection: close\r\n\r\n`,
          `GET /admin/stats/4 HTTP/1.1\r\nHost: x\r\nx-request-id: evil id\tinjected\r\nConnection: close\r\n\r\n`,
          `GET /admin/stats/5 HTTP/1.1\r\nHost: x\r\nx-request-id: caf\xe9\r\nConnection: close\r\n\r\n`,
          `GET /admin/stats/6 HTTP/1.1\r\nHost: x\r\ntraceparent: ${tp}\r\ntracestate: =bad,,\r\nConnection: close\r\n\r\n`,
          `GET /${'x'.repeat(8000)}?q=${'y'.repeat(4000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          `FOO /admin/stats/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          `PROPFIND /any HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        ];
        for (const bytes of cases) {
          const [a, b] = await Promise.all([raw(app.url, bytes), raw(bare.url, bytes)]);
          assert.deepEqual(essence(a), essence(b), bytes.slice(0, 40));
        }
        // Every request that reached the app was logged (FOO is refused by Node's parser for both).
        await until(() => logs.access().length === 8);
        const lines = logs.access();
        const ids = lines.map((l) => String(l.request_id));
        for (const id of ids) assert.match(id, /^[\x21-\x7e]{1,128}$/);
        assert.ok(!ids.some((id) => id.includes('evil') || id.startsWith('aaaa')));
        const dup = lines.find((l) => l.path === '/admin/stats/2')!;
        assert.notEqual(dup.trace_id, '0af7651916cd43dd8448eb211c80319c');
        const okTrace = lines.find((l) => l.path === '/admin/stats/6')!;
        assert.equal(okTrace.trace_id, '0af7651916cd43dd8448eb211c80319c');
        const huge = lines.find((l) => String(l.path).startsWith('/xxx'))!;
        assert.equal(huge.route, '__unmatched__');
        assert.equal(String(huge.path).length, 512);
        const samples = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
        assert.equal(sum(samples, 'threadline_http_invalid_headers_total', { header: 'traceparent' }), 2);
        assert.equal(sum(samples, 'threadline_http_invalid_headers_total', { header: 'x-request-id' }), 3);
        assert.equal(sum(samples, 'threadline_http_invalid_headers_total', { header: 'tracestate' }), 1);
        // Diagnostics are warned once per process: the first framework in this file sees them.
        if (fw === FRAMEWORKS[0])
          assert.ok(diags.some((d) => (d as { code?: string }).code === 'TL_BAD_HEADER'));
      } finally {
        diagnosticsChannel.unsubscribe(DIAG_CHANNEL, onDiag);
        await app.close();
        await bare.close();
      }
    });

    test('an erroring response stream: the client sees what it sees without Threadline; counted as aborted', async () => {
      const { registry, logs, options } = setup();
      const app = await start(fw, { threadline: options });
      const bare = await start(fw, {});
      try {
        const [a, b] = await Promise.all([streamOutcome(app.url), streamOutcome(bare.url)]);
        assert.deepEqual(a, b);
        await until(() => logs.access().length === 1);
        const line = logs.access()[0]!;
        assert.equal(line.aborted, true);
        assert.equal(line.level, 'warn');
        const samples = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
        assert.equal(
          sum(samples, 'http_server_errors_total', { error_type: 'aborted', http_route: '/stream-error' }),
          1,
        );
        assert.equal(sum(samples, 'http_server_active_requests'), 0);
      } finally {
        await app.close();
        await bare.close();
      }
    });

    test('client aborts are counted and logged once as aborted; nothing throws', async () => {
      const { registry, logs, options } = setup();
      const app: Running = await start(fw, { threadline: options, handlerLog: logs.sink });
      const steps = (step: string) => logs.handler().filter((l) => l.step === step).length;
      try {
        for (let i = 0; i < 3; i++) {
          const ac = new AbortController();
          const p = fetch(`${app.url}/slow`, { signal: ac.signal });
          // Abort once the handler is running, so the server surely saw the request.
          await until(() => steps('slow_started') === i + 1, 10_000);
          ac.abort();
          await assert.rejects(p);
        }
        await until(() => logs.access().length === 3, 10_000);
        for (const line of logs.access()) {
          assert.equal(line.aborted, true);
          assert.equal(line.message, 'request aborted');
          assert.equal(line.route, '/slow');
        }
        // The handlers then finish against closed sockets: still one line per request.
        await until(() => steps('slow_done') === 3, 10_000);
        assert.equal(logs.access().length, 3);
        const samples = parseMetrics((await renderMetrics(registry, 'prometheus')).body);
        assert.equal(sum(samples, 'http_server_errors_total', { error_type: 'aborted' }), 3);
        assert.equal(sum(samples, 'http_server_request_duration_seconds_count', { http_route: '/slow' }), 0);
        assert.equal(sum(samples, 'http_server_active_requests'), 0);
      } finally {
        await app.close();
      }
    });
  });
}
