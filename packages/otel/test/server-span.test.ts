// The HTTP server span starts before the middleware makes the request's context; the processor
// gives it the request's attributes as it ends. Real SDK, real instrumentation-http, real server.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { activeOtelSpan, runWithContext, setContext } from '@threadline/core';
import { startTelemetry } from '../src/index.js';

const SERVER = 1;
const memory = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter: memory });
let shutdown: () => Promise<void>;

before(() => {
  shutdown = startTelemetry({ instrumentations: { http: true }, spanProcessors: [processor] });
});
after(() => shutdown());

test('the server span carries request_id and the model chosen by the handler', async () => {
  // Loaded after startTelemetry, as an application started with `node --import` would.
  const http = await import('node:http');
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const span = activeOtelSpan();
    const id = String(req.headers['x-request-id']);
    runWithContext(
      { request_id: id, ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}) },
      async () => {
        await new Promise((r) => setImmediate(r));
        setContext({ model: { name: 'ranker', version: `v-${id}`, alias: 'champion' } });
        res.end('ok');
      },
      { inherit: false },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await fetch(`http://127.0.0.1:${port}/predict`, { headers: { 'x-request-id': `r${i}` } });
        await res.text();
      }),
    );
  } finally {
    await new Promise((r) => server.close(r));
  }
  await processor.forceFlush();
  const servers = memory.getFinishedSpans().filter((s) => s.kind === SERVER);
  assert.equal(servers.length, 20);
  for (const span of servers) {
    const id = span.attributes.request_id;
    assert.ok(typeof id === 'string' && id.startsWith('r'), 'request_id on the server span');
    assert.equal(span.attributes.model_name, 'ranker');
    assert.equal(span.attributes.model_version, `v-${id}`, 'the attributes of its own request');
    assert.equal(span.attributes.model_alias, 'champion');
  }
});
