#!/usr/bin/env node
// An installed package (any path under node_modules) always runs the built CLI from dist/. Only a
// checkout of the Threadline repository itself, with tsx available, runs the TypeScript sources, so
// the repository's tests exercise the current code without a build.
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = import.meta.url;
const source = new URL('../src/cli.ts', here);
const built = new URL('../dist/cli.js', here);
const installed = fileURLToPath(here).split(/[\\/]/).includes('node_modules');

function hasTsx() {
  try {
    createRequire(here).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

let cli;
if (!installed && existsSync(source) && hasTsx()) {
  register('./source-conditions.js', here);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  cli = await import(source.href);
} else if (existsSync(built)) {
  cli = await import(built.href);
} else {
  process.stderr.write('threadline-drift: build the package first (npm run build -w @threadline/drift)\n');
  process.exit(2);
}
await cli.run();
