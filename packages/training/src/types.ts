import type { LogSink, ModelRef } from '@threadline/core';
import type { Registry } from 'prom-client';

/** A parameter value: anything JSON can hold. */
export type ParamValue =
  | string
  | number
  | boolean
  | null
  | readonly ParamValue[]
  | { [k: string]: ParamValue };

/** Which way a metric improves, for "best" in the summary. */
export type MetricGoal = 'min' | 'max';

/** How a run ended (or `running` while it runs). */
export type RunStatus = 'running' | 'finished' | 'failed' | 'killed';

/**
 * Pushgateway settings: the run's metrics are pushed at start, at the end, and optionally per
 * epoch. Only this run's series are pushed (from a registry of its own), never the service's.
 */
export interface PushgatewayOptions {
  /** Base URL, e.g. `http://pushgateway:9091`. */
  readonly url: string;
  /** Job label of the pushed group (default: the experiment name). */
  readonly jobName?: string;
  /** Extra grouping labels (e.g. `{ instance: 'trainer-1' }`). Keep them bounded. */
  readonly groupings?: Readonly<Record<string, string>>;
  /** Per-push timeout (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Also push after every epoch (default false). Pushes never overlap: later ones coalesce. */
  readonly everyEpoch?: boolean;
}

/** Progress display: `auto` draws a bar on a TTY and writes plain lines otherwise. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | false;

/** Options of a training run (decorator, wrapper, `runTraining`, TF.js callback). */
export interface TrainingOptions {
  /** Experiment name: in every log line, the summary, and the Pushgateway job label. */
  readonly experiment: string;
  /** Run ID (default: a random UUID). Becomes `run_id` in the context. */
  readonly runId?: string;
  /** Parameters and hyperparameters, logged once at the start (write-once, see `logParams`). */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Version of the training data (a hash, a tag, a snapshot date). */
  readonly datasetVersion?: string;
  /** Free tags for the run (bounded strings). */
  readonly tags?: Readonly<Record<string, string>>;
  /** The model being trained; it fills `model_name`/`model_version` in logs and metric labels. */
  readonly model?: ModelRef;
  /** Where log lines go: a `LogSink`, or `false` for none (default: JSON lines on stdout). */
  readonly logger?: LogSink | false;
  /**
   * Path of the run summary JSON, written atomically at the start (status running) and at the end.
   * `{run_id}` and `{experiment}` are replaced. An unwritable path fails at the start.
   */
  readonly summaryPath?: string;
  /**
   * prom-client registry the run's metrics are exposed in (default: prom-client's global registry,
   * as every Threadline package). Runs share it, told apart by the `experiment` label; a push to
   * the Pushgateway carries this run's series only, whatever the registry.
   */
  readonly registry?: Registry;
  /** Push the run's metrics to a Prometheus Pushgateway. */
  readonly pushgateway?: PushgatewayOptions;
  /** Progress display (default `auto`). */
  readonly progress?: ProgressMode;
  /** Stream for the progress display (default `process.stderr`). */
  readonly progressStream?: NodeJS.WritableStream;
  /** Total epochs, for the progress display. */
  readonly totalEpochs?: number;
  /** Steps per epoch, for a per-epoch progress bar over steps. */
  readonly stepsPerEpoch?: number;
  /**
   * Which way each metric improves. Unlisted metrics: names containing acc, auc, precision, recall,
   * f1, score or r2 are maximised, the rest minimised.
   */
  readonly metricGoals?: Readonly<Record<string, MetricGoal>>;
  /** Mark the run killed and write its summary on SIGINT/SIGTERM (default true). */
  readonly handleSignals?: boolean;
  /** Write one `training_step` line every N steps (default 1); every step still counts in the summary. */
  readonly stepLogEvery?: number;
}

/** One metric's record in the summary. */
export interface MetricSummary {
  /** Value at the highest step (or epoch) index seen; `null` when that value was not finite. */
  last: number | null;
  last_index: number;
  /** Best finite value by the metric's goal (`null` when none was finite). */
  best: number | null;
  best_index: number | null;
  goal: MetricGoal;
  count: number;
  non_finite_count: number;
}

/** Aggregated durations of one kind of phase. */
export interface DurationSummary {
  count: number;
  total_ms: number;
  min_ms: number | null;
  max_ms: number | null;
  last_ms: number | null;
}

/** The run summary written to `summaryPath` (and returned by `run.summary()`). */
export interface RunSummary {
  run_id: string;
  experiment: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  params: Record<string, ParamValue>;
  dataset_version: string | null;
  tags: Record<string, string>;
  model: { name: string; version: string } | null;
  metrics: { step: Record<string, MetricSummary>; epoch: Record<string, MetricSummary> };
  /**
   * `count` is every epoch recorded (as `training_epochs_total`); the duration fields cover the
   * `timed` ones, those with a duration (from `beginEpoch`, `epoch()` or `durationMs`).
   */
  epochs: DurationSummary & {
    timed: number;
    last_epoch: number | null;
    out_of_order: number;
    duplicates: number;
    /** The latest epochs' durations (at most 1000; the aggregates cover every epoch). */
    durations_ms: number[];
  };
  data_load: Record<string, DurationSummary>;
  steps: { count: number; last_step: number | null; out_of_order: number; duplicates: number };
  non_finite_values: number;
  error: { name: string; message: string; stack?: string } | null;
  signal: string | null;
  environment: {
    node_version: string;
    platform: string;
    arch: string;
    pid: number;
    git_sha: string | null;
  };
}

/** One problem a pipeline validate hook reports about a batch. */
export interface BatchIssue {
  /** Field or path the issue is about (e.g. `rows[3].age`). */
  readonly path?: string;
  readonly message: string;
  /** A short stable code (e.g. `type`, `missing`, `range`). */
  readonly code?: string;
}

/** What is known about a batch as it arrives at a pipeline step. */
export interface BatchInfo {
  /** Where the batch came from (a bounded name: a table, a topic, a bucket prefix). */
  source?: string;
  /** Size in bytes. */
  bytes?: number;
  /** Number of records. */
  records?: number;
  /** When the data was produced (ms since epoch or Date), for pipeline latency. */
  producedAt?: number | Date;
}

/** Options of `pipelineStep`. */
export interface PipelineStepOptions<I> {
  /** Step name (a bounded label value), e.g. `ingest_orders`, `build_features`. */
  readonly name: string;
  /** Default source when the batch does not say. */
  readonly source?: string;
  /** Where log lines go: a `LogSink`, or `false` for none (default: JSON lines on stdout). */
  readonly logger?: LogSink | false;
  /** prom-client registry (default: prom-client's global registry, which the service exposes). */
  readonly registry?: Registry;
  /**
   * Measures a batch (records, bytes, source, producedAt). Default: arrays count as records; strings,
   * Buffers and typed arrays give bytes; arrays of those give both.
   */
  readonly measure?: (input: I) => BatchInfo;
  /** Schema check: returns the batch's issues (empty when valid). The validation plugin plugs in here. */
  readonly validate?: (input: I) => readonly BatchIssue[] | Promise<readonly BatchIssue[]>;
  /** What to do with a batch that has issues: `log` (default: log, count, go on) or `throw`. */
  readonly onInvalid?: 'log' | 'throw';
}
