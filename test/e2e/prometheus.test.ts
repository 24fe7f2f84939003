// End to end with the real engines: a Prometheus server scrapes two instances of the recommendation
// service and one Node cluster-mode instance, evaluates the bundled rules, and answers queries about
// the fleet over its HTTP API. Prometheus aggregates; Threadline exports.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildDashboard, rulesFile } from '@threadline/dashboards';

const ROOT = new URL('../..', import.meta.url).pathname;
const PROMETHEUS = 'prometheus';
const ROUTE = '/recommendations/:userId';
const JOB = 'recommendation-service';
const CLUSTER_JOB = 'recommendation-cluster';
// Fleet PSI per feature is recorded by the drift package's rules; the bundle's alerts read it.
const DRIFT_RULES = join(
  dirname(createRequire(import.meta.url).resolve('@threadline/drift/package.json')),
  'rules',
  'drift.rules.yml',
);

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  output: string;
}

const procs: Proc[] = [];
let scratch = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts a process in its own group, so stopping it stops its children too (cluster workers). */
function launch(name: string, command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const proc: Proc = { name, child, output: '' };
  const keep = (chunk: Buffer) => {
    proc.output = (proc.output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  procs.push(proc);
  return proc;
}

async function stopAll(): Promise<void> {
  const exits = procs.map(
    (p) =>
      new Promise<void>((resolve) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
        const timer = setTimeout(() => {
          try {
            process.kill(-p.child.pid!, 'SIGKILL');
          } catch {}
          resolve();
        }, 5_000);
        p.child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          process.kill(-p.child.pid!, 'SIGTERM');
        } catch {
          clearTimeout(timer);
          resolve();
        }
      }),
  );
  await Promise.all(exits);
}

