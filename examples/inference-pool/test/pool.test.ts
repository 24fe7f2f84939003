// The service run as it is deployed (a child process), once scoring in a piscina pool and once in
// its own thread: the log lines and the metrics must look the same, and the pool's lines must carry
// the request's IDs.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const REQUESTS = 40;

type Line = Record<string, unknown>;

async function run(mode: 'pool' | 'inline'): Promise<{ lines: Line[]; metrics: string }> {
  const child = fork(MAIN, [], {
    execArgv: ['--conditions=threadline-source', '--import', 'tsx'],
    env: { ...process.env, MODE: mode, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const base = `http://127.0.0.1:${port}`;
    await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const res = await fetch(`${base}/score?x=0.${i},0.2,0.3,0.4`, {
          headers: { 'x-request-id': `req-${i}` },
        });
        assert.equal(res.status, 200);
        await res.json();
      }),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Worker lines travel through the worker's stdout stream: wait until all have arrived.
    for (let i = 0; i < 100 && count(stdout, 'model_inference') < REQUESTS; i++)
      await new Promise((r) => setTimeout(r, 20));
    child.send('stop');
    await once(child, 'exit');
    const lines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    return { lines, metrics };
  } finally {
    clearTimeout(guard);
    child.kill();
  }
}

function count(text: string, event: string): number {
  return text.split(`"event":"${event}"`).length - 1;
}

/** The series of a metric family, without values: names and label sets. */
function series(metrics: string, prefix: string): string[] {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.replace(/ [^ ]+$/, '').replace(/ # \{.*$/, ''))
    .sort();
}

function value(metrics: string, line: string): number {
  const found = metrics.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(' ')[1]) : Number.NaN;
}

describe('scoring in a piscina pool looks like scoring in-process', () => {
  test('same lines with the request’s IDs, same metrics, summed', async () => {
    const [pool, inline] = await Promise.all([run('pool'), run('inline')]);
    for (const { lines } of [pool, inline]) {
      const inferences = lines.filter((l) => l.event === 'model_inference');
      assert.equal(inferences.length, REQUESTS);
      const access = new Map(lines.filter((l) => l.event === 'http_request').map((l) => [l.request_id, l]));
      for (const l of inferences) {
        const a = access.get(l.request_id);
        assert.ok(a, `the inference line of ${String(l.request_id)} has its request's ID`);
        assert.equal(l.trace_id, a.trace_id, 'and its trace');
        assert.equal(l.model_version, '2.0.0');
      }
    }
    const keys = (lines: Line[]) =>
      Object.keys(lines.find((l) => l.event === 'model_inference')!)
        .filter((k) => k !== 'time')
        .sort();
    assert.deepEqual(keys(pool.lines), keys(inline.lines), 'the same fields either way');
    for (const prefix of [
      'model_inference_duration_seconds_count',
      'model_predictions_total',
      'model_info',
    ]) {
      assert.deepEqual(series(pool.metrics, prefix), series(inline.metrics, prefix), prefix);
    }
    const predictions = 'model_predictions_total{model_name="ranker",model_version="2.0.0"}';
    assert.equal(value(pool.metrics, predictions), REQUESTS, 'the workers’ counts, summed');
    assert.equal(value(inline.metrics, predictions), REQUESTS);
    const info = pool.metrics.split('\n').find((l) => l.startsWith('model_info{'));
    assert.match(String(info), / 1$/, 'model_info stays 1 (max over the threads)');
  });
});
