import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  charts,
  elements,
  launchChromium,
  NO_CHROMIUM,
  openPage,
  screenshot,
  scriptRan,
  type TestBrowser,
} from '../../../test/browser/chromium.js';
import { main } from '../src/cli.js';
import {
  buildProfile,
  createDriftMonitor,
  type DriftReport,
  driftReportHtml,
  renderDriftReport,
} from '../src/index.js';
import { normal, rng } from './helpers.js';

/** The full name a page shows cut (ending with an ellipsis) or whole. */
const sameName = (full: string, shown: string) =>
  full === shown || (shown.endsWith('…') && full.startsWith(shown.slice(0, -1)));
const dir = mkdtempSync(join(tmpdir(), 'drift-report-'));
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const HUGE = `feature_${'x'.repeat(5000)}`;
const SCRIPT_CAT = '</script><script>window.__xss=2</script>';

function csv(path: string, header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => (typeof v === 'number' ? String(v) : `"${v.replace(/"/g, '""')}"`);
  writeFileSync(path, [header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n'));
  return path;
}

const header = ['age', 'basket', 'channel', HOSTILE, HUGE];
function rows(n: number, seed: number, shift: number): (string | number)[][] {
  const g = rng(seed);
  return Array.from({ length: n }, (_, i) => [
    i % 50 === 7 ? 'NaN' : Number(normal(g, 40 + shift * 8, 10).toFixed(3)),
    Number(normal(g, 70, 20).toFixed(2)),
    ['web', 'app', 'store', i % 9 === 0 && shift > 0 ? SCRIPT_CAT : 'web'][i % 4]!,
    Number(normal(g, shift, 1).toFixed(4)),
    g() < 0.5 + shift * 0.3 ? 'yes' : 'no',
  ]);
}

const refPath = csv(join(dir, 'ref.csv'), header, rows(600, 1, 0));
const curPath = csv(join(dir, 'cur.csv'), header, rows(500, 2, 1));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('threadline-drift report', () => {
  let browser: TestBrowser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page shows the JSON report numbers, every chart drawn, offline, hostile names inert', async (t) => {
    const json = await run([refPath, curPath]);
    assert.equal(json.code, 0, json.err);
    const report = JSON.parse(json.out) as DriftReport;
    const outPath = join(dir, 'drift.html');
    const r = await run(['report', '--reference', refPath, '--current', curPath, '--out', outPath]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote .*drift\.html/);
    const html = readFileSync(outPath, 'utf8');
    assert.ok(!html.includes(HOSTILE), 'the hostile name appears only escaped');
    assert.ok(!html.includes('</script><script>window.__xss'), 'no value closes a script element');
    if (!browser) return t.skip(NO_CHROMIUM);

    const w = await openPage(browser, pathToFileURL(outPath).href);
    const names = Object.keys(report.features);
    const drawn = await charts(w.page, names.length);
    assert.equal(drawn.length, names.length);
    for (const c of drawn) {
      assert.ok(c.points > 0, `${c.id} has data`);
      assert.ok(c.painted > 500, `${c.id} painted ${c.painted} pixels`);
    }
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.outside(), []);
    assert.equal(await scriptRan(w.page), false);
    assert.equal((await elements(w.page, 'main img, main script')).length, 0);

    const summary = (await elements(w.page, '#summary'))[0]!.fields;
    for (const k of ['n_features', 'n_tested', 'n_drifted', 'drift_share', 'dataset_drift'] as const)
      assert.deepEqual(JSON.parse(summary[k]!), report[k], k);

    const shown = await elements(w.page, '[data-feature]');
    assert.equal(shown.length, names.length);
    const profile = buildProfile(
      Object.fromEntries(header.map((h, i) => [h, rows(600, 1, 0).map((r) => r[i])])),
    );
    for (const s of shown) {
      const name = names.find((n) => sameName(n, s.title))!;
      const f = report.features[name]!;
      assert.ok(s.heading.length < 140, 'long names are cut on screen');
      assert.equal(s.fields.method, f.method);
      assert.deepEqual(JSON.parse(s.fields.statistic!), f.statistic, `${name} statistic`);
      if (f.p_value !== undefined) assert.deepEqual(JSON.parse(s.fields.p_value!), f.p_value);
      assert.equal(JSON.parse(s.fields.threshold!), f.threshold);
      assert.equal(JSON.parse(s.fields.drift!), f.drift);
      assert.equal(JSON.parse(s.fields.n_current!), f.n_current);
      for (const k of ['missing', 'nan', 'infinite', 'invalid', 'unseen'] as const)
        assert.equal(JSON.parse(s.fields[`invalid_${k}`]!), f.invalid_values[k], `${name} ${k}`);
      if (f.current) {
        const ref = profile.features[name]!;
        assert.equal(ref.kind, 'numeric');
        for (const k of ['mean', 'variance', 'skew', 'kurtosis'] as const) {
          assert.equal(JSON.parse(s.fields[`current_${k}`]!), f.current[k], `${name} current ${k}`);
          if (ref.kind === 'numeric') assert.equal(JSON.parse(s.fields[`reference_${k}`]!), ref[k]);
        }
      }
    }
    // Sorted by drift score: the drifted features come first.
    const drifts = shown.map((s) => JSON.parse(s.fields.drift!) as boolean);
    assert.deepEqual(
      drifts,
      [...drifts].sort((a, b) => Number(b) - Number(a)),
    );
    assert.ok(drifts[0], 'at least one feature drifted');
    assert.ok(
      (await elements(w.page, 'main'))[0]!.text.includes(HOSTILE),
      'the hostile name is shown as text',
    );
    await screenshot(w.page, 'drift-report.png');
  });

  test('bad usage exits 2 with a message; --fail-on-drift passes through', async () => {
    const missing = await run(['report', '--reference', refPath]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /missing --current, --out/);
    const bad = await run([
      'report',
      '--reference',
      refPath,
      '--current',
      curPath,
      '--out',
      join(dir, 'x.html'),
      '--threshold',
      'abc',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--threshold must be a number/);
    const fail = await run([
      'report',
      '--reference',
      refPath,
      '--current',
      curPath,
      '--out',
      join(dir, 'y.html'),
      '--fail-on-drift',
      '--drift-share',
      '0.1',
    ]);
    assert.equal(fail.code, 1);
    assert.ok(readFileSync(join(dir, 'y.html'), 'utf8').startsWith('<!doctype html>'));
  });

  test('driftReportHtml draws a profile and a window with the monitor numbers', () => {
    const ref = rows(600, 1, 0);
    const cur = rows(400, 3, 1);
    const table = (rs: (string | number)[][]) =>
      Object.fromEntries(header.map((h, i) => [h, rs.map((r) => r[i])]));
    const profile = buildProfile(table(ref));
    const html = driftReportHtml(profile, table(cur), { now: new Date(0) });
    const data = JSON.parse(
      /<script type="application\/json" id="threadline-data">(.*?)<\/script>/s.exec(html)![1]!,
    ) as { features: { name: string; statistic: number | null; drift: boolean }[] };
    const monitor = createDriftMonitor({ reference: profile, metrics: false, window: { rows: 10_000 } });
    monitor.observeColumns(table(cur));
    const expected = monitor.evaluate();
    monitor.close();
    for (const f of data.features) {
      const e = Object.entries(expected.features).find(([n]) => sameName(n, f.name))![1];
      assert.equal(f.statistic, e.statistic);
      assert.equal(f.drift, e.drift);
    }
    assert.throws(
      () => renderDriftReport({ report: null as never, reference: profile, current: {} }),
      /report must be a drift report/,
    );
  });
});
