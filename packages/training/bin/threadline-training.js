#!/usr/bin/env node
// Runs the built CLI when there is one; in a source checkout (tsx installed, nothing built) it runs
// the TypeScript sources directly, resolving workspace packages to their sources as the tests do.
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const here = import.meta.url;
const source = new URL('../src/report/cli.ts', here);
const built = new URL('../dist/report/cli.js', here);

// A resolve hook adding the "threadline-source" export condition, so workspace packages resolve
// to their TypeScript sources.
const SOURCE_CONDITIONS = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('threadline-source') ? context.conditions : [...context.conditions, 'threadline-source'];
  return next(specifier, { ...context, conditions });
}`;

function hasTsx() {
  try {
    createRequire(here).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

let cli;
if (existsSync(source) && hasTsx()) {
  register(`data:text/javascript,${encodeURIComponent(SOURCE_CONDITIONS)}`, here);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  cli = await import(source.href);
} else if (existsSync(built)) {
  cli = await import(built.href);
} else {
  process.stderr.write(
    'threadline-training: build the package first (npm run build -w @threadline/training)\n',
  );
  process.exit(2);
}
await cli.run();
