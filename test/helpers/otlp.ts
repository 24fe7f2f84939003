import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A span as OTLP/JSON carries it: the fields the tests read. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** What a traced service did: the spans it exported, its JSON log lines, what `drive` returned. */
export interface TracedRun<T> {
  readonly spans: OtlpSpan[];
  readonly lines: Record<string, string>[];
  readonly result: T;
}

/**
 * Runs `service` in a child process started as a traced service is in production, with
 * `node --import <telemetry>` (the OpenTelemetry SDK must hook `http` before any module uses it,
 * which an in-process tracer provider cannot do), exporting OTLP/JSON traces to a collector on
 * 127.0.0.1 in this process. The service sends its port over IPC; `drive` gets its base URL. Then
 * the service is told to stop and must flush its spans and exit 0. Bounded by a 30 s guard.
 */
export async function runTracedService<T>(
  service: string,
  telemetry: string,
  drive: (base: string) => Promise<T>,
  env: Record<string, string> = {},
): Promise<TracedRun<T>> {
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

  const child = fork(service, [], {
    cwd: ROOT,
    execArgv: ['--conditions=threadline-source', '--import', 'tsx', '--import', telemetry],
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${collectorPort}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // A guard against a hung child, not a timing assertion.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  const exited = once(child, 'exit');
  let result: T;
  try {
    const [message] = (await once(child, 'message')) as [{ port: number }];
    result = await drive(`http://127.0.0.1:${message.port}`);
    child.send('stop');
    const [code] = await exited;
    assert.equal(code, 0, 'the child flushed and exited cleanly');
  } finally {
    clearTimeout(guard);
    // A failed step leaves no child behind.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    collector.close();
  }
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, string>);
  return { spans, lines, result };
}
