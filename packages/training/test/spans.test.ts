import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useInMemoryTracing } from '../../../test/helpers/otel.js';
import { runTraining } from '../src/index.js';
import { captureSink } from './helpers.js';

const exporter = useInMemoryTracing();

test('a run, its epochs and data loads are spans, and the log lines join them', async () => {
  const sink = captureSink();
  await assert.rejects(
    runTraining({ experiment: 'traced', runId: 'rt', logger: sink, progress: false }, async (run) => {
      await run.dataLoad('read', () => [1, 2, 3]);
      await run.epoch(0, () => ({ loss: 1 }));
      await run.epoch(1, () => {
        throw new Error('nan gradients');
      });
    }),
    /nan gradients/,
  );
  const spans = exporter.getFinishedSpans();
  const byName = (name: string) => spans.filter((s) => s.name === name);
  const [runSpan] = byName('training.run');
  assert.ok(runSpan);
  assert.equal(runSpan.attributes.run_id, 'rt');
  assert.equal(runSpan.status.code, 2);
  const epochs = byName('training.epoch');
  assert.equal(epochs.length, 2);
  assert.equal(epochs[1]!.status.code, 2);
  assert.equal(epochs[1]!.attributes['training.epoch'], 1);
  const load = byName('training.data_load');
  assert.equal(load.length, 1);
  const runId = runSpan.spanContext().spanId;
  for (const child of [...epochs, ...load]) {
    assert.equal(child.parentSpanContext?.spanId, runId);
    assert.equal(child.spanContext().traceId, runSpan.spanContext().traceId);
  }
  // Epoch and data-load lines are written inside their spans.
  const epochLine = sink.events('training_epoch')[0]!;
  assert.equal(epochLine.trace_id, runSpan.spanContext().traceId);
  assert.equal(epochLine.span_id, epochs[0]!.spanContext().spanId);
  assert.equal(sink.events('training_data_load')[0]!.span_id, load[0]!.spanContext().spanId);
  assert.equal(sink.events('training_failed')[0]!.span_id, runId);
  assert.equal(sink.events('training_started')[0]!.trace_id, runSpan.spanContext().traceId);
  const failed = sink.events('training_epoch_failed')[0]!;
  assert.equal(failed.span_id, epochs[1]!.spanContext().spanId);
});
