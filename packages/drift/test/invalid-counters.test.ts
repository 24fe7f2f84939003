import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { parsePromText } from '../../../test/helpers/prom-text.js';
import { buildProfile, createDriftMonitor } from '../src/index.js';
import { normal, rng } from './helpers.js';

const next = rng(7);
const profile = buildProfile({
  x: Array.from({ length: 500 }, () => normal(next)),
  color: Array.from({ length: 500 }, (_, i) => ['red', 'green'][i % 2]),
});

async function invalid(registry: Registry, feature: string, reason: string): Promise<number | undefined> {
  const parsed = parsePromText(await registry.metrics());
  return parsed.samples.find(
    (s) =>
      s.name === 'ml_feature_invalid_values_total' &&
      s.labels.feature === feature &&
      s.labels.reason === reason,
  )?.value;
}

describe('ml_feature_invalid_values_total', () => {
  test('counts every observed value at scrape time, before any slice closes, and after evaluate()', async () => {
    const registry = new Registry();
    const monitor = createDriftMonitor({ reference: profile, registry, window: { rows: 1000 } });
    for (let i = 0; i < 50; i++) monitor.observe({ x: Number.NaN, color: 'purple' });
    assert.equal(await invalid(registry, 'x', 'nan'), 50);
    assert.equal(await invalid(registry, 'color', 'unseen'), 50);
    monitor.evaluate();
    await monitor.flush();
    assert.equal(await invalid(registry, 'x', 'nan'), 50, 'evaluate() neither loses nor doubles them');
    monitor.observeColumns({ x: [null, null, Number.POSITIVE_INFINITY], color: ['red', 'red', 'red'] });
    assert.equal(await invalid(registry, 'x', 'missing'), 2);
    assert.equal(await invalid(registry, 'x', 'infinite'), 1);
    monitor.close();
  });

  test('slices closing in between are counted once, in a sliding window too', async () => {
    const registry = new Registry();
    const monitor = createDriftMonitor({
      reference: profile,
      registry,
      window: { type: 'sliding', rows: 100, slices: 4 },
    });
    for (let i = 0; i < 330; i++) monitor.observe({ x: i % 3 === 0 ? Number.NaN : 0.5, color: 'red' });
    await monitor.flush();
    assert.equal(await invalid(registry, 'x', 'nan'), 110);
    assert.equal(await invalid(registry, 'x', 'nan'), 110, 'a second scrape adds nothing');
    monitor.close();
  });

  test('close() keeps what was observed, the partial slice included', async () => {
    const registry = new Registry();
    const monitor = createDriftMonitor({ reference: profile, registry, window: { rows: 1000 } });
    for (let i = 0; i < 30; i++) monitor.observe({ x: 'not a number', color: 'red' });
    monitor.close();
    assert.equal(await invalid(registry, 'x', 'invalid'), 30);
    const parsed = parsePromText(await registry.metrics());
    assert.equal(
      parsed.samples.filter((s) => s.name === 'ml_feature_value_count').length,
      0,
      'the fleet histogram drops a closed monitor, as before',
    );
  });
});
