#!/usr/bin/env node
// Checks the packages as users get them: `npm pack` every package, install the tarballs into a new
// `npm init -y` app outside the repository, then
//   1. each tarball ships LICENSE, README.md and dist/, and every relative README link resolves to a
//      file the tarball ships;
//   2. every package loads with require() and with import on each Node binary given, and an app
//      mixing both gets one module instance (one context store, one set of metrics);
//   3. the threadline-drift bin runs dist/ even with tsx installed in the app;
//   4. every runnable code block of every README type-checks (TypeScript) and runs; the CommonJS
//      TypeScript blocks also compile with `module` node20 (where the TypeScript has it), and
//      `module` node16 rejects them with TS1479, as the root README says.
// Needs `npm run build` first. Usage: node scripts/check-packages.mjs [README path filter...]
// THREADLINE_NODES: colon-separated node binaries for check 2 and 3 (default: this node).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, normalize, relative } from 'node:path';
import { freshApp, packAll, packages, root } from './lib/fresh-app.mjs';
import { extractBlocks, importedPackages } from './lib/readme-blocks.mjs';
import { runBlock, tscErrors, typecheck, writeBlocks } from './lib/run-blocks.mjs';

const started = Date.now();
const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);
const step = (name) => console.log(`\n==> ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: CI passes the Node binaries to check
const nodes = (process.env.THREADLINE_NODES || process.execPath).split(':').filter(Boolean);
const filters = process.argv.slice(2);

const readmeFiles = [
  join(root, 'README.md'),
  ...packages().map((p) => join(p.dir, 'README.md')),
  ...readdirSync(join(root, 'examples')).map((e) => join(root, 'examples', e, 'README.md')),
].filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).startsWith(x)));
const readmes = readmeFiles.map((file) => ({ file, blocks: extractBlocks(readFileSync(file, 'utf8')) }));

step('npm pack every package');
const { dest, tarballs } = packAll();
console.log(`${tarballs.size} tarballs`);
for (const p of packages()) {
  const tar = tarballs.get(p.json.name);
  if (!tar) {
    fail(p.json.name, 'not packed');
    continue;
  }
  const files = new Set(tar.files);
  for (const need of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts'])
    if (!files.has(need)) fail(`${p.json.name} tarball`, `does not ship ${need}`);
  for (const key of ['repository', 'homepage', 'bugs', 'license'])
    if (!p.json[key]) fail(`${p.json.name} package.json`, `has no "${key}"`);
  const readme = readFileSync(join(p.dir, 'README.md'), 'utf8');
  readme.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1].split('#')[0];
      if (!target || /^[a-z]+:/i.test(target)) continue;
      const path = normalize(target).replace(/\/$/, '');
      const shipped = files.has(path) || [...files].some((f) => f.startsWith(`${path}/`));
      if (path.startsWith('..') || !shipped)
        fail(
          `${relative(root, p.dir)}/README.md:${i + 1}`,
          `links to ${m[1]}, which the package does not ship`,
        );
    }
  });
}

step('fresh app: npm init -y, install the tarballs, the peers and the tools');
const blockImports = readmes.flatMap((r) =>
  r.blocks.filter((b) => b.run).flatMap((b) => importedPackages(b.code)),
);
const peers = ['prom-client', '@opentelemetry/api', 'express', 'koa', '@koa/router', 'pino', 'winston'];
const otel = ['sdk-node', 'instrumentation-http', 'instrumentation-express', 'instrumentation-koa'];
peers.push(...otel.map((name) => `@opentelemetry/${name}`));
const tools = ['typescript', 'tsx', '@types/node', '@types/express', '@types/koa'];
const extra = [...peers, ...tools, ...blockImports.filter((n) => !n.startsWith('@threadline/'))];
// biome-ignore lint/suspicious/noUndeclaredEnvVars: reuse an app kept with THREADLINE_KEEP_APP while editing READMEs
const app = process.env.THREADLINE_APP || freshApp(tarballs, extra);
console.log(`app: ${app}`);

step(`module formats on ${nodes.length} Node binar${nodes.length === 1 ? 'y' : 'ies'}`);
const names = [...tarballs.keys()];
writeFileSync(
  join(app, 'formats.cjs'),
  `const assert = require('node:assert/strict');
const names = ${JSON.stringify(names)};
(async () => {
  for (const name of names) {
    const required = require(name);
    const imported = await import(name);
    assert.ok(Object.keys(required).length > 0, name + ': require() gave no exports');
    for (const key of Object.keys(imported))
      assert.equal(required[key], imported[key], name + ': ' + key + ' differs between require() and import');
  }
  const core = require('@threadline/core');
  const coreEsm = await import('@threadline/core');
  core.runWithContext({ request_id: 'mixed-1' }, () =>
    assert.equal(coreEsm.getContext()?.request_id, 'mixed-1', 'import sees the context require() set'));
  const registry = core.createRegistry();
  const express = require('express');
  const a = express();
  a.use(require('@threadline/express').threadline({ registry, logger: false }));
  a.use((await import('@threadline/express')).threadline({ registry, logger: false }));
  const text = await registry.metrics();
  assert.equal(text.split('\\n').filter((l) => l === '# TYPE http_server_request_duration_seconds histogram').length, 1);
  console.log('require and import: ' + names.length + ' packages, one instance each');
})().catch((e) => { console.error(e); process.exit(1); });
`,
);
writeFileSync(
  join(app, 'formats.mjs'),
  names.map((n, i) => `import * as p${i} from '${n}';`).join('\n') +
    `\nconsole.log('import: ${names.length} packages');\n`,
);
for (const node of nodes) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  for (const file of ['formats.cjs', 'formats.mjs']) {
    const r = spawnSync(node, [file], { cwd: app, encoding: 'utf8' });
    const warned = /ExperimentalWarning/.test(r.stderr);
    if (r.status !== 0 || warned)
      fail(`Node ${version} ${file}`, (r.stderr || r.stdout).trim().split('\n').slice(0, 12).join('\n    '));
    else console.log(`Node ${version} ${file}: ${r.stdout.trim()}`);
  }
}

step('threadline-drift runs dist/ with tsx installed');
// Poison the shipped source: if the bin took the source path, this throws.
writeFileSync(
  join(app, 'node_modules/@threadline/drift/src/cli.ts'),
  "throw new Error('the installed bin ran src/cli.ts');\n",
);
for (const node of nodes) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, [join(app, 'node_modules/.bin/threadline-drift'), '--help'], {
    cwd: app,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || !/Usage: threadline-drift/.test(r.stdout))
    fail(`threadline-drift on ${node}`, r.stderr.trim());
  else console.log(`threadline-drift --help: dist/, ${ms.toFixed(0)} ms`);
}

step('README code blocks');
const jobs = writeBlocks(app, readmes);
const skipped = readmes.reduce((n, r) => n + r.blocks.filter((b) => !b.run).length, 0);
console.log(
  `${jobs.length} runnable blocks (${jobs.filter((j) => j.block.typescript).length} TypeScript), ${skipped} not run (shell, data, no-run)`,
);
const blockName = (job) => `${job.readme} block ${job.block.index} (line ${job.block.line})`;
for (const { job, message } of await typecheck(app, jobs)) fail(job ? blockName(job) : 'tsc', message);

// CommonJS TypeScript, as the root README states it: `module` node20 (TypeScript 5.9+) and
// nodenext (5.8+) accept importing the packages, node16 rejects it with TS1479 and nothing else.
const cts = jobs.filter((j) => j.block.typescript && j.block.commonjs && !j.inRepo);
const tsc = createRequire(join(app, 'package.json'))('typescript');
if (cts.length > 0) {
  const modules = tsc.ModuleKind.Node20 === undefined ? [] : ['node20'];
  for (const module of modules)
    for (const { job, message } of await typecheck(app, cts, module))
      fail(job ? blockName(job) : `tsc module ${module}`, message);
  const node16 = await tscErrors(app, cts, 'node16');
  const before = failures.length;
  for (const job of cts) {
    const errors = node16.byJob.get(job) ?? [];
    const imports = importedPackages(job.block.code).some((n) => n.startsWith('@threadline/'));
    const other = errors.filter((e) => !e.error.startsWith('error TS1479:'));
    if (imports && (errors.length === 0 || other.length > 0))
      fail(
        blockName(job),
        `module node16 should reject the import with TS1479 alone, got:\n    ${errors.map((e) => `${e.at} ${e.error}`).join('\n    ') || 'no error'}`,
      );
  }
  if (failures.length === before)
    console.log(
      `CommonJS TypeScript ${tsc.version}: ${cts.length} block(s) compile with module nodenext${modules.map((m) => ` and ${m}`).join('')}; node16 rejects them with TS1479`,
    );
}
const queue = [...jobs];
await Promise.all(
  [0, 1].map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const t0 = Date.now();
      const why = await runBlock(app, job);
      const where = `${job.readme} block ${job.block.index} (line ${job.block.line}, ${job.block.lang}${job.block.commonjs ? ' cjs' : ''})`;
      if (why) fail(where, why);
      else console.log(`ok ${where} ${Date.now() - t0} ms`);
    }
  }),
);

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a debugging aid
if (!process.env.THREADLINE_KEEP_APP) {
  rmSync(app, { recursive: true, force: true });
  rmSync(dest, { recursive: true, force: true });
}
step(`done: ${failures.length} failure${failures.length === 1 ? '' : 's'}`);
for (const f of failures) console.error(`FAIL ${f}\n`);
process.exit(failures.length ? 1 : 0);
