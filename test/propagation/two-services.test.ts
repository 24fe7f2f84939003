// Two real services on 127.0.0.1: A (Express, with outgoing propagation installed) calls B
// (Express) with fetch and with http.get, inside and outside a request. B's access lines must carry
// A's trace and request IDs, B's baggage A's model version, A's client histogram B's address.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  configureBaggage,
  createRegistry,
  getBaggage,
  installOutgoingPropagation,
  isInternalHost,
  jsonLineSink,
  parseTraceparent,
  runWithContext,
  setContext,
} from '@threadline/core';
import { threadline } from '@threadline/express';
import express from 'express';
import { findSamples, parsePromText } from '../helpers/prom-text.js';

type Line = Record<string, unknown>;

function capture(lines: Line[]) {
  return jsonLineSink({ write: (s: string) => lines.push(JSON.parse(s) as Line) }, { service: 'test' });
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const registryA = createRegistry();
const registryB = createRegistry();
const linesA: Line[] = [];
const linesB: Line[] = [];
const clientLines: Line[] = [];
let urlA = '';
let urlB = '';
let deadUrl = '';
let servers: Server[] = [];
let undo: () => void = () => {};
let undoBaggage: () => void = () => {};

/** A's propagation, as the services run with it; the destination tests swap it and put it back. */
function installA(): () => void {
  return installOutgoingPropagation({
    registry: registryA,
    baggageModel: true,
    logger: capture(clientLines),
  });
}

/** A job context with a sampled trace, for the calls the destination tests make. */
const JOB = {
  request_id: 'r',
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  span_id: 'b7ad6b7169203331',
  trace_flags: '01',
};

/** What a call from inside `context` sends: the echo server answers with the headers it got. */
function sent<T = Record<string, string>>(
  url: string,
  context: Parameters<typeof runWithContext>[0] = JOB,
  init?: RequestInit,
) {
  return runWithContext(context, async () => (await fetch(url, init)).json() as Promise<T>);
}

/**
 * Runs `fn` against a server on 127.0.0.1 that answers with the request's headers (each one's
 * values as a list with `distinct`), then closes it and puts A's propagation back.
 */
async function withEcho(fn: (url: string) => Promise<void>, distinct = false): Promise<void> {
  const echo = createServer((req, res) =>
    res.end(JSON.stringify(distinct ? req.headersDistinct : req.headers)),
  );
  const url = await listen(echo);
  try {
    await fn(url);
  } finally {
    undo();
    undo = installA();
    echo.closeAllConnections();
    await new Promise((r) => echo.close(r));
  }
}

before(async () => {
  undoBaggage = configureBaggage({ logFields: ['model_version', 'model_name'] });
  const b = express();
  b.use(threadline({ registry: registryB, logger: capture(linesB) }));
  b.get('/embed', (_req, res) => {
    const bag = getBaggage();
    res.json({ model_version: bag.model_version?.value ?? null, tenant: bag.tenant?.value ?? null });
  });
  b.get('/fail', (_req, res) => {
    res.status(503).end();
  });
  const a = express();
  a.use(threadline({ registry: registryA, logger: capture(linesA) }));
  a.get('/recommend', async (req, res) => {
    setContext({ model: { name: 'ranker', version: '2.1.0' } });
    const how = String(req.query.via);
    const body =
      how === 'fetch' ? await (await fetch(`${urlB}/embed`)).text() : await getText(`${urlB}/embed`);
    res.type('json').send(body);
  });
  a.get('/dead', async (_req, res) => {
    setContext({ model: { name: 'ranker', version: '2.1.0' } });
    const failed = await fetch(deadUrl).then(
      () => false,
      () => true,
    );
    res.json({ failed });
  });
  const dead = createServer();
  deadUrl = await listen(dead);
  await new Promise<void>((r) => dead.close(() => r()));
  const sa = createServer(a);
  const sb = createServer(b);
  urlA = await listen(sa);
  urlB = await listen(sb);
  servers = [sa, sb];
  undo = installA();
});

after(async () => {
  undo();
  undoBaggage();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

beforeEach(() => {
  linesA.length = 0;
  linesB.length = 0;
  clientLines.length = 0;
});

/** A's client call counts with these labels. */
async function clientCounts(labels: Record<string, string>) {
  return findSamples(
    parsePromText(await registryA.metrics()),
    'http_client_request_duration_seconds_count',
    labels,
  );
}

/** Waits until `lines` holds `n` access lines (they are written when the response closes). */
async function accessLines(lines: Line[], n: number): Promise<Line[]> {
  for (let i = 0; i < 100; i++) {
    const found = lines.filter((l) => l.event === 'http_request');
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`expected ${n} access lines, got ${JSON.stringify(lines)}`);
}

describe('A calls B inside a request', () => {
  for (const via of ['fetch', 'http.get']) {
    test(`${via}: B's access line carries A's trace ID and request ID; B's baggage A's model`, async () => {
      const res = await fetch(`${urlA}/recommend?via=${via}`, {
        headers: { 'x-request-id': 'req-from-client' },
      });
      const body = (await res.json()) as { model_version: string | null };
      assert.equal(body.model_version, '2.1.0', 'B read A’s model version from its baggage');
      const [a] = await accessLines(linesA, 1);
      const [b] = await accessLines(linesB, 1);
      assert.equal(a!.request_id, 'req-from-client');
      assert.equal(b!.request_id, 'req-from-client', 'B adopted A’s request ID');
      assert.equal(b!.trace_id, a!.trace_id, 'one trace across both services');
      assert.notEqual(b!.span_id, a!.span_id);
      assert.equal(b!.baggage_model_version, '2.1.0', 'allow-listed baggage key in B’s log line');
      assert.equal(b!.baggage_model_name, 'ranker');
    });
  }

  test("A's client histogram has B's address, the caller's model labels and a trace exemplar", async () => {
    await fetch(`${urlA}/recommend?via=fetch`);
    const [a] = await accessLines(linesA, 1);
    const text = await registryA.metrics();
    const samples = findSamples(parsePromText(text), 'http_client_request_duration_seconds_count', {
      http_request_method: 'GET',
      server_address: '127.0.0.1',
      http_response_status_code: '200',
      model_name: 'ranker',
      model_version: '2.1.0',
    });
    assert.equal(samples.length, 1, text);
    assert.ok(samples[0]!.value >= 1);
    const exemplars = findSamples(parsePromText(text), 'http_client_request_duration_seconds_bucket', {
      server_address: '127.0.0.1',
    }).filter((s) => s.exemplar);
    assert.ok(
      exemplars.some((s) => s.exemplar!.labels.trace_id === a!.trace_id),
      'an exemplar carries A’s trace',
    );
  });

  test('a failed call is logged once with the caller’s IDs and counted without a status', async () => {
    await fetch(`${urlA}/dead`, { headers: { 'x-request-id': 'req-dead' } });
    const [a] = await accessLines(linesA, 1);
    const failed = clientLines.filter((l) => l.event === 'http_client_request');
    assert.equal(failed.length, 1, JSON.stringify(clientLines));
    assert.equal(failed[0]!.level, 'error');
    assert.equal(failed[0]!.request_id, 'req-dead');
    assert.equal(failed[0]!.trace_id, a!.trace_id);
    assert.equal(failed[0]!.model_version, '2.1.0');
    assert.equal(failed[0]!.error_type, 'ECONNREFUSED');
    const samples = await clientCounts({ server_address: '127.0.0.1', http_response_status_code: '' });
    assert.ok(samples.length >= 1);
  });
});

describe('A calls B outside a request', () => {
  test('no context: no trace headers are invented, B starts its own trace; the call is measured', async () => {
    const seen: (string | undefined)[] = [];
    for (const call of [() => fetch(`${urlB}/embed`).then((r) => r.text()), () => getText(`${urlB}/embed`)]) {
      await call();
      const found = await accessLines(linesB, seen.length + 1);
      seen.push(found[seen.length]!.trace_id as string);
    }
    assert.equal(new Set(seen).size, 2, 'each call started its own trace in B');
    for (const b of linesB) assert.notEqual(b.request_id, undefined);
    const samples = await clientCounts({ model_name: '', server_address: '127.0.0.1' });
    assert.ok(samples.length >= 1);
  });

  test('a job context outside any request propagates too', async () => {
    const trace = '0af7651916cd43dd8448eb211c80319c';
    await runWithContext(
      { trace_id: trace, span_id: 'b7ad6b7169203331', trace_flags: '01', request_id: 'job-1' },
      () => getText(`${urlB}/embed`),
    );
    const [b] = await accessLines(linesB, 1);
    assert.equal(b!.trace_id, trace);
    assert.equal(b!.request_id, 'job-1');
  });
});

describe('destinations', () => {
  test('the default sends IDs to internal destinations only', () => {
    for (const h of [
      '127.0.0.1',
      'localhost',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '::1',
      'fd00::1',
      'ranker',
      'db.svc',
      'x.internal',
    ])
      assert.equal(isInternalHost(h), true, h);
    for (const h of ['8.8.8.8', '172.32.0.1', 'api.openai.com', 'example.com', '2001:db8::1'])
      assert.equal(isInternalHost(h), false, h);
  });

  test('a denied destination gets no headers; the call is still measured', async () => {
    await withEcho(async (url) => {
      undo();
      const reg = createRegistry();
      undo = installOutgoingPropagation({ registry: reg, doNotPropagateTo: ['127.0.0.1'], logger: false });
      const headers = await sent(url);
      assert.equal(headers.traceparent, undefined);
      assert.equal(headers['x-request-id'], undefined);
      assert.match(
        await reg.metrics(),
        /http_client_request_duration_seconds_count\{[^}]*server_address="127.0.0.1"/,
      );
      // An allow-list that names the destination sends them again.
      undo();
      undo = installOutgoingPropagation({
        registry: createRegistry(),
        propagateTo: [/^http:\/\/127\.0\.0\.1:/],
        logger: false,
      });
      const again = await sent(url, { ...JOB, model: { name: 'ranker', version: '2.1.0' } });
      assert.equal(parseTraceparent(again.traceparent)?.traceId, '0af7651916cd43dd8448eb211c80319c');
      assert.equal(again.baggage, undefined, 'the model goes into baggage only when asked (baggageModel)');
    });
  });

  test('a predicate decides per URL; a throwing one is guarded and sends nothing', async () => {
    await withEcho(async (url) => {
      undo();
      undo = installOutgoingPropagation({
        registry: createRegistry(),
        propagateTo: ['*.not-this.example', (u) => u.pathname.startsWith('/internal/')],
        logger: false,
      });
      assert.equal((await sent(`${url}/internal/x`))['x-request-id'], 'r');
      assert.equal((await sent(`${url}/public/x`))['x-request-id'], undefined);
      undo();
      undo = installOutgoingPropagation({
        registry: createRegistry(),
        propagateTo: [
          () => {
            throw new Error('bad predicate');
          },
        ],
        logger: false,
      });
      const got = await sent(`${url}/internal/x`);
      assert.equal(got['x-request-id'], undefined);
    });
  });

  test('a caller’s own traceparent is kept: one set of headers', async () => {
    await withEcho(async (url) => {
      const own = '00-11111111111111111111111111111111-2222222222222222-01';
      const got = await sent<Record<string, string[]>>(url, JOB, { headers: { traceparent: own } });
      assert.deepEqual(got.traceparent, [own]);
    }, true);
  });

  test('a second install throws at setup; bad options throw with a clear message', () => {
    assert.throws(() => installOutgoingPropagation(), /already installed/);
    assert.throws(() => installOutgoingPropagation({ propagateTo: [42 as never] }), /propagateTo\[0\]/);
    assert.throws(() => installOutgoingPropagation({ slowMs: -1 }), /slowMs/);
  });
});
