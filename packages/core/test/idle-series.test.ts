import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createCounter,
  createGauge,
  createHistogram,
  createScrapeCounter,
  createScrapeHistogram,
  OVERFLOW_LABEL_VALUE,
  runWithContext,
  ThreadlineConfigError,
} from '@threadline/core';
import { Registry } from 'prom-client';
import { parsePromText } from '../../../test/helpers/prom-text.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

async function versions(registry: Registry, name: string): Promise<string[]> {
  const parsed = parsePromText(await registry.metrics());
  return [
    ...new Set(parsed.samples.filter((s) => s.name.startsWith(name)).map((s) => s.labels.model_version!)),
  ];
}

describe('idle series expiry', () => {
  test('context counter: a model version not updated for idleSeriesMs is dropped at scrape time', async () => {
    const registry = new Registry();
    const clock = manualClock();
    const c = createCounter({
      name: 'calls_total',
      help: 'h',
      registry,
      idleSeriesMs: 60_000,
      now: clock.now,
    });
    runWithContext({ model: { name: 'm', version: '1' } }, () => c.inc());
    runWithContext({ model: { name: 'm', version: '2' } }, () => c.inc());
    assert.deepEqual(await versions(registry, 'calls_total'), ['1', '2']);
    clock.advance(30_000);
    runWithContext({ model: { name: 'm', version: '2' } }, () => c.inc());
    assert.deepEqual(await versions(registry, 'calls_total'), ['1', '2']);
    clock.advance(30_000);
    // Version 1 was last seen by the scrape at t=1000 (60 s ago); version 2 at t=31000.
    assert.deepEqual(await versions(registry, 'calls_total'), ['2']);
    clock.advance(60_000);
    assert.deepEqual(await versions(registry, 'calls_total'), []);
    // Updated again, a series starts from zero.
    runWithContext({ model: { name: 'm', version: '1' } }, () => c.inc(5));
    const parsed = parsePromText(await registry.metrics());
    assert.equal(parsed.samples.find((s) => s.name === 'calls_total')?.value, 5);
  });

  test('an expired label value frees its place under the cardinality limit', async () => {
    const registry = new Registry();
    const clock = manualClock();
    const g = createGauge<'route'>({
      name: 'route_state',
      help: 'h',
      labelNames: ['route'],
      modelLabels: false,
      maxLabelValues: 2,
      registry,
      idleSeriesMs: 1_000,
      now: clock.now,
    });
    g.set({ route: '/a' }, 1);
    g.set({ route: '/b' }, 1);
    await registry.metrics();
    clock.advance(1_000);
    g.set({ route: '/b' }, 2);
    await registry.metrics();
    g.set({ route: '/c' }, 3);
    const routes = parsePromText(await registry.metrics())
      .samples.filter((s) => s.name === 'route_state')
      .map((s) => s.labels.route);
    assert.deepEqual(routes.sort(), ['/b', '/c']);
    assert.ok(!routes.includes(OVERFLOW_LABEL_VALUE));
  });

  test('context histogram: off by default, every series kept', async () => {
    const registry = new Registry();
    const h = createHistogram({ name: 'kept_seconds', help: 'h', buckets: [1], registry });
    runWithContext({ model: { name: 'm', version: '1' } }, () => h.observe(0.5));
    await registry.metrics();
    // No clock to move: without idleSeriesMs nothing is ever dropped.
    assert.deepEqual(await versions(registry, 'kept_seconds'), ['1']);
  });

  test('scrape-time histogram and counter: idle series dropped, a held series handle comes back', async () => {
    const registry = new Registry();
    const clock = manualClock();
    const labelNames = ['model_name', 'model_version'] as const;
    const common = { help: 'h', labelNames, registry, idleSeriesMs: 10_000, now: clock.now };
    const h = createScrapeHistogram({ name: 'phase_seconds', buckets: [1], ...common });
    const c = createScrapeCounter({ name: 'items_total', ...common });
    const v1 = { model_name: 'm', model_version: '1' };
    const v2 = { model_name: 'm', model_version: '2' };
    const h1 = h.series(v1);
    h1.observe(0.5);
    h.series(v2).observe(0.5);
    c.series(v1).inc();
    c.series(v2).inc();
    await registry.metrics();
    clock.advance(5_000);
    h.series(v2).observe(2);
    c.series(v2).inc();
    await registry.metrics();
    clock.advance(5_000);
    assert.deepEqual(await versions(registry, 'phase_seconds'), ['2']);
    assert.deepEqual(await versions(registry, 'items_total'), ['2']);
    assert.equal(h.size, 1);
    h1.observe(0.25);
    assert.equal(h.series(v1), h1, 'the held handle is the series again');
    const parsed = parsePromText(await registry.metrics());
    const count = parsed.samples.find(
      (s) => s.name === 'phase_seconds_count' && s.labels.model_version === '1',
    );
    assert.equal(count?.value, 1, 'started again from zero');
  });

  test('a bad idleSeriesMs throws at setup', () => {
    for (const idleSeriesMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => createCounter({ name: 'x_total', help: 'h', registry: new Registry(), idleSeriesMs }),
        ThreadlineConfigError,
      );
    }
  });
});
