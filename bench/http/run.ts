// HTTP bench: Threadline's Express and Koa middleware side by side with the peers it replaces.
// Interleaved rounds (the order rotates each round), a fresh server process per measurement,
// loopback only, autocannon for load. Reports median req/s, median p99 and the ratio to the bare
// app of the same framework in the same run, and the server's CPU time per request (read from
// /proc), which stays meaningful when other work shares the machine: `CPU vs bare` is the bare
// app's CPU per request over the variant's, the throughput ratio a CPU-bound server would see.
// Usage: npm run bench -- http        QUICK=1 for a short smoke run; ONLY=express or ONLY=koa
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const QUICK = process.env.QUICK === '1';
const ROUNDS = Number(process.env.ROUNDS ?? (QUICK ? 1 : 3));
const DURATION = Number(process.env.DURATION ?? (QUICK ? 2 : 5));
const WARMUP = QUICK ? 1 : 2;
const CONNECTIONS = 50;
const ONLY = process.env.ONLY;
/** Comma-separated variant names to run (always with `bare`), for before/after checks of one change. */
const VARIANTS = process.env.VARIANTS?.split(',');

const GROUPS: Record<'express' | 'koa', readonly string[]> = {
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
    'threadline-pino-plain',
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
    'threadline-pino-plain',
    'threadline-winston',
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
  otel: 'OpenTelemetry http + framework instrumentation',
  peers: 'peers’ typical stack (cls-rtracer + metrics + pino logger)',
  'threadline-nolog': 'Threadline context + metrics, no access line',
  'threadline-pino': 'Threadline full stack, pino',
  'threadline-pino-plain': 'Threadline full stack, pino without redaction',
  'threadline-winston': 'Threadline full stack, winston',
};

const serverPath = fileURLToPath(new URL('./server.ts', import.meta.url));

interface Sample {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  /** Server CPU time (user + system) per request, in microseconds. */
  readonly cpuUs?: number;
  readonly requests?: number;
}

/** CPU time a process has used so far, in microseconds (Linux /proc; undefined elsewhere). */
function cpuTime(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

function load(url: string, duration: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 }, (error, result) => {
      if (error) reject(error);
      else
        resolve({
          rps: result.requests.average,
          p99: result.latency.p99,
          errors: result.errors + result.non2xx,
          requests: result.requests.total,
        });
    });
  });
}

async function measure(variant: string): Promise<Sample> {
  const child = spawn(
    process.execPath,
    ['--conditions=threadline-source', '--import', 'tsx', serverPath, variant],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        out += c;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child.once('exit', (code) => reject(new Error(`${variant} exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/users/42`;
    await load(url, WARMUP);
    const before = cpuTime(child.pid);
    const sample = await load(url, DURATION);
    const after = cpuTime(child.pid);
    const cpuUs =
      before !== undefined && after !== undefined && sample.requests
        ? (after - before) / sample.requests
        : undefined;
    return cpuUs === undefined ? sample : { ...sample, cpuUs };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// First the middleware's own cost, without network or framework, in a process of its own.
spawnSync(
  process.execPath,
  [
    '--conditions=threadline-source',
    '--import',
    'tsx',
    fileURLToPath(new URL('./overhead.ts', import.meta.url)),
  ],
  {
    stdio: 'inherit',
  },
);

const cpus = (await import('node:os')).cpus();
console.log(
  `node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}; ${ROUNDS} round(s) × ${DURATION}s per variant, ${CONNECTIONS} connections, GET /users/:id (JSON)`,
);
for (const framework of Object.keys(GROUPS) as ('express' | 'koa')[]) {
  if (ONLY && ONLY !== framework) continue;
  const variants = VARIANTS
    ? GROUPS[framework].filter((v) => v === 'bare' || VARIANTS.includes(v))
    : GROUPS[framework];
  const samples = new Map<string, Sample[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(round + k) % variants.length]!;
      const s = await measure(`${framework}:${v}`);
      samples.get(v)!.push(s);
      process.stderr.write(`  ${framework} round ${round + 1}: ${v} ${Math.round(s.rps)} req/s\n`);
    }
  }
  const bare = median(samples.get('bare')!.map((s) => s.rps));
  console.log(`\n### ${framework === 'express' ? 'Express 5' : 'Koa 3 + @koa/router'}\n`);
  const bareCpu = median(samples.get('bare')!.map((s) => s.cpuUs ?? Number.NaN));
  console.log('| variant | req/s | p99 (ms) | req/s vs bare | server CPU µs/req | CPU vs bare |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const v of variants) {
    const list = samples.get(v)!;
    const rps = median(list.map((s) => s.rps));
    const p99 = median(list.map((s) => s.p99));
    const errors = list.reduce((a, s) => a + s.errors, 0);
    const cpu = median(list.map((s) => s.cpuUs ?? Number.NaN));
    console.log(
      `| ${LABELS[v]} | ${Math.round(rps)} | ${p99.toFixed(1)} | ${(rps / bare).toFixed(2)}${errors ? ` (${errors} errors)` : ''} | ${cpu.toFixed(0)} | ${(bareCpu / cpu).toFixed(2)} |`,
    );
  }
}
