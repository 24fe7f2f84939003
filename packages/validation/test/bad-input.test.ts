import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { createRegistry, DIAG_CHANNEL, type DiagEvent } from '@threadline/core';
import {
  type CheckResult,
  createValidator,
  inferSchema,
  type ValidationMode,
  type ValidationSchema,
} from '@threadline/validation';
import { z } from 'zod';
import { assertPrototypeClean, sampleValue } from './helpers.js';

const schema: ValidationSchema = {
  version: 1,
  features: [
    { name: 'x', type: 'number', min: 0, max: 1 },
    { name: 'label', type: 'string', domain: ['a', 'b'], required: false },
  ],
};

function failed(results: readonly CheckResult[]): string[] {
  return results
    .filter((r) => !r.success)
    .map((r) => `${r.feature}/${r.check}`)
    .sort();
}

function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

const cyclic: Record<string, unknown> = { x: 0.5 };
cyclic.self = cyclic;

const hostile: [string, unknown, string[]][] = [
  ['undefined (no body parser)', undefined, ['__input__/row_type', 'x/required']],
  ['null', null, ['__input__/row_type', 'x/required']],
  ['a number', 42, ['__input__/row_type', 'x/required']],
  ['a string', 'x=1', ['__input__/row_type', 'x/required']],
  ['a symbol', Symbol('s'), ['__input__/row_type', 'x/required']],
  ['a function', () => 1, ['__input__/row_type', 'x/required']],
  ['NaN', { x: Number.NaN }, ['x/non_finite_rate']],
  ['Infinity', { x: Number.POSITIVE_INFINITY }, ['x/non_finite_rate']],
  ['a wrong type', { x: '0.5' }, ['x/type']],
  ['a BigInt', { x: 1n }, ['x/type']],
  ['an object as a value', { x: { valueOf: 0.5 } }, ['x/type']],
  ['a Date as a value', { x: new Date(0) }, ['x/type']],
  ['a null-prototype row', Object.assign(Object.create(null), { x: 0.5 }), []],
  ['a 100 000-deep row', { x: 0.5, deep: nested(100_000) }, ['__input__/payload_depth']],
  ['a cyclic row', cyclic, ['__input__/payload_depth']],
  [
    'a row with 50 000 keys',
    Object.fromEntries([['x', 0.5], ...Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])]),
    ['__input__/payload_size'],
  ],
  ['a row holding a 20 000-item array', { x: 0.5, v: new Array(20_000).fill(0) }, ['__input__/payload_size']],
  ['a __proto__ key', JSON.parse('{"x": 0.5, "__proto__": {"polluted": true}}'), ['__input__/forbidden_key']],
  [
    'a nested constructor.prototype',
    JSON.parse('{"x": 0.5, "meta": {"constructor": {"prototype": {"isAdmin": true}}}}'),
    ['__input__/forbidden_key'],
  ],
];

describe('hostile input: a clear, counted outcome in every mode, never a throw', () => {
  for (const mode of ['reject', 'warn', 'drop'] as ValidationMode[]) {
    test(`${mode} mode`, async () => {
      const registry = createRegistry();
      const validator = createValidator({ schema, registry, logger: false, mode });
      for (const [name, input, expected] of hostile) {
        const out = await validator.validate(input);
        assert.deepEqual(failed(out.result.results), expected, name);
        const shouldFail = expected.length > 0;
        assert.equal(out.result.success, !shouldFail, name);
        if (mode === 'reject') assert.equal(out.rejected, shouldFail, name);
        if (mode === 'drop') assert.equal(out.rows.length, shouldFail ? 0 : 1, name);
        if (mode === 'warn') assert.equal(out.rows[0], input, `${name}: passed through untouched`);
      }
      assertPrototypeClean();
      assert.equal(
        await sampleValue(registry, 'data_validation_failures_total', {
          feature: '__input__',
          check: 'forbidden_key',
        }),
        2,
      );
      assert.equal(
        await sampleValue(registry, 'data_validation_failures_total', {
          feature: '__input__',
          check: 'payload_depth',
        }),
        2,
      );
    });
  }

  test('depth and size limits are options', async () => {
    const validator = createValidator({
      schema,
      logger: false,
      registry: createRegistry(),
      maxDepth: 3,
      maxValuesPerRow: 5,
    });
    const deep = await validator.validate({ x: 0.5, a: { b: { c: { d: 1 } } } });
    assert.deepEqual(failed(deep.result.results), ['__input__/payload_depth']);
    const wide = await validator.validate({ x: 0.5, a: 1, b: 2, c: 3, d: 4, e: 5 });
    assert.deepEqual(failed(wide.result.results), ['__input__/payload_size']);
  });

  test('a batch over maxRows is refused whole without walking it', async () => {
    const rows = Array.from({ length: 11 }, () => ({ x: 0.5 }));
    for (const [mode, kept] of [
      ['warn', 11],
      ['drop', 0],
      ['reject', 0],
    ] as const) {
      const validator = createValidator({
        schema,
        mode,
        logger: false,
        registry: createRegistry(),
        maxRows: 10,
      });
      const out = await validator.validateBatch(rows);
      assert.deepEqual(failed(out.result.results), ['__input__/payload_size']);
      assert.equal(out.rows.length, kept);
      assert.equal(out.result.results.length, 1);
    }
  });

  test('rows with throwing getters or proxies: the run is reported and the input passes through', async () => {
    const events: DiagEvent[] = [];
    const onDiag = (e: unknown) => events.push(e as DiagEvent);
    diagnosticsChannel.subscribe(DIAG_CHANNEL, onDiag);
    try {
      const validator = createValidator({ schema, logger: false, registry: createRegistry(), mode: 'drop' });
      const trap = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      );
      const getter = Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
      for (const row of [trap, getter]) {
        const out = await validator.validateBatch([row]);
        assert.equal(out.rows[0], row);
      }
      assert.deepEqual(
        events.filter((e) => e.component === 'validation').map((e) => e.message),
        ['trap', 'getter'],
      );
    } finally {
      diagnosticsChannel.unsubscribe(DIAG_CHANNEL, onDiag);
    }
  });

  test('zod and inference see hostile rows without polluting Object.prototype', async () => {
    const rows = [
      JSON.parse('{"x": 0.5, "__proto__": {"polluted": true}}'),
      JSON.parse('{"x": 0.6, "constructor": {"prototype": {"isAdmin": true}}}'),
    ];
    const validator = createValidator({
      schema,
      standardSchema: z.object({ x: z.number() }).loose(),
      logger: false,
      registry: createRegistry(),
      mode: 'drop',
    });
    const out = await validator.validateBatch(rows);
    assert.equal(out.result.dropped_row_count, 2);
    inferSchema(rows);
    assertPrototypeClean();
    // The rows themselves are left as they came.
    assert.ok(Object.hasOwn(rows[0], '__proto__'));
  });
});
