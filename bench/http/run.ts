// HTTP bench: Threadline's Express and Koa middleware side by side with the peers it replaces, on
// the built packages under plain node (the Node binary running this file is the one measured).
// Each measurement is a fresh server pinned to one CPU, the load generators pinned to the other:
// warm-up, then server CPU µs per request at a fixed open-loop rate that every variant sustains
// (the deciding figure: robust to other work on the machine), then saturated req/s (autocannon).
// Rounds are interleaved and the order rotates; ratios to bare are taken per round and reported
// as median (interquartile range), flagged when too wide to read. Supersets are checked against
// their subsets. `--profile` adds CPU profiles of bare and each Threadline variant at the fixed rate,
// summarised by package and function against bare.
// Usage (through bench/run.mjs): npm run bench -- http [--quick] [--rounds N] [--only koa]
//   [--variants threadline-pino,koa-pino-logger] [--rate 2000] [--window 2] [--profile | --profile-only]
//   [--instructions]   instructions per request under callgrind instead (needs valgrind)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { callgrindAvailable, instructionsPerRequest } from './instructions.js';
import { fixedRate, placement, saturate, startServer } from './load.js';
import { comparePackages, type ProfileSummary, summariseFile, topFunctions } from './profile.js';
import { addedCpu, formatRatio, ratios, type Sample, type Superset, sanity, spread, WIDE } from './stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    variants: { type: 'string' },
    rate: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-only': { type: 'boolean', default: false },
    window: { type: 'string' },
    instructions: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const QUICK = args.quick!;
const ROUNDS = Number(args.rounds ?? (QUICK ? 3 : 7));
// One-second windows keep a full run (7 rounds, 19 variants, 4 Node versions) near half an hour;
// at the fixed rate a second is still a thousand requests or more, read with µs resolution.
const WINDOW_S = Number(args.window ?? 1);
const WARMUP_S = 1;
const RATE_S = WINDOW_S;
const SATURATED_S = WINDOW_S;
const PROFILE_S = QUICK ? 3 : 8;
const CONNECTIONS = 50;
const where = placement(cpus().length, process.env.BENCH_LOAD_NODE ?? process.execPath);

type Framework = 'express' | 'koa';
const GROUPS: Record<Framework, readonly string[]> = {
  express: [
    'bare',
    'pino-http',
    'express-winston',
    'express-prom-bundle',
    'cls-rtracer',
    'otel',
    'peers',
    'threadline-nolog',
    'threadline-pino',
    'threadline-winston',
  ],
  koa: [
    'bare',
    'koa-pino-logger',
    'prom-client',
    'cls-rtracer',
    'otel',
    'peers',
    'threadline-nolog',
    'threadline-pino',
    'threadline-winston',
  ],
};

/**
 * Bare and the variants asked for, in the table's order; a Threadline variant outside the table
 * (`threadline-pino-plain`, `threadline-pino-sync`) is measured when asked for by name.
 */
function chosen(framework: Framework, wanted: readonly string[]): string[] {
  const known = GROUPS[framework].filter((v) => v === 'bare' || wanted.includes(v));
  const extra = wanted.filter((v) => !known.includes(v) && v.startsWith('threadline-') && v in LABELS);
  return [...known, ...extra];
}

// Each pair: the first does all the second does, and more.
const SUPERSETS: Record<Framework, readonly Superset[]> = {
  express: [
    ...GROUPS.express.filter((v) => v !== 'bare').map((v) => ({ superset: v, subset: 'bare' })),
    { superset: 'peers', subset: 'pino-http' },
    { superset: 'peers', subset: 'express-prom-bundle' },
    { superset: 'peers', subset: 'cls-rtracer' },
    { superset: 'threadline-pino', subset: 'threadline-nolog' },
    { superset: 'threadline-winston', subset: 'threadline-nolog' },
  ],
  koa: [
    ...GROUPS.koa.filter((v) => v !== 'bare').map((v) => ({ superset: v, subset: 'bare' })),
    { superset: 'peers', subset: 'koa-pino-logger' },
    { superset: 'peers', subset: 'prom-client' },
    { superset: 'peers', subset: 'cls-rtracer' },
    { superset: 'threadline-pino', subset: 'threadline-nolog' },
    { superset: 'threadline-winston', subset: 'threadline-nolog' },
  ],
};

const LABELS: Record<string, string> = {
  bare: 'bare',
  'pino-http': 'pino-http',
  'express-winston': 'express-winston',
  'express-prom-bundle': 'express-prom-bundle',
  'koa-pino-logger': 'koa-pino-logger',
  'prom-client': 'prom-client histogram middleware',
  'cls-rtracer': 'cls-rtracer',
  otel: 'OpenTelemetry http + framework',
  peers: 'peers’ stack (cls-rtracer + metrics + pino logger)',
  'threadline-nolog': 'Threadline context + metrics',
  'threadline-pino': 'Threadline full stack, pino',
  'threadline-pino-plain': 'Threadline full stack, pino without redaction',
  'threadline-pino-sync': 'Threadline full stack, pino, synchronous buffered writes',
  'threadline-winston-stream': 'Threadline full stack, winston, Stream transport',
  'threadline-winston': 'Threadline full stack, winston',
};
const label = (v: string): string => LABELS[v] ?? v;

