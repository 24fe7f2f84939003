import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoNow } from '../src/time.js';

test('isoNow writes what toISOString writes, across seconds, minutes, days and years', () => {
  const starts = [
    Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    Date.UTC(2026, 11, 31, 23, 59, 59, 990),
    Date.UTC(2028, 1, 28, 23, 59, 58, 0),
    0,
  ];
  for (const start of starts) {
    for (let t = start; t < start + 3_000; t += 7) assert.equal(isoNow(t), new Date(t).toISOString());
  }
  // Back in time (a clock step) as well as forward.
  for (const t of [Date.UTC(2030, 5, 1, 0, 0, 0, 1), Date.UTC(2020, 5, 1, 0, 0, 0, 999)]) {
    assert.equal(isoNow(t), new Date(t).toISOString());
  }
});

test('isoNow falls back to toISOString where the layout differs (years past 9999)', () => {
  const t = Date.UTC(12026, 0, 1, 0, 0, 0, 5);
  assert.equal(isoNow(t), new Date(t).toISOString());
  assert.equal(isoNow(Date.UTC(2026, 0, 1, 0, 0, 0, 5)), '2026-01-01T00:00:00.005Z');
});
