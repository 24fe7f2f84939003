import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrape, value } from './helpers.js';
import { monitorCore } from './monitor-core.js';

const LINEAGE = {
  run_id: 'run-9',
  dataset_version: 'd3',
  git_sha: 'abc123',
  trained_at: new Date('2026-01-02T03:04:05Z'),
  framework: 'onnxruntime-node',
};

describe('model versions', () => {
  test('a declaration exports model_info with its lineage as labels and writes the lineage line', async () => {
    const { registry, logger, versions } = monitorCore();
    const model = versions.declare({ name: 'churn', version: '2', alias: 'champion', ...LINEAGE });
    assert.ok(Object.isFrozen(model));
    assert.equal(model.lineage.trained_at, '2026-01-02T03:04:05.000Z');
    const info = {
      model_name: 'churn',
      model_version: '2',
      model_alias: 'champion',
      model_stage: '',
      run_id: 'run-9',
      dataset_version: 'd3',
      git_sha: 'abc123',
      trained_at: '2026-01-02T03:04:05.000Z',
      framework: 'onnxruntime-node',
    };
    assert.equal(value(await scrape(registry), 'model_info', info), 1);
    const [line] = logger.events('model_deployed');
    assert.equal(line?.fields.model_alias, 'champion');
    assert.equal(line?.fields.run_id, 'run-9');
    assert.equal('model_stage' in line!.fields, false, 'empty lineage fields stay out of the line');
    assert.ok(versions.cellOf(model));
  });

  test('declaring again: the same model with the same lineage, an error with another', () => {
    const { logger, versions } = monitorCore();
    const a = versions.declare({ name: 'churn', version: '1', git_sha: 'x' });
    assert.equal(versions.declare({ name: 'churn', version: '1', git_sha: 'x' }), a);
    assert.throws(
      () => versions.declare({ name: 'churn', version: '1', git_sha: 'y' }),
      /already declared with other lineage/,
    );
    assert.equal(logger.events('model_deployed').length, 1, 'the lineage line is written once');
    assert.deepEqual(versions.models(), [a]);
  });

  test('bad declarations throw at setup', () => {
    const { versions } = monitorCore();
    assert.throws(() => versions.declare({ name: '', version: '1' }), /name is required/);
    assert.throws(() => versions.declare({ name: 'a\nb', version: '1' }), /control characters/);
    assert.throws(() => versions.declare({ name: 'a', version: 'x'.repeat(129) }), /at most 128/);
    assert.throws(
      () => versions.declare({ name: 'a', version: '1', trained_at: new Date(Number.NaN) }),
      /invalid Date/,
    );
    assert.throws(() => versions.declare({ name: 'a', version: '1', owner: 'me' } as never), /owner/);
    assert.deepEqual(versions.models(), []);
  });

  test('maxModels bounds the declared versions; retiring one frees its slot', async () => {
    const { registry, store, versions } = monitorCore({ maxModels: 2 });
    const a = versions.declare({ name: 'churn', version: '1' });
    versions.declare({ name: 'churn', version: '2' });
    assert.throws(() => versions.declare({ name: 'churn', version: '3' }), /at most 2 model versions/);
    const cell = versions.cellOf(a)!;
    const spec = {
      task: 'regression' as const,
      classes: [],
      classIndex: new Map<string, number>(),
      positive: -1,
      aucBuckets: 10,
    };
    store.track('id-1', a, spec, -1, Number.NaN, 1);
    assert.equal(store.size, 1);
    versions.retire(a);
    assert.equal(store.size, 0, "the retired version's outcome entries are dropped");
    assert.equal(versions.cellOf(a), undefined);
    assert.equal(cell.model, a);
    assert.equal(
      value(await scrape(registry), 'model_info', {
        model_name: 'churn',
        model_version: '1',
        model_alias: '',
        model_stage: '',
        run_id: '',
        dataset_version: '',
        git_sha: '',
        trained_at: '',
        framework: '',
      }),
      undefined,
    );
    versions.declare({ name: 'churn', version: '3' });
    assert.throws(() => versions.retire(a), /not declared/, 'a retired model is no longer known');
  });

  test('live: false waits for goLive, which writes the line once; retire writes model_retired only for a live one', () => {
    const { logger, versions } = monitorCore();
    const staged = versions.declare({ name: 'churn', version: '1', live: false });
    assert.equal(logger.events('model_deployed').length, 0);
    versions.goLive(staged);
    versions.goLive(staged);
    assert.equal(logger.events('model_deployed').length, 1);
    const neverLive = versions.declare({ name: 'churn', version: '2', live: false });
    versions.retire(neverLive);
    versions.retire(staged);
    const retired = logger.events('model_retired');
    assert.equal(retired.length, 1);
    assert.equal(retired[0]!.fields.model_version, '1');
  });

  test('resolve: exact version, alias, the only version, else the latest gone live', () => {
    const { versions } = monitorCore();
    const v1 = versions.declare({ name: 'churn', version: '1', alias: 'champion' });
    assert.equal(versions.resolve('churn'), v1, 'the only version of the name');
    const v2 = versions.declare({ name: 'churn', version: '2', live: false });
    assert.equal(versions.resolve('churn', '2'), v2);
    assert.equal(versions.resolve('churn', 'champion'), v1);
    assert.equal(versions.resolve('churn'), v1, 'of two, the one that went live');
    versions.goLive(v2);
    assert.equal(versions.resolve('churn'), v2, 'the one most recently gone live');
  });

  test('unknown names and versions are counted and logged within the budget, never thrown', async () => {
    const { registry, logger, versions } = monitorCore({ warnPerMinute: 2 });
    versions.declare({ name: 'churn', version: '1' });
    assert.equal(versions.resolve('churn', '9'), undefined);
    assert.equal(versions.resolve('churn', ''), undefined);
    assert.equal(versions.resolve('x'.repeat(500)), undefined);
    assert.equal(versions.resolve(42 as never), undefined);
    assert.equal(value(await scrape(registry), 'model_unknown_references_total'), 4);
    const lines = logger.events('model_unknown');
    assert.equal(lines.length, 2, 'the warning budget holds');
    assert.equal(lines[0]!.fields.code, 'TL_MODEL_UNKNOWN');
    assert.equal(lines[0]!.fields.requested_model, 'churn');
    assert.equal(lines[0]!.fields.requested_version, '9');
  });

  test('a requested name is cut to 128 characters in the line', () => {
    const { logger, versions } = monitorCore();
    versions.resolve('y'.repeat(500));
    assert.equal(logger.events('model_unknown')[0]!.fields.requested_model, 'y'.repeat(128));
  });
});
