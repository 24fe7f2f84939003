import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRegistry, runWithContext } from '@threadline/core';
import { evaluate } from '../src/evaluate.js';
import { record } from '../src/record.js';
import { resolveSettings } from '../src/settings.js';
import type { ValidationSchema } from '../src/types.js';
import { memorySink, sampleValue } from './helpers.js';

const schema: ValidationSchema = { version: 1, features: [{ name: 'x', type: 'number', min: 0, max: 1 }] };

test('record: counts every check; one line per failing outcome, none for a passing one', async () => {
  const registry = createRegistry();
  const { sink, lines } = memorySink();
  const settings = resolveSettings({ schema, registry, logger: sink, mode: 'drop', name: 'nightly' });
  await runWithContext({ run_id: 'run-1' }, async () => {
    record(settings, await evaluate(settings, [{ x: 0.5 }]));
    record(settings, await evaluate(settings, [{ x: 0.5 }, { x: 3 }]));
  });
  assert.equal(
    await sampleValue(registry, 'data_validation_checks_total', { feature: 'x', check: 'range' }),
    2,
  );
  assert.equal(
    await sampleValue(registry, 'data_validation_failures_total', { feature: 'x', check: 'range' }),
    1,
  );
  assert.equal(lines.length, 1);
  const { level, fields, message } = lines[0]!;
  assert.equal(level, 'error');
  assert.equal(fields.event, 'validation_failed');
  assert.equal(fields.validator, 'nightly');
  assert.equal(fields.outcome, 'dropped');
  assert.equal(fields.dropped_rows, 1);
  // A plain sink: the writer adds the context's fields.
  assert.equal(fields.run_id, 'run-1');
  assert.match(message, /^data validation failed: 1 of \d+ checks/);
});

test('record: a flood of failing batches writes at most 60 lines a minute', async () => {
  const { sink, lines } = memorySink();
  const settings = resolveSettings({ schema, registry: createRegistry(), logger: sink });
  const bad = await evaluate(settings, [{ x: 9 }]);
  for (let i = 0; i < 100; i++) record(settings, bad);
  assert.equal(lines.length, 60);
  assert.ok(lines.every((l) => l.fields.suppressed_lines === undefined));
});

test('record: logger false writes nothing and still counts', async () => {
  const registry = createRegistry();
  const settings = resolveSettings({ schema, registry, logger: false });
  record(settings, await evaluate(settings, [{ x: 9 }]));
  assert.equal(settings.logging, false);
  assert.equal(
    await sampleValue(registry, 'data_validation_failures_total', { feature: 'x', check: 'range' }),
    1,
  );
});
