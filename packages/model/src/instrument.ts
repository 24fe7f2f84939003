import {
  check,
  currentTraceIds,
  isSampled,
  reportError,
  ThreadlineConfigError,
  tracingEnabled,
  withSpan,
} from '@threadline/core';
import { monoNow, wallMs } from './clock.js';
import { ModelTimeoutError, modelCodes } from './codes.js';
import { callWithModel } from './context.js';
import type { MonitorCore, VersionCell } from './internal-types.js';
import { writeLine } from './log.js';
import { newPredictionId } from './outcomes.js';
import type {
  DeclaredModel,
  ModelTask,
  Prediction,
  PredictOptions,
  Predictor,
  SyncPredictor,
} from './types.js';
import type { QualitySpec } from './window.js';

const COMPONENT = 'model.instrument';
const OTHER_CLASS = '__other__';
const KNOWN = [
  'task',
  'preprocess',
  'postprocess',
  'batch',
  'inputSize',
  'label',
  'classes',
  'positiveClass',
  'score',
  'value',
  'timeoutMs',
  'trackOutcomes',
];
type Phase = 'preprocess' | 'predict' | 'postprocess';

/**
 * Items of one batch call that get a prediction ID, output distributions and outcome tracking. The
 * per-item work is about 1-3 µs, so the cap keeps a call's added blocking to a few milliseconds
 * whatever the batch size.
 */
export const MAX_TRACKED_ITEMS = 1000;

/** A function's result may be a promise. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}

function defaultSize(input: unknown): number | undefined {
  if (typeof input === 'string' || Array.isArray(input)) return input.length;
  if (ArrayBuffer.isView(input)) return (input as unknown as { length?: number }).length;
  return undefined;
}

interface Settings<I, P, R, O, T> {
  readonly task: ModelTask | undefined;
  readonly preprocess: ((input: I) => P | Promise<P>) | undefined;
  readonly postprocess: ((raw: R) => O | Promise<O>) | undefined;
  readonly batch: boolean;
  readonly inputSize: (input: I) => number | undefined;
  /** True when the user gave `inputSize`: only then is `model_input_size` observed. */
  readonly sizeHistogram: boolean;
  readonly label: ((item: T) => string) | undefined;
  readonly score: ((item: T) => number) | undefined;
  readonly value: ((item: T) => number) | undefined;
  readonly timeoutMs: number;
  readonly track: boolean;
  readonly spec: QualitySpec | undefined;
}

function settings<I, P, R, O, T>(
  core: MonitorCore,
  cell: VersionCell,
  options: PredictOptions<I, P, R, O, T>,
): Settings<I, P, R, O, T> {
  check.keys(COMPONENT, options, KNOWN);
  const o = options ?? {};
  const classes = o.classes;
  if (classes !== undefined) {
    const ok =
      Array.isArray(classes) &&
      classes.length > 0 &&
      classes.length <= 100 &&
      classes.every((c) => typeof c === 'string' && c !== '' && c.length <= 128 && c !== OTHER_CLASS) &&
      new Set(classes).size === classes.length;
    if (!ok) {
      throw new ThreadlineConfigError(
        COMPONENT,
        'option classes must be 1 to 100 distinct non-empty strings of at most 128 characters',
      );
    }
  }
  const task = check.oneOf<ModelTask | 'auto'>(
    COMPONENT,
    'task',
    o.task,
    ['classification', 'regression'],
    'auto',
  );
  const resolved: ModelTask | undefined =
    task !== 'auto'
      ? task
      : o.label || o.classes || o.score
        ? 'classification'
        : o.value
          ? 'regression'
          : undefined;
  if (resolved === 'classification' && classes === undefined) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'a classification predictor needs option classes (the declared label set)',
    );
  }
  const positive = check.string(COMPONENT, 'positiveClass', o.positiveClass, undefined);
  if (positive !== undefined && !classes?.includes(positive)) {
    throw new ThreadlineConfigError(COMPONENT, 'option positiveClass must be one of classes');
  }
  if (o.score && positive === undefined) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'option score needs positiveClass (the class the score is for)',
    );
  }
  const spec: QualitySpec | undefined = resolved
    ? {
        task: resolved,
        classes: [...(classes ?? [])],
        classIndex: new Map((classes ?? []).map((c, i) => [c, i])),
        positive: positive === undefined ? -1 : classes!.indexOf(positive),
        aucBuckets: core.store.aucBuckets,
      }
    : undefined;
  if (spec) {
    const prior = cell.spec;
    if (
      prior &&
      (prior.task !== spec.task ||
        prior.positive !== spec.positive ||
        prior.classes.join('\u0000') !== spec.classes.join('\u0000'))
    ) {
      throw new ThreadlineConfigError(
        COMPONENT,
        `model ${cell.model.name}@${cell.model.version} is already instrumented with another task or class set`,
      );
    }
    cell.spec = spec;
    for (const c of [...spec.classes, OTHER_CLASS]) {
      if (!cell.classes.has(c))
        cell.classes.set(c, core.metrics.outputClass.series({ ...cell.labels, class: c }));
    }
  }
  // Every key is always present (undefined when unset), so all predictors share one object shape
  // and the hot path's property reads stay monomorphic.
  const s: Settings<I, P, R, O, T> = {
    task: resolved,
    preprocess: check.fn(COMPONENT, 'preprocess', o.preprocess, undefined),
    postprocess: check.fn(COMPONENT, 'postprocess', o.postprocess, undefined),
    batch: check.boolean(COMPONENT, 'batch', o.batch, false),
    inputSize: check.fn(COMPONENT, 'inputSize', o.inputSize, defaultSize as (input: I) => number | undefined),
    sizeHistogram: o.inputSize !== undefined,
    label: check.fn(COMPONENT, 'label', o.label, undefined),
    score: check.fn(COMPONENT, 'score', o.score, undefined),
    value: check.fn(COMPONENT, 'value', o.value, undefined),
    timeoutMs: check.number(COMPONENT, 'timeoutMs', o.timeoutMs, 0, { min: 0, max: 2_147_483_647 }),
    track: check.boolean(COMPONENT, 'trackOutcomes', o.trackOutcomes, true) && spec !== undefined,
    spec,
  };
  return s;
}

