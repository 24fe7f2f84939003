// SIGTERM mid-stream: a real service in a child process, real requests on loopback, a real signal,
// and every line it wrote counted afterwards.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../loggers/fixtures/shutdown-app.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the service's lines go: stdout redirected to a file, stdout as a pipe, the logger's own file. */
export type Destination = 'stdout' | 'pipe' | 'file';

export interface ShutdownOutcome {
  /** Lines each request writes. */
  readonly perRequest: number;
  /** Requests answered with 200 before the server stopped. */
  readonly answered: readonly string[];
  /** Lines the service asked its logger to write (reported at exit). */
  readonly calls: number;
  /** Lines found in the output. */
  readonly lines: readonly Record<string, unknown>[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The child's stderr, for the failure message. */
  readonly stderr: string;
  /** Milliseconds from SIGTERM to exit. */
  readonly stopMs: number;
}

const MAX_REQUESTS = 20_000;
const CONCURRENCY = 32;

/**
 * Starts the fixture, sends up to 20,000 requests to it on loopback, SIGTERM once `signalAfter`
 * were answered, and keeps sending until the server stops answering. Bounded by a 30 s guard.
 */
export async function runShutdown(
  logger: 'pino' | 'winston',
  dest: Destination,
  mode: 'threadline' | 'exit' | 'none',
  signalAfter = 1_000,
  perRequest = 4,
): Promise<ShutdownOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-shutdown-'));
  const file = join(dir, 'out.log');
  const stdoutFd = dest === 'stdout' ? openSync(file, 'w') : undefined;
  try {
    const child = spawn(process.execPath, ['--conditions=threadline-source', '--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOGGER: logger,
        DEST: dest === 'file' ? 'file' : 'stdout',
        FILE: file,
        MODE: mode,
      },
      stdio: ['ignore', stdoutFd ?? (dest === 'pipe' ? 'pipe' : 'ignore'), 'pipe'],
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let piped = '';
    child.stdout?.on('data', (c: Buffer) => {
      piped += c.toString();
    });
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /READY (\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`fixture exited early: ${stderr}`)));
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    const answered: string[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let next = 0;
    let stopped = false;
    let signalledAt = 0;
    const one = (id: string): Promise<boolean> =>
      new Promise((resolve) => {
        const r = request({ port, host: '127.0.0.1', agent, headers: { 'x-request-id': id } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
          res.on('error', () => resolve(false));
        });
        r.on('error', () => resolve(false));
        // A request the server never answers must not hold its connection open forever.
        r.setTimeout(5_000, () => r.destroy());
        r.end();
      });
    const worker = async (): Promise<void> => {
      while (!stopped && next < MAX_REQUESTS) {
        const id = `c-${next++}`;
        if (await one(id)) {
          answered.push(id);
          if (answered.length === signalAfter) {
            signalledAt = Date.now();
            child.kill('SIGTERM');
          }
        } else if (answered.length >= signalAfter) stopped = true;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    if (answered.length < signalAfter) {
      signalledAt = Date.now();
      child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    const stopMs = Date.now() - signalledAt;
    clearTimeout(guard);
    const calls = Number(/CALLS (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    const text = dest === 'pipe' ? piped : readFileSync(file, 'utf8');
    const lines = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { perRequest, answered, calls, lines, code, signal, stderr, stopMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lines accepted by the logger but missing from the output, and answered requests without a line. */
export function losses(outcome: ShutdownOutcome): { lost: number; unlogged: number; mislabelled: number } {
  const logged = new Set(outcome.lines.map((l) => l.expect));
  const accepted = Number.isNaN(outcome.calls) ? outcome.answered.length * outcome.perRequest : outcome.calls;
  return {
    lost: accepted - outcome.lines.length,
    unlogged: outcome.answered.filter((id) => !logged.has(id)).length,
    mislabelled: outcome.lines.filter((l) => l.request_id !== l.expect).length,
  };
}

/**
 * The suite both loggers must pass: with handleSignals(), SIGTERM mid-stream loses not one line,
 * to stdout, to a pipe or to the logger's own file, and finishes the requests in flight.
 */
export function describeSigtermShutdown(logger: 'pino' | 'winston'): void {
  describe(`${logger}: SIGTERM mid-stream with handleSignals`, () => {
    for (const dest of ['stdout', 'pipe', 'file'] as Destination[]) {
      test(dest, async () => {
        const outcome = await runShutdown(logger, dest, 'threadline');
        assert.equal(outcome.code, 0, `clean exit (stopped in ${outcome.stopMs} ms): ${outcome.stderr}`);
        assert.ok(outcome.answered.length >= 1_000, 'the signal came mid-stream');
        assert.equal(
          outcome.calls,
          outcome.answered.length * outcome.perRequest,
          'in-flight requests were finished, not dropped',
        );
        assert.deepEqual(losses(outcome), { lost: 0, unlogged: 0, mislabelled: 0 });
      });
    }
  });
}
