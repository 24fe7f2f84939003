import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { parseMetrics, sum } from './harness.js';

const REQUESTS = 40;

test('cluster mode: the primary serves metrics summed over real workers', { timeout: 90_000 }, async () => {
  const child = spawn(
    process.execPath,
    [
      '--conditions=threadline-source',
      '--import',
      'tsx',
      new URL('./fixtures/cluster-app.ts', import.meta.url).pathname,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const ports = await new Promise<{ appPort: number; metricsPort: number }>((resolve, reject) => {
      child.stdout.on('data', (c: string) => {
        out += c;
        const nl = out.indexOf('\n');
        if (nl !== -1) resolve(JSON.parse(out.slice(0, nl)));
      });
      child.once('exit', (code) => reject(new Error(`cluster app exited with ${code}`)));
    });
    const pids = new Set<number>();
    for (let i = 0; i < REQUESTS; i++) {
      // A new connection per request, so the primary spreads them over the workers.
      const res = await fetch(`http://127.0.0.1:${ports.appPort}/work/${i}`, {
        headers: { connection: 'close' },
      });
      pids.add(((await res.json()) as { pid: number }).pid);
    }
    assert.equal(pids.size, 2, 'both workers served requests');
    const scrape = await fetch(`http://127.0.0.1:${ports.metricsPort}/metrics`);
    assert.equal(scrape.status, 200);
    const samples = parseMetrics(await scrape.text());
    assert.equal(
      sum(samples, 'http_server_request_duration_seconds_count', {
        http_route: '/work/:id',
        http_response_status_code: '200',
      }),
      REQUESTS,
    );
    assert.ok(
      samples.some((s) => s.name === 'process_cpu_user_seconds_total'),
      'default metrics of the workers',
    );
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
});
