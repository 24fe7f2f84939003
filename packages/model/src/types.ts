import type { LogSink, ModelRef } from '@threadline/core';
import type { Registry, RegistryContentType } from 'prom-client';

/** Where a model version came from. Every field becomes a `model_info` label ("" when unset). */
export interface ModelLineage {
  /** The training run that produced the weights. */
  readonly run_id?: string;
  readonly dataset_version?: string;
  /** The commit of the training code. */
  readonly git_sha?: string;
  /** When training finished: an ISO 8601 string or a Date. */
  readonly trained_at?: string | Date;
  /** e.g. `onnxruntime-node`, `tfjs`, `xgboost`. */
  readonly framework?: string;
}

/** A model version to declare. */
export interface ModelDeclaration extends ModelLineage {
  readonly name: string;
  readonly version: string;
  /** A moving pointer to this version, e.g. `champion`, `challenger`. */
  readonly alias?: string;
  /** A lifecycle stage, e.g. `staging`, `production`, `shadow`. */
  readonly stage?: string;
  /**
   * Write the `model_deployed` lineage line now (default true). Pass false for a version that is
   * loaded but not serving yet, and call `monitor.goLive(model)` when it starts serving.
   */
  readonly live?: boolean;
}

/** A declared model: a `ModelRef` that can be bound to the context, with its lineage. */
export interface DeclaredModel extends ModelRef {
  readonly lineage: Readonly<{
    run_id: string;
    dataset_version: string;
    git_sha: string;
    trained_at: string;
    framework: string;
  }>;
}

/** Options of `createModelMonitor`. */
export interface ModelMonitorOptions {
  /** prom-client registry for every model metric (default: prom-client's global registry). */
  readonly registry?: Registry<RegistryContentType>;
  /**
   * Where lineage, inference, disagreement and outcome lines go: a `LogSink`, or `false` for none
   * (default: core's `jsonLineSink()`, JSON lines on stdout, as every plugin).
   */
  readonly logger?: LogSink | false;
  /** Most model versions that may be declared at once: bounds every per-version series (default 50). */
  readonly maxModels?: number;
  /**
   * Share of predictions that write a `model_inference` line, in [0, 1] (default 1: every call,
   * as the line is the audit trail; lower it on hot paths, the metrics stay exact).
   */
  readonly inferenceLogSampleRate?: number;
  /** Most warning lines per minute for each kind of bad event (unknown model, NaN output, ...) (default 60). */
  readonly warnLogsPerMinute?: number;
  /** Bucket upper bounds of `model_output_score` (default 0.1 steps over [0, 1]). */
  readonly scoreBuckets?: readonly number[];
  /** Bucket upper bounds of `model_output_value` for regression outputs (default prom-client's). */
  readonly valueBuckets?: readonly number[];
  /** The bounded store that joins delayed ground truth to predictions. */
  readonly outcomes?: OutcomeStoreOptions;
}

/** Options of the outcome store (delayed ground truth). */
export interface OutcomeStoreOptions {
  /** Most predictions kept waiting for their outcome; the oldest are evicted first (default 100 000). */
  readonly maxEntries?: number;
  /** How long a prediction waits for its outcome, in ms (default 24 h). Later outcomes count as `late`. */
  readonly ttlMs?: number;
  /** Length of the sliding window the quality gauges cover, in ms (default 1 h). */
  readonly windowMs?: number;
  /** Slices the window is cut into; the window slides one slice at a time (default 12). */
  readonly windowSlices?: number;
  /** Score buckets used for ROC AUC (default 100 equal-width buckets over [0, 1]). */
  readonly aucBuckets?: number;
  /** Bucket upper bounds of `model_label_delay_seconds`. */
  readonly delayBuckets?: readonly number[];
}

/** What a prediction is, for quality metrics and comparisons. */
export type ModelTask = 'classification' | 'regression';

