import {
  check,
  type LogLevel,
  type ModelRef,
  reportError,
  runWithContext,
  safeCall,
  setContext,
  ThreadlineConfigError,
} from '@threadline/core';
import { type Canary, createCanary } from './canary.js';
import { modelCodes } from './codes.js';
import { withModel } from './context.js';
import { createPredictor, createSyncPredictor } from './instrument.js';
import type { MonitorCore, VersionCell } from './internal-types.js';
import { checkLabelValue } from './labels.js';
import { LineBudget, writeLine } from './log.js';
import { ModelMetrics } from './metrics.js';
import { OutcomeStore } from './outcomes.js';
import { createShadow, type ShadowPair } from './shadow.js';
import type {
  CanaryOptions,
  DeclaredModel,
  ModelDeclaration,
  ModelMonitorOptions,
  OutcomeResult,
  PredictOptions,
  Predictor,
  ShadowOptions,
  SyncPredictor,
} from './types.js';
import { figures } from './window.js';

const COMPONENT = 'model.monitor';
const DECLARE = 'model.declare';
const MAX_UNKNOWN_NAMES = 100;

/** What selects the model of a request: a declared model, a name (and version or alias), or a function of the request. */
export type ModelSelector<Req> =
  | DeclaredModel
  | string
  | ((request: Req) => DeclaredModel | string | undefined);

