// With OpenTelemetry on, one trace spans both services, and every call carries one set of trace
// headers: fetch (which the SDK's HTTP instrumentation does not see) gets Threadline's, parented on
// A's server span; http.get gets the SDK's client span, and Threadline adds none of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runTracedService } from '../helpers/otlp.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SERVER = 2;
const CLIENT = 3;

test('one trace across A and B, one traceparent per call, with fetch and with http.get', async () => {
  type Reply = { viaFetch: { traceparent: string[] }; viaHttp: { traceparent: string[] } };
  const run = await runTracedService(
    `${FIXTURES}otel-services.ts`,
    `${FIXTURES}otel-telemetry.ts`,
    async (base) => {
      const res = await fetch(`${base}/recommend`);
      assert.equal(res.status, 200);
      return (await res.json()) as Reply;
    },
  );
  const { spans, result: reply } = run;
  assert.equal(reply.viaFetch.traceparent.length, 1, 'fetch: one traceparent');
  assert.equal(reply.viaHttp.traceparent.length, 1, 'http.get: one traceparent');

  const servers = spans.filter((s) => s.kind === SERVER);
  assert.equal(servers.length, 3, 'A’s request and B’s two');
  assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace');
  const serverA = servers.find((s) => !s.parentSpanId)!;
  assert.ok(serverA, 'A’s server span is the root');
  const [fetchParent, httpParent] = [reply.viaFetch, reply.viaHttp].map(
    (r) => r.traceparent[0]!.split('-')[2],
  );
  assert.equal(fetchParent, serverA.spanId, 'fetch: B’s parent is A’s server span (no gap)');
  const client = spans.find((s) => s.kind === CLIENT && s.spanId === httpParent);
  assert.ok(client, 'http.get: B’s parent is the SDK’s client span');
  assert.equal(client.parentSpanId, serverA.spanId);

  const lines = run.lines.filter((l) => l.event === 'http_request');
  assert.equal(lines.length, 3);
  assert.equal(new Set(lines.map((l) => l.trace_id)).size, 1, 'every access line in the one trace');
  assert.equal(lines[0]!.trace_id, serverA.traceId);
});
