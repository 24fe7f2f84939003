import { budgetedWriter, type LineBudget, ThreadlineConfigError } from '@threadline/core';
import { type Canary, createCanary } from './canary.js';
import { createPredictor, createSyncPredictor } from './instrument.js';
import type { MonitorCore } from './internal-types.js';
import { ModelMetrics } from './metrics.js';
import { resolveMonitorOptions } from './monitor-options.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { createQualityGauges } from './quality.js';
import {
  type ExpressLikeMiddleware,
  type KoaLikeMiddleware,
  ModelSelection,
  type ModelSelector,
} from './selection.js';
import { createShadow, createShadowRatio, type ShadowPair } from './shadow.js';
import { createStoreMetrics } from './store-metrics.js';
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
import { ModelVersions } from './versions.js';

export type { ExpressLikeMiddleware, KoaLikeMiddleware, ModelSelector } from './selection.js';

const COMPONENT = 'model.monitor';

/**
 * One place for a service's models: the declared versions and their lineage, inference metrics,
 * canary and shadow comparisons, and the outcome store that turns delayed ground truth into
 * quality gauges. Create one per registry; `close()` undoes it. Each job lives in its own part
 * (versions, selection, outcomes, scrape-time gauges); this class only wires them together.
 */
export class ModelMonitor {
  private readonly core: MonitorCore;
  private readonly versions: ModelVersions;
  private readonly selection: ModelSelection;
  private readonly outcomes: OutcomeRecorder;
  private readonly shadowPairs = new Map<string, ShadowPair>();
  private closed = false;

  constructor(options: ModelMonitorOptions = {}) {
    const o = resolveMonitorOptions(options);
    const metrics = new ModelMetrics(o.registry, o.buckets);
    createQualityGauges(metrics.registry, o.store);
    createShadowRatio(metrics.registry, this.shadowPairs);
    createStoreMetrics(metrics.registry, o.store);
    const budgets = new Map<string, LineBudget>();
    this.core = {
      metrics,
      logger: o.logger,
      store: o.store,
      inferenceLogSampleRate: o.inferenceLogSampleRate,
      budgets,
      cell: (model, component) => {
        const cell = this.versions.cellOf(model);
        if (!cell) {
          throw new ThreadlineConfigError(
            component,
            `model ${String(model?.name)}@${String(model?.version)} was not declared with this monitor's declare()`,
          );
        }
        return cell;
      },
      warn: budgetedWriter(o.logger, o.warnPerMinute, budgets, 'model'),
    };
    this.versions = new ModelVersions(this.core, o.maxModels);
    this.selection = new ModelSelection(this.versions);
    this.outcomes = new OutcomeRecorder(this.core, this.versions);
  }

  /**
   * Declares a model version: exports `model_info` (value 1, lineage as labels) and, unless
   * `live: false`, writes the `model_deployed` lineage line. Label values are checked here, once.
   * Declaring the same name and version again with the same lineage returns the same model.
   */
  declare(declaration: ModelDeclaration): DeclaredModel {
    this.assertOpen();
    return this.versions.declare(declaration);
  }

  /** Writes the `model_deployed` lineage line for a declared model, once: call it when the version starts serving. */
  goLive(model: DeclaredModel): void {
    this.versions.goLive(model);
  }

  /**
   * Retires a declared model: removes its `model_info` series and outcome entries and frees its
   * slot. Its counters keep their last values until the process restarts, as counters should.
   */
  retire(model: DeclaredModel): void {
    this.versions.retire(model);
  }

  /** The declared models. */
  models(): DeclaredModel[] {
    return this.versions.models();
  }

  /**
   * Finds a declared model by name and version or alias. Without a version: the only declared
   * version of that name, else the one most recently gone live. An undeclared name or version is
   * counted (`model_unknown_references_total`), logged within the warning budget, and gives undefined.
   */
  resolve(name: string, versionOrAlias?: string): DeclaredModel | undefined {
    return this.versions.resolve(name, versionOrAlias);
  }

  /**
   * Runs `fn` with a model in context. A name (`churn`, `churn@1.4.0`, `churn@champion`) is resolved
   * among the declared models; an unknown one is counted and logged and `fn` runs without a model,
   * so the user's work is never lost.
   */
  withModel<R>(model: DeclaredModel | string, fn: () => R): R {
    return this.selection.withModel(model, fn);
  }

  /**
   * An Express/Connect middleware binding the selected model to each request (on the context the
   * HTTP adapter made, so the access line sees it too; in a child context when there is none).
   */
  express<Req = unknown>(selector: ModelSelector<Req>): ExpressLikeMiddleware {
    return this.selection.express(selector);
  }

  /** A Koa middleware binding the selected model to each request (see `express`). */
  koa<Ctx = unknown>(selector: ModelSelector<Ctx>): KoaLikeMiddleware {
    return this.selection.koa(selector);
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
    return this.outcomes.record(predictionId, actual, options);
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
}

/** Creates a model monitor (see `ModelMonitor`). Throws `ThreadlineConfigError` on bad options. */
export function createModelMonitor(options?: ModelMonitorOptions): ModelMonitor {
  return new ModelMonitor(options);
}
