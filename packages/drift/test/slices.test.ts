import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildProfile } from '../src/index.js';
import { type ClosedWindow, SlicedWindow, type WindowShape } from '../src/slices.js';
import { specFor } from '../src/window.js';

const profile = buildProfile({
  x: Array.from({ length: 100 }, (_, i) => i / 10),
  color: Array.from({ length: 100 }, (_, i) => ['red', 'blue'][i % 2]),
});
const specs = Object.keys(profile.features).map((n) => specFor(n, profile.features[n]!));

function numericN(w: { accs: ClosedWindow['accs'] }): number {
  const acc = w.accs[0]!;
  assert.equal(acc.kind, 'numeric');
  return acc.kind === 'numeric' ? acc.moments.n : -1;
}

function windowOf(shape: WindowShape, clock = { t: 0 }) {
  const closed: ClosedWindow[] = [];
  const window = new SlicedWindow(
    specs,
    shape,
    () => clock.t,
    (w) => closed.push(w),
  );
  return { window, closed, clock };
}

describe('SlicedWindow', () => {
  test('tumbling by rows: every `rows` rows one window goes out, and the next starts empty', () => {
    const { window, closed } = windowOf({ type: 'tumbling', byTime: false, sliceCount: 1, sliceSize: 3 });
    for (let i = 0; i < 7; i++) window.observe({ x: i / 10, color: 'red' });
    assert.deepEqual(
      closed.map((w) => [w.rows, numericN(w)]),
      [
        [3, 3],
        [3, 3],
      ],
    );
    const open = window.snapshot();
    assert.equal(open.rows, 1);
    assert.equal(numericN(open), 1);
  });

  test('sliding by rows: each closed slice sends the merge of the last slices', () => {
    const { window, closed } = windowOf({ type: 'sliding', byTime: false, sliceCount: 2, sliceSize: 2 });
    for (let i = 0; i < 6; i++) window.observe({ x: 1, color: 'blue' });
    assert.deepEqual(
      closed.map((w) => [w.rows, numericN(w)]),
      [
        [2, 2],
        [4, 4],
        [4, 4],
      ],
    );
  });

  test('rows buffered by observe() reach the accumulators before a read; bad values are counted', () => {
    const { window } = windowOf({ type: 'tumbling', byTime: false, sliceCount: 1, sliceSize: 1000 });
    window.observe({ x: 1, color: 'red' });
    window.observe({ x: Number.NaN, color: 'red' });
    window.observe({ color: 'green' });
    const open = window.snapshot();
    assert.equal(numericN(open), 1);
    assert.equal(open.accs[0]!.nan, 1);
    assert.equal(open.accs[0]!.missing, 1);
  });

  test('observeColumns: a shorter or absent column is missing values; slices close at their size', () => {
    const { window, closed } = windowOf({ type: 'tumbling', byTime: false, sliceCount: 1, sliceSize: 4 });
    window.observeColumns({ x: [1, 2, 3, 4, 5, 6] });
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.rows, 4);
    assert.equal(numericN(closed[0]!), 4);
    assert.equal(closed[0]!.accs[1]!.missing, 4);
    const open = window.snapshot();
    assert.equal(open.rows, 2);
    assert.equal(numericN(open), 2);
  });

  test('by time: tick closes each slice whose time is over, with its own start and end', () => {
    const { window, closed, clock } = windowOf({
      type: 'tumbling',
      byTime: true,
      sliceCount: 1,
      sliceSize: 1000,
    });
    window.observe({ x: 1, color: 'red' });
    clock.t = 999;
    window.tick(clock.t);
    assert.equal(closed.length, 0);
    clock.t = 2500;
    window.tick(clock.t);
    assert.deepEqual(
      closed.map((w) => [w.start, w.end, w.rows]),
      [
        [0, 1000, 1],
        [1000, 2000, 0],
      ],
    );
  });

  test('fleet histograms and invalid counts add the closed slices and the open one', () => {
    const { window } = windowOf({ type: 'tumbling', byTime: false, sliceCount: 1, sliceSize: 2 });
    window.observe({ x: 1, color: 'red' });
    window.observe({ color: 'red' });
    window.observe({ x: 2, color: 'red' });
    const [x] = [...window.histograms()];
    assert.equal(x!.feature, 'x');
    assert.equal(x!.count, 2);
    assert.equal(x!.sum, 3);
    assert.equal(
      Array.from(x!.counts).reduce((a, b) => a + b, 0),
      2,
    );
    const invalid = Object.fromEntries([...window.invalid()].map((e) => [e.feature, e.counts]));
    assert.equal(invalid.x!.missing, 1);
    assert.equal(invalid.color!.missing, 0);
  });
});
