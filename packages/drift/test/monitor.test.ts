import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRegistry, runWithContext, ThreadlineConfigError } from '@threadline/core';
import {
  buildProfile,
  createDriftMonitor,
  type DriftReport,
  ksTwoSample,
  type LogLevel,
  type LogSink,
} from '../src/index.js';
import { normal, rng, samples } from './helpers.js';

const next = rng(42);
const reference = {
  x: Array.from({ length: 800 }, () => normal(next, 10, 2)),
  y: Array.from({ length: 800 }, () => normal(next, 0, 1)),
  color: Array.from({ length: 800 }, (_, i) => ['red', 'green', 'blue'][i % 3]),
};
const profile = buildProfile(reference);

function collectingSink(): LogSink & {
  lines: { level: LogLevel; fields: Record<string, unknown>; message: string }[];
} {
  const lines: { level: LogLevel; fields: Record<string, unknown>; message: string }[] = [];
  return { lines, log: (level, fields, message) => lines.push({ level, fields, message }) };
}

function hasNaN(value: unknown): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  if (value && typeof value === 'object') return Object.values(value).some(hasNaN);
  return false;
}

describe('streaming monitor', () => {
  test('tumbling count windows: reports, metrics with model labels, drift_detected logged once', async () => {
    const registry = createRegistry();
    const logger = collectingSink();
    const reports: DriftReport[] = [];
    const model = { name: 'churn', version: '7' };
    const monitor = createDriftMonitor({
      reference: profile,
      registry,
      logger,
      model,
      window: { rows: 500 },
      onReport: (r) => reports.push(r),
    });
    const g = rng(3);
    // Window 1: like the reference. Windows 2 and 3: x shifted by one standard deviation.
    for (let i = 0; i < 1500; i++) {
      const shift = i >= 500 ? 2 : 0;
      monitor.observe({ x: normal(g, 10 + shift, 2), y: normal(g), color: ['red', 'green', 'blue'][i % 3] });
    }
    await monitor.flush();
    assert.equal(reports.length, 3);
    assert.equal(reports[0]!.rows, 500);
    assert.equal(reports[0]!.features.x!.method, 'ks');
    assert.equal(reports[0]!.features.color!.method, 'chisquare');
    assert.equal(reports[0]!.features.x!.drift, false);
    assert.equal(reports[1]!.features.x!.drift, true);
    assert.ok(reports[1]!.features.x!.p_value! < 1e-10);
    assert.equal(reports[1]!.features.y!.drift, false);
    assert.equal(reports[1]!.drift_share, 1 / 3);
    assert.equal(reports[1]!.dataset_drift, false);
    assert.ok(Math.abs(reports[1]!.features.x!.current!.mean - 12) < 0.3);

    // Logged when x crossed its threshold, not again while it stayed drifted.
    const events = logger.lines.filter((l) => l.fields.event === 'drift_detected');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.level, 'warn');
    assert.equal(events[0]!.fields.feature, 'x');
    assert.equal(events[0]!.fields.method, 'ks');
    assert.equal(events[0]!.fields.model_name, 'churn');
    assert.equal(events[0]!.fields.model_version, '7');
    assert.equal(events[0]!.fields.job, 'drift-evaluation');
    assert.match(String(events[0]!.fields.trace_id), /^[0-9a-f]{32}$/);

    const text = await registry.metrics();
    const score = samples(text, 'ml_feature_drift_score').find((s) => s.labels.feature === 'x')!;
    assert.deepEqual(score.labels, { feature: 'x', method: 'ks', model_name: 'churn', model_version: '7' });
    assert.equal(score.value, reports[2]!.features.x!.p_value);
    const detected = samples(text, 'ml_feature_drift_detected');
    assert.equal(detected.find((s) => s.labels.feature === 'x')!.value, 1);
    assert.equal(detected.find((s) => s.labels.feature === 'y')!.value, 0);
    assert.equal(samples(text, 'ml_dataset_drift_share')[0]!.value, reports[2]!.drift_share);
    const mean = samples(text, 'ml_feature_window_mean').find((s) => s.labels.feature === 'x')!;
    assert.equal(mean.value, reports[2]!.features.x!.current!.mean);
    for (const name of [
      'ml_feature_window_variance',
      'ml_feature_window_skew',
      'ml_feature_window_kurtosis',
    ]) {
      assert.equal(samples(text, name).length, 2, name);
    }
    // The fleet histogram holds every value seen, per numeric feature, with reference-derived buckets.
    const count = samples(text, 'ml_feature_value_count');
    assert.deepEqual(
      count.map((s) => [s.labels.feature, s.value]),
      [
        ['x', 1500],
        ['y', 1500],
      ],
    );
    const buckets = samples(text, 'ml_feature_value_bucket').filter((s) => s.labels.feature === 'x');
    const x = profile.features.x!;
    assert.ok(x.kind === 'numeric');
    if (x.kind === 'numeric')
      assert.deepEqual(
        buckets.slice(0, -1).map((b) => Number(b.labels.le)),
        x.histogram.bounds,
      );
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    assert.equal(buckets.at(-1)!.value, 1500);

    monitor.close();
    const after = await registry.metrics();
    assert.equal(samples(after, 'ml_feature_value_count').length, 0);
  });

  test('sliding windows hold exactly the last rows: KS equals the batch test on them', async () => {
    const reports: DriftReport[] = [];
    const monitor = createDriftMonitor({
      reference: profile,
      metrics: false,
      window: { type: 'sliding', rows: 400, slices: 4 },
      onReport: (r) => reports.push(r),
    });
    const g = rng(9);
    const xs: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const x = normal(g, 10 + i / 1000, 2);
      xs.push(x);
      monitor.observe({ x, y: 0, color: 'red' });
    }
    await monitor.flush();
    assert.equal(reports.length, 10); // one per slice of 100 rows
    assert.equal(reports[0]!.rows, 100);
    const last = reports.at(-1)!;
    assert.equal(last.rows, 400);
    const batch = ksTwoSample(
      Float64Array.from(reference.x).sort(),
      Float64Array.from(xs.slice(-400)).sort(),
    );
    assert.equal(last.features.x!.n_current, 400);
    assert.ok(Math.abs(last.features.x!.statistic! - batch.statistic) < 1e-12);
    assert.ok(Math.abs(last.features.x!.p_value! - batch.pValue) < 1e-12);
    monitor.close();
  });

  test('observeColumns (the fast path) gives the same reports as observe, across slice boundaries', async () => {
    const g = rng(21);
    const n = 1234;
    const columns = {
      x: Float64Array.from({ length: n }, () => normal(g, 10.5, 2)),
      y: Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 'NaN' : normal(g))),
      color: Array.from({ length: 1000 }, (_, i) => ['red', 'green', 'teal'][i % 3]),
    };
    const run = async (feed: (m: ReturnType<typeof createDriftMonitor>) => void) => {
      const reports: DriftReport[] = [];
      const m = createDriftMonitor({
        reference: profile,
        metrics: false,
        window: { type: 'sliding', rows: 500, slices: 5 },
        onReport: (r) => reports.push(r),
      });
      feed(m);
      await m.flush();
      m.evaluate(); // reaches onReport too
      m.close();
      return reports.map((r) => ({ ...r, window_start: '', window_end: '' }));
    };
    const byRows = await run((m) => {
      for (let i = 0; i < n; i++) m.observe({ x: columns.x[i], y: columns.y[i], color: columns.color[i] });
    });
    const byColumns = await run((m) => {
      m.observeColumns({
        x: columns.x.subarray(0, 100),
        y: columns.y.slice(0, 100),
        color: columns.color.slice(0, 100),
      });
      m.observeColumns({
        x: columns.x.subarray(100),
        y: columns.y.slice(100),
        color: columns.color.slice(100),
      });
    });
    assert.equal(byRows.length, 13);
    assert.deepEqual(byColumns, byRows);
    // The short color column left its last 234 rows missing.
    assert.equal(byRows.at(-1)!.features.color!.invalid_values.missing, 234);
  });

  test('time windows close on the clock', async () => {
    let t = 1_000_000;
    const reports: DriftReport[] = [];
    const monitor = createDriftMonitor({
      reference: profile,
      metrics: false,
      window: { durationMs: 60_000 },
      now: () => t,
      minSamples: 5,
      onReport: (r) => reports.push(r),
    });
    for (let i = 0; i < 50; i++) monitor.observe({ x: 10, y: 0, color: 'red' });
    t += 30_000;
    for (let i = 0; i < 50; i++) monitor.observe({ x: 11, y: 0, color: 'green' });
    await monitor.flush();
    assert.equal(reports.length, 0);
    t += 30_000;
    monitor.observe({ x: 10, y: 0, color: 'blue' }); // first row of the next window
    await monitor.flush();
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.rows, 100);
    assert.equal(reports[0]!.window_start, new Date(1_000_000).toISOString());
    assert.equal(reports[0]!.window_end, new Date(1_060_000).toISOString());
    assert.equal(monitor.evaluate().rows, 1);
    monitor.close();
  });

  test('sliding time windows move slice by slice and forget old slices', async () => {
    let t = 0;
    const reports: DriftReport[] = [];
    const monitor = createDriftMonitor({
      reference: profile,
      metrics: false,
      window: { type: 'sliding', durationMs: 4000, slices: 4 },
      now: () => t,
      minSamples: 1,
      onReport: (r) => reports.push(r),
    });
    // One second per slice: 10 rows in each of seconds 0..5, with x = the second.
    for (let second = 0; second < 6; second++) {
      t = second * 1000;
      for (let i = 0; i < 10; i++) monitor.observe({ x: second, y: 0, color: 'red' });
    }
    await monitor.flush();
    assert.deepEqual(
      reports.map((r) => r.rows),
      [10, 20, 30, 40, 40],
    );
    // The last report covers seconds 1..4: mean 2.5.
    assert.equal(reports.at(-1)!.features.x!.current!.mean, 2.5);
    assert.equal(reports.at(-1)!.window_start, new Date(1000).toISOString());
    assert.equal(reports.at(-1)!.window_end, new Date(5000).toISOString());
    monitor.close();
  });

  test('bad input is counted and reported, never a crash or a NaN', async () => {
    const registry = createRegistry();
    const reports: DriftReport[] = [];
    const monitor = createDriftMonitor({
      reference: profile,
      registry,
      window: { rows: 200 },
      onReport: (r) => reports.push(r),
    });
    // An empty window first: every feature skipped, share 0.
    const empty = monitor.evaluate();
    assert.equal(empty.n_tested, 0);
    assert.equal(empty.drift_share, 0);
    assert.equal(empty.dataset_drift, false);
    assert.equal(hasNaN(empty), false);
    const junk = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -Infinity,
      null,
      undefined,
      '',
      'abc',
      {},
      10n ** 400n,
      'NaN',
      '-inf',
    ];
    for (let i = 0; i < 200; i++) {
      monitor.observe({
        x: junk[i % junk.length],
        y: i < 100 ? 0.5 : '0.25',
        color: i % 2 ? 'purple' : Symbol('s'),
      });
    }
    monitor.observe(null as never);
    monitor.observe('row' as never);
    await monitor.flush();
    assert.equal(reports.length, 2); // the manual evaluation of the empty window, then the full one
    const r = reports[1]!;
    assert.equal(hasNaN(r), false);
    assert.deepEqual(r.features.x!.invalid_values, {
      missing: 54,
      nan: 37,
      infinite: 73,
      invalid: 36,
      unseen: 0,
    });
    assert.equal(r.features.x!.skipped, 'insufficient_samples');
    assert.equal(r.features.x!.statistic, null);
    assert.equal(r.features.x!.drift, false);
    assert.equal(r.features.y!.n_current, 200);
    assert.equal(r.features.y!.skipped, undefined);
    assert.equal(r.features.color!.invalid_values.unseen, 100);
    assert.equal(r.features.color!.invalid_values.invalid, 100);
    assert.deepEqual(r.features.color!.unseen_categories, ['purple']);
    assert.equal(r.features.color!.drift, true);
    const text = await registry.metrics();
    assert.doesNotMatch(text, /NaN/);
    const invalid = samples(text, 'ml_feature_invalid_values_total');
    const get = (feature: string, reason: string) =>
      invalid.find((s) => s.labels.feature === feature && s.labels.reason === reason)?.value;
    assert.equal(get('x', 'nan'), 37);
    assert.equal(get('x', 'infinite'), 73);
    assert.equal(get('color', 'unseen'), 100);
    monitor.close();
  });

  test('overrides, correction, dataset share and the minimum-sample guard', () => {
    const monitor = createDriftMonitor({
      reference: profile,
      metrics: false,
      window: { rows: 10_000 },
      features: { x: { method: 'psi', threshold: 0.2 }, color: { method: 'jensenshannon' } },
      driftShare: 0.3,
      correction: 'bh',
      minSamples: 100,
    });
    for (let i = 0; i < 99; i++) monitor.observe({ x: 20, y: 3, color: 'red' });
    let r = monitor.evaluate();
    assert.equal(r.n_tested, 0);
    assert.equal(r.features.x!.skipped, 'insufficient_samples');
    monitor.observe({ x: 20, y: 3, color: 'red' });
    r = monitor.evaluate();
    assert.equal(r.n_tested, 3);
    assert.deepEqual(
      [r.features.x!.method, r.features.x!.threshold, r.features.color!.method, r.features.color!.threshold],
      ['psi', 0.2, 'jensenshannon', 0.1],
    );
    assert.equal(r.features.x!.p_value, undefined);
    assert.equal(typeof r.features.y!.p_value_adjusted, 'number');
    assert.equal(r.dataset_drift, true);
    assert.equal(r.drift_share_threshold, 0.3);
    monitor.close();
  });

  test('evaluate() runs in the caller context with the monitor model', () => {
    const logger = collectingSink();
    const monitor = createDriftMonitor({
      reference: profile,
      metrics: false,
      logger,
      model: { name: 'm', version: '1' },
      minSamples: 1,
    });
    monitor.observe({ x: 100, y: 100, color: 'red' });
    runWithContext({ request_id: 'req-1' }, () => monitor.evaluate());
    const event = logger.lines.find((l) => l.fields.feature === 'x')!;
    assert.equal(event.fields.request_id, 'req-1');
    assert.equal(event.fields.model_name, 'm');
    monitor.close();
  });

  test('a throwing logger or onReport does not reach the caller', async () => {
    const monitor = createDriftMonitor({
      reference: profile,
      metrics: false,
      window: { rows: 50 },
      minSamples: 1,
      logger: {
        log() {
          throw new Error('sink down');
        },
      },
      onReport() {
        throw new Error('callback bug');
      },
    });
    for (let i = 0; i < 50; i++) monitor.observe({ x: 100, y: 0, color: 'red' });
    assert.doesNotThrow(() => monitor.evaluate());
    await monitor.flush();
    assert.equal(monitor.lastReport()!.features.x!.drift, true);
    monitor.close();
  });

  test('bad options throw ThreadlineConfigError at setup', () => {
    const bad = (options: object, pattern: RegExp) =>
      assert.throws(
        () => createDriftMonitor({ reference: profile, metrics: false, ...options }),
        (e: unknown) => {
          assert.ok(e instanceof ThreadlineConfigError);
          assert.match((e as Error).message, pattern);
          return true;
        },
      );
    bad({ features: { color: { method: 'ks' } } }, /method ks does not apply to categorical feature "color"/);
    bad({ features: { nope: { method: 'ks' } } }, /unknown feature "nope"/);
    bad({ method: 'magic' }, /option method must be one of/);
    bad({ window: { rows: 10, durationMs: 5 } }, /rows or durationMs/);
    bad({ window: { type: 'sliding', rows: 10, slices: 1 } }, /window.slices/);
    bad({ correction: 'holm' }, /option correction/);
    bad({ driftShare: 2 }, /driftShare/);
    bad({ logger: {} }, /logger/);
    bad({ windw: {} }, /unknown option "windw"/);
    assert.throws(() => createDriftMonitor({ reference: { format: 'x' } as never }), /invalid profile/);
    assert.throws(() => createDriftMonitor(undefined as never), /options must be an object/);
    assert.throws(() => createDriftMonitor({} as never), /option reference is required/);
  });
});

describe('cluster mode', () => {
  test('workers combine into a fleet view: share and scores averaged, the drift flag never above 1', async () => {
    const { AggregatorRegistry, Registry } = await import('prom-client');
    const worker = async (shift: number) => {
      const registry = new Registry();
      const monitor = createDriftMonitor({
        reference: profile,
        registry,
        logger: collectingSink(),
        window: { rows: 500 },
      });
      const g = rng(5);
      for (let i = 0; i < 500; i++)
        monitor.observe({ x: normal(g, 10 + shift, 2), y: normal(g), color: 'red' });
      await monitor.flush();
      const json = await registry.getMetricsAsJSON();
      monitor.close();
      return json;
    };
    // Both workers see x and color drift (color: only "red"); y stays put: share 2/3 each.
    const merged = AggregatorRegistry.aggregate([await worker(3), await worker(3)]);
    const text = await merged.metrics();
    const share = samples(text, 'ml_dataset_drift_share');
    assert.equal(share.length, 1);
    assert.ok(Math.abs(share[0]!.value - 2 / 3) < 1e-12, `share ${share[0]!.value}`);
    const detected = samples(text, 'ml_feature_drift_detected').find((s) => s.labels.feature === 'x')!;
    assert.equal(detected.value, 1);
  });
});
