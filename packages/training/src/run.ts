import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { resolveEventSink, runWithContext, withSpan } from '@threadline/core';
import type { Registry } from 'prom-client';
import { EpochDurations, PhaseDurations, round } from './durations.js';
import { gitSha } from './environment.js';
import { RunLifecycle } from './lifecycle.js';
import { MetricStore, type Metrics } from './metric-store.js';
import { flagged, IndexTracker } from './order.js';
import { RunParams } from './params.js';
import { Progress } from './progress.js';
import { Pusher } from './push.js';
import { errorFields, flagFields, RunLog } from './run-log.js';
import { RunMetrics } from './run-metrics.js';
import { watchSignals } from './signals.js';
import { summarize } from './summary.js';
import { SummaryFile } from './summary-file.js';
import type { ParamValue, RunStatus, RunSummary, TrainingOptions } from './types.js';
import { validateTrainingOptions } from './validate.js';

/** Runs in progress by run ID, so `currentRun()` finds the run of the current context. */
const activeRuns = new Map<string, TrainingRun>();

/** The run the given run ID belongs to, while it runs. */
export function activeRun(runId: string | undefined): TrainingRun | undefined {
  return runId === undefined ? undefined : activeRuns.get(runId);
}

/**
 * One training run. The run holds its status and times and routes each event to the parts that
 * keep it: parameters (`RunParams`), the index rule (`IndexTracker`), metric summaries
 * (`MetricStore`), durations, Prometheus metrics (`RunMetrics`), the summary file, the Pushgateway,
 * the progress display and the log (`RunLog`).
 *
 * Index rule for steps and epochs: nothing is dropped. An index below the highest seen so far is
 * logged with `out_of_order: true`; the highest index again with a metric already recorded there is
 * logged with `duplicate: true`; both are counted in the summary and in
 * `training_out_of_order_steps_total`, and count toward "best". The highest index again with only new
 * metrics (validation after training) is merged without a flag. "Last" is the value at the highest
 * index (a duplicate replaces it, a lower index never does). A missing index means highest + 1.
 */
export class TrainingRun {
  /** The run's ID, `run_id` in logs. */
  readonly runId: string;
  /** The experiment's name. */
  readonly experiment: string;
  private readonly options: TrainingOptions;
  private readonly log: RunLog;
  private readonly metrics: RunMetrics;
  private readonly pusher: Pusher | undefined;
  private readonly progress: Progress;
  private readonly file: SummaryFile | undefined;
  private readonly stepLogEvery: number;
  private readonly params: RunParams;
  private readonly stepIndex: IndexTracker;
  private readonly epochIndex: IndexTracker;
  private readonly stepMetrics: MetricStore;
  private readonly epochMetrics: MetricStore;
  private readonly epochDurations = new EpochDurations();
  private readonly dataLoads = new PhaseDurations();
  private stepCount = 0;
  private epochCount = 0;
  private readonly life: RunLifecycle;
  private epochStart: { index: number; at: number } | undefined;
  private unwatch: (() => void) | undefined;

  /** Validates the options (throws `ThreadlineConfigError`); `begin()` starts the run. */
  constructor(options: TrainingOptions) {
    validateTrainingOptions(options);
    this.options = options;
    const experiment = options.experiment;
    const runId = options.runId ?? randomUUID();
    this.experiment = experiment;
    this.runId = runId;
    this.life = new RunLifecycle(runId);
    this.log = new RunLog(resolveEventSink('training', options.logger), runId, experiment, options.model);
    this.file = options.summaryPath
      ? new SummaryFile(options.summaryPath, { runId, experiment }, (path, error) =>
          this.log.summaryFailed(path, error),
        )
      : undefined;
    this.stepLogEvery = options.stepLogEvery ?? 1;
    this.params = new RunParams(runId, options.datasetVersion, options.tags);
    this.stepIndex = new IndexTracker('step', runId);
    this.epochIndex = new IndexTracker('epoch', runId);
    const pg = options.pushgateway;
    const metrics = new RunMetrics(experiment, options.registry, pg !== undefined);
    this.metrics = metrics;
    const nonFinite = (name: string): void => metrics.nonFinite(name);
    this.stepMetrics = new MetricStore('step', runId, options.metricGoals, { nonFinite });
    this.epochMetrics = new MetricStore('epoch', runId, options.metricGoals, {
      value: (name, value) => metrics.epochValue(name, value),
      nonFinite,
    });
    this.progress = new Progress({
      mode: options.progress ?? 'auto',
      stream: options.progressStream ?? process.stderr,
      ...(options.totalEpochs !== undefined ? { totalEpochs: options.totalEpochs } : {}),
      ...(options.stepsPerEpoch !== undefined ? { stepsPerEpoch: options.stepsPerEpoch } : {}),
    });
    this.pusher =
      pg && metrics.pushRegistry
        ? new Pusher({ ...pg, jobName: pg.jobName ?? experiment }, metrics.pushRegistry, (error) => {
            metrics.pushFailure();
            this.log.pushFailed(pg.url, error);
          })
        : undefined;
    if (options.params) this.params.add(options.params);
  }

