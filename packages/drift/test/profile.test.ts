import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ThreadlineConfigError } from '@threadline/core';
import { buildProfile, loadProfile, OTHER_CATEGORY } from '../src/index.js';
import { normal, rng } from './helpers.js';

describe('buildProfile', () => {
  test('numeric and categorical features, from rows', () => {
    const rows = [
      { age: 30, city: 'Oslo' },
      { age: '41', city: 'Lima' },
      { age: 'NaN', city: 'Oslo' },
      { age: null, city: '' },
      { age: 'inf', city: 'Oslo' },
      { age: 25 },
    ];
    const p = buildProfile(rows);
    const age = p.features.age!;
    const city = p.features.city!;
    assert.equal(age.kind, 'numeric');
    assert.equal(city.kind, 'categorical');
    if (age.kind !== 'numeric' || city.kind !== 'categorical') return;
    assert.deepEqual(
      {
        count: age.count,
        nan: age.nan,
        infinite: age.infinite,
        missing: age.missing,
        min: age.min,
        max: age.max,
      },
      { count: 3, nan: 1, infinite: 1, missing: 1, min: 25, max: 41 },
    );
    assert.equal(age.mean, 32);
    assert.deepEqual(city.categories, { Oslo: 3, Lima: 1 });
    assert.equal(city.missing, 2);
    assert.equal(p.rows, 6);
  });

  test('small references keep every distinct value, large ones a quantile grid', () => {
    const next = rng(1);
    const small = buildProfile({ x: Array.from({ length: 1000 }, () => normal(next)) }).features.x!;
    const large = buildProfile({ x: Array.from({ length: 5000 }, () => normal(next)) }, { gridPoints: 200 })
      .features.x!;
    assert.ok(small.kind === 'numeric' && large.kind === 'numeric');
    if (small.kind !== 'numeric' || large.kind !== 'numeric') return;
    assert.equal(small.support.exact, true);
    assert.equal(small.support.points.length, 1000);
    assert.equal(large.support.exact, false);
    assert.equal(large.support.points.length, 200);
    assert.equal(
      large.support.counts.reduce((a, b) => a + b, 0),
      5000,
    );
    assert.equal(
      large.histogram.counts.reduce((a, b) => a + b, 0),
      5000,
    );
    assert.equal(large.histogram.bounds.length, 30);
    assert.equal(large.histogram.bounds.at(-1), large.max);
    // Nothing lies above the reference maximum.
    assert.equal(large.histogram.counts.at(-1), 0);
  });

  test('rare categories fold into __other__', () => {
    const p = buildProfile({ c: ['a', 'a', 'a', 'b', 'b', 'c', 'd'] }, { maxCategories: 2 }).features.c!;
    assert.equal(p.kind, 'categorical');
    if (p.kind === 'categorical') assert.deepEqual(p.categories, { a: 3, b: 2, [OTHER_CATEGORY]: 2 });
  });

  test('bad options and empty features throw at setup', () => {
    assert.throws(() => buildProfile({ x: [1, 2] }, { bins: 0 }), ThreadlineConfigError);
    assert.throws(() => buildProfile({ x: [1, 2] }, { binz: 3 } as never), /unknown option "binz"/);
    assert.throws(() => buildProfile({ x: [null, '', undefined] }), /feature "x" has no value/);
    assert.throws(() => buildProfile({ x: [Number.NaN, 'inf'] }), /feature "x" has no finite value/);
    assert.throws(() => buildProfile({}), /no columns/);
    assert.throws(() => buildProfile({ x: [1] }, { columns: ['y'] }), /unknown column "y"/);
  });
});

describe('loadProfile', () => {
  test('round-trips through JSON', () => {
    const next = rng(2);
    const p = buildProfile({
      x: Array.from({ length: 1500 }, () => normal(next, 5, 2)),
      c: Array.from({ length: 1500 }, (_, i) => ['u', 'v', 'w'][i % 3]),
    });
    const text = JSON.stringify(p);
    assert.deepEqual(loadProfile(text), p);
    assert.deepEqual(loadProfile(JSON.parse(text)), p);
  });

  test('rejects damaged profiles with the path of the bad field', () => {
    const good = JSON.parse(JSON.stringify(buildProfile({ x: [1, 2, 3, 4], c: ['a', 'b', 'a', 'a'] })));
    // biome-ignore lint/suspicious/noExplicitAny: the edits reach into arbitrary JSON paths
    const broken = (edit: (p: Record<string, any>) => void) => {
      const copy = structuredClone(good);
      edit(copy);
      return copy;
    };
    assert.throws(() => loadProfile('{nope'), /profile is not JSON/);
    assert.throws(() => loadProfile(broken((p) => (p.format = 'x'))), /format/);
    assert.throws(() => loadProfile(broken((p) => (p.features.x.mean = 'a'))), /features\.x\.mean/);
    assert.throws(
      () => loadProfile(broken((p) => p.features.x.histogram.counts.pop())),
      /features\.x\.histogram/,
    );
    assert.throws(() => loadProfile(broken((p) => p.features.x.support.points.reverse())), /must ascend/);
    assert.throws(() => loadProfile(broken((p) => (p.features.c.categories = {}))), /must not be empty/);
    assert.throws(() => loadProfile(broken((p) => (p.features.x.kind = 'text'))), /features\.x\.kind/);
    assert.throws(() => loadProfile(broken((p) => (p.features = {}))), /at least one feature/);
  });
});