/** Options of `monitor.instrument()`. */
export interface PredictOptions<I, P, R, O, T = O> {
  /** Default `classification` when `label` or `classes` is given, `regression` when `value` is given. */
  readonly task?: ModelTask;
  /** Runs before predict, timed as phase `preprocess`. */
  readonly preprocess?: (input: I) => P | Promise<P>;
  /** Runs after predict, timed as phase `postprocess`. */
  readonly postprocess?: (raw: R) => O | Promise<O>;
  /** The input is an array of items and the output an array of one output per item. */
  readonly batch?: boolean;
  /**
   * Size of one input in the unit that matters for the model (tokens, rows, pixels). Given, it is
   * observed in `model_input_size` and logged as `input_size`; without it only the line gets
   * `input_size`, from the length of an array, typed array or string (a fixed-width feature
   * vector would fill the histogram with one value at the cost of an observe per call).
   */
  readonly inputSize?: (input: I) => number | undefined;
  /** Classification: the predicted class of one output item. */
  readonly label?: (item: T) => string;
  /** Classification: the declared classes (labels outside fold to `__other__` in metrics). */
  readonly classes?: readonly string[];
  /** Binary classification: the positive class (score is its probability). */
  readonly positiveClass?: string;
  /** Classification: the positive-class score of one output item, in [0, 1]. */
  readonly score?: (item: T) => number;
  /** Regression: the predicted value of one output item (default: the item when it is a number). */
  readonly value?: (item: T) => number;
  /**
   * Ms after which an async predict is abandoned: the caller gets a `ModelTimeoutError` and the
   * late result is ignored. Sync predict functions cannot be interrupted and are never timed out.
   */
  readonly timeoutMs?: number;
  /** Keep predictions in the outcome store for `recordOutcome` (default true). */
  readonly trackOutcomes?: boolean;
}

/** What an instrumented predict call returns. */
export interface Prediction<O> {
  readonly output: O;
  /** Pass to `recordOutcome` when the truth is known. For a batch, the ID of the whole call. */
  readonly predictionId: string;
  /** Batch calls: one ID per output item, in order. */
  readonly predictionIds?: readonly string[];
  /** The version that answered. */
  readonly model: DeclaredModel;
  /** True when an output value was NaN or infinite (counted, logged, not recorded as a score). */
  readonly nonFinite: boolean;
}

/** An instrumented predict function (always async, whatever the wrapped function is). */
export interface Predictor<I, O> {
  (input: I): Promise<Prediction<O>>;
  readonly model: DeclaredModel;
}

/** An instrumented sync predict function. */
export interface SyncPredictor<I, O> {
  (input: I): Prediction<O>;
  readonly model: DeclaredModel;
}

/** Options of `monitor.canary()`. */
export interface CanaryOptions<I, O> {
  readonly primary: Predictor<I, O>;
  readonly candidate: Predictor<I, O>;
  /** Share of IDs routed to the candidate, in [0, 1]. */
  readonly share: number;
  /** Mixed into the hash so two experiments over the same IDs split independently (default ''). */
  readonly salt?: string;
}

/** Options of `monitor.shadow()`. */
export interface ShadowOptions<I, O> {
  readonly primary: Predictor<I, O>;
  /** Runs on the same input; its result never reaches the caller. */
  readonly shadow: Predictor<I, O>;
  /**
   * Longest the shadow may run, in ms (default 1000); past it the shadow is abandoned and counted
   * as a timeout. The primary result never waits for the shadow.
   */
  readonly budgetMs?: number;
  /**
   * `after` (default) starts the shadow once the primary has answered, so it never competes with
   * it; `parallel` starts it on the next turn of the event loop after the primary started.
   */
  readonly mode?: 'after' | 'parallel';
  /** Regression: outputs further apart than this disagree (default 0). */
  readonly tolerance?: number;
  /** Share of calls that also run the shadow, in [0, 1] (default 1). */
  readonly sampleRate?: number;
  /** Most disagreement lines logged per minute (default 10). */
  readonly disagreementLogsPerMinute?: number;
}

/** What `recordOutcome` did with an outcome. */
export type OutcomeResult = 'joined' | 'duplicate' | 'late' | 'evicted' | 'unknown' | 'invalid';
