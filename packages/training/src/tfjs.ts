import { codes, reportError, warnOnce } from '@threadline/core';
import { TrainingRun } from './run.js';
import { currentRun } from './track.js';
import type { TrainingOptions } from './types.js';

/** TF.js log values: numbers once resolved (`CustomCallback` resolves scalars before calling us). */
type TfLogs = Record<string, unknown> | undefined;

/**
 * The callback object `model.fit(x, y, { callbacks })` accepts (TF.js `CustomCallbackArgs`):
 * plain functions, so this package needs no import of TF.js.
 */
export interface TfjsTrainingCallback {
  onTrainBegin(logs?: TfLogs): Promise<void>;
  onTrainEnd(logs?: TfLogs): Promise<void>;
  onEpochBegin(epoch: number, logs?: TfLogs): Promise<void>;
  onEpochEnd(epoch: number, logs?: TfLogs): Promise<void>;
  onBatchEnd(batch: number, logs?: TfLogs): Promise<void>;
  /** The run the callback logs into (once training began). */
  readonly run: TrainingRun | undefined;
}

/** Options of `tfjsCallback`. */
export interface TfjsCallbackOptions {
  /** Log each batch as a `training_step` (default true). */
  readonly steps?: boolean;
}

// TF.js adds these bookkeeping keys to batch logs; they are not metrics.
const NOT_METRICS = new Set(['batch', 'size']);

function numbers(logs: TfLogs): Record<string, number> {
  const out: Record<string, number> = {};
  if (!logs) return out;
  for (const [k, v] of Object.entries(logs)) {
    if (typeof v === 'number' && !NOT_METRICS.has(k)) out[k] = v;
  }
  return out;
}

/**
 * A callback for TF.js `model.fit`/`fitDataset` that logs each batch as a step and each epoch with
 * its metrics and duration.
 *
 * - `tfjsCallback()` logs into the run of the current context (inside `runTraining`, a wrapped
 *   function or a decorated method); a throw out of `fit` then ends the run as failed.
 * - `tfjsCallback(run)` logs into the given run.
 * - `tfjsCallback({ experiment, ... })` starts its own run when training begins and ends it
 *   finished when training ends. A callback never sees `fit` throw, so wrap `fit` in
 *   `runTraining` when a failed status matters.
 */
export function tfjsCallback(
  target?: TrainingRun | TrainingOptions,
  callbackOptions: TfjsCallbackOptions = {},
): TfjsTrainingCallback {
  const own = target !== undefined && !(target instanceof TrainingRun);
  // An own run is built now, so bad options or an unwritable summary path fail at setup.
  let run: TrainingRun | undefined =
    target instanceof TrainingRun ? target : own ? new TrainingRun(target as TrainingOptions) : currentRun();
  const logSteps = callbackOptions.steps !== false;
  let epoch: number | undefined;

  const guard = async (what: string, fn: () => void | Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      // A logging problem must not stop training.
      reportError(`training.tfjs.${what}`, error);
    }
  };

  return {
    get run() {
      return run;
    },
    onTrainBegin: () =>
      guard('train_begin', async () => {
        if (own) {
          // A second fit with the same callback is a new run.
          if (run?.status !== 'running') run = new TrainingRun(target as TrainingOptions);
          await run.begin();
        }
        run ??= currentRun();
        if (!run) {
          warnOnce('tfjs-no-run', {
            code: codes.TRAINING_NO_RUN,
            component: 'training.tfjs',
            message: 'tfjsCallback() found no run: call it inside runTraining, or pass a run or options',
          });
        }
      }),
    onEpochBegin: (index: number) =>
      guard('epoch_begin', () => {
        epoch = index;
        run?.beginEpoch(index);
      }),
    onBatchEnd: (_batch: number, logs?: TfLogs) =>
      guard('batch_end', () => {
        if (logSteps) run?.logStep(numbers(logs), epoch !== undefined ? { epoch } : undefined);
      }),
    onEpochEnd: (index: number, logs?: TfLogs) =>
      guard('epoch_end', () => {
        run?.logEpoch(index, numbers(logs));
      }),
    onTrainEnd: () =>
      guard('train_end', async () => {
        if (own) await run?.end('finished');
      }),
  };
}
