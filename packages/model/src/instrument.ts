import { check, ThreadlineConfigError, tracingEnabled, withSpan } from '@threadline/core';
import { monoNow } from './clock.js';
import { ModelTimeoutError } from './codes.js';
import { callWithModel } from './context.js';
import type { MonitorCore } from './internal-types.js';
import { settings } from './predict-settings.js';
import { PredictionRecorder } from './prediction-recorder.js';
import { remember } from './predictor-internals.js';
import type { DeclaredModel, Prediction, PredictOptions, Predictor, SyncPredictor } from './types.js';

// The two predictor factories: the call pipelines (phases, timeout, span, model context). What a
// call records lives in prediction-recorder.ts, the checked options in predict-settings.ts.
const COMPONENT = 'model.instrument';

/** A function's result may be a promise. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}

function spanAttributes(model: DeclaredModel): Record<string, string> {
  return { 'ml.model.name': model.name, 'ml.model.version': model.version };
}

/** Builds an async predictor: any predict function, sync or async, with an optional timeout. */
export function createPredictor<P, R, I = P, O = R, T = O>(
  core: MonitorCore,
  model: DeclaredModel,
  predict: (input: P) => R | Promise<R>,
  options: PredictOptions<I, P, R, O, T> = {},
): Predictor<I, O> {
  check.fn(COMPONENT, 'predict', predict, undefined);
  const cell = core.cell(model, COMPONENT);
  const s = settings(core, cell, options);
  const x = new PredictionRecorder<I, P, R, O, T>(core, cell, s);
  const attributes = spanAttributes(model);

  async function pipeline(input: I, state: { readonly abandoned: boolean }): Promise<Prediction<O>> {
    const start = monoNow();
    let t = start;
    try {
      let prepared: P;
      if (s.preprocess) {
        prepared = await s.preprocess(input);
        t = x.observe('preprocess', t, monoNow());
      } else prepared = input as unknown as P;
      const r = predict(prepared);
      const raw = isThenable(r) ? await r : r;
      if (state.abandoned) return undefined as never;
      t = x.observe('predict', t, monoNow());
      let output: O;
      if (s.postprocess) {
        output = await s.postprocess(raw);
        t = x.observe('postprocess', t, monoNow());
      } else output = raw as unknown as O;
      if (state.abandoned) return undefined as never;
      return x.finish(input, output, start, t);
    } catch (error) {
      if (!state.abandoned) x.failed(error, 'exception');
      throw error;
    }
  }

  // Only a timeout abandons a call, so calls without one share a state that never changes.
  const neverAbandoned = Object.freeze({ abandoned: false });
  function timed(input: I): Promise<Prediction<O>> {
    if (s.timeoutMs === 0) return pipeline(input, neverAbandoned);
    const state = { abandoned: false };
    const work = pipeline(input, state);
    return new Promise<Prediction<O>>((resolve, reject) => {
      const timer = setTimeout(() => {
        state.abandoned = true;
        const error = new ModelTimeoutError(model, s.timeoutMs);
        x.failed(error, 'timeout');
        reject(error);
      }, s.timeoutMs);
      work.then(
        (value) => {
          clearTimeout(timer);
          if (!state.abandoned) resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          // A late rejection after a timeout is dropped here, so it never becomes unhandled.
          if (!state.abandoned) reject(error);
        },
      );
    });
  }

  // tracingEnabled() first: without a tracer provider, no span closure is made per call.
  const traced = (input: I): Promise<Prediction<O>> =>
    tracingEnabled() ? withSpan('model.predict', attributes, () => timed(input)) : timed(input);
  const predictor = ((input: I) => callWithModel(model, traced, input)) as Predictor<I, O>;
  Object.defineProperty(predictor, 'model', { value: model, enumerable: true });
  return remember(predictor, x as never);
}

/** Builds a sync predictor for a sync predict function: no promise, no timeout. */
export function createSyncPredictor<P, R, I = P, O = R, T = O>(
  core: MonitorCore,
  model: DeclaredModel,
  predict: (input: P) => R,
  options: Omit<PredictOptions<I, P, R, O, T>, 'timeoutMs'> & {
    readonly preprocess?: (input: I) => P;
    readonly postprocess?: (raw: R) => O;
  } = {},
): SyncPredictor<I, O> {
  check.fn(COMPONENT, 'predict', predict, undefined);
  if ((options as { timeoutMs?: unknown }).timeoutMs !== undefined) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'a sync predictor cannot time out; use instrument() for async work',
    );
  }
  const cell = core.cell(model, COMPONENT);
  const s = settings(core, cell, options);
  const x = new PredictionRecorder<I, P, R, O, T>(core, cell, s);
  const attributes = spanAttributes(model);

  function run(input: I): Prediction<O> {
    // One clock read per phase boundary: each phase ends where the next begins.
    const start = monoNow();
    let t = start;
    try {
      let prepared: P;
      if (s.preprocess) {
        prepared = s.preprocess(input) as P;
        t = x.observe('preprocess', t, monoNow());
      } else prepared = input as unknown as P;
      const raw = predict(prepared);
      t = x.observe('predict', t, monoNow());
      let output: O;
      if (s.postprocess) {
        output = s.postprocess(raw) as O;
        t = x.observe('postprocess', t, monoNow());
      } else output = raw as unknown as O;
      return x.finish(input, output, start, t);
    } catch (error) {
      x.failed(error, 'exception');
      throw error;
    }
  }

  const traced = (input: I): Prediction<O> =>
    tracingEnabled() ? withSpan('model.predict', attributes, () => run(input)) : run(input);
  const predictor = ((input: I) => callWithModel(model, traced, input)) as SyncPredictor<I, O>;
  Object.defineProperty(predictor, 'model', { value: model, enumerable: true });
  return remember(predictor, x as never);
}
