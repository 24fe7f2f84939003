import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRegistry, createScrapeHistogram, type ScrapeHistogram } from '@threadline/core';
import { AggregatorRegistry, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { parsePromText, type Sample } from '../../../test/helpers/prom-text.js';

type AnyRegistry = Registry<RegistryContentType>;
const NAME = 'phase_duration_seconds';
const LABELS = ['model_name', 'model_version', 'phase'] as const;
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

/** One observation: series labels, value, and the trace to keep as exemplar (if any). */
type Obs = [Record<string, string>, number, [string, string]?];

const a = { model_name: 'churn', model_version: '1', phase: 'predict' };
const b = { model_name: 'churn', model_version: '2', phase: 'preprocess' };
// Values on bounds, between them, beyond the last bound, zero and negative; series interleaved so
// the order of first observation matters; exemplars on some observations only.
const OBSERVATIONS: Obs[] = [
  [b, 0.004],
  [a, 0.0005, [TRACE_A, '00f067aa0ba902b7']],
  [a, 0.0007],
  [a, 0.005],
  [b, 0.0051, [TRACE_B, 'b7ad6b7169203331']],
  [a, 20, [TRACE_B, '00f067aa0ba902b7']],
  [a, 0],
  [b, -1],
  [a, 10],
  [b, 0.3, [TRACE_A, 'b7ad6b7169203331']],
  [b, 0.3],
];

/** The same observations through prom-client's Histogram and through ScrapeHistogram. */
function pair(openMetrics: boolean, observations: readonly Obs[]): { prom: AnyRegistry; ours: AnyRegistry } {
  const registry = (): AnyRegistry => (openMetrics ? createRegistry() : new Registry()) as AnyRegistry;
  const prom = registry();
  const ours = registry();
  const h = new Histogram({
    name: NAME,
    help: 'Phase durations.',
    labelNames: [...LABELS],
    buckets: [...DURATION_BUCKETS],
    enableExemplars: openMetrics,
    registers: [prom],
  });
  const s = createScrapeHistogram({
    name: NAME,
    help: 'Phase durations.',
    labelNames: LABELS,
    buckets: DURATION_BUCKETS,
    registry: ours,
  });
  for (const [labels, value, trace] of observations) {
    if (openMetrics) {
      (h as unknown as { observe(o: object): void }).observe({
        labels,
        value,
        ...(trace ? { exemplarLabels: { trace_id: trace[0], span_id: trace[1] } } : {}),
      });
    } else {
      h.observe(labels, value);
    }
    if (trace) s.series(labels).observeWithExemplar(value, trace[0], trace[1]);
    else s.series(labels).observe(value);
  }
  return { prom, ours };
}

/** Samples without exemplar timestamps (the two histograms read the clock at different times). */
function comparable(samples: readonly Sample[]): unknown[] {
  return samples.map((x) => ({
    name: x.name,
    labels: x.labels,
    value: x.value,
    exemplar: x.exemplar ? { labels: x.exemplar.labels, value: x.exemplar.value } : undefined,
  }));
}

describe('scrape-time histogram', () => {
  test('Prometheus text: byte for byte what prom-client renders, no exemplars', async () => {
    const { prom, ours } = pair(false, OBSERVATIONS);
    const text = await ours.metrics();
    assert.equal(text, await prom.metrics());
    assert.ok(!text.includes('#  {') && !text.includes('trace_id'), 'no exemplar in Prometheus text');
    const parsed = parsePromText(text);
    assert.equal(parsed.types.get(NAME), 'histogram');
    // 2 series x (15 buckets + sum + count)
    assert.equal(parsed.samples.length, 34);
  });

  test('OpenMetrics: same samples and exemplars as prom-client, timestamps of the observation', async () => {
    const before = Date.now() / 1000;
    const { prom, ours } = pair(true, OBSERVATIONS);
    const after = Date.now() / 1000;
    const mine = parsePromText(await ours.metrics());
    const theirs = parsePromText(await prom.metrics());
    assert.ok(mine.eof);
    assert.deepEqual(comparable(mine.samples), comparable(theirs.samples));
    const withExemplar = mine.samples.filter((x) => x.exemplar);
    assert.equal(withExemplar.length, 4);
    const inf = mine.samples.find(
      (x) => x.name === `${NAME}_bucket` && x.labels.le === '+Inf' && x.labels.model_version === '1',
    );
    assert.deepEqual(inf?.exemplar?.labels, { trace_id: TRACE_B, span_id: '00f067aa0ba902b7' });
    assert.equal(inf?.exemplar?.value, 20);
    for (const x of withExemplar) {
      assert.ok(x.exemplar!.timestamp! >= before - 0.001 && x.exemplar!.timestamp! <= after + 0.001);
    }
  });

  test('a later exemplar in the same bucket replaces the earlier one, as in prom-client', async () => {
    const obs: Obs[] = [
      [a, 0.002, [TRACE_A, '00f067aa0ba902b7']],
      [a, 0.0021],
      [a, 0.0022, [TRACE_B, 'b7ad6b7169203331']],
    ];
    const { prom, ours } = pair(true, obs);
    const mine = parsePromText(await ours.metrics());
    assert.deepEqual(comparable(mine.samples), comparable(parsePromText(await prom.metrics()).samples));
    const bucket = mine.samples.find((x) => x.labels.le === '0.0025');
    assert.equal(bucket?.exemplar?.labels.trace_id, TRACE_B);
    assert.equal(bucket?.exemplar?.value, 0.0022);
  });

  test('resetMetrics() empties it; a series comes back at its next observation', async () => {
    const { prom, ours } = pair(false, OBSERVATIONS);
    prom.resetMetrics();
    ours.resetMetrics();
    assert.equal(parsePromText(await ours.metrics()).samples.length, 0);
    (prom.getSingleMetric(NAME) as Histogram).observe(b, 0.01);
    (ours.getSingleMetric(NAME) as unknown as ScrapeHistogram).series(b).observe(0.01);
    assert.equal(await ours.metrics(), await prom.metrics());
  });

  test('the same label set always gives the same series; non-finite values are dropped', async () => {
    const registry = new Registry();
    const s = createScrapeHistogram({ name: NAME, help: 'h', labelNames: LABELS, buckets: [1, 2], registry });
    assert.equal(s.series({ ...a }), s.series(a));
    s.series(a).observe(Number.NaN);
    s.series(a).observe(Number.POSITIVE_INFINITY);
    s.series(a).observeWithExemplar(Number.NaN, TRACE_A, '00f067aa0ba902b7');
    assert.equal(parsePromText(await registry.metrics()).samples.length, 0);
    s.series(a).observe(1.5);
    const parsed = parsePromText(await registry.metrics());
    assert.equal(parsed.samples.find((x) => x.labels.le === '2')?.value, 1);
    assert.equal(parsed.samples.find((x) => x.labels.le === '1')?.value, 0);
  });

  test('cluster: AggregatorRegistry sums workers as it sums prom-client histograms', async () => {
    const w1 = pair(false, OBSERVATIONS);
    const w2 = pair(false, OBSERVATIONS.slice(0, 5));
    const mine = AggregatorRegistry.aggregate([
      await w1.ours.getMetricsAsJSON(),
      await w2.ours.getMetricsAsJSON(),
    ]);
    const theirs = AggregatorRegistry.aggregate([
      await w1.prom.getMetricsAsJSON(),
      await w2.prom.getMetricsAsJSON(),
    ]);
    assert.equal(await mine.metrics(), await theirs.metrics());
    const count = parsePromText(await mine.metrics()).samples.find(
      (x) => x.name === `${NAME}_count` && x.labels.model_version === '1',
    );
    assert.equal(count?.value, 7 + 2);
  });
});
