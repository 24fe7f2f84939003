import { randomUUID } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  diag,
  jsonLineSink,
  type LogLevel,
  type LogSink,
  runWithContext,
  ThreadlineConfigError,
  warnOnce,
  withSpan,
} from '@threadline/core';
import { Registry } from 'prom-client';
import { gitSha, knownGitSha } from './environment.js';
import { TrainingParamError, trainingCodes } from './errors.js';
import { type TrainingMetrics, trainingMetrics } from './metrics.js';
import { Progress } from './progress.js';
import { Pusher } from './push.js';
import { watchSignals } from './signals.js';
import { emit } from './sink.js';
import { writeJsonAtomic, writeJsonAtomicSync } from './summary-file.js';
import type {
  DurationSummary,
  MetricGoal,
  MetricSummary,
  ParamValue,
  RunStatus,
  RunSummary,
  TrainingOptions,
} from './types.js';
import { validateTrainingOptions } from './validate.js';

const COMPONENT = 'training';
/** Most per-epoch durations kept in the summary (aggregates cover every epoch). */
export const MAX_EPOCH_DURATIONS = 1000;
/** Most distinct metric names and data-load phases a run tracks; more fold into `__overflow__`. */
export const MAX_TRACKED_NAMES = 200;
/** Longest delay before step counts and values reach the Prometheus metrics. */
const STEP_FLUSH_MS = 1000;
const MAX_GOAL_NAME = /(acc|auc|precision|recall|f1|score|r2)/i;
/** Fields every training line carries; a metric of the same name is written as `metric_<name>`. */
const RESERVED = new Set([
  'time',
  'level',
  'message',
  'msg',
  'service',
  'event',
  'run_id',
  'experiment',
  'job',
  'step',
  'epoch',
  'status',
  'request_id',
  'trace_id',
  'span_id',
  'trace_flags',
  'model_name',
  'model_version',
  'model_alias',
  'duration_ms',
  'out_of_order',
  'duplicate',
  'non_finite_metrics',
]);

/** Metric values as a training loop reports them. */
export type Metrics = Readonly<Record<string, number>>;

/** The flat field name a metric is logged under: snake-safe and never a reserved field. */
export function metricFieldName(name: string): string {
  let key = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (key === '' || /^[0-9]/.test(key)) key = `_${key}`;
  return RESERVED.has(key) ? `metric_${key}` : key;
}

/** Key order does not matter when comparing parameter values. */
function canonical(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}[${i}]`)).join(',')}]`;
      const keys = Object.keys(value as object).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TrainingParamError(
        trainingCodes.PARAM_INVALID,
        `parameter ${path} has a ${typeof value} value, which cannot be stored as JSON`,
      );
  }
}

/** A JSON copy of a parameter value (non-finite numbers become null, as JSON has no NaN). */
function jsonCopy(value: ParamValue): ParamValue {
  return JSON.parse(JSON.stringify(value)) as ParamValue;
}

function emptyDurations(): DurationSummary {
  return { count: 0, total_ms: 0, min_ms: null, max_ms: null, last_ms: null };
}

