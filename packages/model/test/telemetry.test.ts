import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createRegistry, getContext, runWithContext } from '@threadline/core';
import { createModelMonitor } from '@threadline/model';
import express from 'express';
import { Registry } from 'prom-client';
import { useInMemoryTracing } from '../../../test/helpers/otel.js';
import { memorySink } from './helpers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('exemplars and per-request canary binding', () => {
  test('the duration histogram carries trace exemplars on an OpenMetrics registry', async () => {
    const registry = createRegistry();
    const monitor = createModelMonitor({ registry, logger: false });
    const model = monitor.declare({ name: 'churn', version: '1' });
    const predict = monitor.instrument(model, async (x: number) => x);
    await runWithContext({ trace_id: TRACE, span_id: '00f067aa0ba902b7', trace_flags: '01' }, () =>
      predict(1),
    );
    const text = await registry.metrics();
    assert.match(
      text,
      new RegExp(
        `model_inference_duration_seconds_bucket\\{[^}]*phase="predict"[^}]*\\} 1 # \\{trace_id="${TRACE}",span_id="00f067aa0ba902b7"\\}`,
      ),
    );
    // Counters flushed at scrape time are rendered as OpenMetrics counters.
    assert.match(text, /model_predictions_total\{model_name="churn",model_version="1"\} 1/);
  });

  test('express: a canary split chooses the model per request, by user ID', async () => {
    const logger = memorySink();
    const monitor = createModelMonitor({ registry: new Registry(), logger });
    const v1 = monitor.declare({ name: 'churn', version: '1' });
    const v2 = monitor.declare({ name: 'churn', version: '2' });
    const p1 = monitor.instrument(v1, async (x: number) => x);
    const p2 = monitor.instrument(v2, async (x: number) => x);
    const canary = monitor.canary({ primary: p1, candidate: p2, share: 0.5 });
    const app = express();
    app.use((_req, _res, next) => runWithContext({}, () => next(), { inherit: false }));
    app.use(monitor.express((req: express.Request) => canary.pick(String(req.headers['x-user-id']))));
    app.get('/', async (req, res) => {
      const bound = getContext()?.model;
      const r = await canary(String(req.headers['x-user-id']), 1);
      res.json({ bound: bound?.version, answered: r.model.version, id: r.predictionId });
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const user = `user-${i}`;
        const body = (await (
          await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-user-id': user } })
        ).json()) as {
          bound: string;
          answered: string;
          id: string;
        };
        assert.equal(body.bound, canary.pick(user).version);
        assert.equal(body.answered, body.bound);
        const line = logger.events('model_inference').find((l) => l.fields.prediction_id === body.id);
        assert.equal(line?.fields.model_version, body.bound);
        seen.add(body.bound);
      }
      assert.deepEqual([...seen].sort(), ['1', '2'], 'both versions serve some users');
    } finally {
      server.close();
    }
  });
});

describe('spans', () => {
  const exporter = useInMemoryTracing();

  test('each call is a model.predict span with the model attributes; a failure marks it', async () => {
    const monitor = createModelMonitor({ registry: new Registry(), logger: false });
    const model = monitor.declare({ name: 'churn', version: '7' });
    const ok = monitor.instrument(model, async (x: number) => x);
    const boom = monitor.instrument(model, async (_x: number): Promise<number> => {
      throw new Error('bad weights');
    });
    await ok(1);
    await assert.rejects(boom(1), /bad weights/);
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 2);
    assert.deepEqual(
      spans.map((s) => [
        s.name,
        s.attributes['ml.model.name'],
        s.attributes['ml.model.version'],
        s.status.code,
      ]),
      [
        ['model.predict', 'churn', '7', 0],
        ['model.predict', 'churn', '7', 2],
      ],
    );
  });
});
