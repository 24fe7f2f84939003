// OpenTelemetry's undici instrumentation and Threadline's propagation on the same fetch, in either
// order of installation: the call carries one traceparent, the instrumentation's client span.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { installOutgoingPropagation, runWithContext } from '@threadline/core';
import { useInMemoryTracing } from '../helpers/otel.js';

const exporter = useInMemoryTracing();
const SPAN_KIND_CLIENT = 2;
let server: Server;
let url = '';

before(async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = createServer((req, res) => res.end(JSON.stringify(req.headersDistinct.traceparent ?? [])));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  propagation.disable();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function call(): Promise<{ sent: string[]; client: string | undefined }> {
  const sent = await trace.getTracer('test').startActiveSpan('request', async (span) => {
    const got = await runWithContext({ request_id: 'r-1' }, async () => (await fetch(url)).json());
    span.end();
    return got as string[];
  });
  const client = exporter.getFinishedSpans().find((s) => s.kind === SPAN_KIND_CLIENT);
  return { sent, client: client?.spanContext().spanId };
}

for (const order of ['Threadline first', 'OpenTelemetry first'] as const) {
  test(`${order}: one traceparent, parented on the instrumentation's client span`, async () => {
    // An instrumentation subscribes to undici's channels when it is constructed (enabled).
    const start = (): UndiciInstrumentation => {
      const i = new UndiciInstrumentation();
      i.setTracerProvider(trace.getTracerProvider());
      return i;
    };
    let undo: () => void;
    let instrumentation: UndiciInstrumentation;
    if (order === 'Threadline first') {
      undo = installOutgoingPropagation({ logger: false });
      instrumentation = start();
    } else {
      instrumentation = start();
      undo = installOutgoingPropagation({ logger: false });
    }
    try {
      const { sent, client } = await call();
      assert.equal(sent.length, 1, JSON.stringify(sent));
      assert.ok(client, 'the instrumentation made a client span');
      assert.equal(sent[0]!.split('-')[2], client);
    } finally {
      instrumentation.disable();
      undo();
    }
  });
}
