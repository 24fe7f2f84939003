#!/usr/bin/env node
// One node:test run over every workspace, so there is one summary at the end.
// Node 20's `--test` takes no globs, so the files are listed here.
// Usage: npm test [-- <path prefix>...]   e.g. npm test -- packages/core
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'examples'].flatMap((dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(dir, e.name, 'test')),
);
roots.push('test');

/** @param {string} dir @returns {string[]} */
function collect(dir) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'node_modules' ? [] : collect(path);
    return /\.test\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

const filters = process.argv.slice(2).map((f) => relative(root, join(process.cwd(), f)));
const files = roots
  .flatMap(collect)
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// biome-ignore lint/suspicious/noUndeclaredEnvVars: tests do not run under turbo
const concurrency = process.env.THREADLINE_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  [
    '--conditions=threadline-source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
