import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownFeatureChecks } from '../src/unknown-features.js';

const settings = { featureNames: new Set(['x']), redact: false, sampleSize: 2 };

test('unknown features: rows with undeclared keys fail; only an error severity marks the row bad', () => {
  const warning = new UnknownFeatureChecks(settings, 'warning');
  const error = new UnknownFeatureChecks(settings, 'error');
  const rows: unknown[] = [{ x: 1 }, { x: 1, y: 2, z: 3 }, 'not a row', { w: 0 }];
  assert.deepEqual(
    rows.map((row, i) => warning.add(row, i)),
    [false, false, false, false],
  );
  assert.deepEqual(
    rows.map((row, i) => error.add(row, i)),
    [false, true, false, true],
  );
  const result = warning.finish();
  assert.equal(result.success, false);
  assert.equal(result.unexpected_count, 2);
  assert.equal(result.element_count, 4);
  assert.deepEqual(result.observed_value, { distinct_unknown_features: 3 });
  // The sample is bounded by sampleSize.
  assert.deepEqual(result.partial_unexpected_list, ['y', 'z']);
  assert.equal(result.feature, '__unknown__');
});
