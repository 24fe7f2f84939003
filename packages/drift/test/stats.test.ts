import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  adjustPValues,
  buildProfile,
  chiSquare,
  compareTables,
  createDriftMonitor,
  kolmogorovSf,
  ksTwoSample,
  Moments,
  wasserstein1,
} from '../src/index.js';
import { fixtures } from './helpers.js';

const TOL = 1e-6;
const sorted = (xs: number[]) => Float64Array.from(xs).sort();

function close(actual: number | null | undefined, expected: number, what: string, tol = TOL): void {
  assert.ok(typeof actual === 'number', `${what}: got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs scipy ${expected}`);
}

/** A monitor fed with all of `current`, evaluated once. */
function streamed(reference: unknown[], current: unknown[], method = 'auto' as const, categorical = false) {
  const profile = buildProfile({ x: reference }, categorical ? { categorical: ['x'] } : {});
  const m = createDriftMonitor({
    reference: profile,
    metrics: false,
    method,
    minSamples: 1,
    window: { rows: 1e9 },
  });
  for (const v of current) m.observe({ x: v });
  const r = m.evaluate().features.x!;
  m.close();
  return r;
}

describe('moments (scipy defaults)', () => {
  for (const c of fixtures.moments) {
    test(c.name, () => {
      const m = new Moments();
      for (const x of c.data) m.add(x);
      const s = m.summary();
      close(s.mean, c.mean, 'mean', 1e-9 * Math.max(1, Math.abs(c.mean)));
      close(s.variance, c.variance, 'variance');
      close(s.skew, c.skew, 'skew');
      close(s.kurtosis, c.kurtosis, 'kurtosis');
      const p = buildProfile({ x: c.data }).features.x!;
      assert.equal(p.kind, 'numeric');
      if (p.kind !== 'numeric') return;
      for (const [q, v] of Object.entries(c.quantiles as Record<string, number>))
        close(p.quantiles[q], v, `quantile ${q}`);
      assert.equal(p.min, c.min);
      assert.equal(p.max, c.max);
    });
  }

  test('merging halves equals adding everything', () => {
    const data: number[] = fixtures.moments[1].data;
    const a = new Moments();
    const b = new Moments();
    const all = new Moments();
    data.forEach((x, i) => {
      (i % 3 === 0 ? a : b).add(x);
      all.add(x);
    });
    a.merge(b);
    const s = a.summary();
    const t = all.summary();
    for (const k of ['mean', 'variance', 'skew', 'kurtosis'] as const) close(s[k], t[k], k, 1e-9);
  });

  test('constant data gives 0 skew and kurtosis, not NaN', () => {
    const m = new Moments();
    for (let i = 0; i < 10; i++) m.add(4.2);
    assert.deepEqual(
      { skew: m.summary().skew, kurtosis: m.summary().kurtosis, variance: m.summary().variance },
      { skew: 0, kurtosis: 0, variance: 0 },
    );
  });
});

describe('two-sample KS (scipy ks_2samp, method auto)', () => {
  for (const c of fixtures.ks) {
    test(`${c.name}: batch`, () => {
      const r = ksTwoSample(sorted(c.reference), sorted(c.current));
      close(r.statistic, c.statistic, 'statistic');
      close(r.pValue, c.p_value, 'p-value');
      assert.equal(r.mode, Math.max(c.reference.length, c.current.length) <= 10_000 ? 'exact' : 'asymp');
    });
    test(`${c.name}: streaming window over the reference support`, () => {
      const r = streamed(c.reference, c.current, 'ks' as never);
      close(r.statistic, c.statistic, 'statistic');
      close(r.p_value, c.p_value, 'p-value');
    });
  }

  test('Kolmogorov distribution matches kstwo.sf', () => {
    for (const c of fixtures.kstwo) close(kolmogorovSf(c.d, c.n), c.sf, `kstwo.sf(${c.d}, ${c.n})`);
  });
});

describe('normed Wasserstein', () => {
  for (const c of fixtures.wasserstein) {
    test(c.name, () => {
      close(wasserstein1(sorted(c.reference), sorted(c.current)), c.distance, 'W1');
      const r = compareTables({ x: c.reference }, { x: c.current }, { method: 'wasserstein' });
      close(r.features.x!.statistic, c.normed, 'normed W1');
      // The streaming window approximates within a cell; on these data well below the threshold scale.
      const s = streamed(c.reference, c.current, 'wasserstein' as never);
      close(s.statistic, c.normed, 'streamed normed W1', 1e-3);
    });
  }
});

