// The moving parts of one measurement: a benchmark server in a process of its own, pinned to one
// CPU, and load generators in processes of their own, pinned to the other, so the generator's work
// never lands on the server's CPU and the server's CPU time is its own.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { OpenLoopResult } from './open-loop.js';

const require = createRequire(import.meta.url);
const serverPath = fileURLToPath(new URL('./server.js', import.meta.url));
const openLoopPath = fileURLToPath(new URL('./open-loop.js', import.meta.url));
const autocannonPath = require.resolve('autocannon/autocannon.js');

/** Where the server and the load run: CPU numbers for taskset, or undefined when unpinned. */
export interface Placement {
  readonly serverCpu: string | undefined;
  readonly loadCpu: string | undefined;
  /** The Node binary of the load generators (the newest available, so it is never the bottleneck first). */
  readonly loadNode: string;
}

/** Pins to separate CPUs when taskset exists and the machine has two or more; says so otherwise. */
export function placement(cpuCount: number, loadNode: string): Placement {
  const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  if (!hasTaskset || cpuCount < 2) {
    console.warn('warning: taskset missing or one CPU only: server and load share CPUs, figures are noisier');
    return { serverCpu: undefined, loadCpu: undefined, loadNode };
  }
  return {
    serverCpu: process.env.BENCH_SERVER_CPU ?? '0',
    loadCpu: process.env.BENCH_LOAD_CPU ?? '1',
    loadNode,
  };
}

function pinned(cpu: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', cpu, command, ...args]];
}

/** A running benchmark server. */
export interface Server {
  readonly port: number;
  readonly url: string;
  /** Server CPU time so far (µs, all threads) and the server's monotonic clock (µs). */
  cpu(): Promise<{ cpu: number; at: number }>;
  stop(): Promise<void>;
}

/** Starts a fresh server for one `<framework>:<variant>`; `nodeArgs` e.g. `--cpu-prof`. */
export async function startServer(
  variant: string,
  where: Placement,
  nodeArgs: string[] = [],
): Promise<Server> {
  const [command, args] = pinned(where.serverCpu, process.execPath, [...nodeArgs, serverPath, variant]);
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number }) =>
      m.port ? resolve(m.port) : reject(new Error('no port')),
    );
    child.once('exit', (code) => reject(new Error(`server ${variant} exited with ${code} before listening`)));
  });
  const exited = once(child, 'exit');
  return {
    port,
    url: `http://127.0.0.1:${port}/users/42`,
    cpu: () =>
      new Promise((resolve) => {
        child.once('message', (m: { cpu: number; at: number }) => resolve(m));
        child.send('cpu');
      }),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function run(where: Placement, script: string, args: string[]): Promise<string> {
  const [command, full] = pinned(where.loadCpu, where.loadNode, [script, ...args]);
  return new Promise((resolve, reject) => {
    execFile(command, full, { maxBuffer: 16 << 20 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** Saturated (closed-loop) load: autocannon with a fixed number of connections. */
export interface SaturatedResult {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  readonly requests: number;
}

/** Runs autocannon in its own process against `url` for `seconds`. */
export async function saturate(
  where: Placement,
  url: string,
  seconds: number,
  connections = 50,
): Promise<SaturatedResult> {
  const out = await run(where, autocannonPath, ['-c', String(connections), '-d', String(seconds), '-j', url]);
  const r = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    requests: r.requests.total,
  };
}

/** Runs the open-loop generator in its own process: `rate` requests a second for `seconds`. */
export async function fixedRate(
  where: Placement,
  url: string,
  rate: number,
  seconds: number,
  connections = 64,
): Promise<OpenLoopResult> {
  const out = await run(where, openLoopPath, [url, String(rate), String(seconds), String(connections)]);
  return JSON.parse(out) as OpenLoopResult;
}
