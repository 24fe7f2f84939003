import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { settings } from '../src/predict-settings.js';
import { scrape, value } from './helpers.js';
import { monitorCore } from './monitor-core.js';

function setup() {
  const parts = monitorCore();
  const model = parts.versions.declare({ name: 'churn', version: '1' });
  return { ...parts, model, cell: parts.versions.cellOf(model)! };
}

describe('predictor settings', () => {
  test('defaults: no task, no spec, no tracking, default input size from arrays, strings and typed arrays', () => {
    const { core, cell } = setup();
    const s = settings(core, cell, {});
    assert.equal(s.task, undefined);
    assert.equal(s.spec, undefined);
    assert.equal(s.track, false, 'nothing to track without a task');
    assert.equal(s.batch, false);
    assert.equal(s.timeoutMs, 0);
    assert.equal(s.sizeHistogram, false);
    assert.equal(s.inputSize([1, 2, 3]), 3);
    assert.equal(s.inputSize('four' as never), 4);
    assert.equal(s.inputSize(new Float32Array(5) as never), 5);
    assert.equal(s.inputSize({ rows: 6 } as never), undefined);
    assert.equal(cell.spec, undefined);
  });

  test('the task is read from the options when not given', () => {
    // A fresh version each time: a version keeps the task it was first instrumented with.
    const fresh = () => {
      const p = monitorCore();
      const m = p.versions.declare({ name: 'm', version: '1' });
      return [p.core, p.versions.cellOf(m)!] as const;
    };
    assert.equal(settings(...fresh(), { classes: ['a', 'b'] }).task, 'classification');
    assert.equal(settings(...fresh(), { classes: ['a'], label: (x: string) => x }).task, 'classification');
    assert.equal(settings(...fresh(), { value: (x: number) => x }).task, 'regression');
    assert.equal(settings(...fresh(), { task: 'regression' }).task, 'regression');
    const r = settings(...fresh(), { task: 'regression', trackOutcomes: false });
    assert.equal(r.track, false);
    assert.ok(r.spec, 'a task without tracking still has a spec for the output metrics');
  });

  test('a classification spec: class indexes, the positive class, the store AUC buckets, class series with __other__', async () => {
    const { registry, core, cell } = setup();
    const s = settings(core, cell, { classes: ['stay', 'churn'], positiveClass: 'churn', score: () => 0.5 });
    assert.equal(s.track, true);
    assert.deepEqual(s.spec?.classes, ['stay', 'churn']);
    assert.equal(s.spec?.classIndex.get('churn'), 1);
    assert.equal(s.spec?.positive, 1);
    assert.equal(s.spec?.aucBuckets, core.store.aucBuckets);
    assert.equal(cell.spec, s.spec, 'the spec is bound to the version');
    assert.deepEqual([...cell.classes.keys()], ['stay', 'churn', '__other__']);
    cell.classes.get('__other__')!.inc();
    const m = await scrape(registry);
    assert.equal(
      value(m, 'model_output_class_total', { model_name: 'churn', model_version: '1', class: '__other__' }),
      1,
    );
  });

  test('one version, one task and class set: the same again is fine, another throws', () => {
    const { core, cell } = setup();
    settings(core, cell, { classes: ['a', 'b'] });
    settings(core, cell, { classes: ['a', 'b'], label: (x: string) => x });
    assert.throws(() => settings(core, cell, { classes: ['b', 'a'] }), /another task or class set/);
    assert.throws(() => settings(core, cell, { task: 'regression' }), /another task or class set/);
    assert.throws(
      () => settings(core, cell, { classes: ['a', 'b'], positiveClass: 'a' }),
      /another task or class set/,
    );
    settings(core, cell, {});
  });

  test('bad options throw at setup', () => {
    const { core, cell } = setup();
    const bad: [object, RegExp][] = [
      [{ classes: [] }, /1 to 100 distinct/],
      [{ classes: ['a', 'a'] }, /1 to 100 distinct/],
      [{ classes: ['__other__'] }, /1 to 100 distinct/],
      [{ classes: ['x'.repeat(129)] }, /1 to 100 distinct/],
      [{ classes: Array.from({ length: 101 }, (_, i) => `c${i}`) }, /1 to 100 distinct/],
      [{ label: (x: string) => x }, /needs option classes/],
      [{ task: 'clustering' }, /task/],
      [{ classes: ['a', 'b'], positiveClass: 'c' }, /positiveClass must be one of classes/],
      [{ classes: ['a', 'b'], score: () => 1 }, /score needs positiveClass/],
      [{ timeoutMs: -1 }, /timeoutMs/],
      [{ batch: 'yes' }, /batch/],
      [{ preprocess: 5 }, /preprocess/],
      [{ timeout: 5 }, /unknown option "timeout"/],
    ];
    for (const [options, message] of bad) {
      assert.throws(() => settings(core, cell, options as never), message, JSON.stringify(options));
    }
    assert.equal(cell.spec, undefined, 'a rejected predictor binds nothing');
  });

  test('inputSize given: the histogram is observed', () => {
    const { core, cell } = setup();
    const s = settings(core, cell, { inputSize: () => 7 });
    assert.equal(s.sizeHistogram, true);
    assert.equal(s.inputSize(undefined as never), 7);
  });
});
