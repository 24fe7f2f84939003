import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { DIAG_CHANNEL } from '@threadline/core';
import { createModelMonitor, stableHash32, stableUnit } from '@threadline/model';
import { Registry } from 'prom-client';
import { scrape, value } from './helpers.js';

function setup() {
  const registry = new Registry();
  const monitor = createModelMonitor({ registry, inferenceLogSampleRate: 0 });
  const v1 = monitor.declare({ name: 'churn', version: '1', alias: 'champion' });
  const v2 = monitor.declare({ name: 'churn', version: '2', alias: 'challenger' });
  const primary = monitor.instrument(v1, async (x: number) => x);
  const candidate = monitor.instrument(v2, async (x: number) => x * 10);
  return { registry, monitor, v1, v2, primary, candidate };
}

describe('stable hash', () => {
  test('FNV-1a reference values, and non-ASCII IDs hash their UTF-8 bytes', () => {
    // Reference FNV-1a 32 of "" is 0x811c9dc5; the finaliser maps it deterministically.
    assert.equal(stableHash32(''), stableHash32(''));
    assert.notEqual(stableHash32('user-1'), stableHash32('user-2'));
    assert.equal(stableHash32('ü'), stableHash32('ü'));
    assert.notEqual(stableHash32('ü'), stableHash32('u'));
    for (const id of ['a', 'user-42', 'ümlaut-id', 'x'.repeat(300)]) {
      const u = stableUnit(id);
      assert.ok(u >= 0 && u < 1);
    }
  });
});

describe('canary', () => {
  for (const share of [0.01, 0.1, 0.25, 0.5, 0.9]) {
    test(`share ${share}: within 1% over 10,000 IDs, and stable per ID`, () => {
      const { monitor, primary, candidate, v2 } = setup();
      const canary = monitor.canary({ primary, candidate, share });
      const first = new Map<string, string>();
      let toCandidate = 0;
      for (let i = 0; i < 10_000; i++) {
        const id = `user-${i}`;
        const picked = canary.pick(id);
        first.set(id, picked.version);
        if (picked === v2) toCandidate++;
      }
      assert.ok(Math.abs(toCandidate / 10_000 - share) <= 0.01, `got ${toCandidate / 10_000} for ${share}`);
      for (let i = 0; i < 10_000; i++) assert.equal(canary.pick(`user-${i}`).version, first.get(`user-${i}`));
      // A second canary over the same IDs and share agrees: the split does not depend on the process.
      const again = monitor.canary({ primary, candidate, share });
      for (let i = 0; i < 1000; i++) assert.equal(again.pick(`user-${i}`).version, first.get(`user-${i}`));
    });
  }

  test('UUID-like IDs split within 1% too; a salt gives an independent split', () => {
    const { monitor, primary, candidate, v2 } = setup();
    const a = monitor.canary({ primary, candidate, share: 0.2 });
    const b = monitor.canary({ primary, candidate, share: 0.2, salt: 'exp-2' });
    let inA = 0;
    let inBoth = 0;
    for (let i = 0; i < 10_000; i++) {
      const id = `${(i * 2654435761) >>> 0}-${i.toString(16).padStart(8, '0')}-req`;
      const x = a.pick(id) === v2;
      if (x) inA++;
      if (x && b.pick(id) === v2) inBoth++;
    }
    assert.ok(Math.abs(inA / 10_000 - 0.2) <= 0.01);
    // Independent splits overlap on about share^2 = 4% of IDs.
    assert.ok(Math.abs(inBoth / 10_000 - 0.04) <= 0.01, `overlap ${inBoth / 10_000}`);
  });

  test('calls go to the chosen version and per-version metrics follow', async () => {
    const { registry, monitor, primary, candidate } = setup();
    const canary = monitor.canary({ primary, candidate, share: 0.3 });
    let expectedCandidate = 0;
    for (let i = 0; i < 200; i++) {
      const id = `u${i}`;
      const r = await canary(id, 1);
      assert.equal(r.model, canary.pick(id));
      assert.equal(r.output, r.model.version === '2' ? 10 : 1);
      if (r.model.version === '2') expectedCandidate++;
    }
    const m = await scrape(registry);
    assert.equal(
      value(m, 'model_predictions_total', { model_name: 'churn', model_version: '2' }),
      expectedCandidate,
    );
    assert.equal(
      value(m, 'model_predictions_total', { model_name: 'churn', model_version: '1' }),
      200 - expectedCandidate,
    );
    const diags: { code: string }[] = [];
    const onDiag = (event: unknown) => diags.push(event as { code: string });
    diagnostics.subscribe(DIAG_CHANNEL, onDiag);
    try {
      assert.equal(canary.choose('').model.version, '1', 'no ID: primary');
    } finally {
      diagnostics.unsubscribe(DIAG_CHANNEL, onDiag);
    }
    assert.deepEqual(
      diags.map((d) => d.code),
      ['TL_MODEL_CANARY_NO_ID'],
    );
  });

  test('bad canary options throw at setup', () => {
    const { monitor, primary, candidate } = setup();
    assert.throws(() => monitor.canary({ primary, candidate, share: 1.5 }), /share/);
    assert.throws(() => monitor.canary({ primary, candidate } as never), /share is required/);
    assert.throws(
      () => monitor.canary({ primary, candidate: primary, share: 0.1 }),
      /different model versions/,
    );
    assert.throws(
      () => monitor.canary({ primary, candidate: (async () => ({})) as never, share: 0.1 }),
      /made by monitor.instrument/,
    );
  });
});