async function waitFor<T>(
  what: string,
  proc: Proc | undefined,
  fn: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) assert.fail(`${proc.name} exited early:\n${proc.output}`);
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what} (${String(last)})\n${proc?.output ?? ''}`);
}

function service(name: string, env: Record<string, string>): Proc {
  return launch(
    name,
    process.execPath,
    ['--conditions=threadline-source', '--import', 'tsx', 'examples/recommendation-service/src/main.ts'],
    { TRAFFIC: '0', TRAIN_EPOCHS: '2', HOST: '127.0.0.1', ...env },
  );
}

async function healthy(url: string): Promise<true | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.ok ? true : undefined;
}

interface Sent {
  ok: number;
  serverErrors: number;
  rejected: number;
  badUserIds: number;
}

/** Bounded traffic to one instance: `n` requests, `concurrency` at a time, loopback only. */
async function drive(base: string, n: number, concurrency = 8): Promise<Sent> {
  const sent: Sent = { ok: 0, serverErrors: 0, rejected: 0, badUserIds: 0 };
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      let path: string;
      if (i % 20 === 7) {
        path = '/recommendations/not-a-user';
        sent.badUserIds++;
      } else if (i % 4 === 0) {
        // Users the models never saw: the cold-start inputs the drift monitor should notice.
        path = `/recommendations/${200_000 + i}?k=5`;
      } else path = `/recommendations/${1 + (i % 600)}?k=10`;
      const res = await fetch(base + path, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { prediction_id?: string };
      if (res.status === 200) {
        sent.ok++;
        if (i % 3 === 0) {
          const outcome = await fetch(`${base}/outcomes`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ prediction_id: body.prediction_id, clicked: i % 2 === 0 }),
            signal: AbortSignal.timeout(10_000),
          });
          await outcome.arrayBuffer();
        }
      } else if (res.status >= 500) sent.serverErrors++;
      else if (res.status === 422) sent.rejected++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent;
}

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

let promBase = '';

async function query(expr: string): Promise<Sample[]> {
  const res = await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  assert.equal(body.status, 'success', `${expr}: ${body.error}`);
  return body.data!.result;
}

async function scalar(expr: string): Promise<number> {
  const result = await query(expr);
  assert.equal(result.length, 1, `${expr} returned ${JSON.stringify(result)}`);
  return Number(result[0]!.value[1]);
}

describe('a real Prometheus over the fleet', { timeout: 110_000 }, () => {
  let sentA: Sent;
  let sentB: Sent;
  let sentCluster: Sent;

  before(async () => {
    try {
      execFileSync(PROMETHEUS, ['--version'], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(
        `the Prometheus server is required for this test (Debian/Ubuntu: apt-get install prometheus): ${error}`,
      );
    }
    scratch = mkdtempSync(join(tmpdir(), 'threadline-e2e-'));
    const [a, b, clusterPort, clusterMetrics, prom] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    // A fails a tenth of its feature lookups, so the fleet has an error rate to measure.
    const instA = service('instance-a', { PORT: String(a), FAULT_RATE: '0.1' });
    const instB = service('instance-b', { PORT: String(b), FAULT_RATE: '0' });
    const instC = service('cluster', {
      PORT: String(clusterPort),
      CLUSTER_WORKERS: '2',
      METRICS_PORT: String(clusterMetrics),
      FAULT_RATE: '0',
    });
    writeFileSync(
      join(scratch, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(rulesFile)}`,
        `  - ${JSON.stringify(DRIFT_RULES)}`,
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${a}', '127.0.0.1:${b}']`,
        `  - job_name: ${CLUSTER_JOB}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${clusterMetrics}']`,
        '',
      ].join('\n'),
    );
    promBase = `http://127.0.0.1:${prom}`;
    const server = launch('prometheus', PROMETHEUS, [
      `--config.file=${join(scratch, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(scratch, 'data')}`,
      `--web.listen-address=127.0.0.1:${prom}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ]);
    await waitFor('prometheus ready', server, () => healthy(`${promBase}/-/ready`));
    await Promise.all([
      waitFor('instance a', instA, () => healthy(`http://127.0.0.1:${a}/healthz`)),
      waitFor('instance b', instB, () => healthy(`http://127.0.0.1:${b}/healthz`)),
      waitFor('cluster metrics', instC, () => healthy(`http://127.0.0.1:${clusterMetrics}/metrics`)),
    ]);
    // Each worker runs its own training job at start; both are serving once both runs declared
    // their models (two model_info series per version, told apart by run_id).
    await waitFor('cluster workers', instC, async () => {
      const text = await (await fetch(`http://127.0.0.1:${clusterMetrics}/metrics`)).text();
      const live = text.match(/^model_info\{[^}]*model_version="1\.0"/gm) ?? [];
      return live.length >= 2 ? true : undefined;
    });
    [sentA, sentB, sentCluster] = await Promise.all([
      drive(`http://127.0.0.1:${a}`, 240),
      drive(`http://127.0.0.1:${b}`, 240),
      drive(`http://127.0.0.1:${clusterPort}`, 160),
    ]);
    // Wait until Prometheus has scraped every request the fleet answered.
    const total =
      sentA.ok + sentA.serverErrors + sentA.rejected + sentB.ok + sentB.serverErrors + sentB.rejected;
    await waitFor('the final scrape', server, async () => {
      const r = await query(
        `sum(http_server_request_duration_seconds_count{job="${JOB}",http_route="${ROUTE}"})`,
      );
      return r.length === 1 && Number(r[0]!.value[1]) >= total ? true : undefined;
    });
    await waitFor('the cluster scrape', server, async () => {
      const r = await query(
        `sum(http_server_request_duration_seconds_count{job="${CLUSTER_JOB}",http_route="${ROUTE}"})`,
      );
      return r.length === 1 && Number(r[0]!.value[1]) >= sentCluster.ok + sentCluster.rejected
        ? true
        : undefined;
    });
  });

  after(async () => {
    await stopAll();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('fleet P95 per route, over both instances, from summed buckets and from the recording rule', async () => {
    const p95 = await query(
      `histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="${JOB}"}[1m])))`,
    );
    const route = p95.find((s) => s.metric.http_route === ROUTE);
    assert.ok(route, JSON.stringify(p95));
    const value = Number(route.value[1]);
    assert.ok(Number.isFinite(value) && value > 0 && value < 10, `P95 ${value}`);
    const instances = await query(
      `count by (instance) (http_server_request_duration_seconds_count{job="${JOB}"})`,
    );
    assert.equal(instances.length, 2, 'both instances scraped');
    const recorded = await waitFor('the recorded P95', undefined, async () => {
      const r = await query(
        `job_route:http_server_request_duration_seconds:p95_5m{job="${JOB}",http_route="${ROUTE}"}`,
      );
      return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
    });
    assert.ok(recorded > 0 && recorded < 10);
  });

  test('error rate: the 5xx the clients saw, counted across the fleet', async () => {
    assert.ok(sentA.serverErrors > 0, 'instance a failed some lookups');
    const errors = await scalar(
      `sum(http_server_request_duration_seconds_count{job="${JOB}",http_route="${ROUTE}",http_response_status_code=~"5.."})`,
    );
    assert.equal(errors, sentA.serverErrors + sentB.serverErrors);
    const ratio = await waitFor('the recorded error ratio', undefined, async () => {
      const r = await query(`job:http_server_request_error_ratio:rate5m{job="${JOB}"}`);
      return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
    });
    assert.ok(ratio > 0 && ratio < 1, `error ratio ${ratio}`);
  });

  test('model_info: both versions live on every instance, with lineage', async () => {
    const info = await query(`model_info{job="${JOB}"}`);
    const versions = info.map((s) => `${s.metric.instance} ${s.metric.model_version}`).sort();
    assert.equal(versions.length, 4, JSON.stringify(info));
    assert.deepEqual(new Set(info.map((s) => s.metric.model_version)), new Set(['1.0', '2.0']));
    for (const s of info) {
      assert.match(s.metric.run_id ?? '', /\S+/);
      assert.match(s.metric.dataset_version ?? '', /^ratings-/);
    }
  });

  test('validation failures: every malformed user ID the fleet received', async () => {
    const failures = await scalar(
      `sum(data_validation_failures_total{job="${JOB}",feature="user_id",check="type",model_name="recommender"})`,
    );
    assert.equal(failures, sentA.badUserIds + sentB.badUserIds);
    const ingest = await scalar(`sum(data_validation_failures_total{job="${JOB}",model_name=""})`);
    assert.equal(ingest, 2 * 3, 'the three malformed batch rows, dropped on each instance');
  });

  test('drift: cold-start users moved the inputs, per instance and over the fleet', async () => {
    // A quarter of the traffic came from users the models never saw (no history): the champion's
    // windows on both instances saw it.
    const share = await query(`ml_dataset_drift_share{job="${JOB}",model_version="1.0"}`);
    assert.equal(share.length, 2, JSON.stringify(share));
    for (const s of share)
      assert.ok(Number(s.value[1]) >= 0.5, `drift share ${s.value[1]} on ${s.metric.instance}`);
    const detected = await scalar(
      `sum(ml_feature_drift_detected{job="${JOB}",model_version="1.0",feature="history_length"})`,
    );
    assert.equal(detected, 2);
    const psi = await waitFor('the fleet PSI', undefined, async () => {
      const r = await query(`feature:ml_feature_psi:1h{model_version="1.0",feature="history_length"}`);
      return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
    });
    assert.ok(psi > 0.2, `fleet PSI of history_length ${psi}`);
  });

  test('cluster mode: the primary serves the sum over its workers', async () => {
    const served = await scalar(
      `sum(http_server_request_duration_seconds_count{job="${CLUSTER_JOB}",http_route="${ROUTE}"})`,
    );
    assert.equal(served, sentCluster.ok + sentCluster.rejected + sentCluster.serverErrors);
    // Each worker trained its own copy: one model_info series per worker, told apart by run_id.
    const workers = await scalar(`count(model_info{job="${CLUSTER_JOB}",model_version="1.0"})`);
    assert.equal(workers, 2);
  });

  test('every dashboard query runs on the real Prometheus', async () => {
    const dashboard = buildDashboard();
    let checked = 0;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const expr = target.expr
          .replaceAll('$__rate_interval', '1m')
          .replaceAll('"$job"', '".*"')
          .replaceAll('"$model_name"', '".*"');
        await query(expr);
        checked++;
      }
    }
    assert.ok(checked >= 20, `${checked} queries`);
    const latency = await query(
      `histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job=~".*"}[1m])))`,
    );
    assert.ok(latency.length > 0, 'the latency panel has data');
  });

  test('the bundled rules are loaded and evaluated', async () => {
    const res = (await (await fetch(`${promBase}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const rules = res.data.groups.flatMap((g) => g.rules);
    assert.ok(rules.some((r) => r.name === 'ThreadlineHighErrorRate'));
    for (const r of rules) assert.notEqual(r.health, 'err', `${r.name}: ${r.lastError}`);
  });

  test('latency exemplars carry the trace ID of a request', async () => {
    const now = Date.now() / 1000;
    const res = (await (
      await fetch(
        `${promBase}/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket')}&start=${now - 600}&end=${now + 60}`,
      )
    ).json()) as { status: string; data: { exemplars: { labels: Record<string, string> }[] }[] };
    assert.equal(res.status, 'success');
    const exemplars = res.data.flatMap((s) => s.exemplars);
    assert.ok(exemplars.length > 0, 'no exemplars stored');
    assert.match(exemplars[0]!.labels.trace_id ?? '', /^[0-9a-f]{32}$/);
  });
});
