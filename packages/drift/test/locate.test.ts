import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Locator } from '../src/locate.js';
import { normal, rng } from './helpers.js';

function naiveUpper(points: number[], x: number): number {
  return points.filter((p) => p <= x).length;
}
function naiveLower(points: number[], x: number): number {
  return points.filter((p) => p < x).length;
}

test('the guided search agrees with a plain count on skewed points, ties to points and outliers', () => {
  const g = rng(5);
  const sets = [
    [...new Set(Array.from({ length: 300 }, () => Math.exp(3 * normal(g))))].sort((a, b) => a - b),
    [0.1, 0.2, 0.30000000000000004, 0.3, 1e-300, 7].sort((a, b) => a - b),
    [5],
    [-1e308, 0, 1e308],
  ];
  for (const points of sets) {
    const loc = new Locator(points);
    const probes = [
      ...points,
      ...points.map((p) => p * (1 + 1e-15)),
      ...points.map((p) => p - Math.abs(p) * 1e-15),
      ...Array.from({ length: 500 }, () => Math.exp(4 * normal(g)) - 2),
      -Infinity,
      Infinity,
      0,
    ];
    for (const x of probes) {
      assert.equal(loc.upper(x), naiveUpper(points, x), `upper(${x})`);
      assert.equal(loc.lower(x), naiveLower(points, x), `lower(${x})`);
    }
  }
});

test('cells: below, on and between points', () => {
  const loc = new Locator([1, 2, 4]);
  assert.deepEqual(
    [0, 1, 1.5, 2, 3, 4, 5].map((x) => loc.cell(x)),
    [0, 1, 2, 3, 4, 5, 6],
  );
});
