import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as core from '@threadline/core';

// A second installed copy of core: the same sources at another path, so Node loads them as
// distinct modules with their own module state, as when two packages pin two copies.
const dir = mkdtempSync(join(tmpdir(), 'threadline-core-copy-'));
cpSync(new URL('../src', import.meta.url), join(dir, 'src'), { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

type ContextModule = typeof import('../src/context.js');
type VerbosityModule = typeof import('../src/verbosity.js');

test('two copies of core share one context store', async () => {
  const copy = (await import(pathToFileURL(join(dir, 'src', 'context.ts')).href)) as ContextModule;
  assert.notEqual(copy.runWithContext, core.runWithContext, 'the copy is a separate module');
  assert.equal(copy.contextStorage(), core.contextStorage());

  const seen = await copy.runWithContext({ request_id: 'from-copy' }, async () => {
    await new Promise((r) => setTimeout(r, 1));
    return core.getContext()?.request_id;
  });
  assert.equal(seen, 'from-copy');

  core.runWithContext({ request_id: 'from-main' }, () => {
    assert.equal(copy.getContext()?.request_id, 'from-main');
    copy.setContext({ run_id: 'set-by-copy' });
    assert.equal(core.logFields().run_id, 'set-by-copy');
  });
});

test('the same module under a second URL also shares the store and the debug switch', async () => {
  const url = new URL('../src/context.ts?copy=2', import.meta.url).href;
  const copy = (await import(url)) as ContextModule;
  assert.notEqual(copy.getContext, core.getContext);
  copy.runWithContext({ request_id: 'query-copy' }, () => {
    assert.equal(core.getContext()?.request_id, 'query-copy');
  });

  const verbosity = (await import(pathToFileURL(join(dir, 'src', 'verbosity.ts')).href)) as VerbosityModule;
  assert.equal(verbosity.debugSwitch, core.debugSwitch);
});
