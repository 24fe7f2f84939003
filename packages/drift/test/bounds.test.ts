import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_INPUT_TEXT } from '@threadline/core';
import { Registry } from 'prom-client';
import { buildProfile, createDriftMonitor } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const profile = buildProfile({
  x: Array.from({ length: 200 }, (_, i) => i / 10),
  color: Array.from({ length: 200 }, (_, i) => ['red', 'green'][i % 2]),
});

describe('bounded memory on bad input', () => {
  test('200 unseen category names of 1 MB each: names kept cut, heap grows by a few MB at most', async () => {
    const monitor = createDriftMonitor({
      reference: profile,
      registry: new Registry(),
      window: { rows: 10_000 },
    });
    const before = heapAfterGc();
    for (let i = 0; i < 200; i++) {
      monitor.observe({ x: 1, color: `${String(i).padStart(3, '0')}${'n'.repeat(1 << 20)}` });
    }
    const grown = heapAfterGc() - before;
    assert.ok(grown < 4 * 2 ** 20, `heap grew by ${(grown / 2 ** 20).toFixed(2)} MiB`);
    const report = monitor.evaluate();
    const unseen = report.features.color!.unseen_categories ?? [];
    assert.ok(unseen.length > 0);
    for (const name of unseen)
      assert.ok(name.length <= MAX_INPUT_TEXT, `a reported name of ${name.length} chars`);
    assert.equal(report.features.color!.invalid_values.unseen, 200, 'every unseen value is still counted');
    monitor.close();
  });
});
