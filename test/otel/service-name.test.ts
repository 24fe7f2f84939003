// startTelemetry({ serviceName }) names the service of the spans and of the log lines alike.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { withSpan } from '@threadline/core';
import { startTelemetry } from '@threadline/otel';
import { createPinoLogger } from '@threadline/pino';
import { createLogger } from '@threadline/winston';
import winston from 'winston';

test('the serviceName option reaches the resource and the loggers created after it', async () => {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: the test sets the variable it checks
  const saved = process.env.OTEL_SERVICE_NAME;
  process.env.OTEL_SERVICE_NAME = 'from-env';
  const memory = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter: memory });
  const shutdown = startTelemetry({
    serviceName: 'ranker-api',
    instrumentations: { http: false },
    spanProcessors: [processor],
  });
  try {
    const lines: string[] = [];
    const pinoLogger = createPinoLogger({ destination: { write: (s: string) => void lines.push(s) } });
    const stream = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const winstonLogger = createLogger({ transports: new winston.transports.Stream({ stream }) });
    await withSpan('work', {}, async () => {
      pinoLogger.info('p');
      winstonLogger.info('w');
    });
    await new Promise((r) => setImmediate(r));
    await processor.forceFlush();
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { service: string }).service),
      ['ranker-api', 'ranker-api'],
    );
    const [span] = memory.getFinishedSpans();
    assert.equal(span?.resource.attributes['service.name'], 'ranker-api');
  } finally {
    await shutdown();
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: restoring the variable the test set
    if (saved === undefined) delete process.env.OTEL_SERVICE_NAME;
    else process.env.OTEL_SERVICE_NAME = saved;
  }
  const after: string[] = [];
  createPinoLogger({ destination: { write: (s: string) => void after.push(s) } }).info('x');
  assert.notEqual(
    (JSON.parse(after[0]!) as { service: string }).service,
    'ranker-api',
    'shutdown undid the name',
  );
});
