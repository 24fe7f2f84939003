import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { runWithContext, ThreadlineConfigError, tracingEnabled, withSpan } from '@threadline/core';
import { startTelemetry } from '../src/index.js';

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A stand-in OTLP/HTTP collector on loopback that records every export request. */
async function receiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: String(req.headers['content-type']),
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) });
      res.end(req.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

const ENV_KEYS = [
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_SERVICE_NAME',
];
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('option validation (at setup, before anything starts)', () => {
  const bad: [string, unknown][] = [
    ['unknown key', { serviceNmae: 'x' }],
    ['empty service name', { serviceName: '' }],
    ['non-boolean metrics', { metrics: 'yes' }],
    ['unknown instrumentation', { instrumentations: { grpc: true } }],
    ['bad instrumentation config', { instrumentations: { http: 'on' } }],
    ['resource attribute of the wrong type', { resourceAttributes: { 'deployment.region': {} } }],
    ['exporter without export()', { traceExporter: {} }],
    ['both exporter and processors', { traceExporter: new InMemorySpanExporter(), spanProcessors: [] }],
    ['metric readers without metrics', { metricReaders: [] }],
    ['processors that are not processors', { spanProcessors: [{}] }],
  ];
  for (const [what, options] of bad) {
    test(what, () => {
      assert.throws(() => startTelemetry(options as never), ThreadlineConfigError);
      assert.equal(tracingEnabled(), false, 'nothing was registered');
    });
  }

  test('unknown exporter or protocol in the environment', () => {
    process.env.OTEL_TRACES_EXPORTER = 'jaeger';
    assert.throws(() => startTelemetry({ instrumentations: { http: false } }), /OTEL_TRACES_EXPORTER=jaeger/);
    process.env.OTEL_TRACES_EXPORTER = 'otlp';
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/xml';
    assert.throws(() => startTelemetry({ instrumentations: { http: false } }), /unknown OTLP protocol/);
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL;
    process.env.OTEL_BSP_SCHEDULE_DELAY = 'soon';
    assert.throws(() => startTelemetry({ instrumentations: { http: false } }), /OTEL_BSP_SCHEDULE_DELAY/);
    assert.equal(tracingEnabled(), false);
  });
});

test('OTEL_TRACES_EXPORTER=none registers no tracer provider, so Threadline spans cost nothing', async () => {
  process.env.OTEL_TRACES_EXPORTER = 'none';
  const shutdown = startTelemetry({ instrumentations: { http: false } });
  try {
    assert.equal(tracingEnabled(), false);
  } finally {
    await shutdown();
  }
});

test('OTLP/HTTP JSON export reaches a collector on loopback and decodes to our spans', async () => {
  const { server, url, received } = await receiver();
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${url}/v1/traces`;
  process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/json';
  const shutdown = startTelemetry({
    serviceName: 'ranker-api',
    serviceVersion: '1.4.2',
    resourceAttributes: { 'deployment.environment.name': 'test' },
    instrumentations: { http: false },
  });
  let traceId = '';
  try {
    runWithContext({ request_id: 'req-42', model: { name: 'ranker', version: '3.1.0' } }, () => {
      withSpan('model.inference', { phase: 'predict' }, () => {
        traceId = trace.getActiveSpan()!.spanContext().traceId;
      });
    });
  } finally {
    await shutdown(); // flushes the batch
    server.close();
  }
  assert.ok(received.length > 0, 'the collector got an export');
  const post = received[0]!;
  assert.equal(post.path, '/v1/traces');
  assert.equal(post.contentType, 'application/json');
  const body = JSON.parse(post.body.toString('utf8')) as OtlpJson;
  const resourceSpans = body.resourceSpans[0]!;
  const resource = attrs(resourceSpans.resource.attributes);
  assert.equal(resource['service.name'], 'ranker-api');
  assert.equal(resource['service.version'], '1.4.2');
  assert.equal(resource['deployment.environment.name'], 'test');
  const spans = resourceSpans.scopeSpans.flatMap((s) => s.spans);
  assert.equal(spans.length, 1);
  const span = spans[0]!;
  assert.equal(span.name, 'model.inference');
  assert.equal(span.traceId, traceId);
  const a = attrs(span.attributes);
  assert.equal(a.model_name, 'ranker');
  assert.equal(a.model_version, '3.1.0');
  assert.equal(a.request_id, 'req-42');
  assert.equal(a.phase, 'predict');
});

test('the default protocol is OTLP/HTTP protobuf, and the body carries the span', async () => {
  const { server, url, received } = await receiver();
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${url}/v1/traces`;
  const shutdown = startTelemetry({ instrumentations: { http: false } });
  let traceId = '';
  try {
    withSpan('drift.evaluate', undefined, () => {
      traceId = trace.getActiveSpan()!.spanContext().traceId;
    });
  } finally {
    await shutdown();
    server.close();
  }
  assert.ok(received.length > 0);
  assert.equal(received[0]!.contentType, 'application/x-protobuf');
  // Protobuf writes strings as UTF-8 and trace IDs as their 16 raw bytes.
  assert.ok(received[0]!.body.includes(Buffer.from('drift.evaluate')));
  assert.ok(received[0]!.body.includes(Buffer.from(traceId, 'hex')));
});

test('OTEL_SERVICE_NAME names the service when no option does; traceExporter is flushed on shutdown', async () => {
  process.env.OTEL_SERVICE_NAME = 'from-env';
  // Unlike the in-memory exporter, this one keeps what it got after shutdown.
  const exported: ReadableSpan[] = [];
  const exporter = {
    export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
      exported.push(...spans);
      done({ code: 0 });
    },
    shutdown: (): Promise<void> => Promise.resolve(),
  };
  const shutdown = startTelemetry({ instrumentations: { http: false }, traceExporter: exporter });
  withSpan('x', undefined, () => undefined);
  await shutdown();
  assert.equal(exported.length, 1);
  assert.equal(exported[0]!.resource.attributes['service.name'], 'from-env');
});

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface OtlpJson {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: { name: string; traceId: string; spanId: string; attributes: OtlpAttribute[] }[] }[];
  }[];
}

function attrs(list: OtlpAttribute[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) {
    out[key] = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
  }
  return out;
}
