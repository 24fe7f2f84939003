import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '@threadline/core';
import { buildProfile, createDriftMonitor } from '../src/index.js';
import { normal, rng, samples } from './helpers.js';

const RULES = fileURLToPath(new URL('../rules/drift.rules.yml', import.meta.url));

function promtool(): string {
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  assert.ok(
    which.status === 0 && path !== '',
    'promtool is not installed: install the Debian package "prometheus" (apt-get install -y prometheus) to test the recording rules',
  );
  return path;
}

test('the recording rules check clean with promtool', () => {
  const r = spawnSync(promtool(), ['check', 'rules', RULES], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 6 rules found/);
});

test('fleet PSI from two replicas equals the in-process PSI of all their values', async () => {
  const tool = promtool();
  const next = rng(7);
  const reference = Array.from({ length: 2000 }, () => normal(next, 0, 1));
  const profile = buildProfile({ x: reference }, { bins: 10 });
  const model = { name: 'ranker', version: '3' };
  // Current data shifted so that some buckets are empty on one side and the +Inf bucket fills.
  const current = Array.from({ length: 900 }, () => normal(next, 1.2, 0.8));

  const replicas = [createRegistry(), createRegistry()];
  const monitors = replicas.map((registry) =>
    createDriftMonitor({ reference: profile, registry, model, window: { rows: 1_000_000 } }),
  );
  current.forEach((v, i) => {
    monitors[i % 2]!.observe({ x: v });
  });
  const whole = createDriftMonitor({
    reference: profile,
    metrics: false,
    method: 'psi',
    window: { rows: 1_000_000 },
  });
  for (const v of current) whole.observe({ x: v });
  const expected = whole.evaluate().features.x!.statistic!;
  assert.ok(expected > 0.1, `the shift should give a large PSI, got ${expected}`);

  const series: string[] = [];
  for (const [i, registry] of replicas.entries()) {
    const text = await registry.metrics();
    const buckets = samples(text, 'ml_feature_value_bucket');
    const ratios = samples(text, 'ml_feature_reference_ratio');
    assert.equal(buckets.length, 11);
    assert.equal(ratios.length, 11);
    const label = (l: Record<string, string>) =>
      Object.entries({ ...l, instance: `replica-${i}` })
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
    for (const b of buckets) {
      series.push(
        `      - series: 'ml_feature_value_bucket{${label(b.labels)}}'\n        values: '0 ${b.value}'`,
      );
    }
    for (const r of ratios) {
      series.push(
        `      - series: 'ml_feature_reference_ratio{${label(r.labels)}}'\n        values: '${r.value} ${r.value}'`,
      );
    }
  }
  for (const m of [...monitors, whole]) m.close();

  const dir = mkdtempSync(join(tmpdir(), 'drift-rules-'));
  const file = join(dir, 'psi.test.yml');
  writeFileSync(
    file,
    `rule_files:
  - ${JSON.stringify(RULES)}
evaluation_interval: 1m
tests:
  - interval: 1h
    input_series:
${series.join('\n')}
    promql_expr_test:
      - expr: abs(feature:ml_feature_psi:1h - ${expected}) < bool 1e-9
        eval_time: 1h
        exp_samples:
          - labels: '{feature="x",model_name="ranker",model_version="3"}'
            value: 1
`,
  );
  const r = spawnSync(tool, ['test', 'rules', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /SUCCESS/);
});
