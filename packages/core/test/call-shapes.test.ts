import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCounter, createGauge, createHistogram } from '@threadline/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The text of a registry with the metric renamed, so two registries compare line for line. Our
 * metrics always render every label (an unset one as ""), which Prometheus reads as absent.
 */
async function text(registry: Registry): Promise<string> {
  return (await registry.metrics())
    .replaceAll('ours_', 'x_')
    .replaceAll('theirs_', 'x_')
    .replaceAll(',k=""', '')
    .replaceAll('{k=""}', '');
}

describe("prom-client's call shapes, with prom-client's meaning", () => {
  test('counter: inc(), inc(5), inc(labels), inc(labels, 5)', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const c = createCounter<'k'>({
      name: 'ours_total',
      help: 'h',
      labelNames: ['k'],
      modelLabels: false,
      registry: ours,
    });
    const p = new Counter({ name: 'theirs_total', help: 'h', labelNames: ['k'], registers: [theirs] });
    c.inc();
    p.inc();
    c.inc(5);
    p.inc(5);
    c.inc({ k: 'a' });
    p.inc({ k: 'a' });
    c.inc({ k: 'a' }, 5);
    p.inc({ k: 'a' }, 5);
    assert.equal(await text(ours), await text(theirs));
    assert.match(await ours.metrics(), /^ours_total\{k=""\} 6$/m, 'inc(5) adds 5');
  });

  test('gauge: set, inc and dec in both shapes; startTimer sets the elapsed seconds', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const g = createGauge<'k'>({
      name: 'ours_g',
      help: 'h',
      labelNames: ['k'],
      modelLabels: false,
      registry: ours,
    });
    const p = new Gauge({ name: 'theirs_g', help: 'h', labelNames: ['k'], registers: [theirs] });
    for (const m of [g, p] as const) {
      const any = m as unknown as Gauge<'k'>;
      any.set(10);
      any.inc(3);
      any.dec(2);
      any.inc();
      any.dec();
      any.set({ k: 'a' }, 4);
      any.inc({ k: 'a' }, 2);
      any.dec({ k: 'a' });
      any.inc({ k: 'a' });
    }
    assert.equal(await text(ours), await text(theirs));
    assert.match(await ours.metrics(), /^ours_g\{k=""\} 11$/m);
    const end = g.startTimer({ k: 't' });
    const seconds = end();
    assert.ok(seconds >= 0 && seconds < 1);
    assert.match(await ours.metrics(), new RegExp(`^ours_g\\{k="t"\\} ${seconds}$`, 'm'));
  });

  test('histogram: observe(value), observe(labels, value), startTimer with labels at either end', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const opts = { help: 'h', labelNames: ['k'] as const, buckets: [1, 2] };
    const h = createHistogram<'k'>({ name: 'ours_h', ...opts, modelLabels: false, registry: ours });
    const p = new Histogram({ name: 'theirs_h', ...opts, labelNames: ['k'], registers: [theirs] });
    h.observe(1.5);
    p.observe(1.5);
    h.observe({ k: 'a' }, 0.5);
    p.observe({ k: 'a' }, 0.5);
    assert.equal(await text(ours), await text(theirs));
    h.startTimer({ k: 'b' })();
    h.startTimer()({ k: 'c' });
    const body = await ours.metrics();
    assert.match(body, /^ours_h_count\{k="b"\} 1$/m);
    assert.match(body, /^ours_h_count\{k="c"\} 1$/m);
  });

  test('what prom-client would throw on is rejected and recorded nowhere, never thrown', async () => {
    const registry = new Registry();
    const c = createCounter({ name: 'bad_total', help: 'h', modelLabels: false, registry });
    const h = createHistogram({ name: 'bad_h', help: 'h', modelLabels: false, buckets: [1], registry });
    const loose = c as unknown as { inc(...args: unknown[]): void };
    const looseH = h as unknown as { observe(...args: unknown[]): void };
    loose.inc('5');
    loose.inc(-1);
    loose.inc(undefined, Number.NaN);
    looseH.observe();
    looseH.observe({});
    looseH.observe(Number.POSITIVE_INFINITY);
    const body = await registry.metrics();
    assert.match(body, /^bad_total 1$/m, "inc('5') is read as labels (as prom-client reads it): adds 1");
    assert.match(body, /^bad_h_count 0$/m);
  });
});
