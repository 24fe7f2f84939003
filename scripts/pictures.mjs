#!/usr/bin/env node
// Regenerates a package's README picture: runs the Chromium test that draws the page, with
// THREADLINE_SCREENSHOT_DIR pointing at the package folder. Needs Chromium (Debian package chromium).
// Usage, from the repository root: node scripts/pictures.mjs core|drift|training
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The test that draws each package's page. */
const TESTS = {
  core: 'packages/express/test/live.test.ts',
  drift: 'packages/drift/test/report.test.ts',
  training: 'packages/training/test/report.test.ts',
};
const name = process.argv[2];
if (!(name in TESTS)) {
  console.error(`usage: node scripts/pictures.mjs ${Object.keys(TESTS).join('|')}`);
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync(
  process.execPath,
  ['--conditions=threadline-source', '--import', 'tsx', '--test', TESTS[name]],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CI: 'true', THREADLINE_SCREENSHOT_DIR: `${root}packages/${name}` },
  },
);
process.exit(result.status ?? 1);
