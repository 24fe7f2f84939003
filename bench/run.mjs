#!/usr/bin/env node
// Runs every suite (bench/<suite>/run.ts) one after another, each in its own process so one suite's
// heap and JIT state do not colour the next. `npm run bench -- http drift` runs only those suites.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const suites = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(here, e.name, 'run.ts')))
  .map((e) => e.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
if (suites.length === 0) {
  console.error(`no bench suite matches ${wanted.join(' ')}`);
  process.exit(1);
}
let failed = 0;
for (const suite of suites) {
  console.log(`\n## ${suite}\n`);
  const r = spawnSync(
    process.execPath,
    ['--conditions=threadline-source', '--import', 'tsx', '--expose-gc', join(here, suite, 'run.ts')],
    { stdio: 'inherit', cwd: here },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
