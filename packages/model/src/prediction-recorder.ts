import { currentTraceIds, isSampled, reportError, writeEvent } from '@threadline/core';
import { wallMs } from './clock.js';
import { modelCodes } from './codes.js';
import type { MonitorCore, VersionCell } from './internal-types.js';
import { newPredictionId } from './outcomes.js';
import { OTHER_CLASS, type Settings } from './predict-settings.js';
import type { Prediction } from './types.js';

const COMPONENT = 'model.instrument';
/** The timed phases of one call, each a `phase` of `model_inference_duration_seconds`. */
export type Phase = 'preprocess' | 'predict' | 'postprocess';

/**
 * Items of one batch call that get a prediction ID, output distributions and outcome tracking. The
 * per-item work is about 1-3 µs, so the cap keeps a call's added blocking to a few milliseconds
 * whatever the batch size.
 */
export const MAX_TRACKED_ITEMS = 1000;

/** Runs a user extractor; a throw is reported and reads as no value. */
export function extract<T>(fn: (item: T) => unknown, item: T): unknown {
  try {
    return fn(item);
  } catch (error) {
    reportError(COMPONENT, error, 'TL_CALLBACK_FAILED');
    return undefined;
  }
}

/**
 * What one predictor records about its calls, shared by the sync and async predictors: phase
 * durations, failures, counts, output distributions, outcome tracking and the inference line.
 */
export class PredictionRecorder<I, P, R, O, T> {
  constructor(
    readonly core: MonitorCore,
    readonly cell: VersionCell,
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
        writeEvent(core.logger, 'info', fields, 'model inference', 'model');
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