/** What the shadow comparison needs to read a predictor's outputs. */
export interface PredictorInternals {
  readonly cell: VersionCell;
  readonly batch: boolean;
  readonly task: ModelTask | undefined;
  /** The class or value of one output item (undefined when it has none). */
  read(item: unknown): string | number | undefined;
}

const internals = new WeakMap<object, PredictorInternals>();

/** The internals of a predictor made by this package, or undefined for any other function. */
export function predictorInternals(predictor: unknown): PredictorInternals | undefined {
  return typeof predictor === 'function' ? internals.get(predictor) : undefined;
}

function remember<T, P extends object>(predictor: P, x: Instrumented<never, never, never, never, T>): P {
  const s = x.s;
  internals.set(predictor, {
    cell: x.cell,
    batch: s.batch,
    task: s.task,
    read(item: unknown): string | number | undefined {
      if (s.task === 'classification') {
        const v = s.label ? extract(s.label, item as T) : item;
        return typeof v === 'string' ? v : undefined;
      }
      const v = s.value ? extract(s.value, item as T) : item;
      return typeof v === 'number' ? v : undefined;
    },
  });
  return predictor;
}

/** The machinery shared by the sync and async predictors. */
class Instrumented<I, P, R, O, T> {
  constructor(
    readonly core: MonitorCore,
    readonly cell: VersionCell,
    readonly predict: (input: P) => R | Promise<R>,
    readonly s: Settings<I, P, R, O, T>,
  ) {}

  /**
   * Records one phase, from `from` to `to` (monotonic ms); the sampled trace becomes its bucket's
   * exemplar on OpenMetrics. Returns `to`, the start of the next phase, so no clock is read twice.
   */
  observe(phase: Phase, from: number, to: number): number {
    const series = this.cell.phases[phase];
    const seconds = (to - from) / 1e3;
    if (!this.core.metrics.exemplars) {
      series.observe(seconds);
      return to;
    }
    try {
      const trace = currentTraceIds();
      if (trace && isSampled(trace.traceFlags)) {
        series.observeWithExemplar(seconds, trace.traceId, trace.spanId, wallMs(to) / 1e3);
        return to;
      }
    } catch (error) {
      reportError(COMPONENT, error);
    }
    series.observe(seconds);
    return to;
  }

  /** Counts and logs a failed call; the caller rethrows the error unchanged. */
  failed(error: unknown, errorType: 'exception' | 'timeout'): void {
    try {
      this.core.metrics.errors.inc({ ...this.cell.labels, error_type: errorType });
      this.core.warn(
        errorType === 'timeout' ? 'timeout' : 'exception',
        {
          event: errorType === 'timeout' ? 'model_inference_timeout' : 'model_inference_failed',
          code: errorType === 'timeout' ? modelCodes.TIMEOUT : undefined,
          error_type: errorType,
          error_message: error instanceof Error ? error.message : String(error),
        },
        errorType === 'timeout' ? 'model inference timed out' : 'model inference failed',
        'error',
      );
    } catch (e) {
      reportError(COMPONENT, e);
    }
  }

