#!/usr/bin/env node
// Tests the peer dependency ranges at both ends. For each combination it copies the repository
// (tracked and new files, no node_modules) to a scratch directory, pins every workspace's copy of the
// peers to that combination, installs, and runs (from the sources, as the suite does) the tests of the packages that use those
// peers. "lowest" is the bottom of each declared range; "latest" what the registry serves today
// within the range. The suite itself runs against the lock file's versions.
// Usage: node scripts/peer-matrix.mjs [lowest|latest ...]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Per peer: the version at the bottom of the declared range, the newest admitted major, the aliases tests use. */
const PEERS = {
  'prom-client': { lowest: '15.1.3', latest: '^15' }, // 14: no OpenMetrics nor exemplars; up to 15.1.0: exemplars on unsampled traces
  pino: { lowest: '8.0.0', latest: '^10' },
  winston: { lowest: '3.8.0', latest: '^3' },
  express: { lowest: '5.0.0', latest: '^5', alias: { express4: { lowest: '4.17.0', latest: '^4' } } },
  koa: { lowest: '3.0.0', latest: '^3', alias: { koa2: { lowest: '2.13.0', latest: '^2' } } },
  '@opentelemetry/api': { lowest: '1.3.0', latest: '~1.9.0' }, // 1.10 needs the SDK 3.x line
};
// @threadline/otel needs @opentelemetry/api ^1.9 (the SDK 2.x instrumentations it drives do), so the
// lowest combination leaves it out; the suite and "latest" test it. Examples and bench are not peers' users.
const LEFT_OUT = {
  lowest: ['packages/otel', 'test/otel', 'examples', 'bench'],
  latest: ['examples', 'bench'],
};
/**
 * Development-only packages whose own peer range excludes the lowest pins; the tests that use them
 * (test/propagation's OpenTelemetry undici case) are not part of the matrix.
 */
const DROPPED = {
  lowest: ['@opentelemetry/instrumentation-undici'],
};
/** The tests that exercise the peers: every package that takes one, and the cross-package HTTP tests. */
const TESTS = [
  'packages/core',
  'packages/express',
  'packages/koa',
  'packages/pino',
  'packages/winston',
  'packages/model',
  'packages/drift',
  'packages/training',
  'packages/validation',
  'packages/otel',
  'test/http',
  'test/otel',
];

function pin(pkg, which) {
  let changed = false;
  for (const field of ['dependencies', 'devDependencies']) {
    const deps = pkg[field];
    if (!deps) continue;
    for (const name of DROPPED[which] ?? [])
      if (deps[name]) {
        delete deps[name];
        changed = true;
      }
    for (const [name, spec] of Object.entries(PEERS)) {
      if (deps[name]) {
        deps[name] = spec[which];
        changed = true;
      }
      for (const [alias, a] of Object.entries(spec.alias ?? {}))
        if (deps[alias]) {
          deps[alias] = `npm:${name}@${a[which]}`;
          changed = true;
        }
    }
  }
  return changed;
}

function copyRepo(leftOut) {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-peers-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && !leftOut.some((dir) => f === dir || f.startsWith(`${dir}/`)));
  for (const f of files) {
    try {
      cpSync(join(root, f), join(dir, f), { recursive: false, force: true });
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // deleted but not yet committed
    }
  }
  mkdirSync(join(dir, 'examples'), { recursive: true }); // the test runner lists it
  return dir;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}`);
}

const combos = process.argv.slice(2).length ? process.argv.slice(2) : ['lowest', 'latest'];
for (const which of combos) {
  const started = Date.now();
  const leftOut = LEFT_OUT[which] ?? [];
  const dir = copyRepo(leftOut);
  const manifests = [
    'package.json',
    ...readdirSync(join(dir, 'packages')).map((e) => join('packages', e, 'package.json')),
  ];
  for (const rel of manifests) {
    const file = join(dir, rel);
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (pin(pkg, which)) writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  }
  rmSync(join(dir, 'package-lock.json'));
  console.log(
    `\n==> peers ${which}: ${JSON.stringify(Object.fromEntries(Object.entries(PEERS).map(([n, s]) => [n, s[which]])))}`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  const versions = Object.keys(PEERS)
    .concat(['express4', 'koa2'])
    .map((n) => {
      try {
        return `${n}@${JSON.parse(readFileSync(join(dir, 'node_modules', n, 'package.json'), 'utf8')).version}`;
      } catch {
        return `${n}@-`;
      }
    });
  console.log(`installed: ${versions.join(' ')}`);
  const tests = TESTS.filter((t) => !leftOut.some((dir) => t === dir || t.startsWith(`${dir}/`)));
  run(process.execPath, [join(dir, 'scripts/run-tests.mjs'), ...tests], dir);
  rmSync(dir, { recursive: true, force: true });
  console.log(`peers ${which}: passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