  /** The run's status: running, finished, failed or killed. */
  get status(): RunStatus {
    return this.life.status;
  }

  /** The prom-client registry the run's metrics are exposed in (the global one by default). */
  get registry(): Registry {
    return this.metrics.registry;
  }

  /**
   * Starts the run: writes the first summary (status running; an unwritable path throws a
   * `ThreadlineConfigError` here, before any training), logs `training_started`, sets the status
   * metrics, watches SIGINT/SIGTERM and pushes. Called by the wrappers; call it yourself only when
   * driving a run by hand.
   */
  async begin(): Promise<void> {
    if (!this.life.start()) return;
    await gitSha();
    if (this.file) {
      try {
        await this.file.first(this.summary());
      } catch (error) {
        this.life.status = 'failed';
        throw error;
      }
    }
    activeRuns.set(this.runId, this);
    this.metrics.started(this.life.startedWall);
    const total = this.options.totalEpochs;
    this.log.line(
      'info',
      'training_started',
      {
        status: 'running',
        params: this.params.values,
        dataset_version: this.params.datasetVersion,
        tags: this.params.tags,
        ...(total !== undefined ? { total_epochs: total } : {}),
      },
      `training run ${this.runId} of ${this.experiment} started`,
    );
    if (this.options.handleSignals !== false) this.unwatch = watchSignals(this);
    void this.pusher?.push();
  }

  /**
   * Records parameters or hyperparameters. Each key is write-once: the same value again is fine, a
   * different value throws a `TrainingParamError`, since a run with two learning rates is not one run.
   */
  logParams(params: Readonly<Record<string, ParamValue>>, options?: { silent?: boolean }): void {
    const fresh = this.params.add(params);
    if (!options?.silent && Object.keys(fresh).length > 0 && !this.life.late('params')) {
      this.log.line('info', 'training_params', { params: fresh }, `run ${this.runId}: parameters logged`);
    }
  }

  /** The run's parameters so far. */
  getParams(): Readonly<Record<string, ParamValue>> {
    return { ...this.params.values };
  }

  /** Sets the dataset version (write-once like a parameter). */
  setDatasetVersion(version: string): void {
    if (!this.params.setDatasetVersion(version) || this.life.late('dataset version')) return;
    this.log.line(
      'info',
      'training_params',
      { dataset_version: version },
      `run ${this.runId}: dataset version`,
    );
  }

  /** Adds or updates tags. */
  setTags(tags: Readonly<Record<string, string>>): void {
    Object.assign(this.params.tags, tags);
  }

  /**
   * Records per-step metrics (loss, accuracy, any number). `step` defaults to the next index; see
   * the class notes for out-of-order and duplicate steps. NaN and infinite values are logged as null
   * and listed in `non_finite_metrics`.
   */
  logStep(metrics: Metrics, options?: { step?: number; epoch?: number }): void {
    if (this.life.late('step')) return;
    const step = this.stepIndex.take(options?.step);
    const order = this.stepIndex.place(step, this.stepMetrics.repeats(metrics, step));
    const { fields, display, nonFinite } = this.stepMetrics.record(metrics, step, order);
    if (order !== 'continued') this.stepCount++;
    this.metrics.step(order, this.stepMetrics);
    this.progress.step(display);
    const thin = this.stepLogEvery > 1 && this.stepCount % this.stepLogEvery !== 0;
    if (thin && !flagged(order) && nonFinite.length === 0) return;
    const epoch = options?.epoch ?? this.epochStart?.index;
    this.log.line(
      nonFinite.length > 0 ? 'warn' : 'info',
      'training_step',
      { step, ...(epoch !== undefined ? { epoch } : {}), ...fields, ...flagFields(order, nonFinite) },
      `step ${step}`,
    );
  }

  /** Marks the start of an epoch (for callback-style loops; `epoch()` does it for you). */
  beginEpoch(epoch?: number): number {
    const index = this.epochIndex.take(epoch);
    this.epochStart = { index, at: performance.now() };
    if (this.life.status === 'running') this.progress.epochStart(index);
    return index;
  }

  /**
   * Records the end of an epoch with its metrics. The duration runs from `beginEpoch` of the same
   * index, unless `durationMs` is given.
   */
  logEpoch(epoch: number | undefined, metrics: Metrics, options?: { durationMs?: number }): void {
    if (this.life.late('epoch')) return;
    const index = this.epochIndex.take(epoch ?? this.epochStart?.index);
    const started = this.epochStart?.index === index ? this.epochStart.at : undefined;
    const durationMs = options?.durationMs ?? (started !== undefined ? performance.now() - started : null);
    if (started !== undefined) this.epochStart = undefined;
    const order = this.epochIndex.place(index, this.epochMetrics.repeats(metrics, index));
    const { fields, display, nonFinite } = this.epochMetrics.record(metrics, index, order);
    if (order !== 'continued') this.epochCount++;
    const timed = this.epochDurations.add(durationMs);
    this.metrics.epoch(order, timed ? durationMs : null);
    this.progress.epochEnd(display, durationMs, order !== 'continued');
    this.log.line(
      nonFinite.length > 0 ? 'warn' : 'info',
      'training_epoch',
      {
        epoch: index,
        ...fields,
        ...(durationMs !== null ? { duration_ms: round(durationMs) } : {}),
        ...flagFields(order, nonFinite),
      },
      `epoch ${index}`,
    );
    this.metrics.flushSteps(this.stepMetrics);
    if (this.options.pushgateway?.everyEpoch) void this.pusher?.push();
  }