  /**
   * Records a finished call (from `start` to `end`, monotonic ms): counts, output distributions,
   * outcome tracking, the inference line.
   */
  finish(input: I, output: O, start: number, end: number): Prediction<O> {
    const now = Math.floor(wallMs(end));
    const id = newPredictionId(now);
    const s = this.s;
    const cell = this.cell;
    const core = this.core;
    let nonFinite = 0;
    let ids: string[] | undefined;
    try {
      let size: number | undefined;
      if (s.batch) {
        const items: readonly unknown[] = Array.isArray(output) ? output : [output];
        // Per-item work (IDs, classes, scores, outcome entries) stops at the cap, so a huge batch
        // adds a bounded time to the call; the rest are counted as predictions and as untracked.
        const tracked = Math.min(items.length, MAX_TRACKED_ITEMS);
        ids = new Array<string>(tracked);
        cell.batchSize.observe(items.length);
        cell.predictions.inc(items.length);
        if (s.spec !== undefined || s.value !== undefined) {
          for (let i = 0; i < tracked; i++) {
            const itemId = newPredictionId(now);
            ids[i] = itemId;
            nonFinite += this.item(items[i] as T, itemId);
          }
        } else {
          for (let i = 0; i < tracked; i++) ids[i] = newPredictionId(now);
        }
        if (tracked < items.length) this.untracked(items.length - tracked, id);
        size = items.length;
      } else {
        // A single output needs no array around it: this is the path the per-call cost is made on.
        cell.predictions.inc();
        if (s.spec !== undefined || s.value !== undefined) nonFinite = this.item(output as unknown as T, id);
      }
      const rate = core.inferenceLogSampleRate;
      // The sampling decision comes first, so a sampled-out call computes nothing for the line.
      const logged = core.logger !== undefined && (rate >= 1 || (rate > 0 && Math.random() < rate));
      if (!s.batch && (s.sizeHistogram || logged)) {
        const n = s.inputSize(input);
        if (typeof n === 'number' && Number.isFinite(n) && n >= 0) {
          size = n;
          if (s.sizeHistogram) cell.inputSize.observe(n);
        }
      }
      if (nonFinite > 0) {
        core.metrics.nonFinite.inc(cell.labels, nonFinite);
        core.warn(
          'non_finite',
          {
            event: 'model_output_non_finite',
            code: modelCodes.NON_FINITE_OUTPUT,
            prediction_id: id,
            count: nonFinite,
          },
          'model output is NaN or infinite',
        );
      }
      if (logged) {
        const fields: Record<string, unknown> = {
          event: 'model_inference',
          prediction_id: id,
          inference_time_ms: Math.round((end - start) * 1e3) / 1e3,
        };
        if (size !== undefined) fields.input_size = size;
        if (s.batch) fields.batch_size = size;
        writeLine(core.logger, 'info', fields, 'model inference');
      }
    } catch (error) {
      reportError(COMPONENT, error);
    }
    // One shape for single and batch results keeps the callers' property reads monomorphic.
    return { output, predictionId: id, predictionIds: ids, model: cell.model, nonFinite: nonFinite > 0 };
  }

  /** Counts and reports the items of a batch past `MAX_TRACKED_ITEMS`. */
  private untracked(n: number, id: string): void {
    this.core.metrics.untrackedItems.inc(this.cell.labels, n);
    this.core.warn(
      'batch_untracked',
      {
        event: 'model_batch_untracked',
        code: modelCodes.BATCH_UNTRACKED,
        prediction_id: id,
        untracked_items: n,
        max_tracked_items: MAX_TRACKED_ITEMS,
      },
      `batch items past ${MAX_TRACKED_ITEMS} get no prediction ID, output distribution or outcome tracking`,
    );
  }

  /** One output item: class and score or value, outcome tracking. Returns 1 when non-finite. */
  private item(item: T, id: string): number {
    const s = this.s;
    const cell = this.cell;
    let bad = 0;
    let predicted = -1;
    let score = Number.NaN;
    let value = Number.NaN;
    const spec = s.spec;
    if (spec?.task === 'classification') {
      const label = s.label ? extract(s.label, item) : item;
      if (typeof label === 'string') {
        predicted = spec.classIndex.get(label) ?? spec.classes.length;
        cell.classes.get(predicted < spec.classes.length ? label : OTHER_CLASS)!.inc();
      }
      if (s.score) {
        const v = extract(s.score, item);
        if (typeof v === 'number') {
          if (Number.isFinite(v)) {
            score = v;
            cell.outputScore.observe(v);
          } else bad = 1;
        }
      }
    } else {
      const v = s.value ? extract(s.value, item) : item;
      if (typeof v === 'number') {
        if (Number.isFinite(v)) {
          value = v;
          cell.outputValue.observe(v);
        } else bad = 1;
      }
    }
    if (s.track && spec) this.core.store.track(id, cell.model, spec, predicted, score, value);
    return bad;
  }
}

function extract<T>(fn: (item: T) => unknown, item: T): unknown {
  try {
    return fn(item);
  } catch (error) {
    reportError(COMPONENT, error, 'TL_CALLBACK_FAILED');
    return undefined;
  }
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
  const x = new Instrumented<I, P, R, O, T>(core, cell, predict, s);
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
  const x = new Instrumented<I, P, R, O, T>(core, cell, predict, s);
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
