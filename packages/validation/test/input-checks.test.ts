import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputChecks } from '../src/input-checks.js';

const settings = { maxDepth: 3, maxValuesPerRow: 4, redact: false };

function byCheck(checks: InputChecks) {
  return Object.fromEntries(checks.finish().map((r) => [r.check, r]));
}

test('input checks: each unusable row fails its own check, with its index in the sample', () => {
  const checks = new InputChecks(settings, 5);
  const rows: unknown[] = [
    { x: 1 },
    'not a row',
    { a: { b: { c: { d: 1 } } } },
    { a: 1, b: 2, c: 3, d: 4, e: 5 },
    JSON.parse('{"__proto__": {"polluted": true}}'),
  ];
  assert.deepEqual(
    rows.map((row, i) => checks.add(row, i)),
    [false, true, true, true, true],
  );
  const r = byCheck(checks);
  assert.equal(r.row_type!.unexpected_count, 1);
  assert.deepEqual(r.row_type!.partial_unexpected_index_list, [1]);
  assert.equal(r.payload_depth!.unexpected_count, 1);
  assert.deepEqual(r.payload_depth!.partial_unexpected_index_list, [2]);
  assert.equal(r.payload_size!.unexpected_count, 1);
  assert.deepEqual(r.payload_size!.partial_unexpected_index_list, [3]);
  assert.equal(r.forbidden_key!.unexpected_count, 1);
  assert.deepEqual(r.forbidden_key!.partial_unexpected_list, ['__proto__']);
  for (const result of Object.values(r)) {
    assert.equal(result.element_count, 5);
    assert.equal(result.feature, '__input__');
    assert.equal(result.severity, 'error');
  }
});

test('input checks: clean rows pass all four checks; redact hides a non-object row', () => {
  const clean = new InputChecks(settings, 5);
  clean.add({ x: 1 }, 0);
  assert.ok(clean.finish().every((r) => r.success));
  const redacted = new InputChecks({ ...settings, redact: true }, 5);
  redacted.add('secret-token', 0);
  assert.deepEqual(byCheck(redacted).row_type!.partial_unexpected_list, ['[REDACTED]']);
});
