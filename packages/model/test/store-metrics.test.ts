import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { OutcomeStore } from '../src/outcomes.js';
import { createStoreMetrics } from '../src/store-metrics.js';
import type { DeclaredModel } from '../src/types.js';
import type { QualitySpec } from '../src/window.js';
import { scrape, value } from './helpers.js';

const MODEL: DeclaredModel = Object.freeze({
  name: 'churn',
  version: '1',
  lineage: { run_id: '', dataset_version: '', git_sha: '', trained_at: '', framework: '' },
});
const SPEC: QualitySpec = {
  task: 'regression',
  classes: [],
  classIndex: new Map(),
  positive: -1,
  aucBuckets: 10,
};

function setup(maxEntries: number, ttlMs: number) {
  let now = 1_000_000;
  const registry = new Registry();
  const store = new OutcomeStore(maxEntries, ttlMs, 3_600_000, 12, 10, () => now);
  createStoreMetrics(registry, store);
  let n = 0;
  const track = (count: number) => {
    for (let i = 0; i < count; i++) store.track(`p${n++}`, MODEL, SPEC, -1, Number.NaN, 1);
  };
  return { registry, store, track, advance: (ms: number) => (now += ms) };
}

describe('outcome store metrics', () => {
  test('entries and a zero evictions counter are exported before anything is tracked', async () => {
    const { registry } = setup(10, 60_000);
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcome_store_entries'), 0);
    assert.equal(value(m, 'model_outcome_store_evictions_total'), 0);
  });

  test('evictions for capacity move into the counter at scrape time, each counted once', async () => {
    const { registry, track } = setup(10, 60_000);
    track(14);
    let m = await scrape(registry);
    assert.equal(value(m, 'model_outcome_store_entries'), 10, 'bounded by maxEntries');
    assert.equal(value(m, 'model_outcome_store_evictions_total'), 4);
    m = await scrape(registry);
    assert.equal(value(m, 'model_outcome_store_evictions_total'), 4, 'a second scrape adds nothing');
    track(3);
    m = await scrape(registry);
    assert.equal(value(m, 'model_outcome_store_evictions_total'), 7);
  });

  test('a scrape drops expired entries before it counts them; expiry is no eviction', async () => {
    const { registry, store, track, advance } = setup(100, 60_000);
    track(5);
    advance(30_000);
    track(2);
    advance(40_000);
    assert.equal(store.size, 7, 'nothing expires between calls');
    const m = await scrape(registry);
    assert.equal(value(m, 'model_outcome_store_entries'), 2, 'the five older than the TTL are gone');
    assert.equal(value(m, 'model_outcome_store_evictions_total'), 0);
  });
});
