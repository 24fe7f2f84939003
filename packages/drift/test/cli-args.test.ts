import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compareArgs, main } from '../src/cli.js';
import { normal, rng } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drift-cli-args-'));
const g = rng(5);
const csv = (n: number, shift: number) =>
  `score,city\n${Array.from({ length: n }, (_, i) => `${normal(g, shift, 1)},${['Oslo', 'Lima'][i % 2]}`).join('\n')}\n`;
const ref = join(dir, 'ref.csv');
const cur = join(dir, 'cur.csv');
writeFileSync(ref, csv(300, 0));
writeFileSync(cur, csv(300, 0.8));

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('compareArgs', () => {
  test('reads methods, thresholds, lists and flags into the comparison options', () => {
    const args = compareArgs({
      method: 'psi',
      threshold: '0.3',
      feature: ['city=jensenshannon:0.2', 'score=ks'],
      'drift-share': '0.25',
      'min-samples': '10',
      columns: 'score, city,',
      categorical: 'city',
      format: 'csv',
      'fail-on-drift': true,
    });
    assert.deepEqual(args.options, {
      method: 'psi',
      threshold: 0.3,
      features: { city: { method: 'jensenshannon', threshold: 0.2 }, score: { method: 'ks' } },
      driftShare: 0.25,
      minSamples: 10,
      columns: ['score', 'city'],
      categorical: ['city'],
    });
    assert.equal(args.format, 'csv');
    assert.equal(args.failOnDrift, true);
    assert.deepEqual(compareArgs({}), {
      options: {},
      format: undefined,
      columns: undefined,
      categorical: undefined,
      failOnDrift: false,
    });
  });

  test('bad values throw with the flag named', () => {
    assert.throws(() => compareArgs({ threshold: 'abc' }), /--threshold must be a number/);
    assert.throws(() => compareArgs({ 'min-samples': ' ' }), /--min-samples must be a number/);
    assert.throws(() => compareArgs({ format: 'xlsx' }), /--format must be csv or jsonl/);
    assert.throws(() => compareArgs({ feature: ['score'] }), /--feature takes NAME=METHOD/);
    assert.throws(() => compareArgs({ feature: ['score=psi:x'] }), /--feature must be a number/);
  });
});

describe('report and the JSON command read options the same way', () => {
  test('report --json writes what the JSON command prints, for the same comparison options', async () => {
    const flags = ['--method', 'psi', '--feature', 'city=jensenshannon:0.1', '--columns', 'score,city'];
    const json = await run([...flags, ref, cur]);
    assert.equal(json.code, 0, json.err);
    const jsonPath = join(dir, 'report.json');
    const page = await run([
      'report',
      '--reference',
      ref,
      '--current',
      cur,
      '--out',
      join(dir, 'report.html'),
      '--json',
      jsonPath,
      ...flags,
    ]);
    assert.equal(page.code, 0, page.err);
    assert.equal(readFileSync(jsonPath, 'utf8'), `${json.out}\n`);
    assert.equal(JSON.parse(json.out).features.score.method, 'psi');
  });

  test('report: a bad comparison option or an unknown column exits 2 and says which', async () => {
    const base = ['report', '--reference', ref, '--current', cur, '--out', join(dir, 'bad.html')];
    const format = await run([...base, '--format', 'xlsx']);
    assert.equal(format.code, 2);
    assert.match(format.err, /^threadline-drift report: --format must be csv or jsonl/);
    const column = await run([...base, '--columns', 'nope']);
    assert.equal(column.code, 2);
    assert.match(column.err, /unknown column "nope"/);
  });
});
