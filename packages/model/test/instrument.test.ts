import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getContext, logFields, runWithContext } from '@threadline/core';
import { createModelMonitor, ModelTimeoutError } from '@threadline/model';
import { Registry } from 'prom-client';
import { memorySink, scrape, sleep, sum, value } from './helpers.js';

function setup(options: Parameters<typeof createModelMonitor>[0] = {}) {
  const registry = new Registry();
  const logger = memorySink();
  const monitor = createModelMonitor({ registry, logger, ...options });
  const model = monitor.declare({ name: 'churn', version: '1.0.0' });
  return { registry, logger, monitor, model };
}

const V = { model_name: 'churn', model_version: '1.0.0' };

describe('instrument', () => {
  test('async predict: phases timed, predictions counted, seed log event written, model in context', async () => {
    const { registry, logger, monitor, model } = setup();
    let seen: unknown;
    const predict = monitor.instrument(
      model,
      async (features: number[]) => {
        seen = logFields();
        await sleep(1);
        return features.reduce((a, b) => a + b, 0);
      },
      {
        preprocess: (input: { values: number[] }) => input.values,
        postprocess: (total: number) => ({ score: total / 10 }),
        inputSize: (input) => input.values.length,
      },
    );
    const result = await runWithContext({ request_id: 'req-7' }, () => predict({ values: [1, 2, 3, 4] }));
    assert.deepEqual(result.output, { score: 1 });
    assert.equal(result.model, model);
    assert.equal(result.nonFinite, false);
    assert.match(result.predictionId, /^[0-9a-z]+-[0-9a-f]{8}[0-9]+$/);
    assert.equal((seen as Record<string, unknown>).model_version, '1.0.0');
    assert.equal((seen as Record<string, unknown>).request_id, 'req-7');
    const m = await scrape(registry);
    for (const phase of ['preprocess', 'predict', 'postprocess']) {
      assert.equal(value(m, 'model_inference_duration_seconds_count', { ...V, phase }), 1, phase);
    }
    assert.ok(value(m, 'model_inference_duration_seconds_sum', { ...V, phase: 'predict' })! >= 0.0009);
    assert.equal(value(m, 'model_predictions_total', V), 1);
    assert.equal(value(m, 'model_input_size_sum', V), 4);
    const [line] = logger.events('model_inference');
    assert.ok(line);
    assert.equal(line.fields.input_size, 4);
    assert.equal(line.fields.prediction_id, result.predictionId);
    assert.equal(line.fields.model_name, 'churn');
    assert.equal(line.fields.model_version, '1.0.0');
    assert.equal(line.fields.request_id, 'req-7');
    assert.equal(typeof line.fields.inference_time_ms, 'number');
    assert.ok((line.fields.inference_time_ms as number) >= 1);
  });

  test('sync predictor stays sync and counts each call', async () => {
    const { registry, monitor, model } = setup({ inferenceLogSampleRate: 0 });
    const predict = monitor.instrumentSync(model, (x: number) => {
      assert.equal(getContext()?.model, model);
      return x * 2;
    });
    let total = 0;
    for (let i = 0; i < 100; i++) total += predict(i).output;
    assert.equal(total, 9900);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_predictions_total', V), 100);
    assert.equal(value(m, 'model_inference_duration_seconds_count', { ...V, phase: 'predict' }), 100);
    assert.equal(
      value(m, 'model_inference_duration_seconds_count', { ...V, phase: 'preprocess' }),
      undefined,
    );
  });

  test('a user error is rethrown unchanged (same object), counted and logged', async () => {
    const { registry, logger, monitor, model } = setup();
    class ModelLoadError extends Error {}
    const boom = new ModelLoadError('weights missing');
    const asyncPredict = monitor.instrument(model, async (_x: number): Promise<number> => {
      throw boom;
    });
    await assert.rejects(asyncPredict(1), (e) => e === boom);
    const syncPredict = monitor.instrumentSync(model, (_x: number): number => {
      throw boom;
    });
    assert.throws(
      () => syncPredict(1),
      (e) => e === boom,
    );
    const prePredict = monitor.instrument(model, (x: number) => x, {
      preprocess: (_x: number): number => {
        throw boom;
      },
    });
    await assert.rejects(prePredict(1), (e) => e === boom);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_prediction_errors_total', { ...V, error_type: 'exception' }), 3);
    assert.equal(value(m, 'model_predictions_total', V), undefined);
    const lines = logger.events('model_inference_failed');
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.level, 'error');
    assert.equal(lines[0]!.fields.error_message, 'weights missing');
  });

  test('timeout: the caller gets ModelTimeoutError, it is counted, and the late result is ignored', async () => {
    const { registry, logger, monitor, model } = setup();
    let settleLate: (v: number) => void = () => {};
    let rejectLate: (e: Error) => void = () => {};
    const hanging = monitor.instrument(model, (_x: number) => new Promise<number>((r) => (settleLate = r)), {
      timeoutMs: 20,
    });
    const caught = await hanging(1).then(
      () => assert.fail('should time out'),
      (e: unknown) => e,
    );
    assert.ok(caught instanceof ModelTimeoutError);
    const err = caught as ModelTimeoutError;
    assert.equal(err.code, 'TL_MODEL_TIMEOUT');
    assert.equal(err.timeoutMs, 20);
    assert.match(err.message, /churn@1\.0\.0 did not answer within 20 ms/);
    settleLate(5);

    const rejecting = monitor.instrument(
      model,
      (_x: number) => new Promise<number>((_r, j) => (rejectLate = j)),
      {
        timeoutMs: 20,
      },
    );
    await assert.rejects(rejecting(1), ModelTimeoutError);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    rejectLate(new Error('too late'));
    await sleep(20);
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, []);

    const fast = monitor.instrument(model, async (x: number) => x + 1, { timeoutMs: 1000 });
    assert.equal((await fast(1)).output, 2);

    const m = await scrape(registry);
    assert.equal(value(m, 'model_prediction_errors_total', { ...V, error_type: 'timeout' }), 2);
    assert.equal(value(m, 'model_prediction_errors_total', { ...V, error_type: 'exception' }), undefined);
    assert.equal(value(m, 'model_predictions_total', V), 1, 'late results are not counted as predictions');
    assert.equal(logger.events('model_inference_timeout').length, 2);
    assert.throws(() => monitor.instrument(model, async (x: number) => x, { timeoutMs: -1 }), /timeoutMs/);
  });

  test('NaN and Infinity outputs are returned, flagged, counted and logged, not recorded as outputs', async () => {
    const { registry, logger, monitor, model } = setup();
    const predict = monitor.instrument(model, async (x: number) => x, { task: 'regression' });
    assert.equal((await predict(Number.NaN)).nonFinite, true);
    assert.equal((await predict(Number.POSITIVE_INFINITY)).nonFinite, true);
    const ok = await predict(0.5);
    assert.equal(ok.nonFinite, false);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_prediction_non_finite_total', V), 2);
    assert.equal(value(m, 'model_predictions_total', V), 3);
    assert.equal(value(m, 'model_output_value_count', V), 1);
    const lines = logger.events('model_output_non_finite');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.fields.code, 'TL_MODEL_NON_FINITE_OUTPUT');
  });

  test('batch: one ID per item, batch size and per-item predictions, class and score distributions', async () => {
    const { registry, monitor, model } = setup();
    type Out = { label: string; p: number };
    const predict = monitor.instrument(
      model,
      async (rows: number[]): Promise<Out[]> =>
        rows.map((r) => ({ label: r > 0.5 ? 'churn' : r < 0 ? 'weird' : 'stay', p: r })),
      {
        batch: true,
        classes: ['stay', 'churn'],
        positiveClass: 'churn',
        label: (o: Out) => o.label,
        score: (o: Out) => o.p,
      },
    );
    const r = await predict([0.1, 0.9, 0.7, -1, Number.NaN]);
    assert.equal(r.predictionIds?.length, 5);
    assert.equal(new Set(r.predictionIds).size, 5);
    assert.equal(r.nonFinite, true);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_predictions_total', V), 5);
    assert.equal(value(m, 'model_batch_size_sum', V), 5);
    assert.equal(value(m, 'model_batch_size_count', V), 1);
    assert.equal(value(m, 'model_output_class_total', { ...V, class: 'churn' }), 2);
    assert.equal(value(m, 'model_output_class_total', { ...V, class: 'stay' }), 2);
    assert.equal(value(m, 'model_output_class_total', { ...V, class: '__other__' }), 1);
    assert.equal(
      value(m, 'model_output_score_count', V),
      4,
      'every finite score is recorded, the NaN is not',
    );
    assert.equal(value(m, 'model_prediction_non_finite_total', V), 1);
  });

  test('setup errors: undeclared model, classification without classes, unknown options', () => {
    const { monitor, model } = setup();
    const other = createModelMonitor({ registry: new Registry() }).declare({ name: 'x', version: '1' });
    assert.throws(() => monitor.instrument(other, async (x: number) => x), /was not declared/);
    assert.throws(
      () => monitor.instrument(model, async (x: string) => x, { label: (x: string) => x }),
      /classes/,
    );
    assert.throws(
      () => monitor.instrument(model, async (x: number) => x, { timeout: 5 } as never),
      /unknown option "timeout"/,
    );
    assert.throws(
      () => monitor.instrument(model, async (x: string) => x, { classes: ['a', 'b'], positiveClass: 'c' }),
      /positiveClass must be one of classes/,
    );
    monitor.instrument(model, async (x: string) => x, { classes: ['a', 'b'] });
    assert.throws(
      () => monitor.instrument(model, async (x: string) => x, { classes: ['a', 'c'] }),
      /another task or class set/,
    );
  });

  test('a throwing extractor is contained: the prediction is still returned', async () => {
    const { registry, monitor, model } = setup();
    const predict = monitor.instrument(model, async (x: string) => x, {
      classes: ['a', 'b'],
      label: () => {
        throw new Error('bug in label()');
      },
    });
    assert.equal((await predict('a')).output, 'a');
    assert.equal(sum(await scrape(registry), 'model_predictions_total'), 1);
  });
});