  /**
   * Runs one epoch: times it, puts `epoch` in the context of everything inside, and records the
   * metrics `fn` returns. A throw is logged as `training_epoch_failed` and rethrown.
   */
  async epoch(
    index: number | undefined,
    fn: () => Metrics | undefined | Promise<Metrics | undefined>,
  ): Promise<void> {
    const at = this.beginEpoch(index);
    // The epoch's lines are written inside its span and context, so they carry its span_id.
    await withSpan('training.epoch', { run_id: this.runId, 'training.epoch': at }, () =>
      runWithContext({ attributes: { epoch: at } }, async () => {
        let metrics: Metrics | undefined;
        try {
          metrics = await fn();
        } catch (error) {
          this.epochFailed(at, error);
          throw error;
        }
        this.logEpoch(at, metrics ?? {});
      }),
    );
  }

  private epochFailed(at: number, error: unknown): void {
    const ms = this.epochStart?.index === at ? performance.now() - this.epochStart.at : null;
    this.epochStart = undefined;
    if (this.life.status !== 'running') return;
    this.log.line(
      'error',
      'training_epoch_failed',
      { epoch: at, ...(ms !== null ? { duration_ms: round(ms) } : {}), ...errorFields(error) },
      `epoch ${at} failed`,
    );
  }

  /** Times a data-load phase (reading, decoding, batching), logged as `training_data_load`. */
  async dataLoad<R>(phase: string, fn: () => R | Promise<R>): Promise<R> {
    const start = performance.now();
    const finish = (ok: boolean, error?: unknown): void => {
      const ms = performance.now() - start;
      if (this.life.late('data load')) return;
      this.metrics.dataLoad(this.dataLoads.add(phase, ms), ms);
      this.log.line(
        ok ? 'info' : 'error',
        ok ? 'training_data_load' : 'training_data_load_failed',
        { phase, duration_ms: round(ms), ...(ok ? {} : errorFields(error)) },
        `data load ${phase}`,
      );
    };
    return withSpan('training.data_load', { run_id: this.runId, 'training.phase': phase }, async () => {
      try {
        const result = await fn();
        finish(true);
        return result;
      } catch (error) {
        finish(false, error);
        throw error;
      }
    });
  }

  /** The run summary as it stands now. */
  summary(): RunSummary {
    return summarize({
      runId: this.runId,
      experiment: this.experiment,
      life: this.life,
      params: this.params,
      model: this.options.model,
      stepMetrics: this.stepMetrics,
      epochMetrics: this.epochMetrics,
      stepIndex: this.stepIndex,
      epochIndex: this.epochIndex,
      stepCount: this.stepCount,
      epochCount: this.epochCount,
      epochDurations: this.epochDurations,
      dataLoad: this.dataLoads.byPhase,
    });
  }

  /** Sets the end state and every output that can be done synchronously. False if already ended. */
  private close(
    status: Exclude<RunStatus, 'running'>,
    detail?: { error?: unknown; signal?: string },
  ): boolean {
    const life = this.life;
    if (!life.end(status, detail)) return false;
    const durationMs = life.durationMs!;
    activeRuns.delete(this.runId);
    this.unwatch?.();
    this.unwatch = undefined;
    this.progress.stop();
    this.metrics.ended(status, durationMs, life.endedWall!, this.stepMetrics);
    const last = this.epochMetrics.byName.size > 0 ? this.epochMetrics : this.stepMetrics;
    this.log.ended(
      status,
      {
        duration_ms: round(durationMs),
        epochs: this.epochCount,
        steps: this.stepCount,
        final_metrics: last.lastValues(),
      },
      { error: detail?.error, signal: life.signal },
    );
    return true;
  }

  /**
   * Ends the run: finished, or failed with the error. Writes the final summary and pushes the final
   * metrics. Never throws (a summary write failure is logged); call once, later calls do nothing.
   */
  async end(status: 'finished' | 'failed' = 'finished', error?: unknown): Promise<void> {
    if (!this.close(status, status === 'failed' ? { error: error ?? new Error('failed') } : undefined))
      return;
    await Promise.all([this.file?.write(() => this.summary()), this.pusher?.push()]);
  }

  /**
   * Marks the run killed by a signal: log line, status metrics and the summary are written
   * synchronously, since the process is about to exit. Returns the final push to wait for, if any.
   */
  killed(signal: string): Promise<void> | undefined {
    if (!this.close('killed', { signal })) return undefined;
    this.file?.writeSync(this.summary());
    return this.pusher?.push();
  }
}
