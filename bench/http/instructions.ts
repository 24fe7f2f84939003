// Instructions per request under callgrind: a count, not a time, so it is the same whatever else
// the machine runs (the CPU profiles and the CPU µs move with the load; this does not). The
// server runs under `valgrind --tool=callgrind` with instrumentation off, is warmed up by
// sequential keep-alive requests (V8 tiers code up by invocation counts, which callgrind's slowness
// does not change), then counts the instructions of the next requests. Kernel time (system calls)
// is not counted: what a variant adds in writes shows in the CPU figures instead.
import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const serverPath = fileURLToPath(new URL('./server.js', import.meta.url));
const run = promisify(execFile);

/** True when valgrind (with callgrind_control) is installed. */
export function callgrindAvailable(): boolean {
  return (
    spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0 &&
    spawnSync('callgrind_control', ['--version'], { stdio: 'ignore' }).status === 0
  );
}

/** Sends `n` GETs one after another over one keep-alive connection. */
async function sequential(url: string, n: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < n; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(url, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    }
  } finally {
    agent.destroy();
  }
}

/** Instructions per request of one `<framework>:<variant>` server after `warm` requests, over `n`. */
export async function instructionsPerRequest(variant: string, warm: number, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-callgrind-'));
  const out = join(dir, 'callgrind.out');
  const child: ChildProcess = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      // V8 writes and rewrites machine code at run time.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      process.execPath,
      serverPath,
      variant,
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port?: number }) =>
        m.port ? resolve(m.port) : reject(new Error('no port')),
      );
      child.once('exit', (code) => reject(new Error(`server ${variant} exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/users/42`;
    await sequential(url, warm);
    const pid = String(child.pid);
    await run('callgrind_control', ['--instr=on', pid]);
    await sequential(url, n);
    await run('callgrind_control', ['--instr=off', pid]);
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    let total = 0;
    for (const f of readdirSync(dir)) {
      const m = /^totals: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
      if (m) total = Math.max(total, Number(m[1]));
    }
    if (total === 0) throw new Error(`no instruction count for ${variant}`);
    return total / n;
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
