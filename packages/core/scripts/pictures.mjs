#!/usr/bin/env node
// Regenerates this package's README picture: runs the Chromium test that draws the page, with
// THREADLINE_SCREENSHOT_DIR pointing at the package folder. Needs Chromium (Debian package chromium).
// Usage, from the repository root: node packages/core/scripts/pictures.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const result = spawnSync(
  process.execPath,
  ['--conditions=threadline-source', '--import', 'tsx', '--test', 'packages/express/test/live.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      CI: 'true',
      THREADLINE_SCREENSHOT_DIR: fileURLToPath(new URL('..', import.meta.url)),
    },
  },
);
process.exit(result.status ?? 1);