describe('categorical tests', () => {
  for (const c of fixtures.chisquare) {
    test(`chi-square ${c.name}`, () => {
      const r = compareTables({ x: c.reference }, { x: c.current });
      assert.equal(r.features.x!.method, 'chisquare');
      close(r.features.x!.statistic, c.statistic, 'statistic');
      close(r.features.x!.p_value, c.p_value, 'p-value');
      const s = streamed(c.reference, c.current);
      close(s.p_value, c.p_value, 'streamed p-value');
    });
  }
  for (const c of fixtures.ztest) {
    test(`two-proportion z ${c.name}`, () => {
      const r = compareTables({ x: c.reference }, { x: c.current });
      assert.equal(r.features.x!.method, 'z');
      close(r.features.x!.statistic, c.statistic, 'statistic');
      close(r.features.x!.p_value, c.p_value, 'p-value');
      close(streamed(c.reference, c.current).p_value, c.p_value, 'streamed p-value');
    });
  }
  test('a category absent from the reference gives p = 0, as scipy, and a null statistic', () => {
    assert.deepEqual(chiSquare([5, 5, 2], [6, 6, 0]), { statistic: Number.POSITIVE_INFINITY, pValue: 0 });
    const r = compareTables(
      { x: ['a', 'b', 'c'].flatMap((k) => Array(20).fill(k)) },
      { x: [...'abcd'.repeat(10)] },
    );
    assert.equal(r.features.x!.statistic, null);
    assert.equal(r.features.x!.p_value, 0);
    assert.equal(r.features.x!.drift, true);
    assert.equal(r.features.x!.invalid_values.unseen, 10);
    assert.deepEqual(r.features.x!.unseen_categories, ['d']);
  });
});

describe('binned distances (Evidently binning and zero filling)', () => {
  for (const c of fixtures.binned) {
    for (const [method, key] of [
      ['jensenshannon', 'jensenshannon'],
      ['psi', 'psi'],
      ['kl', 'kl_div'],
      ['hellinger', 'hellinger'],
    ] as const) {
      test(`${c.name} ${method}`, () => {
        const r = compareTables(
          { x: c.reference },
          { x: c.current },
          { method, ...(c.kind === 'categorical' ? { categorical: ['x'] } : {}) },
        );
        close(r.features.x!.statistic, c[key], method);
      });
    }
  }
  test('Jensen-Shannon is the default above 1000 categorical reference rows', () => {
    const c = fixtures.binned.find((b: { name: string }) => b.name === 'categories');
    // 1000 reference rows still get chi-square; one more switches to Jensen-Shannon.
    assert.equal(compareTables({ x: c.reference }, { x: c.current }).features.x!.method, 'chisquare');
    const r = compareTables({ x: [...c.reference, 'a'] }, { x: c.current });
    assert.equal(r.features.x!.method, 'jensenshannon');
    assert.ok(r.features.x!.statistic! > 0.1);
    assert.equal(r.features.x!.drift, true);
  });
});

describe('multiple-testing corrections', () => {
  test('Bonferroni and Benjamini-Hochberg', () => {
    const { p_values, bonferroni, bh } = fixtures.corrections;
    const b = adjustPValues(p_values, 'bonferroni');
    const f = adjustPValues(p_values, 'bh');
    for (let i = 0; i < p_values.length; i++) {
      close(b[i], bonferroni[i], `bonferroni ${i}`, 1e-12);
      close(f[i], bh[i], `bh ${i}`, 1e-12);
    }
  });

  test('a correction turns a borderline feature back to no drift', () => {
    const ref = fixtures.ks.find((c: { name: string }) => c.name === 'ref1000_cur5000');
    const table = (key: 'reference' | 'current') => ({
      a: ref[key],
      b: ref[key],
      c: ref[key],
    });
    const plain = compareTables(table('reference'), table('current'));
    assert.equal(plain.features.a!.drift, true); // p = 0.0358
    const corrected = compareTables(table('reference'), table('current'), { correction: 'bonferroni' });
    assert.equal(corrected.features.a!.drift, false);
    close(corrected.features.a!.p_value_adjusted, Math.min(1, ref.p_value * 3), 'adjusted');
    assert.equal(corrected.dataset_drift, false);
  });
});
