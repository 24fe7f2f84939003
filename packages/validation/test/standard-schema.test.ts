import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { createRegistry, DIAG_CHANNEL, type DiagEvent } from '@threadline/core';
import { type CheckResult, createValidator, REDACTED, type StandardSchema } from '@threadline/validation';
import * as v from 'valibot';
import { z } from 'zod';

const features = {
  version: 1 as const,
  features: [
    { name: 'age', type: 'integer' as const, min: 0, max: 130 },
    { name: 'country', type: 'string' as const, redact: true },
  ],
};

function schemaResult(results: readonly CheckResult[], feature: string): CheckResult {
  const found = results.find((r) => r.check === 'schema' && r.feature === feature);
  assert.ok(found, `no schema result for ${feature}`);
  return found;
}

describe('zod 4 through Standard Schema', () => {
  const Row = z.object({ age: z.number().int(), country: z.string().length(2), tags: z.array(z.string()) });

  test('valid rows pass; issues land on the schema feature they name', async () => {
    const validator = createValidator({
      schema: features,
      standardSchema: Row,
      logger: false,
      registry: createRegistry(),
    });
    const ok = await validator.validate({ age: 30, country: 'FR', tags: [] });
    assert.equal(ok.result.success, true);
    assert.equal(schemaResult(ok.result.results, 'age').success, true);

    const bad = await validator.validateBatch([
      { age: 30, country: 'FR', tags: [] },
      { age: 'thirty', country: 'FR', tags: [] },
      { age: 30, country: 'France', tags: [1] },
    ]);
    const age = schemaResult(bad.result.results, 'age');
    assert.equal(age.success, false);
    assert.equal(age.unexpected_count, 1);
    assert.equal(age.element_count, 3);
    assert.deepEqual(age.partial_unexpected_index_list, [1]);
    assert.match(String(age.partial_unexpected_list[0]), /^age: /);
    // `country` asks for redaction: the validator's message is not shown.
    const country = schemaResult(bad.result.results, 'country');
    assert.deepEqual(country.partial_unexpected_list, [REDACTED]);
    // `tags` is not a schema feature: its issue is reported under __schema__ with its full path.
    const rest = schemaResult(bad.result.results, '__schema__');
    assert.equal(rest.unexpected_count, 1);
    assert.match(String(rest.partial_unexpected_list[0]), /^tags\.0: /);
  });

  test('zod alone (no Threadline schema) reports under __schema__', async () => {
    const validator = createValidator({
      standardSchema: Row,
      logger: false,
      registry: createRegistry(),
      mode: 'drop',
    });
    const out = await validator.validateBatch([{ age: 1, country: 'DE', tags: [] }, { age: 1 }]);
    assert.equal(out.rows.length, 1);
    assert.equal(out.result.dropped_row_count, 1);
    assert.equal(schemaResult(out.result.results, '__schema__').unexpected_count, 1);
  });

  test('an async refinement is awaited', async () => {
    const Async = z
      .object({ id: z.string() })
      .refine(async (row) => row.id !== 'taken', { message: 'id taken' });
    const validator = createValidator({ standardSchema: Async, logger: false, registry: createRegistry() });
    assert.equal((await validator.validate({ id: 'free' })).result.success, true);
    const taken = await validator.validate({ id: 'taken' });
    assert.equal(taken.result.success, false);
    assert.match(
      String(schemaResult(taken.result.results, '__schema__').partial_unexpected_list[0]),
      /id taken/,
    );
  });

  test('standardSchemaSeverity warning counts without failing', async () => {
    const validator = createValidator({
      standardSchema: Row,
      standardSchemaSeverity: 'warning',
      logger: false,
      registry: createRegistry(),
      mode: 'reject',
    });
    const out = await validator.validate({ age: 'x' });
    assert.equal(out.rejected, false);
    assert.equal(out.result.statistics.warnings, 1);
  });
});

describe('other Standard Schema libraries', () => {
  test('valibot works the same way', async () => {
    const Row = v.object({ age: v.pipe(v.number(), v.integer()), country: v.string() });
    const validator = createValidator({
      schema: features,
      standardSchema: Row,
      logger: false,
      registry: createRegistry(),
    });
    assert.equal((await validator.validate({ age: 3, country: 'NO' })).result.success, true);
    const bad = await validator.validate({ age: 3.5, country: 'NO' });
    assert.equal(schemaResult(bad.result.results, 'age').success, false);
  });

  test('a validator that throws or rejects fails the row and is reported, never thrown', async () => {
    const events: DiagEvent[] = [];
    const onDiag = (e: unknown) => events.push(e as DiagEvent);
    diagnosticsChannel.subscribe(DIAG_CHANNEL, onDiag);
    try {
      const throwing: StandardSchema = {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: () => {
            throw new Error('validator bug');
          },
        },
      };
      const rejecting: StandardSchema = {
        '~standard': { version: 1, vendor: 'test', validate: () => Promise.reject(new Error('async bug')) },
      };
      for (const standardSchema of [throwing, rejecting]) {
        const validator = createValidator({
          standardSchema,
          logger: false,
          registry: createRegistry(),
          mode: 'reject',
        });
        const out = await validator.validate({ a: 1 });
        assert.equal(out.rejected, true);
        assert.match(
          String(schemaResult(out.result.results, '__schema__').partial_unexpected_list[0]),
          /threw/,
        );
      }
      assert.deepEqual(
        events.filter((e) => e.code === 'TL_CALLBACK_FAILED').map((e) => e.message),
        ['validator bug', 'async bug'],
      );
    } finally {
      diagnosticsChannel.unsubscribe(DIAG_CHANNEL, onDiag);
    }
  });

  test('a flood of issues from one row is capped', async () => {
    const Row = z.array(z.number());
    const validator = createValidator({ standardSchema: Row, logger: false, registry: createRegistry() });
    const out = await validator.validate([Array.from({ length: 5_000 }, () => 'x')]);
    assert.deepEqual(schemaResult(out.result.results, '__schema__').observed_value, { issues: 32 });
  });
});
