// A monitor's inner parts built from the real ones (metrics in a fresh registry, outcome store,
// budgeted warnings, declared versions), for the tests of one part at a time.
import { budgetedWriter, type LineBudget, ThreadlineConfigError } from '@threadline/core';
import { Registry } from 'prom-client';
import type { MonitorCore } from '../src/internal-types.js';
import { ModelMetrics } from '../src/metrics.js';
import { OutcomeStore } from '../src/outcomes.js';
import { ModelVersions } from '../src/versions.js';
import { memorySink } from './helpers.js';

export interface CoreOptions {
  readonly maxModels?: number;
  readonly maxEntries?: number;
  readonly ttlMs?: number;
  readonly warnPerMinute?: number;
  readonly inferenceLogSampleRate?: number;
  /** The store's clock (default Date.now). */
  readonly now?: () => number;
}

export function monitorCore(options: CoreOptions = {}) {
  const registry = new Registry();
  const logger = memorySink();
  const metrics = new ModelMetrics(registry, {});
  const store = new OutcomeStore(
    options.maxEntries ?? 1000,
    options.ttlMs ?? 3_600_000,
    3_600_000,
    12,
    10,
    options.now,
  );
  const budgets = new Map<string, LineBudget>();
  let versions: ModelVersions | undefined;
  const core: MonitorCore = {
    metrics,
    logger,
    store,
    inferenceLogSampleRate: options.inferenceLogSampleRate ?? 1,
    budgets,
    cell(model, component) {
      const cell = versions?.cellOf(model);
      if (!cell) throw new ThreadlineConfigError(component, 'not declared');
      return cell;
    },
    warn: budgetedWriter(logger, options.warnPerMinute ?? 60, budgets, 'model'),
  };
  versions = new ModelVersions(core, options.maxModels ?? 50);
  return { registry, logger, metrics, store, core, versions };
}
