import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunSummary, runTraining } from '../src/index.js';
import { captureSink, tempDir } from './helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/signal-run.ts', import.meta.url));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Record<string, unknown>[];
  stderr: string;
}

/** Runs the fixture, sends `signal` once it has logged two epochs, and waits for it to exit. */
function runAndSignal(
  summaryPath: string,
  signal: NodeJS.Signals,
  mode = 'alone',
  pushUrl?: string,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=threadline-source',
        '--import',
        'tsx',
        fixture,
        summaryPath,
        mode,
        ...(pushUrl ? [pushUrl] : []),
      ],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let stderr = '';
    let sent = false;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture did not finish; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!sent && out.includes('"epoch":1,')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, sig) => {
      clearTimeout(guard);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal: sig, lines, stderr });
    });
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal}: summary and log say killed, then the process dies of the signal as it would have`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'summary.json');
      const outcome = await runAndSignal(path, signal);
      assert.equal(outcome.signal, signal, `exit code ${outcome.code}; stderr: ${outcome.stderr}`);
      assert.equal(outcome.code, null);
      const killed = outcome.lines.filter((l) => l.event === 'training_killed');
      assert.equal(killed.length, 1);
      assert.equal(killed[0]!.signal, signal);
      assert.equal(killed[0]!.status, 'killed');
      assert.equal(killed[0]!.level, 'warn');
      const summary = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
      assert.equal(summary.status, 'killed');
      assert.equal(summary.signal, signal);
      assert.ok(summary.epochs.count >= 2);
      assert.equal(summary.run_id, killed[0]!.run_id);
      assert.notEqual(summary.ended_at, null);
    } finally {
      cleanup();
    }
  });
}

test('SIGINT with an application handler: the run is marked killed and the application decides the exit', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'summary.json');
    const outcome = await runAndSignal(path, 'SIGINT', 'user-handler');
    assert.equal(outcome.code, 7, outcome.stderr);
    assert.equal(outcome.signal, null);
    const events = outcome.lines.map((l) => l.event);
    assert.ok(events.includes('training_killed'));
    assert.ok(events.includes('user_handler'));
    // No epoch is recorded after the kill, though the loop kept running until the exit.
    assert.equal(
      events.slice(events.indexOf('training_killed')).filter((e) => e === 'training_epoch').length,
      0,
    );
    const summary = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
    assert.equal(summary.status, 'killed');
  } finally {
    cleanup();
  }
});

test('SIGINT with a Pushgateway that is down: the last push fails fast, then the signal ends the process', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const path = join(dir, 'summary.json');
    const outcome = await runAndSignal(path, 'SIGINT', 'alone', `http://127.0.0.1:${port}`);
    assert.equal(outcome.signal, 'SIGINT', outcome.stderr);
    const events = outcome.lines.map((l) => l.event);
    const killedAt = events.indexOf('training_killed');
    assert.ok(killedAt >= 0);
    // The final push after the kill was tried and its failure logged before the exit.
    assert.ok(events.slice(killedAt).includes('training_push_failed'), events.join(','));
    const summary = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
    assert.equal(summary.status, 'killed');
  } finally {
    cleanup();
  }
});

test('signal handlers are installed during a run and removed after it', async () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  let during: number[] = [];
  await runTraining({ experiment: 'handlers', logger: captureSink(), progress: false }, () => {
    during = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  });
  assert.deepEqual(during, [before[0]! + 1, before[1]! + 1]);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
  await runTraining(
    { experiment: 'no-handlers', logger: captureSink(), progress: false, handleSignals: false },
    () => {
      during = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    },
  );
  assert.deepEqual(during, before);
});
