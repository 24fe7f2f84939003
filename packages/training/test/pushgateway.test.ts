import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRegistry } from '@threadline/core';
import { Counter, type Registry, register } from 'prom-client';
import { runTraining } from '../src/index.js';
import { captureSink, sample } from './helpers.js';

// The Debian package prometheus-pushgateway installs this binary; CI installs the package.
const BINARY = process.env.PUSHGATEWAY_BIN ?? '/usr/bin/prometheus-pushgateway';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

interface GroupMetric {
  metrics: { labels: Record<string, string>; value: string }[];
}
type Group = { labels: Record<string, string> } & Record<string, GroupMetric | unknown>;

describe('end-to-end push to a real Pushgateway', () => {
  let gateway: ChildProcess | undefined;
  let url = '';
  let log = '';

  before(async () => {
    try {
      accessSync(BINARY, constants.X_OK);
    } catch {
      assert.fail(
        `Pushgateway binary ${BINARY} not found: install the Debian package prometheus-pushgateway ` +
          '(apt-get install -y prometheus-pushgateway) or set PUSHGATEWAY_BIN',
      );
    }
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = spawn(BINARY, [`--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout?.on('data', (c: Buffer) => {
      log += c.toString();
    });
    gateway.stderr?.on('data', (c: Buffer) => {
      log += c.toString();
    });
    for (let i = 0; i < 100; i++) {
      try {
        const res = await fetch(`${url}/-/ready`);
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      if (gateway.exitCode !== null) break;
      await sleep(100);
    }
    assert.fail(`Pushgateway did not become ready on ${url}: ${log}`);
  });

  after(async () => {
    if (!gateway || gateway.exitCode !== null) return;
    const exited = new Promise((resolve) => gateway!.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  });

  async function group(job: string): Promise<Group | undefined> {
    const res = await fetch(`${url}/api/v1/metrics`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: Group[] };
    return body.data.find((g) => g.labels.job === job);
  }

  function value(
    g: Group | undefined,
    name: string,
    labels: Record<string, string> = {},
  ): number | undefined {
    const metric = g?.[name] as GroupMetric | undefined;
    const found = metric?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
    return found === undefined ? undefined : Number(found.value);
  }

  test('a finished run, then a failed one: status, failure flag and last success read back', async () => {
    const experiment = 'iris-push';
    const sink = captureSink();
    const pushgateway = { url, groupings: { instance: 'trainer-1' }, everyEpoch: true };
    let runningSeen = false;
    await runTraining({ experiment, logger: sink, progress: false, pushgateway }, async (run) => {
      // The start push is in flight; wait (bounded) until the gateway shows the run as running.
      for (let i = 0; i < 50 && !runningSeen; i++) {
        runningSeen = value(await group(experiment), 'training_run_status', { status: 'running' }) === 1;
        if (!runningSeen) await sleep(50);
      }
      for (let e = 0; e < 3; e++) await run.epoch(e, () => ({ loss: 1 / (e + 1), accuracy: 0.5 + e / 10 }));
    });
    assert.equal(runningSeen, true);
    assert.equal(
      sink.events('training_push_failed').length,
      0,
      JSON.stringify(sink.events('training_push_failed')),
    );

    const first = await group(experiment);
    assert.equal(first?.labels.instance, 'trainer-1');
    assert.equal(value(first, 'training_run_status', { status: 'finished', experiment }), 1);
    assert.equal(value(first, 'training_run_status', { status: 'running' }), 0);
    assert.equal(value(first, 'training_run_failed'), 0);
    assert.equal(value(first, 'training_epochs_total'), 3);
    assert.equal(value(first, 'training_metric', { name: 'loss', scope: 'epoch' }), 1 / 3);
    const success = value(first, 'training_last_success_timestamp_seconds')!;
    assert.ok(success > Date.now() / 1000 - 120 && success <= Date.now() / 1000 + 1, String(success));

    await assert.rejects(
      runTraining({ experiment, logger: sink, progress: false, pushgateway }, async (run) => {
        await run.epoch(0, () => ({ loss: 2 }));
        throw new Error('out of memory');
      }),
      /out of memory/,
    );
    const second = await group(experiment);
    assert.equal(value(second, 'training_run_status', { status: 'failed' }), 1);
    assert.equal(value(second, 'training_run_status', { status: 'finished' }), 0);
    assert.equal(value(second, 'training_run_failed'), 1);
    // The failed run pushed no success time, so the last good run's stays for the staleness alert.
    assert.equal(value(second, 'training_last_success_timestamp_seconds'), success);

    // The text exposition carries the job label the alert rules select on.
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.equal(sample(text, 'training_run_failed', { job: experiment, instance: 'trainer-1' }), 1);
  });

  test("a push carries the run's own series only: not the service's metrics, not another run's", async () => {
    const service = new Counter({ name: 'service_http_requests_total', help: 'A metric of the service.' });
    service.inc(5);
    // A service registry in OpenMetrics format: the run exposes its metrics there with exemplars,
    // and the push still sends the Prometheus text format the gateway parses.
    const openMetrics = createRegistry() as unknown as Registry;
    const sink = captureSink();
    const train = (experiment: string, n: number, registry?: Registry) =>
      runTraining(
        {
          experiment,
          logger: sink,
          progress: false,
          pushgateway: { url },
          ...(registry ? { registry } : {}),
        },
        async (run) => {
          for (let e = 0; e < n; e++) {
            await run.epoch(e, async () => {
              await sleep(5);
              return { loss: 1 / (e + 1) };
            });
          }
        },
      );
    await Promise.all([train('push-a', 3), train('push-b', 2), train('push-om', 1, openMetrics)]);
    assert.deepEqual(sink.events('training_push_failed'), []);
    for (const [job, epochs] of [
      ['push-a', 3],
      ['push-b', 2],
      ['push-om', 1],
    ] as const) {
      const g = await group(job);
      assert.equal(value(g, 'training_epochs_total', { experiment: job }), epochs, job);
      assert.equal(g?.service_http_requests_total, undefined, job);
      const series = g?.training_epochs_total as GroupMetric;
      assert.deepEqual(
        series.metrics.map((m) => m.labels.experiment),
        [job],
      );
    }
    // Meanwhile the service's registries expose every run.
    const text = await register.metrics();
    assert.equal(sample(text, 'training_epochs_total', { experiment: 'push-a' }), 3);
    assert.equal(sample(text, 'training_epochs_total', { experiment: 'push-b' }), 2);
    assert.equal(sample(await openMetrics.metrics(), 'training_epochs_total', { experiment: 'push-om' }), 1);
  });
});