/** One fresh server: warm-up, CPU per request at the fixed rate, then saturated req/s. */
async function measure(variant: string, rate: number): Promise<Sample> {
  const server = await startServer(variant, where);
  try {
    await saturate(where, server.url, WARMUP_S, CONNECTIONS);
    const before = await server.cpu();
    const open = await fixedRate(where, server.url, rate, RATE_S);
    const after = await server.cpu();
    const sat = await saturate(where, server.url, SATURATED_S, CONNECTIONS);
    // Kept up: every request answered, the last one without a backlog behind it (a server that
    // falls behind answers later and later; 250 ms allows for a moment descheduled).
    const sustained = open.errors === 0 && open.completed === open.sent && open.lagMs < 250;
    return {
      rps: sat.rps,
      p99: sat.p99,
      errors: sat.errors + open.errors,
      cpuUs: (after.cpu - before.cpu) / Math.max(1, open.completed),
      sustained,
    };
  } finally {
    await server.stop();
  }
}

/** Half the slowest variant's saturated rate, rounded down to a hundred: a rate every variant sustains. */
async function calibrate(framework: Framework, variants: readonly string[]): Promise<number> {
  let slowest = Number.POSITIVE_INFINITY;
  for (const v of variants) {
    const server = await startServer(`${framework}:${v}`, where);
    try {
      await saturate(where, server.url, 1, CONNECTIONS);
      slowest = Math.min(slowest, (await saturate(where, server.url, 1, CONNECTIONS)).rps);
    } finally {
      await server.stop();
    }
  }
  return Math.max(100, Math.floor(slowest / 2 / 100) * 100);
}

function table(
  framework: Framework,
  variants: readonly string[],
  samples: Map<string, Sample[]>,
  rate: number,
): void {
  const bare = samples.get('bare')!;
  console.log(`\n### ${framework === 'express' ? 'Express 5' : 'Koa 3 + @koa/router'}\n`);
  console.log(
    `| variant | req/s | req/s vs bare | p99 ms | CPU µs/req at ${rate}/s | CPU vs bare | added µs/req |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const v of variants) {
    const list = samples.get(v)!;
    const r = ratios(bare, list);
    const cpu = spread(list.map((s) => s.cpuUs));
    const added = addedCpu(bare, list);
    const errors = list.reduce((a, s) => a + s.errors, 0);
    const unsustained = list.filter((s) => !s.sustained).length;
    const notes = `${errors ? ` (${errors} errors)` : ''}${unsustained ? ` (${unsustained} rounds below the rate)` : ''}`;
    console.log(
      `| ${label(v)} | ${Math.round(spread(list.map((s) => s.rps)).median)} | ${formatRatio(r.rps)} | ${spread(list.map((s) => s.p99)).median.toFixed(1)} | ${cpu.median.toFixed(1)}${notes} | ${formatRatio(r.cpu)} | ${v === 'bare' ? '' : `${added.median.toFixed(1)} (${added.q1.toFixed(1)}–${added.q3.toFixed(1)})`} |`,
    );
  }
  const wide = variants.filter((v) => ratios(bare, samples.get(v)!).cpu.relative > WIDE);
  if (wide.length > 0)
    console.log(
      `\n⚠ spread too wide to read (CPU ratio IQR over ${WIDE * 100} % of the median): ${wide.map(label).join(', ')}`,
    );
  const warnings = sanity(SUPERSETS[framework], samples, label);
  console.log(
    warnings.length === 0
      ? '\nSanity: every superset costs at least as much as its subsets.'
      : `\n⚠ Sanity check failed (read this table with care):\n${warnings.map((w) => `- ${w}`).join('\n')}`,
  );
}

/** One CPU profile of a variant at the fixed rate, cut to the measured window. */
async function profile(variant: string, rate: number): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-prof-'));
  try {
    const server = await startServer(variant, where, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--cpu-prof-interval=100',
    ]);
    let open: Awaited<ReturnType<typeof fixedRate>>;
    let from: number;
    let to: number;
    try {
      await saturate(where, server.url, WARMUP_S, CONNECTIONS);
      from = (await server.cpu()).at;
      open = await fixedRate(where, server.url, rate, PROFILE_S);
      to = (await server.cpu()).at;
    } finally {
      await server.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile written for ${variant}`);
    const keep = process.env.BENCH_PROFILE_DIR;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      spawnSync('cp', [
        join(dir, file),
        join(keep, `${process.versions.node}-${variant.replace(':', '-')}.cpuprofile`),
      ]);
    }
    return summariseFile(join(dir, file), open.completed, from, to);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function attribution(framework: Framework, variants: readonly string[], rate: number): Promise<void> {
  const bare = await profile(`${framework}:bare`, rate);
  for (const v of variants.filter((x) => x.startsWith('threadline'))) {
    const s = await profile(`${framework}:${v}`, rate);
    console.log(
      `\n#### Where the time goes: ${framework}, ${label(v)} (profile at ${rate}/s, ${PROFILE_S} s)\n`,
    );
    if (!s.windowed || !bare.windowed) console.log('(profile window not found: whole profile used)\n');
    console.log(comparePackages(bare, s).join('\n'));
    console.log('');
    console.log(topFunctions(bare, s, 15).join('\n'));
  }
}

