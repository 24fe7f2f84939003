import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ThreadlineConfigError } from '@threadline/core';
import { SummaryFile } from '../src/summary-file.js';
import type { RunSummary } from '../src/types.js';
import { tempDir } from './helpers.js';

const fake = (status: string): RunSummary => ({ status }) as unknown as RunSummary;

test('the path template is filled; writes are atomic, in order, and the sync write wins', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const failures: unknown[] = [];
    const file = new SummaryFile(
      join(dir, '{experiment}-{run_id}.json'),
      { runId: 'r1', experiment: 'e' },
      (_p, e) => failures.push(e),
    );
    assert.equal(file.path, join(dir, 'e-r1.json'));
    await file.first(fake('running'));
    const queued = file.write(() => fake('finished'));
    file.writeSync(fake('killed'));
    await queued;
    assert.equal(JSON.parse(readFileSync(file.path, 'utf8')).status, 'killed');
    assert.deepEqual(readdirSync(dir), ['e-r1.json']);
    assert.deepEqual(failures, []);
  } finally {
    cleanup();
  }
});

test('a bad directory throws at construction; a later write failure is reported, never thrown', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x');
    assert.throws(
      () => new SummaryFile(join(blocker, 's.json'), { runId: 'r', experiment: 'e' }, () => {}),
      (e: unknown) => e instanceof ThreadlineConfigError && /not writable \(ENOTDIR/.test(e.message),
    );
    const failures: string[] = [];
    const file = new SummaryFile(join(dir, 'sub.json'), { runId: 'r', experiment: 'e' }, (path) =>
      failures.push(path),
    );
    // A directory where the file should go: the rename fails.
    mkdirSync(file.path);
    await assert.rejects(file.first(fake('running')), ThreadlineConfigError);
    await file.write(() => fake('finished'));
    file.writeSync(fake('killed'));
    assert.deepEqual(failures, [file.path, file.path]);
  } finally {
    cleanup();
  }
});