function addDuration(d: DurationSummary, ms: number): void {
  d.count++;
  d.total_ms += ms;
  d.min_ms = d.min_ms === null ? ms : Math.min(d.min_ms, ms);
  d.max_ms = d.max_ms === null ? ms : Math.max(d.max_ms, ms);
  d.last_ms = ms;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * `continued`: the highest index again with metrics not yet recorded there (validation metrics
 * logged after the training ones), merged without a flag.
 */
type Order = 'in_order' | 'continued' | 'out_of_order' | 'duplicate';

interface IndexState {
  highest: number | null;
  outOfOrder: number;
  duplicates: number;
}

function nextIndex(state: IndexState): number {
  return state.highest === null ? 0 : state.highest + 1;
}

/**
 * Classifies an index against the highest seen so far, and moves the highest. `repeats` says
 * whether a metric of this record already has a value at this index.
 */
function place(state: IndexState, index: number, repeats: boolean): Order {
  let order: Order = 'in_order';
  if (state.highest !== null && index < state.highest) {
    order = 'out_of_order';
    state.outOfOrder++;
  } else if (state.highest !== null && index === state.highest) {
    order = repeats ? 'duplicate' : 'continued';
    if (repeats) state.duplicates++;
  }
  if (state.highest === null || index > state.highest) state.highest = index;
  return order;
}

/** Per-run state shared between runs with the same registry. */
interface Shared {
  readonly registry: Registry;
  readonly metrics: TrainingMetrics;
}

const sharedByRegistry = new WeakMap<Registry, Shared>();

function sharedFor(registry: Registry): Shared {
  let shared = sharedByRegistry.get(registry);
  if (!shared) {
    shared = { registry, metrics: trainingMetrics(registry) };
    sharedByRegistry.set(registry, shared);
  }
  return shared;
}

/** Runs in progress by run ID, so `currentRun()` finds the run of the current context. */
const activeRuns = new Map<string, TrainingRun>();

/** The run the given run ID belongs to, while it runs. */
export function activeRun(runId: string | undefined): TrainingRun | undefined {
  return runId === undefined ? undefined : activeRuns.get(runId);
}

/**
 * One training run: its parameters, metrics, durations and status, and the outputs they feed
 * (log lines, summary file, Prometheus metrics, Pushgateway, progress display).
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
  private readonly sink: LogSink;
  private readonly shared: Shared;
  private readonly pusher: Pusher | undefined;
  private readonly progress: Progress;
  private readonly summaryPath: string | undefined;
  private readonly stepLogEvery: number;
  private readonly params: Record<string, ParamValue> = {};
  private readonly paramKeys = new Map<string, string>();
  private datasetVersion: string | null;
  private readonly tags: Record<string, string>;
  private runStatus: RunStatus = 'running';
  private started = false;
  private startedAt = 0;
  private startedWall = new Date();
  private endedWall: Date | null = null;
  private durationMs: number | null = null;
  private error: RunSummary['error'] = null;
  private signal: string | null = null;
  private readonly stepIndex: IndexState = { highest: null, outOfOrder: 0, duplicates: 0 };
  private readonly epochIndex: IndexState = { highest: null, outOfOrder: 0, duplicates: 0 };
  private stepCount = 0;
  private readonly stepMetrics = new Map<string, MetricSummary>();
  private readonly epochMetrics = new Map<string, MetricSummary>();
  private nonFiniteValues = 0;
  private readonly epochDurations = emptyDurations();
  private readonly recentEpochDurations: number[] = [];
  private readonly dataLoadStats = new Map<string, DurationSummary>();
  private epochStart: { index: number; at: number } | undefined;
  private pendingSteps = 0;
  private lastStepFlush = 0;
  private unwatch: (() => void) | undefined;
  private summaryWrites: Promise<void> = Promise.resolve();
  private summaryVersion = 0;

  /** Validates the options (throws `ThreadlineConfigError`); `begin()` starts the run. */
  constructor(options: TrainingOptions, defaults?: { registry?: Registry }) {
    validateTrainingOptions(options);
    this.options = options;
    this.experiment = options.experiment;
    this.runId = options.runId ?? randomUUID();
    this.sink = options.logger ?? jsonLineSink();
    const registry = options.registry ?? defaults?.registry ?? new Registry();
    this.shared = sharedFor(registry);
    this.summaryPath = options.summaryPath
      ?.replaceAll('{run_id}', this.runId)
      .replaceAll('{experiment}', this.experiment);
    if (this.summaryPath) checkSummaryDir(this.summaryPath);
    this.stepLogEvery = options.stepLogEvery ?? 1;
    this.datasetVersion = options.datasetVersion ?? null;
    this.tags = { ...options.tags };
    this.progress = new Progress({
      mode: options.progress ?? 'auto',
      stream: options.progressStream ?? process.stderr,
      ...(options.totalEpochs !== undefined ? { totalEpochs: options.totalEpochs } : {}),
      ...(options.stepsPerEpoch !== undefined ? { stepsPerEpoch: options.stepsPerEpoch } : {}),
    });
    const pg = options.pushgateway;
    this.pusher = pg
      ? new Pusher({ ...pg, jobName: pg.jobName ?? this.experiment }, registry, (error) =>
          this.pushFailed(error),
        )
      : undefined;
    if (options.params) this.logParams(options.params, { silent: true });
  }

  /** The run's status: running, finished, failed or killed. */
  get status(): RunStatus {
    return this.runStatus;
  }

  /** The prom-client registry holding the run's metrics. */
  get registry(): Registry {
    return this.shared.registry;
  }

  private labels(): { experiment: string } {
    return { experiment: this.experiment };
  }

  private line(level: LogLevel, event: string, fields: Record<string, unknown>, message: string): void {
    const model = this.options.model;
    emit(
      this.sink,
      level,
      event,
      {
        run_id: this.runId,
        experiment: this.experiment,
        ...(model ? { model_name: model.name, model_version: model.version } : {}),
        ...fields,
      },
      message,
    );
  }

  /** True (and the event reported) when the run has ended and must not record more. */
  private late(what: string): boolean {
    if (this.runStatus === 'running') return false;
    warnOnce(`late:${this.runId}`, {
      code: trainingCodes.LATE_EVENT,
      component: COMPONENT,
      message: `run ${this.runId} already ${this.runStatus}: ${what} not recorded`,
    });
    return true;
  }

  /**
   * Starts the run: writes the first summary (status running; an unwritable path throws a
   * `ThreadlineConfigError` here, before any training), logs `training_started`, sets the status
   * metrics, watches SIGINT/SIGTERM and pushes. Called by the wrappers; call it yourself only when
   * driving a run by hand.
   */
  async begin(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.startedAt = performance.now();
    this.startedWall = new Date();
    await gitSha();
    if (this.summaryPath) {
      try {
        await writeJsonAtomic(this.summaryPath, this.summary());
      } catch (error) {
        this.runStatus = 'failed';
        throw notWritable(this.summaryPath, error);
      }
    }
    activeRuns.set(this.runId, this);
    const m = this.shared.metrics;
    this.setStatusMetric('running');
    m.startTime.set(this.labels(), this.startedWall.getTime() / 1000);
    this.line(
      'info',
      'training_started',
      {
        status: 'running',
        params: this.params,
        dataset_version: this.datasetVersion,
        tags: this.tags,
        ...(this.options.totalEpochs !== undefined ? { total_epochs: this.options.totalEpochs } : {}),
      },
      `training run ${this.runId} of ${this.experiment} started`,
    );
    if (this.options.handleSignals !== false) this.unwatch = watchSignals(this);
    void this.pusher?.push();
  }

  private setStatusMetric(status: RunStatus): void {
    const m = this.shared.metrics;
    for (const s of ['running', 'finished', 'failed', 'killed'] as const) {
      m.status.set({ experiment: this.experiment, status: s }, s === status ? 1 : 0);
    }
  }

  /**
   * Records parameters or hyperparameters. Each key is write-once: the same value again is fine, a
   * different value throws a `TrainingParamError`, since a run with two learning rates is not one run.
   */
  logParams(params: Readonly<Record<string, ParamValue>>, options?: { silent?: boolean }): void {
    const fresh: Record<string, ParamValue> = {};
    const pending: [string, string, ParamValue][] = [];
    for (const [key, value] of Object.entries(params)) {
      const canon = canonical(value, key);
      const prior = this.paramKeys.get(key);
      if (prior !== undefined && prior !== canon) {
        throw new TrainingParamError(
          trainingCodes.PARAM_CONFLICT,
          `parameter ${JSON.stringify(key)} of run ${this.runId} is already ${prior}; cannot set it to ${canon} (parameters are write-once)`,
        );
      }
      if (prior === undefined) pending.push([key, canon, value]);
    }
    for (const [key, canon, value] of pending) {
      this.paramKeys.set(key, canon);
      this.params[key] = jsonCopy(value);
      fresh[key] = this.params[key]!;
    }
    if (!options?.silent && pending.length > 0 && !this.late('params')) {
      this.line('info', 'training_params', { params: fresh }, `run ${this.runId}: parameters logged`);
    }
  }

  /** The run's parameters so far. */
  getParams(): Readonly<Record<string, ParamValue>> {
    return { ...this.params };
  }

  /** Sets the dataset version (write-once like a parameter). */
  setDatasetVersion(version: string): void {
    if (this.datasetVersion !== null && this.datasetVersion !== version) {
      throw new TrainingParamError(
        trainingCodes.PARAM_CONFLICT,
        `dataset version of run ${this.runId} is already ${JSON.stringify(this.datasetVersion)}; cannot set it to ${JSON.stringify(version)}`,
      );
    }
    if (this.datasetVersion === version) return;
    this.datasetVersion = version;
    if (!this.late('dataset version')) {
      this.line(
        'info',
        'training_params',
        { dataset_version: version },
        `run ${this.runId}: dataset version`,
      );
    }
  }

  /** Adds or updates tags. */
  setTags(tags: Readonly<Record<string, string>>): void {
    Object.assign(this.tags, tags);
  }

  private trackName(map: Map<string, unknown>, name: string): string {
    return map.has(name) || map.size < MAX_TRACKED_NAMES ? name : '__overflow__';
  }

  /** Records metric values at an index; returns the log fields and the names that were not finite. */
  private record(
    scope: 'step' | 'epoch',
    metrics: Metrics,
    index: number,
    order: Order,
  ): { fields: Record<string, number | null>; display: Record<string, number | null>; nonFinite: string[] } {
    const store = scope === 'step' ? this.stepMetrics : this.epochMetrics;
    const fields: Record<string, number | null> = {};
    const display: Record<string, number | null> = {};
    const nonFinite: string[] = [];
    const m = this.shared.metrics;
    for (const [rawName, raw] of Object.entries(metrics)) {
      if (typeof raw !== 'number') continue;
      const name = this.trackName(store, rawName);
      const finite = Number.isFinite(raw);
      let stat = store.get(name);
      if (!stat) {
        stat = {
          last: null,
          last_index: index,
          best: null,
          best_index: null,
          goal: this.goal(name),
          count: 0,
          non_finite_count: 0,
        };
        store.set(name, stat);
      }
      stat.count++;
      if (stat.count === 1 || (order !== 'out_of_order' && index >= stat.last_index)) {
        stat.last = finite ? raw : null;
        stat.last_index = index;
      }
      if (finite) {
        const better = stat.best === null || (stat.goal === 'max' ? raw > stat.best : raw < stat.best);
        if (better) {
          stat.best = raw;
          stat.best_index = index;
        }
        // Step values reach the gauge in flushStepMetrics, at most once a second.
        if (scope === 'epoch' && order !== 'out_of_order')
          m.metric.set({ ...this.labels(), name, scope }, raw);
      } else {
        stat.non_finite_count++;
        this.nonFiniteValues++;
        nonFinite.push(rawName);
        m.nonFinite.inc({ ...this.labels(), name });
      }
      fields[metricFieldName(rawName)] = finite ? raw : null;
      display[rawName] = finite ? raw : null;
    }
    if (nonFinite.length > 0) {
      diag({
        code: trainingCodes.NON_FINITE_METRIC,
        component: COMPONENT,
        level: 'warn',
        message: `run ${this.runId}: ${scope} ${index}: non-finite value for ${nonFinite.join(', ')} (logged as null)`,
      });
    }
    return { fields, display, nonFinite };
  }

  /** True when one of these metrics already has a value at `index`. */
  private repeats(store: Map<string, MetricSummary>, metrics: Metrics, index: number): boolean {
    for (const name in metrics) {
      const stat = store.get(name);
      if (stat && stat.count > 0 && stat.last_index === index) return true;
    }
    return false;
  }

  private goal(name: string): MetricGoal {
    return this.options.metricGoals?.[name] ?? (MAX_GOAL_NAME.test(name) ? 'max' : 'min');
  }

  private takeIndex(kind: 'step' | 'epoch', given: number | undefined, state: IndexState): number {
    if (given === undefined) return nextIndex(state);
    if (Number.isInteger(given) && given >= 0) return given;
    warnOnce(`bad-index:${this.runId}:${kind}`, {
      code: trainingCodes.BAD_INDEX,
      component: COMPONENT,
      message: `run ${this.runId}: ${kind} index ${String(given)} is not a non-negative integer; using the next index`,
    });
    return nextIndex(state);
  }

  /**
   * Records per-step metrics (loss, accuracy, any number). `step` defaults to the next index; see
   * the class notes for out-of-order and duplicate steps. NaN and infinite values are logged as null
   * and listed in `non_finite_metrics`.
   */
  logStep(metrics: Metrics, options?: { step?: number; epoch?: number }): void {
    if (this.late('step')) return;
    const step = this.takeIndex('step', options?.step, this.stepIndex);
    const order = place(this.stepIndex, step, this.repeats(this.stepMetrics, metrics, step));
    const { fields, display, nonFinite } = this.record('step', metrics, step, order);
    const m = this.shared.metrics;
    if (order !== 'continued') {
      this.stepCount++;
      this.pendingSteps++;
    }
    const now = performance.now();
    if (now - this.lastStepFlush >= STEP_FLUSH_MS) this.flushStepMetrics(now);
    if (order === 'out_of_order' || order === 'duplicate')
      m.outOfOrder.inc({ ...this.labels(), kind: 'step' });
    this.progress.step(display);
    const flagged = order === 'out_of_order' || order === 'duplicate' || nonFinite.length > 0;
    if (!flagged && this.stepCount % this.stepLogEvery !== 0 && this.stepLogEvery > 1) return;
    const epoch = options?.epoch ?? this.epochStart?.index;
    this.line(
      nonFinite.length > 0 ? 'warn' : 'info',
      'training_step',
      {
        step,
        ...(epoch !== undefined ? { epoch } : {}),
        ...fields,
        ...(order === 'out_of_order' ? { out_of_order: true } : {}),
        ...(order === 'duplicate' ? { duplicate: true } : {}),
        ...(nonFinite.length > 0 ? { non_finite_metrics: nonFinite } : {}),
      },
      `step ${step}`,
    );
  }

  /**
   * Moves step counts and the latest step values into the Prometheus metrics. Steps can come
   * thousands a second and a scrape or push needs only the latest, so this runs at most once a
   * second from `logStep`, and at each epoch end and at the end of the run.
   */
  private flushStepMetrics(now = performance.now()): void {
    this.lastStepFlush = now;
    const m = this.shared.metrics;
    if (this.pendingSteps > 0) {
      m.steps.inc(this.labels(), this.pendingSteps);
      this.pendingSteps = 0;
    }
    for (const [name, stat] of this.stepMetrics) {
      if (stat.last !== null) m.metric.set({ ...this.labels(), name, scope: 'step' }, stat.last);
    }
  }

  /** Marks the start of an epoch (for callback-style loops; `epoch()` does it for you). */
  beginEpoch(epoch?: number): number {
    const index = this.takeIndex('epoch', epoch, this.epochIndex);
    this.epochStart = { index, at: performance.now() };
    if (this.runStatus === 'running') this.progress.epochStart(index);
    return index;
  }

  /**
   * Records the end of an epoch with its metrics. The duration runs from `beginEpoch` of the same
   * index, unless `durationMs` is given.
   */
  logEpoch(epoch: number | undefined, metrics: Metrics, options?: { durationMs?: number }): void {
    if (this.late('epoch')) return;
    const index = this.takeIndex('epoch', epoch ?? this.epochStart?.index, this.epochIndex);
    const started = this.epochStart?.index === index ? this.epochStart.at : undefined;
    const durationMs = options?.durationMs ?? (started !== undefined ? performance.now() - started : null);
    if (started !== undefined) this.epochStart = undefined;
    const order = place(this.epochIndex, index, this.repeats(this.epochMetrics, metrics, index));
    const { fields, display, nonFinite } = this.record('epoch', metrics, index, order);
    const m = this.shared.metrics;
    if (order !== 'continued') m.epochs.inc(this.labels());
    if (order === 'out_of_order' || order === 'duplicate')
      m.outOfOrder.inc({ ...this.labels(), kind: 'epoch' });
    if (durationMs !== null && Number.isFinite(durationMs) && durationMs >= 0) {
      addDuration(this.epochDurations, durationMs);
      this.recentEpochDurations.push(round(durationMs));
      if (this.recentEpochDurations.length > MAX_EPOCH_DURATIONS) this.recentEpochDurations.shift();
      m.epochDuration.observe(this.labels(), durationMs / 1000);
    }
    this.progress.epochEnd(index, display, durationMs);
    this.line(
      nonFinite.length > 0 ? 'warn' : 'info',
      'training_epoch',
      {
        epoch: index,
        ...fields,
        ...(durationMs !== null ? { duration_ms: round(durationMs) } : {}),
        ...(order === 'out_of_order' ? { out_of_order: true } : {}),
        ...(order === 'duplicate' ? { duplicate: true } : {}),
        ...(nonFinite.length > 0 ? { non_finite_metrics: nonFinite } : {}),
      },
      `epoch ${index}`,
    );
    this.flushStepMetrics();
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
          const ms = this.epochStart?.index === at ? performance.now() - this.epochStart.at : null;
          this.epochStart = undefined;
          if (this.runStatus === 'running') {
            this.line(
              'error',
              'training_epoch_failed',
              { epoch: at, ...(ms !== null ? { duration_ms: round(ms) } : {}), ...errorFields(error) },
              `epoch ${at} failed`,
            );
          }
          throw error;
        }
        this.logEpoch(at, metrics ?? {});
      }),
    );
  }

  /** Times a data-load phase (reading, decoding, batching), logged as `training_data_load`. */
  async dataLoad<R>(phase: string, fn: () => R | Promise<R>): Promise<R> {
    const name = this.trackName(this.dataLoadStats, phase);
    const start = performance.now();
    const finish = (ok: boolean, error?: unknown): void => {
      const ms = performance.now() - start;
      if (this.late('data load')) return;
      let d = this.dataLoadStats.get(name);
      if (!d) {
        d = emptyDurations();
        this.dataLoadStats.set(name, d);
      }
      addDuration(d, ms);
      this.shared.metrics.dataLoadDuration.observe({ ...this.labels(), phase: name }, ms / 1000);
      this.line(
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
    const toObject = (map: Map<string, MetricSummary>): Record<string, MetricSummary> => {
      const out: Record<string, MetricSummary> = {};
      for (const [k, v] of map) out[k] = { ...v };
      return out;
    };
    const durations: Record<string, DurationSummary> = {};
    for (const [k, v] of this.dataLoadStats) durations[k] = roundDurations(v);
    const model = this.options.model;
    return {
      run_id: this.runId,
      experiment: this.experiment,
      status: this.runStatus,
      started_at: this.startedWall.toISOString(),
      ended_at: this.endedWall ? this.endedWall.toISOString() : null,
      duration_ms: this.durationMs === null ? null : round(this.durationMs),
      params: { ...this.params },
      dataset_version: this.datasetVersion,
      tags: { ...this.tags },
      model: model ? { name: model.name, version: model.version } : null,
      metrics: { step: toObject(this.stepMetrics), epoch: toObject(this.epochMetrics) },
      epochs: {
        ...roundDurations(this.epochDurations),
        last_epoch: this.epochIndex.highest,
        out_of_order: this.epochIndex.outOfOrder,
        duplicates: this.epochIndex.duplicates,
        durations_ms: [...this.recentEpochDurations],
      },
      data_load: durations,
      steps: {
        count: this.stepCount,
        last_step: this.stepIndex.highest,
        out_of_order: this.stepIndex.outOfOrder,
        duplicates: this.stepIndex.duplicates,
      },
      non_finite_values: this.nonFiniteValues,
      error: this.error,
      signal: this.signal,
      environment: {
        node_version: process.version,
        platform: process.platform,
        arch: process.arch,
        pid: process.pid,
        git_sha: knownGitSha(),
      },
    };
  }

  /** Sets the end state and every output that can be done synchronously. False if already ended. */
  private close(
    status: Exclude<RunStatus, 'running'>,
    detail?: { error?: unknown; signal?: string },
  ): boolean {
    if (this.runStatus !== 'running' || !this.started) return false;
    this.runStatus = status;
    this.endedWall = new Date();
    this.durationMs = performance.now() - this.startedAt;
    if (detail?.error !== undefined) this.error = errorSummary(detail.error);
    if (detail?.signal) this.signal = detail.signal;
    activeRuns.delete(this.runId);
    this.unwatch?.();
    this.unwatch = undefined;
    this.progress.stop();
    const m = this.shared.metrics;
    this.flushStepMetrics();
    this.setStatusMetric(status);
    m.failed.set(this.labels(), status === 'finished' ? 0 : 1);
    m.runDuration.set(this.labels(), this.durationMs / 1000);
    if (status === 'finished') m.lastSuccess.set(this.labels(), this.endedWall.getTime() / 1000);
    const base = {
      status,
      duration_ms: round(this.durationMs),
      epochs: this.epochDurations.count,
      steps: this.stepCount,
      final_metrics: lastValues(this.epochMetrics.size > 0 ? this.epochMetrics : this.stepMetrics),
    };
    if (status === 'finished') {
      this.line('info', 'training_finished', base, `training run ${this.runId} finished`);
    } else if (status === 'failed') {
      this.line(
        'error',
        'training_failed',
        { ...base, ...errorFields(detail?.error) },
        `training run ${this.runId} failed`,
      );
    } else {
      this.line(
        'warn',
        'training_killed',
        { ...base, signal: this.signal },
        `training run ${this.runId} killed by ${this.signal}`,
      );
    }
    return true;
  }

  /**
   * Ends the run: finished, or failed with the error. Writes the final summary and pushes the final
   * metrics. Never throws (a summary write failure is logged); call once, later calls do nothing.
   */
  async end(status: 'finished' | 'failed' = 'finished', error?: unknown): Promise<void> {
    if (!this.close(status, status === 'failed' ? { error: error ?? new Error('failed') } : undefined))
      return;
    await Promise.all([this.writeSummary(), this.pusher?.push()]);
  }

  /**
   * Marks the run killed by a signal: log line, status metrics and the summary are written
   * synchronously, since the process is about to exit. Returns the final push to wait for, if any.
   */
  killed(signal: string): Promise<void> | undefined {
    if (!this.close('killed', { signal })) return undefined;
    if (this.summaryPath) {
      this.summaryVersion++;
      try {
        writeJsonAtomicSync(this.summaryPath, this.summary());
      } catch (error) {
        this.summaryFailed(error);
      }
    }
    return this.pusher?.push();
  }

  private writeSummary(): Promise<void> {
    const path = this.summaryPath;
    if (!path) return Promise.resolve();
    const version = ++this.summaryVersion;
    this.summaryWrites = this.summaryWrites.then(async () => {
      // A newer write (the signal path writes synchronously) wins; this one is stale.
      if (version !== this.summaryVersion) return;
      try {
        await writeJsonAtomic(path, this.summary());
      } catch (error) {
        this.summaryFailed(error);
      }
    });
    return this.summaryWrites;
  }

  private summaryFailed(error: unknown): void {
    diag({
      code: trainingCodes.SUMMARY_FAILED,
      component: COMPONENT,
      level: 'error',
      message: `run ${this.runId}: summary ${this.summaryPath} not written: ${(error as Error)?.message}`,
      error,
    });
    this.line(
      'error',
      'training_summary_failed',
      { path: this.summaryPath, ...errorFields(error) },
      'summary not written',
    );
  }

  private pushFailed(error: unknown): void {
    this.shared.metrics.pushFailures.inc(this.labels());
    diag({
      code: trainingCodes.PUSH_FAILED,
      component: COMPONENT,
      level: 'warn',
      message: `run ${this.runId}: push to ${this.options.pushgateway?.url} failed: ${(error as Error)?.message}`,
      error,
    });
    this.line(
      'warn',
      'training_push_failed',
      { pushgateway_url: this.options.pushgateway?.url, ...errorFields(error) },
      'push to the Pushgateway failed; the run goes on',
    );
  }
}

function notWritable(path: string, error: unknown): ThreadlineConfigError {
  const err = error as NodeJS.ErrnoException;
  return new ThreadlineConfigError(
    COMPONENT,
    `summaryPath ${JSON.stringify(path)} is not writable (${err.code ?? 'error'}: ${err.message}); the run did not start`,
  );
}

/**
 * The cheap synchronous part of the summary check, at setup: the directory exists and may be
 * written. `begin()` then writes the first summary, which settles it.
 */
function checkSummaryDir(path: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) {
      throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    }
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw notWritable(path, error);
  }
}

function roundDurations(d: DurationSummary): DurationSummary {
  return {
    count: d.count,
    total_ms: round(d.total_ms),
    min_ms: d.min_ms === null ? null : round(d.min_ms),
    max_ms: d.max_ms === null ? null : round(d.max_ms),
    last_ms: d.last_ms === null ? null : round(d.last_ms),
  };
}

function lastValues(map: Map<string, MetricSummary>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of map) out[k] = v.last;
  return out;
}

function errorSummary(error: unknown): NonNullable<RunSummary['error']> {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/** Error fields for a log line. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      error_type: error.name,
      error_message: error.message,
      ...(typeof code === 'string' ? { error_code: code } : {}),
    };
  }
  return { error_type: typeof error, error_message: String(error) };
}
