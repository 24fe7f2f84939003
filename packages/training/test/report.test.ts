import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { jsonLineSink } from '@threadline/core';
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
import { type RunSummary, readTrainingRuns, renderTrainingReport, runTraining } from '../src/index.js';
import { main } from '../src/report/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'training-report-'));
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const lines: string[] = [];
const logger = jsonLineSink({ write: (l: string) => lines.push(l) }, { service: 'trainer' });

/** Trains a tiny model for real through runTraining; the second run fails at epoch 3. */
async function train(lr: number, fail: boolean): Promise<void> {
  await runTraining(
    {
      experiment: 'report-test',
      params: { lr, batch_size: 8, [HOSTILE]: 'x' },
      datasetVersion: fail ? 'synthetic-v2' : 'synthetic-v1',
      summaryPath: join(dir, 'summary-{run_id}.json'),
      logger,
      progress: false,
      handleSignals: false,
    },
    async (run) => {
      let w = 0;
      for (let epoch = 0; epoch < 6; epoch++) {
        await run.epoch(epoch, () => {
          let loss = 0;
          for (let i = 0; i < 4; i++) {
            loss = (w - 2) ** 2;
            w -= lr * 2 * (w - 2);
            run.logStep({ loss });
          }
          if (fail && epoch === 3) throw new Error(`diverged: ${HOSTILE}`);
          return { loss, accuracy: 1 / (1 + loss), [`val ${HOSTILE}`]: loss * 1.1 };
        });
      }
    },
  ).catch(() => {});
}

describe('threadline-training report', () => {
  let browser: TestBrowser | undefined;
  let summaries: RunSummary[] = [];
  let files: string[] = [];
  before(async () => {
    await train(0.1, false);
    await train(0.3, true);
    writeFileSync(join(dir, 'runs.jsonl'), `${lines.join('')}not json: a progress line\n`);
    files = readFileSync(join(dir, 'runs.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"training_started"'))
      .map((l) => join(dir, `summary-${JSON.parse(l).run_id}.json`));
    summaries = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as RunSummary);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page compares the runs with their summaries numbers, curves drawn, offline, hostile text inert', async (t) => {
    const out = join(dir, 'training.html');
    const io = { out: '', err: '' };
    const code = await main(['report', ...files, join(dir, 'runs.jsonl'), '--out', out], {
      out: (s) => (io.out += s),
      err: (s) => (io.err += s),
    });
    assert.equal(code, 0, io.err);
    assert.match(io.out, /2 runs, 1 other lines ignored/);
    assert.ok(!readFileSync(out, 'utf8').includes(HOSTILE));
    if (!browser) return t.skip(NO_CHROMIUM);
    const w = await openPage(browser, pathToFileURL(out).href);
    // Epoch charts: loss, accuracy, the hostile metric, duration; step chart: loss.
    const drawn = await charts(w.page, 5);
    assert.equal(drawn.length, 5);
    for (const c of drawn) assert.ok(c.points > 0 && c.painted > 300, `${c.id}: ${JSON.stringify(c)}`);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.outside(), []);
    assert.equal(await scriptRan(w.page), false);

    const fields = (await elements(w.page, '#runs'))[0]!.fields;
    const cells = await elements(w.page, '#runs td[data-field]');
    const byRun = (i: number) =>
      Object.fromEntries(
        cells.filter((c) => c.data.run === String(i)).map((c) => [c.data.field!, c.data.value ?? c.text]),
      );
    assert.ok(fields);
    summaries.forEach((s, i) => {
      const got = byRun(i);
      assert.equal(got.status, s.status);
      assert.equal(JSON.parse(got.duration_ms!), s.duration_ms);
      assert.equal(JSON.parse(got.epochs!), s.epochs.count);
      assert.equal(JSON.parse(got.steps!), s.steps.count);
      assert.equal(got.dataset_version, s.dataset_version);
      assert.equal(JSON.parse(got['param:lr']!), s.params.lr);
      assert.equal(JSON.parse(got[`param:${HOSTILE}`]!), 'x');
      for (const [name, m] of Object.entries(s.metrics.epoch))
        assert.deepEqual(JSON.parse(got[`final:epoch:${name}`]!), [m.last, m.best], name);
    });
    assert.deepEqual(
      summaries.map((s) => s.status),
      ['finished', 'failed'],
    );
    const failure = (await elements(w.page, '#failures .failure'))[0]!;
    assert.equal(failure.fields.error_message, `diverged: ${HOSTILE}`);
    assert.equal(failure.fields.error_name, 'Error');
    // Curves: one point per epoch record (6 finished + 3 before the failure), per step 24 + 16.
    const accuracy = (await elements(w.page, '[data-metric="accuracy"]'))[0]!;
    assert.equal(accuracy.data.points, '9');
    const steps = (await elements(w.page, '[data-chart="step_curves"]'))[0]!;
    assert.equal(steps.data.points, String(summaries[0]!.steps.count + summaries[1]!.steps.count));
    await screenshot(w.page, 'training-report.png');
  });

  test('a summary alone still renders, with the missing curves said; bad input is a clear error', async () => {
    const { runs } = await readTrainingRuns(files.slice(0, 1));
    const html = renderTrainingReport(runs);
    const data = JSON.parse(/id="threadline-data">(.*?)<\/script>/s.exec(html)![1]!);
    assert.equal(data.runs[0].has_summary, true);
    assert.deepEqual(data.runs[0].epoch_curves.x, []);
    assert.match(html, /no ' \+ \(scope === 'epoch_curves' \? 'training_epoch'/);
    assert.throws(() => renderTrainingReport([]), /at least one run/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    let err = '';
    const code = await main(['report', bad, '--out', join(dir, 'x.html')], {
      out() {},
      err: (s) => (err += s),
    });
    assert.equal(code, 2);
    assert.match(err, /neither a run summary/);
    const usage = await main(['report', files[0]!], { out() {}, err: (s) => (err = s) });
    assert.equal(usage, 2);
    assert.match(err, /missing --out/);
  });
});
