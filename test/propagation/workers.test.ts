// A real piscina pool and a raw worker_threads Worker: 1,000 overlapping tasks, each from its own
// caller context. Every worker line must carry its own caller's IDs, every worker span join its
// caller's trace, and the workers' metrics must reach the main thread's registry, summed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  collectWorkerMetrics,
  createRegistry,
  newSpanId,
  newTraceId,
  renderMetrics,
  runWithContext,
  withTaskContext,
} from '@threadline/core';
import { Piscina } from 'piscina';
import { findSamples, parsePromText, sampleValue } from '../helpers/prom-text.js';
import type { ScoreResult } from './fixtures/score-worker.js';

const WORKER = new URL('./fixtures/score-worker.ts', import.meta.url);
const TASKS = 1000;

interface Caller {
  readonly request_id: string;
  readonly trace_id: string;
  readonly span_id: string;
  readonly version: string;
}

function callers(prefix: string): Caller[] {
  return Array.from({ length: TASKS }, (_, i) => ({
    request_id: `${prefix}-${i}`,
    trace_id: newTraceId(),
    span_id: newSpanId(),
    version: `v${i % 3}`,
  }));
}

function inCaller<R>(c: Caller, fn: () => Promise<R>): Promise<R> {
  return runWithContext(
    {
      request_id: c.request_id,
      trace_id: c.trace_id,
      span_id: c.span_id,
      trace_flags: '01',
      model: { name: 'ranker', version: c.version },
    },
    fn,
    { inherit: false },
  );
}

function checkResults(cs: Caller[], results: ScoreResult[]): void {
  assert.equal(results.length, TASKS);
  results.forEach((r, i) => {
    const c = cs[i]!;
    assert.equal(r.line.request_id, c.request_id, `task ${i}`);
    assert.equal(r.line.trace_id, c.trace_id, `task ${i}`);
    assert.equal(r.line.model_version, c.version, `task ${i}`);
    assert.equal(r.line.model_name, 'ranker');
    assert.equal(r.line.item, i);
    assert.equal(r.span.traceId, c.trace_id, `span of task ${i} joins its caller's trace`);
    assert.equal(r.span.parentSpanId, c.span_id, `span of task ${i} is a child of its caller's span`);
  });
}

async function scrape(registry: ReturnType<typeof createRegistry>) {
  return parsePromText((await renderMetrics(registry, 'prometheus')).body);
}

describe('piscina pool', () => {
  const registry = createRegistry();
  let pool: Piscina;
  let undo: () => void;
  before(() => {
    undo = collectWorkerMetrics({ registry });
    pool = new Piscina({ filename: WORKER.href, minThreads: 2, maxThreads: 2 });
  });
  after(async () => {
    await pool.destroy();
    undo();
  });

  test('1,000 overlapping tasks: each line and span carries its own caller’s IDs', async () => {
    const cs = callers('pool');
    const results = await Promise.all(cs.map((c, i) => inCaller(c, () => pool.run(withTaskContext({ i })))));
    checkResults(cs, results as ScoreResult[]);
  });

  test('worker metrics reach the main registry: counters summed per model label, gauges aggregated', async () => {
    const m = await scrape(registry);
    const total = findSamples(m, 'worker_tasks_total').reduce((a, s) => a + s.value, 0);
    assert.equal(total, TASKS);
    assert.equal(sampleValue(m, 'worker_tasks_total', { model_name: 'ranker', model_version: 'v0' }), 334);
    assert.equal(sampleValue(m, 'worker_task_duration_seconds_count', { model_version: 'v1' }), 333);
    assert.equal(sampleValue(m, 'worker_up'), 2, 'one per worker thread, summed');
    assert.equal(
      findSamples(m, 'process_cpu_user_seconds_total').length,
      0,
      'process-wide metrics are not doubled',
    );
  });
});

describe('raw worker_threads Worker', () => {
  const registry = createRegistry();
  let worker: Worker;
  let undo: () => void;
  const waiting = new Map<number, (r: ScoreResult) => void>();
  before(() => {
    undo = collectWorkerMetrics({ registry });
    worker = new Worker(new URL('./fixtures/raw-worker.cjs', import.meta.url));
    worker.on('message', (m: { id: number; result: ScoreResult }) => waiting.get(m.id)?.(m.result));
  });
  after(async () => {
    await worker.terminate();
    undo();
  });

  test('1,000 overlapping messages: each answer carries its own caller’s IDs; metrics reach main', async () => {
    const cs = callers('raw');
    const results = await Promise.all(
      cs.map((c, i) =>
        inCaller(
          c,
          () =>
            new Promise<ScoreResult>((resolve) => {
              waiting.set(i, resolve);
              worker.postMessage({ id: i, task: withTaskContext({ i }) });
            }),
        ),
      ),
    );
    checkResults(cs, results);
    const m = await scrape(registry);
    assert.equal(
      findSamples(m, 'worker_tasks_total').reduce((a, s) => a + s.value, 0),
      TASKS,
    );
  });

  test('a worker that stops sharing: its counters stay counted, its gauges leave', async () => {
    const stopped = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage('stop');
    assert.equal(await stopped, 'stopped');
    await new Promise((r) => setTimeout(r, 50));
    const m = await scrape(registry);
    assert.equal(
      findSamples(m, 'worker_tasks_total').reduce((a, s) => a + s.value, 0),
      TASKS,
    );
    assert.equal(findSamples(m, 'worker_up').length, 0, 'a gone worker’s gauge is not served');
  });

  test('a value not wrapped by withTaskContext runs outside any context', async () => {
    const { runWithTaskContext } = await import('@threadline/core');
    assert.equal(
      runWithTaskContext({ plain: true } as never, (p: { plain: boolean }) => p.plain),
      true,
    );
  });
});
