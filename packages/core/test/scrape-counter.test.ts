import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRegistry, createScrapeCounter, renderMetrics, ThreadlineConfigError } from '@threadline/core';
import { AggregatorRegistry, Counter, Registry, type RegistryContentType } from 'prom-client';
import { parsePromText } from '../../../test/helpers/prom-text.js';

type AnyRegistry = Registry<RegistryContentType>;
const NAME = 'predictions_total';
const LABELS = ['model_name', 'model_version'] as const;
const a = { model_name: 'churn', model_version: '1' };
const b = { model_name: 'churn', model_version: '2' };
const INCREMENTS: [Record<string, string>, number][] = [
  [b, 1],
  [a, 3],
  [a, 0.5],
  [b, 2],
];

/** The same increments through prom-client's Counter and through ScrapeCounter. */
function pair(openMetrics: boolean): { prom: AnyRegistry; ours: AnyRegistry } {
  const make = (): AnyRegistry => (openMetrics ? createRegistry() : new Registry()) as AnyRegistry;
  const prom = make();
  const ours = make();
  const c = new Counter({ name: NAME, help: 'Predictions.', labelNames: [...LABELS], registers: [prom] });
  const s = createScrapeCounter({ name: NAME, help: 'Predictions.', labelNames: LABELS, registry: ours });
  for (const [labels, n] of INCREMENTS) {
    c.inc(labels, n);
    s.series(labels).inc(n);
  }
  return { prom, ours };
}

describe('scrape-time counter', () => {
  test('Prometheus text and OpenMetrics: byte for byte what prom-client renders', async () => {
    for (const om of [false, true]) {
      const { prom, ours } = pair(om);
      const text = await ours.metrics();
      assert.equal(text, await prom.metrics());
      const parsed = parsePromText(text);
      assert.equal(parsed.types.get(om ? 'predictions' : NAME), 'counter');
      assert.equal(parsed.samples.find((x) => x.labels.model_version === '1')?.value, 3.5);
    }
  });

  test('renderMetrics serves both formats from one registry without renaming it', async () => {
    const { prom, ours } = pair(false);
    for (const format of ['openmetrics', 'prometheus', 'openmetrics'] as const) {
      assert.equal((await renderMetrics(ours, format)).body, (await renderMetrics(prom, format)).body);
    }
  });

  test('negative and non-finite increments are dropped; inc() adds 1', async () => {
    const registry = new Registry();
    const s = createScrapeCounter({ name: NAME, help: 'h', labelNames: LABELS, registry });
    const series = s.series(a);
    series.inc(-1);
    series.inc(Number.NaN);
    series.inc(Number.POSITIVE_INFINITY);
    assert.equal(parsePromText(await registry.metrics()).samples.length, 0);
    series.inc();
    assert.equal(parsePromText(await registry.metrics()).samples[0]?.value, 1);
  });

  test('cluster: AggregatorRegistry sums workers as it sums prom-client counters', async () => {
    const w1 = pair(false);
    const w2 = pair(false);
    const mine = AggregatorRegistry.aggregate([
      await w1.ours.getMetricsAsJSON(),
      await w2.ours.getMetricsAsJSON(),
    ]);
    const theirs = AggregatorRegistry.aggregate([
      await w1.prom.getMetricsAsJSON(),
      await w2.prom.getMetricsAsJSON(),
    ]);
    assert.equal(await mine.metrics(), await theirs.metrics());
  });

  test('bad setup throws a ThreadlineConfigError', () => {
    assert.throws(() => createScrapeCounter({ name: 'bad name', help: 'h' }), ThreadlineConfigError);
    assert.throws(() => createScrapeCounter({ name: 'ok_total', help: '' }), ThreadlineConfigError);
    assert.throws(
      () => createScrapeCounter({ name: 'ok_total', help: 'h', idleSeriesMs: -1 }),
      ThreadlineConfigError,
    );
  });
});