/** A Connect/Express-style middleware (no import of Express needed). */
export type ExpressLikeMiddleware = (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
/** A Koa-style middleware (no import of Koa needed). */
export type KoaLikeMiddleware = (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown>;

function trainedAt(value: unknown): string {
  if (value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new ThreadlineConfigError(DECLARE, 'trained_at is an invalid Date');
    return value.toISOString();
  }
  return checkLabelValue(DECLARE, 'trained_at', value, false);
}

/**
 * One place for a service's models: the declared versions and their lineage, inference metrics,
 * canary and shadow comparisons, and the outcome store that turns delayed ground truth into
 * quality gauges. Create one per registry; `close()` undoes it.
 */
export class ModelMonitor {
  private readonly core: MonitorCore;
  private readonly declared = new Map<string, DeclaredModel>();
  private readonly cells = new Map<DeclaredModel, VersionCell>();
  private readonly live = new Set<DeclaredModel>();
  private readonly maxModels: number;
  private readonly warnPerMinute: number;
  private readonly shadowPairs = new Map<string, ShadowPair>();
  private readonly unknownNames = new Set<string>();
  private closed = false;

  constructor(options: ModelMonitorOptions = {}) {
    check.keys(COMPONENT, options, [
      'registry',
      'logger',
      'maxModels',
      'inferenceLogSampleRate',
      'warnLogsPerMinute',
      'scoreBuckets',
      'valueBuckets',
      'outcomes',
    ]);
    if (options.logger !== undefined && typeof options.logger?.log !== 'function') {
      throw new ThreadlineConfigError(
        COMPONENT,
        'option logger must have a log(level, fields, message) method',
      );
    }
    this.maxModels = check.number(COMPONENT, 'maxModels', options.maxModels, 50, {
      min: 1,
      max: 1000,
      integer: true,
    });
    this.warnPerMinute = check.number(COMPONENT, 'warnLogsPerMinute', options.warnLogsPerMinute, 60, {
      min: 0,
      integer: true,
    });
    const o = options.outcomes ?? {};
    check.keys(`${COMPONENT}.outcomes`, o, [
      'maxEntries',
      'ttlMs',
      'windowMs',
      'windowSlices',
      'aucBuckets',
      'delayBuckets',
    ]);
    const store = new OutcomeStore(
      check.number(COMPONENT, 'outcomes.maxEntries', o.maxEntries, 100_000, {
        min: 1,
        max: 10_000_000,
        integer: true,
      }),
      check.number(COMPONENT, 'outcomes.ttlMs', o.ttlMs, 86_400_000, { min: 1 }),
      check.number(COMPONENT, 'outcomes.windowMs', o.windowMs, 3_600_000, { min: 1 }),
      check.number(COMPONENT, 'outcomes.windowSlices', o.windowSlices, 12, {
        min: 1,
        max: 1000,
        integer: true,
      }),
      check.number(COMPONENT, 'outcomes.aucBuckets', o.aucBuckets, 100, {
        min: 2,
        max: 10_000,
        integer: true,
      }),
    );
    const sampleRate = check.number(COMPONENT, 'inferenceLogSampleRate', options.inferenceLogSampleRate, 1, {
      min: 0,
      max: 1,
    });
    const metrics = new ModelMetrics(
      options.registry,
      {
        flush: () => this.flush(),
        quality: (m) => this.quality(m),
        shadow: (m) => {
          m.shadowDisagreementRatio.reset();
          for (const pair of this.shadowPairs.values()) {
            if (pair.comparisons > 0)
              m.shadowDisagreementRatio.set(pair.labels, pair.disagreements / pair.comparisons);
          }
        },
        storeEntries: () => {
          store.expire();
          return store.size;
        },
      },
      {
        ...(options.scoreBuckets ? { score: checkBuckets('scoreBuckets', options.scoreBuckets) } : {}),
        ...(options.valueBuckets ? { value: checkBuckets('valueBuckets', options.valueBuckets) } : {}),
        ...(o.delayBuckets ? { delay: checkBuckets('outcomes.delayBuckets', o.delayBuckets) } : {}),
      },
    );
    const budgets = new Map<string, LineBudget>();
    this.core = {
      metrics,
      logger: options.logger,
      store,
      inferenceLogSampleRate: sampleRate,
      budgets,
      cell: (model, component) => {
        const cell = this.cells.get(model);
        if (!cell) {
          throw new ThreadlineConfigError(
            component,
            `model ${String(model?.name)}@${String(model?.version)} was not declared with this monitor's declare()`,
          );
        }
        return cell;
      },
      warn: (kind, fields, message, level: LogLevel = 'warn') => {
        let budget = budgets.get(kind);
        if (!budget) {
          budget = new LineBudget(this.warnPerMinute);
          budgets.set(kind, budget);
        }
        if (!budget.take()) return;
        const suppressed = budget.drainSuppressed();
        writeLine(
          this.core.logger,
          level,
          suppressed > 0 ? { ...fields, suppressed_lines: suppressed } : fields,
          message,
        );
      },
    };
  }

  /**
   * Declares a model version: exports `model_info` (value 1, lineage as labels) and, unless
   * `live: false`, writes the `model_deployed` lineage line. Label values are checked here, once.
   * Declaring the same name and version again with the same lineage returns the same model.
   */
  declare(declaration: ModelDeclaration): DeclaredModel {
    this.assertOpen();
    check.keys(DECLARE, declaration, [
      'name',
      'version',
      'alias',
      'stage',
      'run_id',
      'dataset_version',
      'git_sha',
      'trained_at',
      'framework',
      'live',
    ]);
    if (!declaration || typeof declaration !== 'object')
      throw new ThreadlineConfigError(DECLARE, 'a declaration must be an object');
    const name = checkLabelValue(DECLARE, 'name', declaration.name, true);
    const version = checkLabelValue(DECLARE, 'version', declaration.version, true);
    const alias = checkLabelValue(DECLARE, 'alias', declaration.alias, false);
    const stage = checkLabelValue(DECLARE, 'stage', declaration.stage, false);
    const lineage = Object.freeze({
      run_id: checkLabelValue(DECLARE, 'run_id', declaration.run_id, false),
      dataset_version: checkLabelValue(DECLARE, 'dataset_version', declaration.dataset_version, false),
      git_sha: checkLabelValue(DECLARE, 'git_sha', declaration.git_sha, false),
      trained_at: trainedAt(declaration.trained_at),
      framework: checkLabelValue(DECLARE, 'framework', declaration.framework, false),
    });
    const goLive = check.boolean(DECLARE, 'live', declaration.live, true);
    const key = `${name}\u0000${version}`;
    const existing = this.declared.get(key);
    if (existing) {
      const same =
        (existing.alias ?? '') === alias &&
        (existing.stage ?? '') === stage &&
        JSON.stringify(existing.lineage) === JSON.stringify(lineage);
      if (!same) {
        throw new ThreadlineConfigError(
          DECLARE,
          `model ${name}@${version} is already declared with other lineage`,
        );
      }
      if (goLive) this.goLive(existing);
      return existing;
    }
    if (this.declared.size >= this.maxModels) {
      throw new ThreadlineConfigError(
        DECLARE,
        `at most ${this.maxModels} model versions may be declared (option maxModels); retire() old ones first`,
      );
    }
    const model: DeclaredModel = Object.freeze({
      name,
      version,
      ...(alias !== '' ? { alias } : {}),
      ...(stage !== '' ? { stage } : {}),
      lineage,
    });
    this.declared.set(key, model);
    const labels = { model_name: name, model_version: version };
    const duration = this.core.metrics.duration;
    this.cells.set(model, {
      model,
      labels,
      phases: {
        preprocess: duration.series({ ...labels, phase: 'preprocess' }),
        predict: duration.series({ ...labels, phase: 'predict' }),
        postprocess: duration.series({ ...labels, phase: 'postprocess' }),
      },
      batchSize: this.core.metrics.batchSize.series(labels),
      inputSize: this.core.metrics.inputSize.series(labels),
      outputScore: this.core.metrics.outputScore.series(labels),
      outputValue: this.core.metrics.outputValue.series(labels),
      pendingPredictions: 0,
      classes: new Map(),
      spec: undefined,
    });
    this.core.metrics.info.set(this.infoLabels(model), 1);
    if (goLive) this.goLive(model);
    return model;
  }

  /** Writes the `model_deployed` lineage line for a declared model, once: call it when the version starts serving. */
  goLive(model: DeclaredModel): void {
    this.core.cell(model, DECLARE);
    if (this.live.has(model)) return;
    this.live.add(model);
    writeLine(
      this.core.logger,
      'info',
      {
        event: 'model_deployed',
        model_name: model.name,
        model_version: model.version,
        ...(model.alias !== undefined ? { model_alias: model.alias } : {}),
        ...(model.stage !== undefined ? { model_stage: model.stage } : {}),
        ...Object.fromEntries(Object.entries(model.lineage).filter(([, v]) => v !== '')),
      },
      `model ${model.name}@${model.version} is live`,
    );
  }

  /**
   * Retires a declared model: removes its `model_info` series and outcome entries and frees its
   * slot. Its counters keep their last values until the process restarts, as counters should.
   */
  retire(model: DeclaredModel): void {
    const cell = this.core.cell(model, DECLARE);
    this.flushCell(cell);
    this.core.metrics.info.remove(this.infoLabels(model));
    this.core.store.forget(model);
    this.declared.delete(`${model.name}\u0000${model.version}`);
    this.cells.delete(model);
    if (this.live.delete(model)) {
      writeLine(
        this.core.logger,
        'info',
        { event: 'model_retired', model_name: model.name, model_version: model.version },
        `model ${model.name}@${model.version} is retired`,
      );
    }
  }

  /** The declared models. */
  models(): DeclaredModel[] {
    return [...this.declared.values()];
  }

  /**
   * Finds a declared model by name and version or alias. Without a version: the only declared
   * version of that name, else the one most recently gone live. An undeclared name or version is
   * counted (`model_unknown_references_total`), logged within the warning budget, and gives undefined.
   */
  resolve(name: string, versionOrAlias?: string): DeclaredModel | undefined {
    if (typeof name === 'string') {
      let found: DeclaredModel | undefined;
      if (typeof versionOrAlias === 'string' && versionOrAlias !== '') {
        found = this.declared.get(`${name}\u0000${versionOrAlias}`);
        if (!found) {
          for (const m of this.declared.values())
            if (m.name === name && m.alias === versionOrAlias) found = m;
        }
      } else if (versionOrAlias === undefined) {
        let only: DeclaredModel | undefined;
        let count = 0;
        for (const m of this.declared.values()) {
          if (m.name === name) {
            only = m;
            count++;
          }
        }
        if (count === 1) found = only;
        else for (const m of this.live) if (m.name === name) found = m;
      }
      if (found) return found;
    }
    this.unknown(name, versionOrAlias);
    return undefined;
  }

  private unknown(name: unknown, version: unknown): void {
    try {
      this.core.metrics.unknownModels.inc();
      const text = typeof name === 'string' ? name.slice(0, 128) : String(name);
      const first = !this.unknownNames.has(text) && this.unknownNames.size < MAX_UNKNOWN_NAMES;
      if (first) this.unknownNames.add(text);
      this.core.warn(
        'unknown_model',
        {
          event: 'model_unknown',
          code: modelCodes.UNKNOWN_MODEL,
          requested_model: text,
          requested_version: typeof version === 'string' ? version.slice(0, 128) : undefined,
        },
        `model ${text} is not declared`,
      );
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }

  private select<Req>(selector: ModelSelector<Req>, request: Req): DeclaredModel | undefined {
    const chosen =
      typeof selector === 'function' ? safeCall(COMPONENT, selector, [request], undefined) : selector;
    if (chosen === undefined) return undefined;
    if (typeof chosen === 'string') {
      const at = chosen.indexOf('@');
      return at > 0 ? this.resolve(chosen.slice(0, at), chosen.slice(at + 1)) : this.resolve(chosen);
    }
    if (this.cells.has(chosen as DeclaredModel)) return chosen as DeclaredModel;
    const ref = chosen as ModelRef;
    return this.resolve(ref?.name, ref?.version);
  }

  /**
   * Runs `fn` with a model in context. A name (`churn`, `churn@1.4.0`, `churn@champion`) is resolved
   * among the declared models; an unknown one is counted and logged and `fn` runs without a model,
   * so the user's work is never lost.
   */
  withModel<R>(model: DeclaredModel | string, fn: () => R): R {
    const found = this.select(model, undefined);
    return found ? withModel(found, fn) : fn();
  }

  /**
   * An Express/Connect middleware binding the selected model to each request (on the context the
   * HTTP adapter made, so the access line sees it too; in a child context when there is none).
   */
  express<Req = unknown>(selector: ModelSelector<Req>): ExpressLikeMiddleware {
    this.checkSelector(selector);
    return (req, _res, next) => {
      const model = this.select(selector, req as Req);
      if (!model || setContext({ model })) {
        next();
        return;
      }
      runWithContext({ model }, () => next());
    };
  }

  /** A Koa middleware binding the selected model to each request (see `express`). */
  koa<Ctx = unknown>(selector: ModelSelector<Ctx>): KoaLikeMiddleware {
    this.checkSelector(selector);
    return (ctx, next) => {
      const model = this.select(selector, ctx as Ctx);
      if (!model || setContext({ model })) return next();
      return runWithContext({ model }, () => next());
    };
  }

  private checkSelector(selector: unknown): void {
    if (typeof selector === 'function') return;
    if (typeof selector === 'string') {
      if (!this.select(selector, undefined)) {
        throw new ThreadlineConfigError(COMPONENT, `model ${selector} is not declared`);
      }
      return;
    }
    if (!this.cells.has(selector as DeclaredModel)) {
      throw new ThreadlineConfigError(
        COMPONENT,
        'the selector must be a declared model, a model name or a function',
      );
    }
  }

  /**
   * Wraps a predict function (sync or async, single or batch). The wrapper is async, runs in the
   * model's context, times each phase, counts predictions and errors, records output
   * distributions, gives each prediction an ID for `recordOutcome`, and rethrows the user's errors
   * unchanged. With `timeoutMs`, a call that does not settle in time rejects with `ModelTimeoutError`.
   */
  instrument<P, R, I = P, O = R, T = O>(
    model: DeclaredModel,
    predict: (input: P) => R | Promise<R>,
    options?: PredictOptions<I, P, R, O, T>,
  ): Predictor<I, O> {
    this.assertOpen();
    return createPredictor(this.core, model, predict, options);
  }

  /** Like `instrument` for a sync predict function: the wrapper stays sync (no timeout). */
  instrumentSync<P, R, I = P, O = R, T = O>(
    model: DeclaredModel,
    predict: (input: P) => R,
    options?: Omit<PredictOptions<I, P, R, O, T>, 'timeoutMs' | 'preprocess' | 'postprocess'> & {
      readonly preprocess?: (input: I) => P;
      readonly postprocess?: (raw: R) => O;
    },
  ): SyncPredictor<I, O> {
    this.assertOpen();
    return createSyncPredictor(this.core, model, predict, options);
  }

  /** A deterministic split between a primary and a candidate predictor (see `Canary`). */
  canary<I, O>(options: CanaryOptions<I, O>): Canary<I, O> {
    this.assertOpen();
    return createCanary(options);
  }

  /** A predictor answering with `primary` while `shadow` runs on the same input (see `ShadowOptions`). */
  shadow<I, O>(options: ShadowOptions<I, O>): Predictor<I, O> {
    this.assertOpen();
    return createShadow(this.core, this.shadowPairs, options);
  }

  /**
   * Joins delayed ground truth to a prediction. `actual` is a class name (or a boolean for a binary
   * classifier with a positive class) or a number for regression. Never throws: late, evicted,
   * duplicate, unknown and invalid outcomes are counted (`model_outcomes_total{result}`) and logged.
   */
  recordOutcome(predictionId: string, actual: unknown, options?: { at?: Date | number }): OutcomeResult {
    try {
      if (typeof predictionId !== 'string' || predictionId.length > 64) {
        this.outcome(
          'invalid',
          undefined,
          predictionId,
          'the prediction ID must be a string from a Prediction',
        );
        return 'invalid';
      }
      const at = options?.at instanceof Date ? options.at.getTime() : options?.at;
      const r = this.core.store.record(
        predictionId,
        actual,
        typeof at === 'number' && Number.isFinite(at) ? at : Date.now(),
      );
      this.outcome(r.result, r.model, predictionId, r.reason);
      if (r.result === 'joined' && r.model && r.delayMs !== undefined) {
        this.core.metrics.labelDelay.observe(
          this.cells.get(r.model)?.labels ?? modelLabels(r.model),
          r.delayMs / 1000,
        );
      }
      return r.result;
    } catch (error) {
      reportError(COMPONENT, error);
      return 'invalid';
    }
  }

  private outcome(
    result: OutcomeResult,
    model: DeclaredModel | undefined,
    id: unknown,
    reason?: string,
  ): void {
    const labels = model ? modelLabels(model) : { model_name: '', model_version: '' };
    this.core.metrics.outcomes.inc({ ...labels, result });
    if (result === 'joined') return;
    this.core.warn(
      `outcome_${result}`,
      {
        event: 'model_outcome_rejected',
        code: modelCodes.OUTCOME_REJECTED,
        result,
        prediction_id: typeof id === 'string' ? id.slice(0, 64) : undefined,
        ...(model ? { model_name: model.name, model_version: model.version } : {}),
        ...(reason ? { reason } : {}),
      },
      `outcome ${result}`,
    );
  }

  /** Predictions waiting for their outcome now. */
  get pendingOutcomes(): number {
    return this.core.store.size;
  }

  /** Removes every metric of this monitor from its registry. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.metrics.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ThreadlineConfigError(COMPONENT, 'this monitor is closed');
  }

  private infoLabels(model: DeclaredModel): Record<string, string> {
    return {
      model_name: model.name,
      model_version: model.version,
      model_alias: model.alias ?? '',
      model_stage: model.stage ?? '',
      ...model.lineage,
    };
  }

  private flushCell(cell: VersionCell): void {
    const m = this.core.metrics;
    if (cell.pendingPredictions > 0) {
      m.predictions.inc(cell.labels, cell.pendingPredictions);
      cell.pendingPredictions = 0;
    }
    for (const c of cell.classes.values()) {
      if (c.pending > 0) {
        m.outputClass.inc(c.labels, c.pending);
        c.pending = 0;
      }
    }
  }

  private flush(): void {
    for (const cell of this.cells.values()) this.flushCell(cell);
    const evicted = this.core.store.takeEvictions();
    if (evicted > 0) this.core.metrics.storeEvictions.inc(evicted);
  }

  private quality(m: ModelMetrics): void {
    const gauges = [m.accuracy, m.precision, m.recall, m.f1, m.rocAuc, m.mae, m.mse, m.joinRatio, m.samples];
    for (const g of gauges) g.reset();
    for (const [key, stats] of this.core.store.window.totals()) {
      const model = key as DeclaredModel;
      const labels = modelLabels(model);
      const f = figures(stats);
      m.samples.set(labels, f.samples);
      if (f.joinRatio !== undefined) m.joinRatio.set(labels, f.joinRatio);
      if (f.accuracy !== undefined) m.accuracy.set(labels, f.accuracy);
      if (f.rocAuc !== undefined) m.rocAuc.set(labels, f.rocAuc);
      if (f.mae !== undefined) m.mae.set(labels, f.mae);
      if (f.mse !== undefined) m.mse.set(labels, f.mse);
      const spec = stats.spec;
      const binary = spec.positive >= 0 && spec.classes.length === 2;
      const perClass = (g: typeof m.precision, values: Map<string, number>): void => {
        for (const [cls, v] of values) {
          if (binary && cls !== spec.classes[spec.positive]) continue;
          g.set({ ...labels, class: cls, average: binary ? 'binary' : 'none' }, v);
        }
      };
      perClass(m.precision, f.precision);
      perClass(m.recall, f.recall);
      perClass(m.f1, f.f1);
      if (f.macro) {
        const macro = { ...labels, class: '', average: 'macro' };
        m.precision.set(macro, f.macro.precision);
        m.recall.set(macro, f.macro.recall);
        m.f1.set(macro, f.macro.f1);
      }
    }
  }
}

function modelLabels(model: ModelRef): { model_name: string; model_version: string } {
  return { model_name: model.name, model_version: model.version };
}

function checkBuckets(name: string, buckets: unknown): number[] {
  const ok =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > (buckets[i - 1] as number)),
    );
  if (!ok)
    throw new ThreadlineConfigError(COMPONENT, `option ${name} must be finite, strictly ascending numbers`);
  return [...(buckets as number[])];
}

/** Creates a model monitor (see `ModelMonitor`). Throws `ThreadlineConfigError` on bad options. */
export function createModelMonitor(options?: ModelMonitorOptions): ModelMonitor {
  return new ModelMonitor(options);
}
