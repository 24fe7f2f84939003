import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createModelMonitor } from '@threadline/model';
import { Registry } from 'prom-client';
import { memorySink, scrape, sleep, value } from './helpers.js';

function setup() {
  const registry = new Registry();
  const logger = memorySink();
  const monitor = createModelMonitor({ registry, logger, inferenceLogSampleRate: 0 });
  const v1 = monitor.declare({ name: 'churn', version: '1' });
  const v2 = monitor.declare({ name: 'churn', version: '2', stage: 'shadow' });
  return { registry, logger, monitor, v1, v2 };
}

const SHADOW = { model_name: 'churn', model_version: '2', baseline_version: '1' };

/** Resolves when `check` is true, polling; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail('condition not reached');
    await sleep(5);
  }
}

describe('shadow', () => {
  test('a throwing shadow leaves the answer unchanged; the failure is counted and logged', async () => {
    const { registry, logger, monitor, v1, v2 } = setup();
    const primary = monitor.instrument(v1, async (x: number) => ({ label: x > 0 ? 'churn' : 'stay' }), {
      classes: ['stay', 'churn'],
      label: (o: { label: string }) => o.label,
    });
    const shadow = monitor.instrument(
      v2,
      async (_x: number): Promise<{ label: string }> => {
        throw new Error('shadow broke');
      },
      { classes: ['stay', 'churn'], label: (o: { label: string }) => o.label },
    );
    const predict = monitor.shadow({ primary, shadow });
    for (let i = 0; i < 5; i++) {
      const r = await predict(1);
      assert.deepEqual(r.output, { label: 'churn' });
      assert.equal(r.model, v1);
    }
    await until(
      async () =>
        value(await scrape(registry), 'model_prediction_errors_total', {
          model_name: 'churn',
          model_version: '2',
          error_type: 'exception',
        }) === 5,
    );
    const m = await scrape(registry);
    assert.equal(value(m, 'model_predictions_total', { model_name: 'churn', model_version: '1' }), 5);
    assert.equal(value(m, 'model_shadow_comparisons_total', SHADOW), undefined);
    const failed = logger.events('model_shadow_failed');
    assert.equal(failed.length, 5);
    assert.equal(failed[0]!.fields.reason, 'exception');
  });

  test('a hanging or slow shadow never delays the answer; past the budget it is counted as a timeout', async () => {
    const { registry, logger, monitor, v1, v2 } = setup();
    const primary = monitor.instrument(v1, async (x: number) => x);
    const never = monitor.instrument(v2, (_x: number) => new Promise<number>(() => {}));
    for (const mode of ['after', 'parallel'] as const) {
      const predict = monitor.shadow({ primary, shadow: never, budgetMs: 30, mode });
      const started = Date.now();
      const r = await predict(7);
      assert.equal(r.output, 7);
      // The shadow never settles: the answer cannot have waited for it. The bound below is far
      // above the answer's real time and far below "forever".
      assert.ok(Date.now() - started < 2000);
    }
    await until(
      async () =>
        value(await scrape(registry), 'model_prediction_errors_total', {
          model_name: 'churn',
          model_version: '2',
          error_type: 'timeout',
        }) === 2,
    );
    assert.equal(logger.events('model_shadow_failed')[0]!.fields.reason, 'timeout');
  });

  test('a slow sync-blocking shadow in after mode starts only once the answer is delivered', async () => {
    const { monitor, v1, v2 } = setup();
    const order: string[] = [];
    const primary = monitor.instrument(v1, async (x: number) => x);
    const blocking = monitor.instrument(v2, (x: number) => {
      order.push('shadow start');
      const end = Date.now() + 50;
      while (Date.now() < end) {
        // Burns CPU like a heavy model on the main thread.
      }
      return x;
    });
    const predict = monitor.shadow({ primary, shadow: blocking, budgetMs: 1000 });
    const r = await predict(3);
    order.push('answer delivered');
    assert.equal(r.output, 3);
    await until(() => order.length === 2);
    assert.deepEqual(order, ['answer delivered', 'shadow start']);
  });

  test('classification disagreement: counted per pair, ratio exported, logs rate-limited', async () => {
    const { registry, logger, monitor, v1, v2 } = setup();
    const opts = { classes: ['stay', 'churn'], label: (o: string) => o };
    const primary = monitor.instrument(v1, async (x: number) => (x % 2 === 0 ? 'churn' : 'stay'), opts);
    // Disagrees on every multiple of 4... of the even inputs, i.e. on x % 4 === 0.
    const shadow = monitor.instrument(
      v2,
      async (x: number) => (x % 2 === 0 && x % 4 !== 0 ? 'churn' : 'stay'),
      opts,
    );
    const predict = monitor.shadow({ primary, shadow, disagreementLogsPerMinute: 3 });
    for (let x = 0; x < 40; x++) await predict(x);
    await until(async () => value(await scrape(registry), 'model_shadow_comparisons_total', SHADOW) === 40);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_shadow_disagreements_total', SHADOW), 10);
    assert.equal(value(m, 'model_shadow_disagreement_ratio', SHADOW), 0.25);
    const lines = logger.events('model_shadow_disagreement');
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.fields.primary_output, 'churn');
    assert.equal(lines[0]!.fields.shadow_output, 'stay');
    assert.equal(lines[0]!.fields.baseline_version, '1');
    assert.equal(lines[0]!.fields.shadow_version, '2');
    assert.equal(lines[0]!.fields.model_version, '1', 'the line is written in the caller context');
    // Both versions' latency histograms exist for comparison.
    assert.equal(
      value(m, 'model_inference_duration_seconds_count', {
        model_name: 'churn',
        model_version: '1',
        phase: 'predict',
      }),
      40,
    );
    assert.equal(
      value(m, 'model_inference_duration_seconds_count', {
        model_name: 'churn',
        model_version: '2',
        phase: 'predict',
      }),
      40,
    );
  });

  test('regression disagreement uses the tolerance; batches compare item by item', async () => {
    const { registry, monitor, v1, v2 } = setup();
    const primary = monitor.instrument(v1, async (xs: number[]) => xs.map((x) => x), {
      batch: true,
      task: 'regression',
    });
    const shadow = monitor.instrument(v2, async (xs: number[]) => xs.map((x) => x + (x >= 3 ? 0.5 : 0.05)), {
      batch: true,
      task: 'regression',
    });
    const predict = monitor.shadow({ primary, shadow, tolerance: 0.1 });
    const r = await predict([1, 2, 3, 4, 5]);
    assert.deepEqual(r.output, [1, 2, 3, 4, 5]);
    await until(async () => value(await scrape(registry), 'model_shadow_comparisons_total', SHADOW) === 5);
    assert.equal(value(await scrape(registry), 'model_shadow_disagreements_total', SHADOW), 3);
  });

  test('a failing primary is rethrown and the shadow does not run in after mode', async () => {
    const { registry, monitor, v1, v2 } = setup();
    const boom = new Error('primary down');
    let shadowRuns = 0;
    const primary = monitor.instrument(v1, async (_x: number): Promise<number> => {
      throw boom;
    });
    const shadow = monitor.instrument(v2, async (x: number) => {
      shadowRuns++;
      return x;
    });
    const predict = monitor.shadow({ primary, shadow });
    await assert.rejects(predict(1), (e) => e === boom);
    await sleep(20);
    assert.equal(shadowRuns, 0);
    assert.equal(value(await scrape(registry), 'model_shadow_comparisons_total', SHADOW), undefined);
  });

  test('over HTTP: the response with a broken or hanging shadow is the primary-only response', async () => {
    const { monitor, v1, v2 } = setup();
    const v3 = monitor.declare({ name: 'churn', version: '3' });
    const primary = monitor.instrument(v1, async (x: number) => ({ score: x / 10 }));
    const hanging = monitor.instrument(v2, (_x: number) => new Promise<{ score: number }>(() => {}));
    const throwing = monitor.instrument(v3, async (_x: number): Promise<{ score: number }> => {
      throw new Error('shadow crashed');
    });
    const routes = {
      '/plain': primary,
      '/hanging': monitor.shadow({ primary, shadow: hanging, budgetMs: 50, mode: 'parallel' }),
      '/throwing': monitor.shadow({ primary, shadow: throwing }),
    };
    const server = http.createServer(async (req, res) => {
      const predict = routes[(req.url ?? '') as keyof typeof routes];
      const r = await predict(4);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ output: r.output, model: r.model.version }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const body = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      const plain = await body('/plain');
      assert.equal(plain, '{"output":{"score":0.4},"model":"1"}');
      for (let i = 0; i < 5; i++) {
        assert.equal(await body('/hanging'), plain);
        assert.equal(await body('/throwing'), plain);
      }
    } finally {
      server.close();
    }
  });

  test('bad shadow options throw at setup', () => {
    const { monitor, v1, v2 } = setup();
    const primary = monitor.instrument(v1, async (x: number) => x);
    const shadow = monitor.instrument(v2, async (x: number) => x);
    assert.throws(() => monitor.shadow({ primary, shadow: primary }), /different model versions/);
    assert.throws(() => monitor.shadow({ primary, shadow, budgetMs: 0 }), /budgetMs/);
    assert.throws(() => monitor.shadow({ primary, shadow, mode: 'race' } as never), /mode/);
    assert.throws(() => monitor.shadow({ primary, shadow, sampleRate: 2 }), /sampleRate/);
  });
});
