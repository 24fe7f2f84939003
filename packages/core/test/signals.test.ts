import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';

// A child that shuts down in about 1.5 s (one slow final step) on SIGTERM, printing when it is done.
const CHILD = `
  import { handleSignals, onShutdown } from '@threadline/core';
  onShutdown({ name: 'slow', phase: 'final', run: () => new Promise((r) => setTimeout(r, 1500)) });
  onShutdown({ name: 'cleanup', phase: 'flush', run: () => { process.stdout.write('cleaned\\n'); } });
  handleSignals();
  setInterval(() => {}, 1000);
  process.stdout.write('ready\\n');
`;

async function run(gapsMs: readonly number[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=threadline-source', '--import', 'tsx', '--input-type=module', '-e', CHILD],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('ready')) resolve();
    });
  });
  const exited = once(child, 'exit');
  await ready;
  child.kill('SIGTERM');
  for (const gap of gapsMs) {
    await new Promise((r) => setTimeout(r, gap));
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const [code] = (await exited) as [number | null];
  return { code, stdout };
}

describe('handleSignals with real signals', () => {
  test('the same SIGTERM delivered twice within milliseconds (npm and the process group) shuts down cleanly', async () => {
    const r = await run([5]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /cleaned/);
  });

  test('SIGTERM sent again more than a second later ends the process at once with 143', async () => {
    const r = await run([1100]);
    assert.equal(r.code, 143);
    assert.doesNotMatch(r.stdout, /cleaned/);
  });
});
