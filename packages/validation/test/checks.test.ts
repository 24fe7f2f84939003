import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRegistry } from '@threadline/core';
import {
  type CheckResult,
  createValidator,
  type FeatureSpec,
  REDACTED,
  type ValidationMode,
  type ValidationResult,
  type ValidationSchema,
} from '@threadline/validation';

function schemaOf(features: FeatureSpec[], extra: Partial<ValidationSchema> = {}): ValidationSchema {
  return { version: 1, features, ...extra };
}

async function run(
  schema: ValidationSchema,
  rows: unknown[],
  options: { mode?: ValidationMode; sampleSize?: number; redact?: boolean } = {},
) {
  const validator = createValidator({ schema, registry: createRegistry(), logger: false, ...options });
  return validator.validateBatch(rows);
}

function find(result: ValidationResult, feature: string, check: string): CheckResult {
  const found = result.results.find((r) => r.feature === feature && r.check === check);
  assert.ok(found, `no ${check} result for ${feature}`);
  return found;
}

describe('feature checks: each passes on good rows and fails on bad ones', () => {
  test('required: a missing feature is counted, with its row index', async () => {
    const s = schemaOf([{ name: 'age', type: 'integer' }]);
    const ok = await run(s, [{ age: 1 }, { age: 2 }]);
    assert.equal(find(ok.result, 'age', 'required').success, true);
    const bad = await run(s, [{ age: 1 }, {}, { age: undefined }, { other: 3 }]);
    const r = find(bad.result, 'age', 'required');
    assert.equal(r.success, false);
    assert.equal(r.unexpected_count, 3);
    assert.equal(r.element_count, 4);
    assert.equal(r.unexpected_percent, 75);
    assert.deepEqual(r.partial_unexpected_index_list, [1, 2, 3]);
    assert.deepEqual(r.observed_value, { present: 1 });
    assert.match(r.message!, /missing in 3 of 4 rows/);
    assert.equal(bad.result.success, false);
  });

  test('required: false skips the check, and an optional missing feature is no failure', async () => {
    const out = await run(schemaOf([{ name: 'note', type: 'string', required: false }]), [{}, { note: 'x' }]);
    assert.equal(
      out.result.results.some((r) => r.check === 'required'),
      false,
    );
    assert.equal(out.result.success, true);
  });

  test('type: number, integer, string and boolean', async () => {
    const s = schemaOf([
      { name: 'n', type: 'number' },
      { name: 'i', type: 'integer' },
      { name: 's', type: 'string' },
      { name: 'b', type: 'boolean' },
    ]);
    const ok = await run(s, [{ n: 1.5, i: 2, s: 'x', b: true }]);
    assert.equal(ok.result.success, true, JSON.stringify(ok.result.results.filter((r) => !r.success)));
    const bad = await run(s, [{ n: '1.5', i: 2.5, s: 7, b: 'true' }]);
    for (const [feature, sample] of [
      ['n', '1.5'],
      ['i', 2.5],
      ['s', 7],
      ['b', 'true'],
    ] as const) {
      const r = find(bad.result, feature, 'type');
      assert.equal(r.success, false, feature);
      assert.deepEqual(r.partial_unexpected_list, [sample]);
    }
    assert.deepEqual(find(bad.result, 'n', 'type').observed_value, { unexpected_types: ['string'] });
    assert.deepEqual(find(bad.result, 'n', 'type').expected, { type: 'number' });
  });

  test('range: inclusive bounds, observed min and max reported', async () => {
    const s = schemaOf([{ name: 'x', type: 'number', min: 0, max: 10 }]);
    const ok = await run(s, [{ x: 0 }, { x: 10 }, { x: 5 }]);
    assert.equal(find(ok.result, 'x', 'range').success, true);
    const bad = await run(s, [{ x: -1 }, { x: 5 }, { x: 10.5 }]);
    const r = find(bad.result, 'x', 'range');
    assert.equal(r.success, false);
    assert.equal(r.unexpected_count, 2);
    assert.deepEqual(r.observed_value, { min: -1, max: 10.5 });
    assert.deepEqual(r.expected, { min: 0, max: 10 });
    assert.deepEqual(r.partial_unexpected_list, [-1, 10.5]);
  });

  test('domain: an unseen category fails', async () => {
    const s = schemaOf([{ name: 'species', type: 'string', domain: ['setosa', 'versicolor', 'virginica'] }]);
    const ok = await run(s, [{ species: 'setosa' }, { species: 'virginica' }]);
    assert.equal(find(ok.result, 'species', 'domain').success, true);
    const bad = await run(s, [{ species: 'setosa' }, { species: 'daisy' }, { species: 'daisy' }]);
    const r = find(bad.result, 'species', 'domain');
    assert.equal(r.success, false);
    assert.equal(r.unexpected_count, 2);
    assert.deepEqual(r.observed_value, { unseen_categories: 1 });
    assert.deepEqual(r.partial_unexpected_list, ['daisy', 'daisy']);
  });

  test('null_rate: nulls fail by default and pass under maxNullRate', async () => {
    const rows = [{ x: 1 }, { x: null }, { x: 2 }, { x: 3 }];
    const strict = await run(schemaOf([{ name: 'x', type: 'number' }]), rows);
    const r = find(strict.result, 'x', 'null_rate');
    assert.equal(r.success, false);
    assert.equal(r.observed_value, 0.25);
    assert.deepEqual(r.partial_unexpected_list, [null]);
    const tolerant = await run(schemaOf([{ name: 'x', type: 'number', maxNullRate: 0.25 }]), rows);
    assert.equal(find(tolerant.result, 'x', 'null_rate').success, true);
    const exceeded = await run(schemaOf([{ name: 'x', type: 'number', maxNullRate: 0.2 }]), rows);
    assert.equal(find(exceeded.result, 'x', 'null_rate').success, false);
  });

  test('non_finite_rate: NaN and Infinity fail by default, pass under maxNonFiniteRate', async () => {
    const rows = [{ x: 1 }, { x: Number.NaN }, { x: Number.POSITIVE_INFINITY }, { x: -Infinity }];
    const strict = await run(schemaOf([{ name: 'x', type: 'number', min: 0, max: 10 }]), rows);
    const r = find(strict.result, 'x', 'non_finite_rate');
    assert.equal(r.success, false);
    assert.equal(r.unexpected_count, 3);
    // JSON would turn these into null: the sample keeps them readable.
    assert.deepEqual(r.partial_unexpected_list, ['NaN', 'Infinity', '-Infinity']);
    // Non-finite values are not also reported as out of range or of the wrong type.
    assert.equal(find(strict.result, 'x', 'range').unexpected_count, 0);
    assert.equal(find(strict.result, 'x', 'type').unexpected_count, 0);
    const tolerant = await run(schemaOf([{ name: 'x', type: 'number', maxNonFiniteRate: 0.75 }]), rows);
    assert.equal(find(tolerant.result, 'x', 'non_finite_rate').success, true);
  });

  test('unique: a repeated value fails', async () => {
    const s = schemaOf([{ name: 'id', type: 'string', unique: true }]);
    const ok = await run(s, [{ id: 'a' }, { id: 'b' }]);
    assert.equal(find(ok.result, 'id', 'unique').success, true);
    const bad = await run(s, [{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'a' }]);
    const r = find(bad.result, 'id', 'unique');
    assert.equal(r.success, false);
    assert.equal(r.unexpected_count, 2);
    assert.deepEqual(r.observed_value, { distinct: 2 });
    assert.deepEqual(r.partial_unexpected_index_list, [2, 3]);
    // 1 and "1" are different values.
    const mixed = await run(schemaOf([{ name: 'id', unique: true }]), [{ id: 1 }, { id: '1' }]);
    assert.equal(find(mixed.result, 'id', 'unique').success, true);
  });

  test('row_count: min and max', async () => {
    const s = schemaOf([{ name: 'x' }], { rowCount: { min: 2, max: 3 } });
    assert.equal(find((await run(s, [{ x: 1 }, { x: 2 }])).result, '__rows__', 'row_count').success, true);
    const few = find((await run(s, [{ x: 1 }])).result, '__rows__', 'row_count');
    assert.equal(few.success, false);
    assert.equal(few.observed_value, 1);
    const many = find(
      (await run(s, [{ x: 1 }, { x: 1 }, { x: 1 }, { x: 1 }])).result,
      '__rows__',
      'row_count',
    );
    assert.equal(many.success, false);
  });

  test('unknown_feature: reported when the schema asks, allowed by default', async () => {
    const rows = [{ x: 1, extra: 2 }];
    const allowed = await run(schemaOf([{ name: 'x' }]), rows);
    assert.equal(
      allowed.result.results.some((r) => r.check === 'unknown_feature'),
      false,
    );
    const strict = await run(schemaOf([{ name: 'x' }], { unknownFeatures: 'error' }), rows);
    const r = find(strict.result, '__unknown__', 'unknown_feature');
    assert.equal(r.success, false);
    assert.deepEqual(r.partial_unexpected_list, ['extra']);
    assert.equal(strict.result.success, false);
    const warned = await run(schemaOf([{ name: 'x' }], { unknownFeatures: 'warning' }), rows);
    assert.equal(warned.result.success, true);
    assert.equal(warned.result.statistics.warnings, 1);
  });
});

