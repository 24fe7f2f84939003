import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { LogSink } from '@threadline/core';
import { runWithContext } from '@threadline/core';
import { createModelMonitor } from '@threadline/model';
import pino from 'pino';
import { Registry } from 'prom-client';

test('lineage and inference lines through a real pino logger', async () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const sink: LogSink = { log: (level, fields, message) => logger[level](fields, message) };
  const monitor = createModelMonitor({ registry: new Registry(), logger: sink });
  const model = monitor.declare({ name: 'ranker', version: '2.1.0', run_id: 'run-9', framework: 'tfjs' });
  const predict = monitor.instrument(model, async (q: string) => q.split(' ').length, { timeoutMs: 1000 });
  const r = await runWithContext(
    { request_id: 'req-1', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) },
    () => predict('red running shoes'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  const deployed = lines.find((l) => l.event === 'model_deployed');
  assert.equal(deployed?.run_id, 'run-9');
  assert.equal(deployed?.framework, 'tfjs');
  assert.equal(deployed?.level, 30);
  const inference = lines.find((l) => l.event === 'model_inference');
  assert.ok(inference);
  assert.equal(inference.msg, 'model inference');
  assert.equal(inference.prediction_id, r.predictionId);
  assert.equal(inference.input_size, 17);
  assert.equal(inference.request_id, 'req-1');
  assert.equal(inference.trace_id, 'a'.repeat(32));
  assert.equal(inference.model_name, 'ranker');
  assert.equal(inference.model_version, '2.1.0');
  assert.equal(typeof inference.inference_time_ms, 'number');
});
