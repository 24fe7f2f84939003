import {
  type AnyRegistry,
  type ContextCounter,
  type ContextGauge,
  createCounter,
  createGauge,
} from '@threadline/core';
import { modelMetricOptions } from './metrics.js';
import type { OutcomeStore } from './outcomes.js';

/**
 * The outcome store's own metrics, brought up to date at scrape time: entries held (expired ones
 * dropped first) and evictions for capacity.
 */
export function createStoreMetrics(registry: AnyRegistry, store: OutcomeStore): void {
  const common = modelMetricOptions(registry);
  const entries: ContextGauge<never> = createGauge({
    name: 'model_outcome_store_entries',
    help: 'Predictions held in the outcome store (bounded by maxEntries).',
    ...common,
    collect() {
      store.expire();
      entries.set(store.size);
    },
  });
  const evictions: ContextCounter<never> = createCounter({
    name: 'model_outcome_store_evictions_total',
    help: 'Predictions dropped from the outcome store before their TTL because it was full.',
    ...common,
    // The store counts evictions in a plain number; the scrape moves them into the counter.
    collect() {
      const n = store.takeEvictions();
      if (n > 0) evictions.inc(n);
    },
  });
  evictions.inc(0);
}
