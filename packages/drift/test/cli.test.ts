import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtures, normal, rng } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/threadline-drift.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'drift-cli-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs the real bin in a child process, as `npx threadline-drift` would. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const g = rng(11);
const csvRows = (n: number, shift: number) =>
  Array.from({ length: n }, (_, i) => {
    const city = ['Oslo', 'Lima, Peru', 'Quito "Q"'][i % 3]!;
    return `${normal(g, shift, 1).toFixed(5)},"${city.replace(/"/g, '""')}",${i % 7 === 0 ? 'NaN' : (i % 5).toString()}`;
  });
const header = 'score,city,level';
const refCsv = file('ref.csv', [header, ...csvRows(600, 0)].join('\n'));
const sameCsv = file('same.csv', [header, ...csvRows(400, 0)].join('\n'));
const shiftedCsv = file('shifted.csv', [header, ...csvRows(400, 1)].join('\n'));

describe('threadline-drift', () => {
  test('prints the report as JSON; quoted CSV fields and NaN cells are handled', async () => {
    const r = await cli([refCsv, sameCsv]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report.features), ['score', 'city', 'level']);
    const score = report.features.score;
    assert.equal(score.method, 'ks');
    for (const key of ['statistic', 'p_value', 'threshold', 'drift']) assert.ok(key in score, key);
    assert.equal(report.features.city.method, 'chisquare');
    assert.equal(report.features.city.invalid_values.unseen, 0);
    // "level" has 5 distinct numbers: tested as categories, as Evidently does.
    assert.equal(report.features.level.method, 'chisquare');
    assert.ok(report.features.level.invalid_values.nan > 0);
    assert.equal(report.dataset_drift, false);
    assert.equal(typeof report.drift_share, 'number');
  });

  test('--fail-on-drift exits 1 when the dataset drifted, 0 otherwise', async () => {
    const drifted = await cli([refCsv, shiftedCsv, '--fail-on-drift', '--drift-share', '0.3']);
    assert.equal(drifted.code, 1, drifted.stderr);
    assert.equal(JSON.parse(drifted.stdout).features.score.drift, true);
    const without = await cli([refCsv, shiftedCsv, '--drift-share', '0.3']);
    assert.equal(without.code, 0);
    const same = await cli([refCsv, sameCsv, '--fail-on-drift']);
    assert.equal(same.code, 0);
  });

  test('methods, thresholds, correction and columns from the command line', async () => {
    const r = await cli([
      refCsv,
      shiftedCsv,
      '--columns',
      'score,city',
      '--method',
      'psi',
      '--threshold',
      '0.5',
      '--feature',
      'city=jensenshannon:0.2',
      '--correction',
      'bonferroni',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report.features), ['score', 'city']);
    assert.equal(report.features.score.method, 'psi');
    assert.equal(report.features.score.threshold, 0.5);
    assert.equal(report.features.city.method, 'jensenshannon');
    assert.equal(report.features.city.threshold, 0.2);
    assert.equal(report.correction, 'bonferroni');
  });

  test('JSON lines input matches scipy', async () => {
    const c = fixtures.ks.find((k: { name: string }) => k.name === 'unequal_small');
    const lines = (xs: number[]) => xs.map((x) => JSON.stringify({ v: x })).join('\n');
    const r = await cli([file('a.jsonl', lines(c.reference)), file('b.jsonl', lines(c.current))]);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout).features.v;
    assert.ok(Math.abs(v.statistic - c.statistic) < 1e-6);
    assert.ok(Math.abs(v.p_value - c.p_value) < 1e-6);
  });

  test('clear errors with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [[refCsv, join(dir, 'missing.csv')], /cannot read .*missing\.csv: ENOENT/],
      [[refCsv, sameCsv, '--columns', 'score,nope'], /unknown column "nope"/],
      [[refCsv, file('empty.csv', 'score,city,level\n')], /has no data rows/],
      [[refCsv, file('other.csv', 'a,b\n1,2\n')], /column "score" is missing from the current data/],
      [[file('r.jsonl', '{"a":1}\n'), file('bad.jsonl', '{"a":1}\nnot json\n')], /bad\.jsonl:2: not JSON/],
      [
        [file('r.txt', '{"a":1}\n'), file('row.txt', '[1]\n'), '--format', 'jsonl'],
        /row\.txt:1: each line must be a JSON object/,
      ],
      [[refCsv, file('bad.csv', 'a,b\n"1,2\n')], /not valid CSV/],
      [[refCsv], /expected two files/],
      [[refCsv, sameCsv, '--method', 'magic'], /option method must be one of/],
      [[refCsv, sameCsv, '--feature', 'city=ks'], /method ks does not apply to categorical feature "city"/],
      [[refCsv, sameCsv, '--threshold', 'x'], /--threshold must be a number/],
      [[refCsv, sameCsv, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, '');
    }
  });

  test('--help', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: threadline-drift/);
  });
});
