// With OpenTelemetry on, one trace spans both services, and every call carries one set of trace
// headers: fetch (which the SDK's HTTP instrumentation does not see) gets Threadline's, parented on
// A's server span; http.get gets the SDK's client span, and Threadline adds none of its own.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  name: string;
}
const SERVER = 2;
const CLIENT = 3;

test('one trace across A and B, one traceparent per call, with fetch and with http.get', async () => {
  const spans: OtlpSpan[] = [];
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const { port: collectorPort } = collector.address() as AddressInfo;
  const child = fork(`${FIXTURES}otel-services.ts`, [], {
    cwd: ROOT,
    execArgv: [
      '--conditions=threadline-source',
      '--import',
      'tsx',
      '--import',
      `${FIXTURES}otel-telemetry.ts`,
    ],
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${collectorPort}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  const exited = once(child, 'exit');
  let reply: { viaFetch: { traceparent: string[] }; viaHttp: { traceparent: string[] } };
  try {
    const [message] = (await once(child, 'message')) as [{ port: number }];
    const res = await fetch(`http://127.0.0.1:${message.port}/recommend`);
    assert.equal(res.status, 200);
    reply = (await res.json()) as typeof reply;
    child.send('stop');
    const [code] = await exited;
    assert.equal(code, 0, 'the child flushed and exited cleanly');
  } finally {
    clearTimeout(guard);
    collector.close();
  }
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

  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, string>)
    .filter((l) => l.event === 'http_request');
  assert.equal(lines.length, 3);
  assert.equal(new Set(lines.map((l) => l.trace_id)).size, 1, 'every access line in the one trace');
  assert.equal(lines[0]!.trace_id, serverA.traceId);
});
