import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaChecks } from '../src/schema-checks.js';

const settings = {
  featureNames: new Set(['age', 'email']),
  redact: false,
  redactedFeatures: new Set(['email']),
  sampleSize: 5,
};

test('schema checks: issues group by schema feature, the rest under __schema__; a row counts once per feature', () => {
  const checks = new SchemaChecks(settings, 'error');
  assert.equal(checks.add([], 0), false);
  assert.equal(
    checks.add(
      [
        { key: 'age', path: 'age', message: 'too small' },
        { key: 'age', path: 'age', message: 'not an integer' },
        { key: 'extra', path: 'extra.x', message: 'unexpected' },
      ],
      1,
    ),
    true,
  );
  assert.equal(checks.add([{ key: 'email', path: 'email', message: 'bad: a@b' }], 2), true);
  const results = Object.fromEntries(checks.finish().map((r) => [r.feature, r]));
  assert.deepEqual(Object.keys(results), ['age', 'email', '__schema__']);
  assert.equal(results.age!.unexpected_count, 1);
  assert.deepEqual(results.age!.observed_value, { issues: 2 });
  assert.deepEqual(results.age!.partial_unexpected_list, ['age: too small', 'age: not an integer']);
  assert.equal(results.__schema__!.unexpected_count, 1);
  // A redacted feature's sample never shows the message, which may quote the value.
  assert.deepEqual(results.email!.partial_unexpected_list, ['[REDACTED]']);
  for (const r of Object.values(results)) {
    assert.equal(r.element_count, 3);
    assert.equal(r.severity, 'error');
    assert.equal(r.check, 'schema');
  }
});

test('schema checks: with no issues every feature still has a passing result', () => {
  const checks = new SchemaChecks(settings, 'warning');
  checks.add([], 0);
  const results = checks.finish();
  assert.equal(results.length, 3);
  assert.ok(results.every((r) => r.success && r.severity === 'warning'));
});
