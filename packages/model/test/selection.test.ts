import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getContext, runWithContext } from '@threadline/core';
import { ModelSelection } from '../src/selection.js';
import { scrape, value } from './helpers.js';
import { monitorCore } from './monitor-core.js';

function setup() {
  const parts = monitorCore();
  const v1 = parts.versions.declare({ name: 'churn', version: '1', alias: 'champion' });
  const v2 = parts.versions.declare({ name: 'churn', version: '2' });
  return { ...parts, v1, v2, selection: new ModelSelection(parts.versions) };
}

const unknownCount = async (registry: Parameters<typeof scrape>[0]) =>
  value(await scrape(registry), 'model_unknown_references_total');

describe('model selection', () => {
  test('select: a declared model, name@version, name@alias, a function of the request', async () => {
    const { registry, selection, v1, v2 } = setup();
    assert.equal(selection.select(v1, undefined), v1);
    assert.equal(selection.select('churn@2', undefined), v2);
    assert.equal(selection.select('churn@champion', undefined), v1);
    assert.equal(selection.select('churn', undefined), v2, 'the version most recently gone live');
    const byHeader = (req: { version: string }) => `churn@${req.version}`;
    assert.equal(selection.select(byHeader, { version: '1' }), v1);
    assert.equal(
      selection.select(() => undefined, {}),
      undefined,
    );
    // A model-shaped object from elsewhere is looked up by its name and version.
    assert.equal(selection.select({ ...v1 } as never, undefined), v1);
    assert.equal(await unknownCount(registry), 0);
  });

  test('an unknown name is counted; a throwing selector picks nothing and does not throw', async () => {
    const { registry, selection } = setup();
    assert.equal(selection.select('fraud', undefined), undefined);
    assert.equal(selection.select('churn@7', undefined), undefined);
    assert.equal(
      selection.select(() => {
        throw new Error('bug in the selector');
      }, {}),
      undefined,
    );
    assert.equal(await unknownCount(registry), 2);
  });

  test('withModel runs fn with the model in context, and without one for an unknown name', async () => {
    const { registry, selection, v1 } = setup();
    const seen = selection.withModel('churn@1', () => getContext()?.model);
    assert.equal(seen, v1);
    assert.equal(
      selection.withModel('nope', () => getContext()?.model ?? 'ran'),
      'ran',
    );
    assert.equal(await unknownCount(registry), 1);
  });

  test('express: binds the model on the request context, or in a child context when there is none', () => {
    const { selection, v1, v2 } = setup();
    const mw = selection.express((req: { v: string }) => `churn@${req.v}`);
    runWithContext({ request_id: 'r1' }, () => {
      const outer = getContext();
      let inNext: unknown;
      mw({ v: '1' }, {}, () => {
        inNext = getContext();
      });
      assert.equal(inNext, outer, 'the same context object');
      assert.equal(outer?.model, v1, "the adapter's context carries the model after next()");
    });
    let seen: unknown;
    mw({ v: '2' }, {}, () => {
      seen = getContext()?.model;
    });
    assert.equal(seen, v2);
    assert.equal(getContext(), undefined);
    let called = false;
    mw({ v: '9' }, {}, () => {
      called = true;
    });
    assert.ok(called, 'an unknown model never stops the request');
  });

  test('koa: the same, returning what next() returns', async () => {
    const { selection, v1 } = setup();
    const mw = selection.koa(v1);
    assert.equal(await mw({}, async () => getContext()?.model), v1);
    await runWithContext({ request_id: 'r2' }, async () => {
      await mw({}, async () => 'done');
      assert.equal(getContext()?.model, v1);
    });
  });

  test('a middleware with a fixed selector checks it at setup', () => {
    const other = monitorCore().versions.declare({ name: 'churn', version: '1' });
    const { selection } = setup();
    assert.throws(() => selection.express('fraud'), /model fraud is not declared/);
    assert.throws(() => selection.koa('churn@9'), /not declared/);
    assert.throws(() => selection.express(other), /must be a declared model/);
    assert.throws(() => selection.koa(42 as never), /must be a declared model/);
    selection.express('churn@champion');
    selection.koa(() => undefined);
  });
});
