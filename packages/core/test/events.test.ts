import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import {
  ADDS_CONTEXT,
  addsContext,
  budgetedWriter,
  DIAG_CHANNEL,
  type DiagEvent,
  jsonLineSink,
  LineBudget,
  type LogLevel,
  type LogSink,
  markAddsContext,
  resolveEventSink,
  runWithContext,
  ThreadlineConfigError,
  writeEvent,
} from '@threadline/core';

type Seen = { level: LogLevel; fields: Record<string, unknown>; message: string };

function memory(): { sink: LogSink; lines: Seen[] } {
  const lines: Seen[] = [];
  return { sink: { log: (level, fields, message) => lines.push({ level, fields, message }) }, lines };
}

const CTX = { request_id: 'req-9', run_id: 'run-3', model: { name: 'ranker', version: '2' } };

describe('resolveEventSink', () => {
  test('undefined gives core jsonLineSink (branded), false gives none, a sink is kept', () => {
    const fallback = resolveEventSink('t', undefined);
    assert.ok(fallback && addsContext(fallback));
    assert.equal(resolveEventSink('t', false), undefined);
    const { sink } = memory();
    assert.equal(resolveEventSink('t', sink), sink);
  });

  test('anything else throws ThreadlineConfigError at setup', () => {
    for (const bad of [null, true, 'stdout', 1, {}, { log: 'no' }]) {
      assert.throws(() => resolveEventSink('t', bad), ThreadlineConfigError, String(bad));
    }
  });
});

describe('writeEvent', () => {
  test('a plain sink gets the context fields first and the line fields after', () => {
    const { sink, lines } = memory();
    runWithContext(CTX, () => writeEvent(sink, 'warn', { event: 'e', run_id: 'own' }, 'm'));
    assert.equal(lines.length, 1);
    assert.deepEqual(Object.keys(lines[0]!.fields).slice(0, 2), ['request_id', 'model_name']);
    assert.equal(lines[0]!.fields.request_id, 'req-9');
    assert.equal(lines[0]!.fields.model_version, '2');
    assert.equal(lines[0]!.fields.run_id, 'own');
    assert.equal(lines[0]!.level, 'warn');
  });

  test('a branded sink gets the line fields only, the same object', () => {
    const { sink, lines } = memory();
    markAddsContext(sink);
    const fields = { event: 'e' };
    runWithContext(CTX, () => writeEvent(sink, 'info', fields, 'm'));
    assert.equal(lines[0]!.fields.request_id, undefined);
    assert.equal(lines[0]!.fields, fields);
  });

  test('through jsonLineSink the context is on the line once', () => {
    const out: string[] = [];
    const sink = jsonLineSink({ write: (s: string) => out.push(s) }, { service: 's' });
    runWithContext(CTX, () => writeEvent(sink, 'info', { event: 'e' }, 'm'));
    const line = JSON.parse(out[0]!);
    assert.equal(line.request_id, 'req-9');
    assert.equal(line.run_id, 'run-3');
    assert.equal(out[0]!.match(/"request_id"/g)?.length, 1);
  });

  test('a throwing sink is reported as TL_CALLBACK_FAILED, never thrown; no sink writes nothing', () => {
    const events: DiagEvent[] = [];
    const onDiag = (e: unknown) => events.push(e as DiagEvent);
    diagnosticsChannel.subscribe(DIAG_CHANNEL, onDiag);
    try {
      const broken: LogSink = {
        log() {
          throw new Error('sink down');
        },
      };
      writeEvent(broken, 'error', {}, 'm', 'plugin.x');
      writeEvent(undefined, 'error', {}, 'm');
    } finally {
      diagnosticsChannel.unsubscribe(DIAG_CHANNEL, onDiag);
    }
    assert.deepEqual(
      events.map((e) => [e.code, e.component, e.message]),
      [['TL_CALLBACK_FAILED', 'plugin.x', 'sink down']],
    );
  });

  test('the brand is a Symbol.for key, so another copy of core recognises it', () => {
    assert.equal(ADDS_CONTEXT, Symbol.for('threadline.sink.addsContext.v1'));
    assert.equal(
      addsContext({ log() {}, [Symbol.for('threadline.sink.addsContext.v1')]: true } as LogSink),
      true,
    );
    assert.equal(addsContext({ log() {} }), false);
  });
});

describe('LineBudget', () => {
  test('spends perMinute tokens, refills with time, counts what it refused', () => {
    let now = 0;
    const budget = new LineBudget(2, () => now);
    assert.deepEqual(
      [budget.take(), budget.take(), budget.take(), budget.take()],
      [true, true, false, false],
    );
    assert.equal(budget.drainSuppressed(), 2);
    assert.equal(budget.drainSuppressed(), 0);
    now += 30_000; // half a minute: one token back
    assert.deepEqual([budget.take(), budget.take()], [true, false]);
    now += 10 * 60_000; // never more than perMinute saved up
    assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
  });

  test('a budget of 0 refuses every line', () => {
    const budget = new LineBudget(0);
    assert.equal(budget.take(), false);
    assert.equal(budget.drainSuppressed(), 1);
  });
});

describe('budgetedWriter', () => {
  test('one budget per kind; the next written line reports the lines skipped before it', () => {
    const { sink, lines } = memory();
    let now = 0;
    // A budget already in the map is used as it is: this one runs on a clock the test moves.
    const budgets = new Map([['a', new LineBudget(1, () => now)]]);
    const write = budgetedWriter(sink, 1, budgets);
    write('a', { n: 1 }, 'first a');
    write('a', { n: 2 }, 'second a');
    write('a', { n: 3 }, 'third a');
    write('b', { n: 4 }, 'first b', 'error');
    now += 60_000;
    write('a', { n: 5 }, 'fourth a');
    assert.deepEqual(
      lines.map((l) => [l.level, l.message, l.fields.suppressed_lines]),
      [
        ['warn', 'first a', undefined],
        ['error', 'first b', undefined],
        ['warn', 'fourth a', 2],
      ],
    );
  });

  test('without a sink nothing is written and no budget is spent', () => {
    const budgets = new Map<string, LineBudget>();
    budgetedWriter(undefined, 1, budgets)('a', {}, 'm');
    assert.equal(budgets.size, 0);
  });
});
