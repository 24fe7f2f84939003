import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../src/app.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly path: string;
}

const received: Received[] = [];
let receiver: Server;
let service: Server;
let receiverUrl = '';
let serviceUrl = '';

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body), path: req.url ?? '' });
      res.end('ok');
    });
  });
  receiverUrl = await listen(receiver);
  service = createServer(createApp());
  serviceUrl = await listen(service);
});

after(async () => {
  for (const s of [receiver, service]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Sends one /test request and returns what the callees received. */
async function drive(headers: Record<string, string>, n = 2): Promise<Received[]> {
  received.length = 0;
  const calls = Array.from({ length: n }, (_, i) => ({
    url: `${receiverUrl}/callee/${i}`,
    arguments: [{ i }],
  }));
  const res = await fetch(`${serviceUrl}/test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(calls),
  });
  assert.equal(res.status, 200);
  return [...received];
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe('POST /test as the W3C Trace Context harness drives it', () => {
  test('forwards each call, in order, with its arguments as JSON', async () => {
    const got = await drive({ traceparent: `00-${TRACE}-${PARENT}-01` }, 3);
    assert.deepEqual(
      got.map((r) => [r.path, r.body]),
      [
        ['/callee/0', [{ i: 0 }]],
        ['/callee/1', [{ i: 1 }]],
        ['/callee/2', [{ i: 2 }]],
      ],
    );
  });

  test('a valid traceparent: same trace ID, a new parent ID per call, flags and tracestate carried', async () => {
    const got = await drive({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'foo=1,bar=2' });
    const parents = new Set<string>();
    for (const r of got) {
      const m = TRACEPARENT.exec(String(r.headers.traceparent));
      assert.ok(m, String(r.headers.traceparent));
      assert.equal(m[1], TRACE);
      assert.notEqual(m[2], PARENT);
      assert.notEqual(m[2], '0000000000000000');
      assert.equal(m[3], '01');
      parents.add(m[2]!);
      assert.equal(r.headers.tracestate, 'foo=1,bar=2');
    }
    assert.equal(parents.size, got.length);
  });

  test('the sampled flag off stays off', async () => {
    const got = await drive({ traceparent: `00-${TRACE}-${PARENT}-00` });
    for (const r of got) assert.equal(TRACEPARENT.exec(String(r.headers.traceparent))?.[3], '00');
  });

  test('a future version is read by its version-00 prefix and sent as version 00', async () => {
    const got = await drive({ traceparent: `cc-${TRACE}-${PARENT}-01-what-the-future-holds` });
    for (const r of got) assert.equal(TRACEPARENT.exec(String(r.headers.traceparent))?.[1], TRACE);
  });

  for (const [name, value] of [
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['all-zero trace ID', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero parent ID', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${PARENT}-01-extra`],
    ['duplicated header', `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01`],
  ] as const) {
    test(`an invalid traceparent (${name}) starts a new trace and drops tracestate`, async () => {
      const got = await drive({ traceparent: value, tracestate: 'foo=1' });
      const traces = new Set<string>();
      for (const r of got) {
        const m = TRACEPARENT.exec(String(r.headers.traceparent));
        assert.ok(m);
        assert.notEqual(m[1], TRACE);
        traces.add(m[1]!);
        assert.equal(r.headers.tracestate, undefined);
      }
      assert.equal(traces.size, 1, 'one new trace for the whole request');
    });
  }

  test('no traceparent: a new trace, the same for every call of the request', async () => {
    const got = await drive({});
    const ids = got.map((r) => TRACEPARENT.exec(String(r.headers.traceparent))?.[1]);
    assert.ok(ids[0]);
    assert.equal(new Set(ids).size, 1);
  });

  test('an invalid tracestate is dropped, the trace continues', async () => {
    const got = await drive({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'foo=1,@bar=2' });
    for (const r of got) {
      assert.equal(TRACEPARENT.exec(String(r.headers.traceparent))?.[1], TRACE);
      assert.equal(r.headers.tracestate, undefined);
    }
  });

  test('duplicated keys are inherited, one of them discarded', async () => {
    const got = await drive({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'foo=1,foo=2,bar=3' }, 1);
    assert.equal(got[0]!.headers.tracestate, 'foo=1,bar=3');
  });

  test('keys of the current grammar (foo@, foo@@bar) are inherited', async () => {
    const got = await drive({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'foo@=1,foo@@bar=2' }, 1);
    assert.equal(got[0]!.headers.tracestate, 'foo@=1,foo@@bar=2');
  });

  test('a tracestate of 32 members passes; 33 is dropped', async () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');
    const ok = await drive({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: members(32) }, 1);
    assert.equal(ok[0]!.headers.tracestate, members(32));
    const over = await drive({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: members(33) }, 1);
    assert.equal(over[0]!.headers.tracestate, undefined);
  });

  test('a body that is not a list of calls is refused with 400', async () => {
    const res = await fetch(`${serviceUrl}/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"url": 1}',
    });
    assert.equal(res.status, 400);
  });
});
