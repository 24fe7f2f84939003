import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { DRIFT_RECORDED, RECORDED, recordedSeriesNames, rulesFile } from '../src/index.js';
import { problems } from './catalog.js';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules: Rule[] = (
  parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const promtoolTests = new URL('./promtool/', import.meta.url).pathname;

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('Prometheus rules', () => {
  let scratch = '';
  before(() => {
    // CI installs promtool (Debian package "prometheus"); a missing tool is a failure, never a skip.
    try {
      execFileSync('promtool', ['--version'], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(
        `promtool is required for these tests (Debian/Ubuntu: apt-get install prometheus): ${error}`,
      );
    }
    scratch = mkdtempSync(join(tmpdir(), 'threadline-rules-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('promtool check rules accepts the bundle', () => {
    const r = promtool('check', 'rules', rulesFile);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  test('promtool check rules rejects a broken rule (the check is real)', () => {
    const bad = join(scratch, 'bad.rules.yml');
    writeFileSync(bad, 'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(a[5m])\n');
    assert.notEqual(promtool('check', 'rules', bad).status, 0);
  });

  test('promtool unit tests: each alert fires on a series that should fire it and not on one that should not', () => {
    const files = readdirSync(promtoolTests).filter((f) => f.endsWith('.test.yml'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const r = promtool('test', 'rules', join(promtoolTests, file));
      assert.equal(r.status, 0, `${file}\n${r.output}`);
      assert.match(r.output, /SUCCESS/);
    }
  });

  test('every alert is covered by a promtool unit test', () => {
    const covered = readdirSync(promtoolTests)
      .filter((f) => f.endsWith('.test.yml'))
      .map((f) => readFileSync(join(promtoolTests, f), 'utf8'))
      .join('\n');
    for (const r of rules.filter((x) => x.alert)) {
      const fires = new RegExp(`alertname: ${r.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`).test(covered);
      const silent = new RegExp(`alertname: ${r.alert}\\n\\s+exp_alerts: \\[\\]`).test(covered);
      assert.ok(fires, `${r.alert} has no unit test where it fires`);
      assert.ok(silent, `${r.alert} has no unit test where it stays silent`);
    }
  });

  test('every expression parses as PromQL and reads only exported or recorded metrics', () => {
    for (const r of rules) assert.deepEqual(problems(r.expr), [], `${r.record ?? r.alert}: ${r.expr}`);
  });

  test('the recorded series are exactly those the dashboard knows', () => {
    const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record));
    assert.deepEqual(recorded, recordedSeriesNames());
  });

  test("the fleet PSI the bundle reads is recorded by the drift package's rules", () => {
    const driftRules = join(
      dirname(createRequire(import.meta.url).resolve('@threadline/drift/package.json')),
      'rules',
      'drift.rules.yml',
    );
    const records = (parse(readFileSync(driftRules, 'utf8')) as { groups: { rules: Rule[] }[] }).groups
      .flatMap((g) => g.rules)
      .map((r) => r.record);
    for (const name of Object.values(DRIFT_RECORDED))
      assert.ok(records.includes(name), `${name} not recorded`);
    const r = promtool('check', 'rules', rulesFile, driftRules);
    assert.equal(r.status, 0, r.output);
  });

  test("the seed's alerts: error rate above 2% and P95 above 500 ms, both for 5 minutes", () => {
    const byName = new Map(rules.filter((r) => r.alert).map((r) => [r.alert, r]));
    const errors = byName.get('ThreadlineHighErrorRate')!;
    assert.equal(errors.expr, `${RECORDED.errorRatio} > 0.02`);
    assert.equal(errors.for, '5m');
    const latency = byName.get('ThreadlineHighLatencyP95')!;
    assert.equal(latency.expr, `${RECORDED.routeLatencyP95} > 0.5`);
    assert.equal(latency.for, '5m');
    for (const name of ['ThreadlineDatasetDrift', 'ThreadlineValidationFailures', 'ThreadlineLatencyAnomaly'])
      assert.ok(byName.has(name), name);
    for (const r of byName.values()) {
      assert.ok(r.labels?.severity, `${r.alert} has no severity`);
      assert.ok(r.annotations?.summary, `${r.alert} has no summary`);
    }
  });
});
