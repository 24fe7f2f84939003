import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createRegistry, DIAG_CHANNEL, type DiagEvent, jsonLineSink, runWithContext } from '@threadline/core';
import { createValidator, type ValidationSchema } from '@threadline/validation';
import { parsePromText } from '../../../test/helpers/prom-text.js';
import { memorySink, sampleValue } from './helpers.js';

const schema: ValidationSchema = {
  version: 1,
  features: [
    { name: 'x', type: 'number', min: 0, max: 1 },
    { name: 'y', type: 'string', required: false },
  ],
  unknownFeatures: 'warning',
};
const model = { name: 'churn', version: '7' };

describe('metrics parsed back from the registry', () => {
  test('one check count per check per batch, failures only for failing checks, model labels from context', async () => {
    const registry = createRegistry();
    const validator = createValidator({ schema, registry, logger: false, mode: 'drop' });
    await runWithContext({ model }, async () => {
      await validator.validateBatch([{ x: 0.5 }, { x: 0.7 }]);
      await validator.validateBatch([{ x: 5 }, { x: 0.1 }, { x: 9 }]);
      await validator.validateBatch([{ x: 'a' }]);
    });
    await validator.validateBatch([{ x: 3 }]);
    const labels = (check: string, m = model) => ({
      feature: 'x',
      check,
      model_name: m.name,
      model_version: m.version,
    });
    assert.equal(await sampleValue(registry, 'data_validation_checks_total', labels('range')), 3);
    // Two rows out of range in one batch are one failed check, not two.
    assert.equal(await sampleValue(registry, 'data_validation_failures_total', labels('range')), 1);
    assert.equal(await sampleValue(registry, 'data_validation_failures_total', labels('type')), 1);
    assert.equal(
      await sampleValue(registry, 'data_validation_failures_total', labels('required')),
      undefined,
    );
    const outside = { name: '', version: '' };
    assert.equal(await sampleValue(registry, 'data_validation_failures_total', labels('range', outside)), 1);
    const text = await registry.metrics();
    const types = parsePromText(text).types;
    assert.equal(types.get('data_validation_checks'), 'counter');
    assert.equal(types.get('data_validation_failures'), 'counter');
  });

  test('feature labels stay bounded: unknown names fold into __unknown__', async () => {
    const registry = createRegistry();
    const validator = createValidator({ schema, registry, logger: false });
    const rows = Array.from({ length: 300 }, (_, i) => ({ x: 0.5, [`user_${i}`]: i }));
    await validator.validateBatch(rows);
    await validator.validate({ x: 0.5, 'another-random-key': 1 });
    const samples = parsePromText(await registry.metrics()).samples.filter((s) =>
      s.name.startsWith('data_validation_'),
    );
    const features = new Set(samples.map((s) => s.labels.feature));
    assert.deepEqual([...features].sort(), ['__input__', '__unknown__', 'x', 'y']);
    assert.equal(
      await sampleValue(registry, 'data_validation_failures_total', {
        feature: '__unknown__',
        check: 'unknown_feature',
      }),
      2,
    );
  });

  test('two validators share the counters of one registry', async () => {
    const registry = createRegistry();
    const a = createValidator({ schema, registry, logger: false });
    const b = createValidator({
      schema: { version: 1, features: [{ name: 'z', type: 'boolean' }] },
      registry,
      logger: false,
    });
    await a.validate({ x: 0.5 });
    await b.validate({ z: 1 });
    assert.equal(
      await sampleValue(registry, 'data_validation_checks_total', { feature: 'x', check: 'range' }),
      1,
    );
    assert.equal(
      await sampleValue(registry, 'data_validation_failures_total', { feature: 'z', check: 'type' }),
      1,
    );
  });
});

describe('log lines', () => {
  test('core jsonLineSink: one JSON line per failing batch, none for a passing one, with context fields', async () => {
    const written: string[] = [];
    const validator = createValidator({
      schema,
      registry: createRegistry(),
      logger: jsonLineSink({ write: (chunk: string) => written.push(chunk) }, { service: 'scorer' }),
      mode: 'drop',
      name: 'nightly-features',
    });
    await runWithContext({ run_id: 'run-42', model }, async () => {
      await validator.validateBatch([{ x: 0.5 }]);
      await validator.validateBatch([{ x: 0.5 }, { x: 2, y: 'ok' }, { y: 'no x' }]);
    });
    assert.equal(written.length, 1);
    const line = JSON.parse(written[0]!);
    assert.equal(line.event, 'validation_failed');
    assert.equal(line.level, 'error');
    assert.equal(line.service, 'scorer');
    assert.equal(line.run_id, 'run-42');
    assert.equal(line.model_name, 'churn');
    assert.equal(line.model_version, '7');
    assert.equal(line.validator, 'nightly-features');
    assert.equal(line.outcome, 'dropped');
    assert.equal(line.rows, 3);
    assert.equal(line.dropped_rows, 2);
    assert.equal(line.errors, 2);
    assert.deepEqual(
      line.failed_checks.map((c: { feature: string; check: string }) => `${c.feature}/${c.check}`).sort(),
      ['x/range', 'x/required'],
    );
    assert.deepEqual(line.failed_checks.find((c: { check: string }) => c.check === 'range').sample, [2]);
    assert.match(line.time, /^\d{4}-\d{2}-\d{2}T/);
  });

  test('a warning-only batch logs at warn', async () => {
    const { sink, lines } = memorySink();
    const validator = createValidator({ schema, registry: createRegistry(), logger: sink, mode: 'reject' });
    const out = await validator.validate({ x: 0.5, surprise: true });
    assert.equal(out.rejected, false);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'warn');
    assert.equal(lines[0]!.fields.warnings, 1);
  });

  test('a throwing logger is reported to diagnostics and the result still arrives', async () => {
    const events: DiagEvent[] = [];
    const onDiag = (e: unknown) => events.push(e as DiagEvent);
    diagnosticsChannel.subscribe(DIAG_CHANNEL, onDiag);
    try {
      const validator = createValidator({
        schema,
        registry: createRegistry(),
        logger: {
          log() {
            throw new Error('sink down');
          },
        },
      });
      const out = await validator.validate({ x: 9 });
      assert.equal(out.result.success, false);
      assert.ok(events.some((e) => e.code === 'TL_CALLBACK_FAILED' && e.message === 'sink down'));
    } finally {
      diagnosticsChannel.unsubscribe(DIAG_CHANNEL, onDiag);
    }
  });
});

describe('spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });
  after(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  test('each run is a `validation` span, and its log line carries that trace', async () => {
    const { sink, lines } = memorySink();
    const validator = createValidator({ schema, registry: createRegistry(), logger: sink, mode: 'drop' });
    await validator.validateBatch([{ x: 5 }, { x: 0.5 }]);
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.name, 'validation');
    assert.equal(spans[0]!.attributes['threadline.validation.mode'], 'drop');
    assert.equal(spans[0]!.attributes['threadline.validation.rows'], 2);
    assert.equal(lines[0]!.fields.trace_id, spans[0]!.spanContext().traceId);
    assert.equal(lines[0]!.fields.span_id, spans[0]!.spanContext().spanId);
  });
});
