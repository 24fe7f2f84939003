import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createHistogram, createRegistry, logFields, runWithContext, withSpan } from '@threadline/core';
import pino from 'pino';
import winston from 'winston';
import { findSamples, parsePromText } from '../../../test/helpers/prom-text.js';
import { startTelemetry } from '../src/index.js';

const memory = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter: memory });
const model = { name: 'ranker', version: '3.1.0' };

async function finished(): Promise<ReadableSpan[]> {
  await processor.forceFlush();
  return memory.getFinishedSpans();
}

/** A writable that keeps each written line, parsed as JSON. */
function jsonLines(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

let shutdown: () => Promise<void>;
before(() => {
  shutdown = startTelemetry({ instrumentations: { http: false }, spanProcessors: [processor] });
});
after(() => shutdown());
beforeEach(() => memory.reset());

describe('logs written inside a span carry that span’s IDs', () => {
  test('winston, through a format that adds logFields()', async () => {
    const { stream, lines } = jsonLines();
    const addFields = winston.format((info) => Object.assign(info, logFields()));
    const logger = winston.createLogger({
      format: winston.format.combine(addFields(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream })],
    });
    await runWithContext({ request_id: 'req-w', model }, () =>
      withSpan('model.inference', { phase: 'predict' }, async () => {
        logger.info('predicted', { event: 'model_inference' });
        await new Promise((resolve) => setImmediate(resolve));
        logger.info('after an await');
      }),
    );
    logger.info('outside');
    await new Promise((resolve) => setImmediate(resolve));

    const spans = await finished();
    assert.equal(spans.length, 1);
    const ids = spans[0]!.spanContext();
    assert.equal(lines.length, 3);
    for (const line of lines.slice(0, 2)) {
      assert.equal(line.trace_id, ids.traceId);
      assert.equal(line.span_id, ids.spanId);
      assert.equal(line.trace_flags, '01');
      assert.equal(line.request_id, 'req-w');
      assert.equal(line.model_version, '3.1.0');
    }
    assert.equal(lines[2]!.trace_id, undefined, 'no span, no context: no trace fields');
  });

  test('pino, through a mixin that returns logFields()', async () => {
    const { stream, lines } = jsonLines();
    const logger = pino({ mixin: () => logFields() }, stream);
    let childIds: { traceId: string; spanId: string } | undefined;
    await runWithContext({ request_id: 'req-p', model, run_id: 'run-1' }, () =>
      withSpan('training.run', undefined, async () => {
        logger.info('run started');
        await withSpan('training.epoch', { epoch: 1 }, async () => {
          childIds = trace.getActiveSpan()!.spanContext();
          logger.info({ event: 'training_epoch' }, 'epoch done');
        });
      }),
    );
    const spans = await finished();
    assert.equal(spans.length, 2);
    const run = spans.find((s) => s.name === 'training.run')!;
    const epoch = spans.find((s) => s.name === 'training.epoch')!;
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.span_id, run.spanContext().spanId);
    assert.equal(lines[1]!.span_id, epoch.spanContext().spanId);
    assert.equal(lines[1]!.span_id, childIds!.spanId);
    for (const line of lines) {
      assert.equal(line.trace_id, run.spanContext().traceId);
      assert.equal(line.run_id, 'run-1');
    }
    assert.equal(epoch.attributes.run_id, 'run-1');
  });
});

test('histogram exemplars point to the span of the same work', async () => {
  const registry = createRegistry();
  const histogram = createHistogram({
    name: 'model_inference_duration_seconds',
    help: 'Inference time by phase.',
    labelNames: ['phase'],
    registry,
  });
  await runWithContext({ request_id: 'req-m', model }, () =>
    withSpan('model.inference', { phase: 'predict' }, async () => {
      histogram.observe({ phase: 'predict' }, 0.042);
    }),
  );
  const spans = await finished();
  assert.equal(spans.length, 1);
  const ids = spans[0]!.spanContext();

  const exposition = parsePromText(await registry.metrics());
  const buckets = findSamples(exposition, 'model_inference_duration_seconds_bucket');
  const withExemplar = buckets.filter((s) => s.exemplar);
  assert.ok(withExemplar.length > 0, 'an exemplar was rendered');
  for (const sample of withExemplar) {
    assert.equal(sample.exemplar!.labels.trace_id, ids.traceId);
    assert.equal(sample.exemplar!.labels.span_id, ids.spanId);
    assert.equal(sample.exemplar!.value, 0.042);
    assert.equal(sample.labels.model_version, '3.1.0');
    assert.equal(sample.labels.trace_id, undefined, 'trace IDs are never labels');
  }
});