/** Instructions per request of bare and each variant (median of the rounds), and the ratio. */
async function instructionTable(framework: Framework, variants: readonly string[]): Promise<void> {
  const rounds = Number(args.rounds ?? (QUICK ? 1 : 3));
  const warm = QUICK ? 3000 : 5000;
  const n = QUICK ? 1000 : 3000;
  const counts = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const c = await instructionsPerRequest(`${framework}:${v}`, warm, n);
      counts.get(v)!.push(c);
      process.stderr.write(
        `  ${framework} round ${round + 1}/${rounds}: ${v} ${Math.round(c)} instructions/request\n`,
      );
    }
  }
  const median = (xs: number[]): number => spread(xs).median;
  const bare = median(counts.get('bare')!);
  console.log(
    `\n#### ${framework}: instructions per request under callgrind (${rounds} round(s), ${warm} requests warm-up, ${n} counted)\n`,
  );
  console.log('| variant | instructions/request | range | bare / variant | added |');
  console.log('|---|---:|---:|---:|---:|');
  for (const v of variants) {
    const xs = counts.get(v)!;
    const m = median(xs);
    console.log(
      `| ${label(v)} | ${Math.round(m).toLocaleString('en-US')} | ${Math.round(Math.min(...xs)).toLocaleString('en-US')}–${Math.round(Math.max(...xs)).toLocaleString('en-US')} | ${(bare / m).toFixed(2)} | ${v === 'bare' ? '' : `+${Math.round(m - bare).toLocaleString('en-US')}`} |`,
    );
  }
}

if (args.instructions) {
  if (!callgrindAvailable()) {
    console.error(
      '--instructions needs valgrind (callgrind and callgrind_control): apt-get install valgrind',
    );
    process.exit(1);
  }
  const wantedVariants = args.variants?.split(',');
  for (const framework of Object.keys(GROUPS) as Framework[]) {
    if (args.only && args.only !== framework) continue;
    const variants = wantedVariants ? chosen(framework, wantedVariants) : GROUPS[framework];
    await instructionTable(framework, variants);
  }
  process.exit(0);
}

if (!args['profile-only']) {
  // First the middleware's own cost, without network or framework, on the server's CPU.
  const overhead = fileURLToPath(new URL('./overhead.js', import.meta.url));
  const [cmd, cmdArgs] = where.serverCpu
    ? ['taskset', ['-c', where.serverCpu, process.execPath, overhead]]
    : [process.execPath, [overhead]];
  spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
}
const cpu = cpus()[0]?.model ?? 'cpu';
console.log(
  `\nnode ${process.version}, ${cpus().length} × ${cpu}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; server on CPU ${where.serverCpu ?? 'any'}, load (node ${spawnSync(where.loadNode, ['--version']).stdout.toString().trim()}) on CPU ${where.loadCpu ?? 'any'}; ${ROUNDS} interleaved rounds, fresh server each: ${WARMUP_S} s warm-up, ${RATE_S} s at the fixed rate, ${SATURATED_S} s saturated (${CONNECTIONS} connections); GET /users/:id (JSON)`,
);
const wanted = args.variants?.split(',');
for (const framework of Object.keys(GROUPS) as Framework[]) {
  if (args.only && args.only !== framework) continue;
  const variants = wanted ? chosen(framework, wanted) : GROUPS[framework];
  const rate = args.rate ? Number(args.rate) : await calibrate(framework, variants);
  if (!args['profile-only']) {
    const samples = new Map<string, Sample[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(round + k) % variants.length]!;
        const s = await measure(`${framework}:${v}`, rate);
        samples.get(v)!.push(s);
        process.stderr.write(
          `  ${framework} round ${round + 1}/${ROUNDS}: ${v} ${Math.round(s.rps)} req/s, ${s.cpuUs.toFixed(1)} µs/req${s.sustained ? '' : ' (below the rate)'}\n`,
        );
      }
    }
    table(framework, variants, samples, rate);
  }
  if (args.profile || args['profile-only']) await attribution(framework, variants, rate);
}
