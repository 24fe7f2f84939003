// Runs README code blocks inside the fresh app: type-checks the TypeScript ones with `tsc --noEmit`
// (strict, module nodenext) and runs each block as its own program. A block passes when it exits 0,
// or when it prints a line containing "listening" (a server) and is still up 300 ms later; the runner
// then stops it (SIGTERM). Blocks run with PORT=0 and METRICS_PORT=0 so servers take free ports.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { root } from './fresh-app.mjs';

const TIMEOUT_MS = 30_000;
// Every server a block starts takes a free port.
const PORTS = { PORT: '0', METRICS_PORT: '0' };

/** File extension for a block: .mts/.cts for TypeScript, .mjs/.cjs for JavaScript. */
function extension(block) {
  return `.${block.commonjs ? 'c' : 'm'}${block.typescript ? 'ts' : 'js'}`;
}

/**
 * Writes every runnable block into app/blocks; returns one job per block. The examples are not
 * published: their blocks run in the example's own directory, against the sources, as its README says.
 */
export function writeBlocks(app, readmes) {
  const jobs = [];
  for (const { file, blocks } of readmes) {
    const readme = relative(root, file);
    const inRepo = readme.startsWith('examples/');
    const slug = readme.replace(/\/?README\.md$/, '').replace(/[^a-z0-9]+/gi, '-') || 'root';
    for (const block of blocks.filter((b) => b.run)) {
      const name = `${inRepo ? '.readme-block' : slug}-${block.index}${extension(block)}`;
      const path = inRepo ? join(dirname(file), name) : join(app, 'blocks', name);
      writeFileSync(path, block.code);
      jobs.push({ readme, block, path, inRepo });
    }
  }
  return jobs;
}

/**
 * `tsc --noEmit` over the TypeScript blocks of the fresh app's READMEs (`only`: a subset, e.g. the
 * CommonJS ones) under one `module` setting; returns the exit code, the output and each block's
 * errors mapped back to its README lines.
 */
export async function tscErrors(app, jobs, module = 'nodenext') {
  const ts = jobs.filter((j) => j.block.typescript && !j.inRepo);
  if (ts.length === 0) return { code: 0, output: '', byJob: new Map() };
  const config = module === 'nodenext' ? 'tsconfig.json' : `tsconfig.${module}.json`;
  writeFileSync(
    join(app, config),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module,
        moduleResolution: module === 'nodenext' ? 'nodenext' : 'node16',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ts.map((j) => relative(app, j.path)),
    }),
  );
  const { code, output } = await run(
    process.execPath,
    [join(app, 'node_modules/typescript/bin/tsc'), '-p', config],
    app,
  );
  const byJob = new Map();
  for (const line of output.split('\n')) {
    const m = /^(blocks\/[^(]+)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
    if (!m) continue;
    const job = ts.find((j) => relative(app, j.path) === m[1]);
    if (!job) continue;
    const list = byJob.get(job) ?? [];
    list.push({ at: `${job.readme}:${job.block.line + Number(m[2])}:${m[3]}`, error: m[4] });
    byJob.set(job, list);
  }
  return { code, output, byJob };
}

/** `tsc --noEmit` over every TypeScript block (strict, `module` nodenext); returns the failures. */
export async function typecheck(app, jobs, module = 'nodenext') {
  const { code, output, byJob } = await tscErrors(app, jobs, module);
  if (code === 0) return [];
  if (byJob.size === 0) return [{ job: undefined, message: `tsc (module ${module}) failed:\n${output}` }];
  return [...byJob].map(([job, errors]) => ({
    job,
    message: `tsc --noEmit (module ${module}):\n    ${errors.map((e) => `${e.at} ${e.error}`).join('\n    ')}`,
  }));
}

/** Runs one block; resolves to undefined when it passes, else to a message saying why not. */
export async function runBlock(app, job) {
  const source = job.inRepo ? ['--conditions=threadline-source', '--import', 'tsx'] : [];
  let file = job.path;
  let loader = job.block.typescript && !job.inRepo ? ['--import', 'tsx'] : [];
  if (job.block.typescript && job.block.commonjs && !job.inRepo) {
    // CommonJS TypeScript is compiled and then run by node, as such an app deploys it (tsx's
    // CommonJS loader cannot require ES modules on Node 20).
    const ts = createRequire(join(app, 'package.json'))('typescript');
    const out = ts.transpileModule(job.block.code, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    file = job.path.replace(/\.cts$/, '.cjs');
    writeFileSync(file, out.outputText);
    loader = [];
  }
  const args = [...source, ...loader, file];
  const cwd = job.inRepo ? dirname(job.path) : app;
  const result = await run(process.execPath, args, cwd, PORTS, true);
  if (job.inRepo) rmSync(job.path, { force: true });
  const { code, signal, output, listening, timedOut } = result;
  if (listening && (signal === 'SIGTERM' || code === 0)) return undefined;
  if (code === 0) return undefined;
  const why = timedOut
    ? `did not exit or print "listening" within ${TIMEOUT_MS / 1000} s`
    : `exited with ${code ?? signal}`;
  return `${why}\n    ${output.trim().split('\n').slice(-15).join('\n    ')}`;
}

function run(cmd, args, cwd, env = {}, watchListening = false) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env } });
    let output = '';
    let listening = false;
    let timedOut = false;
    const onData = (chunk) => {
      output = (output + chunk).slice(-50_000);
      if (watchListening && !listening && /listening/i.test(output)) {
        listening = true;
        setTimeout(() => child.kill('SIGTERM'), 300);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, listening, timedOut });
    });
  });
}