describe('results, severity and modes', () => {
  const schema = schemaOf([
    { name: 'x', type: 'number', min: 0, max: 1 },
    { name: 'tag', type: 'string', domain: ['a', 'b'], severity: 'warning' },
  ]);
  const rows = [
    { x: 0.5, tag: 'a' },
    { x: 7, tag: 'a' },
    { x: 0.1, tag: 'zzz' },
    { x: 0.2, tag: 'b' },
  ];

  test('a warning-severity failure is counted but does not fail the result', async () => {
    const out = await run(schemaOf([schema.features[1]!]), [{ tag: 'zzz' }]);
    assert.equal(out.result.success, true);
    assert.equal(out.result.statistics.warnings, 1);
    assert.equal(out.result.statistics.errors, 0);
    assert.equal(find(out.result, 'tag', 'domain').severity, 'warning');
  });

  test('statistics add up', async () => {
    const { result } = await run(schema, rows);
    const s = result.statistics;
    assert.equal(s.evaluated_checks, result.results.length);
    assert.equal(s.successful_checks + s.unsuccessful_checks, s.evaluated_checks);
    assert.equal(s.errors, 1);
    assert.equal(s.warnings, 1);
    assert.equal(s.success_percent, Math.round((s.successful_checks / s.evaluated_checks) * 1e6) / 1e4);
    assert.equal(result.row_count, 4);
    assert.equal(result.valid_row_count, 3);
  });

  test('warn mode passes every row through', async () => {
    const out = await run(schema, rows, { mode: 'warn' });
    assert.equal(out.rows.length, 4);
    assert.equal(out.result.dropped_row_count, 0);
    assert.equal(out.result.success, false);
  });

  test('drop mode removes rows with error failures only, and reports the count', async () => {
    const out = await run(schema, rows, { mode: 'drop' });
    // Row 1 (x out of range) goes; row 2 (an unseen tag, a warning) stays.
    assert.deepEqual(out.rows, [rows[0], rows[2], rows[3]]);
    assert.equal(out.result.dropped_row_count, 1);
    assert.equal(out.result.mode, 'drop');
    // Kept rows are the caller's own objects, not copies.
    assert.equal(out.rows[0], rows[0]);
  });

  test('reject mode returns no rows on an error failure and every row otherwise', async () => {
    const validator = createValidator({ schema, mode: 'reject', logger: false, registry: createRegistry() });
    const bad = await validator.validate(rows);
    assert.equal(bad.rejected, true);
    assert.deepEqual(bad.rows, []);
    const good = await validator.validate({ x: 0.5, tag: 'zzz' });
    assert.equal(good.rejected, false);
    assert.equal(good.rows.length, 1);
  });

  test('samples are bounded by sampleSize', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ x: 100 + i, tag: 'a' }));
    const out = await run(schema, many, { sampleSize: 3 });
    const r = find(out.result, 'x', 'range');
    assert.equal(r.unexpected_count, 50);
    assert.deepEqual(r.partial_unexpected_list, [100, 101, 102]);
    assert.deepEqual(r.partial_unexpected_index_list, [0, 1, 2]);
    const none = await run(schema, many, { sampleSize: 0 });
    assert.deepEqual(find(none.result, 'x', 'range').partial_unexpected_list, []);
  });

  test('samples are redacted per feature, or all at once', async () => {
    const s = schemaOf([
      { name: 'ssn', type: 'string', domain: ['000'], redact: true },
      { name: 'x', type: 'number', max: 1 },
    ]);
    const out = await run(s, [{ ssn: '123-45-6789', x: 5 }]);
    assert.deepEqual(find(out.result, 'ssn', 'domain').partial_unexpected_list, [REDACTED]);
    assert.deepEqual(find(out.result, 'x', 'range').partial_unexpected_list, [5]);
    assert.equal(JSON.stringify(out.result).includes('123-45-6789'), false);
    const all = await run(s, [{ ssn: '123-45-6789', x: 5 }], { redact: true });
    assert.deepEqual(find(all.result, 'x', 'range').partial_unexpected_list, [REDACTED]);
  });

  test('long strings and containers are summarised in samples', async () => {
    const out = await run(schemaOf([{ name: 's', type: 'number' }]), [
      { s: 'y'.repeat(10_000) },
      { s: [1, 2, 3] },
    ]);
    const [long, arr] = find(out.result, 's', 'type').partial_unexpected_list as string[];
    assert.ok(long!.length < 120 && long!.endsWith('(10000 chars)'));
    assert.equal(arr, '[array(3)]');
  });

  test('a batch larger than one chunk is checked whole, in order', async () => {
    const big = Array.from({ length: 5_000 }, (_, i) => ({ x: i === 4_321 ? 9 : 0.5, tag: 'a' }));
    const out = await run(schema, big, { mode: 'drop' });
    assert.equal(out.rows.length, 4_999);
    assert.deepEqual(find(out.result, 'x', 'range').partial_unexpected_index_list, [4_321]);
  });
});

describe('setup errors are thrown at once', () => {
  test('no schema at all, an unknown option, a bad mode, a bad logger', () => {
    assert.throws(() => createValidator({}), { code: 'TL_CONFIG' });
    assert.throws(() => createValidator({ schema: schemaOf([]), nope: 1 } as never), /unknown option "nope"/);
    assert.throws(() => createValidator({ schema: schemaOf([]), mode: 'strict' as never }), /option mode/);
    assert.throws(() => createValidator({ schema: schemaOf([]), logger: {} as never }), /LogSink/);
    assert.throws(() => createValidator({ schema: schemaOf([]), sampleSize: 1_000 }), /sampleSize/);
    assert.throws(() => createValidator({ standardSchema: { parse() {} } as never }), /Standard Schema v1/);
  });
});
