import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import {
  bufferDebugLine,
  codes,
  DebugSwitch,
  type DiagEvent,
  debugDecision,
  debugSwitch,
  endRequestVerbosity,
  forceDebug,
  getContext,
  MAX_DEBUG_RULES,
  MAX_DEBUG_TTL_MS,
  onDiag,
  runWithContext,
  startRequestVerbosity,
  ThreadlineConfigError,
} from '@threadline/core';

describe('DebugSwitch', () => {
  afterEach(() => mock.timers.reset());

  test('a rule needs a selector and a bounded lifetime', () => {
    const s = new DebugSwitch();
    const bad: unknown[] = [
      undefined,
      {},
      { ttlMs: 1000 },
      { route: '' },
      { userId: 'x'.repeat(257) },
      { userId: 42 },
      { route: '/a', ttlMs: 0 },
      { route: '/a', ttlMs: -5 },
      { route: '/a', ttlMs: Number.NaN },
      { route: '/a', ttlMs: MAX_DEBUG_TTL_MS + 1 },
    ];
    for (const input of bad) {
      assert.throws(() => s.add(input as never), ThreadlineConfigError, JSON.stringify(input));
    }
    assert.equal(s.list().length, 0);
  });

  test('every selector of a rule must match', () => {
    const s = new DebugSwitch();
    assert.equal(s.matches({ route: '/predict' }), false);
    s.add({ route: '/predict', userId: 'u1' });
    assert.equal(s.matches({ route: '/predict', userId: 'u1' }), true);
    assert.equal(s.matches({ route: '/predict', userId: 'u2' }), false);
    assert.equal(s.matches({ route: '/predict' }), false);
    const r = s.add({ requestId: 'req-9' });
    assert.equal(s.matches({ requestId: 'req-9', route: '/other' }), true);
    assert.equal(s.remove(r.id), true);
    assert.equal(s.remove(r.id), false);
    assert.equal(s.matches({ requestId: 'req-9' }), false);
    s.add({ sessionId: 'sess' });
    assert.equal(s.matches({ sessionId: 'sess' }), true);
    s.clear();
    assert.deepEqual(s.list(), []);
  });

  test('rules expire after their TTL', () => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const s = new DebugSwitch();
    const rule = s.add({ route: '/a', ttlMs: 60_000 });
    assert.equal(rule.expiresAt, 1_060_000);
    s.add({ route: '/b' });
    assert.equal(s.matches({ route: '/a' }), true);
    mock.timers.tick(59_999);
    assert.equal(s.matches({ route: '/a' }), true);
    mock.timers.tick(1);
    assert.equal(s.matches({ route: '/a' }), false);
    assert.deepEqual(
      s.list().map((r) => r.route),
      ['/b'],
    );
  });

  test(`at most ${MAX_DEBUG_RULES} rules; expired rules make room`, () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const s = new DebugSwitch();
    for (let i = 0; i < MAX_DEBUG_RULES; i++) s.add({ requestId: `r${i}`, ttlMs: 1000 });
    assert.throws(() => s.add({ requestId: 'one-too-many' }), ThreadlineConfigError);
    mock.timers.tick(1000);
    assert.equal(s.add({ requestId: 'fits-now' }).requestId, 'fits-now');
    assert.equal(s.list().length, 1);
  });

  test('the process-wide switch is one instance', () => {
    assert.ok(debugSwitch instanceof DebugSwitch);
  });
});

describe('request verbosity', () => {
  test('outside a context everything is a no-op', () => {
    startRequestVerbosity({ forceDebug: true, bufferLimit: 5 });
    assert.equal(debugDecision(), 'default');
    let ran = false;
    bufferDebugLine(() => {
      ran = true;
    });
    forceDebug();
    assert.equal(endRequestVerbosity(true), 0);
    assert.equal(ran, false);
  });

  test('no verbosity started: the logger’s own level decides', () => {
    runWithContext({ request_id: 'r' }, () => {
      assert.equal(debugDecision(), 'default');
      startRequestVerbosity({ forceDebug: false, bufferLimit: 0 });
      assert.equal(debugDecision(), 'default', 'buffer of 0 lines is no buffer');
    });
  });

  test('forced debug writes now', () => {
    runWithContext({ request_id: 'r' }, () => {
      startRequestVerbosity({ forceDebug: true, bufferLimit: 10 });
      assert.equal(debugDecision(), 'write');
      assert.equal(getContext()?.verbosity?.buffer, undefined, 'no buffer when forced');
    });
  });

  test('the buffer is bounded, drops the oldest, and flushes in order in the same context', async () => {
    const written: string[] = [];
    await runWithContext({ request_id: 'buf' }, async () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 3 });
      assert.equal(debugDecision(), 'buffer');
      for (let i = 1; i <= 5; i++) {
        await new Promise((r) => setImmediate(r));
        bufferDebugLine(() => written.push(`${getContext()?.request_id}:${i}`));
      }
      assert.equal(written.length, 0, 'nothing is written before the end');
      assert.equal(getContext()?.verbosity?.dropped, 2);
      assert.equal(endRequestVerbosity(true), 3);
      assert.equal(debugDecision(), 'default');
      bufferDebugLine(() => written.push('after-end'));
    });
    assert.deepEqual(written, ['buf:3', 'buf:4', 'buf:5']);
  });

  test('discard drops the buffered lines', () => {
    const written: number[] = [];
    runWithContext({ request_id: 'd' }, () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 3 });
      bufferDebugLine(() => written.push(1));
      assert.equal(endRequestVerbosity(false), 0);
      assert.equal(endRequestVerbosity(true), 0);
    });
    assert.deepEqual(written, []);
  });

  test('forceDebug mid-request flushes the buffer first, then writes directly', () => {
    const written: string[] = [];
    runWithContext({ request_id: 'f' }, () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 3 });
      bufferDebugLine(() => written.push('early'));
      forceDebug();
      assert.deepEqual(written, ['early']);
      assert.equal(debugDecision(), 'write');
      forceDebug();
      assert.deepEqual(written, ['early']);
    });
  });

  test('a throwing buffered write is reported; the others are still written', () => {
    const events: DiagEvent[] = [];
    const stop = onDiag((e) => events.push(e));
    const written: number[] = [];
    try {
      runWithContext({ request_id: 't' }, () => {
        startRequestVerbosity({ forceDebug: false, bufferLimit: 5 });
        bufferDebugLine(() => written.push(1));
        bufferDebugLine(() => {
          throw new Error('sink down');
        });
        bufferDebugLine(() => written.push(3));
        assert.equal(endRequestVerbosity(true), 3);
      });
    } finally {
      stop();
    }
    assert.deepEqual(written, [1, 3]);
    assert.equal(
      events.filter((e) => e.code === codes.CALLBACK_FAILED && e.message === 'sink down').length,
      1,
    );
  });

  test('sibling requests keep their own buffers', async () => {
    const written: string[] = [];
    const run = (id: string, flushLines: boolean) =>
      runWithContext({ request_id: id }, async () => {
        startRequestVerbosity({ forceDebug: false, bufferLimit: 10 });
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => setTimeout(r, 1));
          bufferDebugLine(() => written.push(`${id}:${i}`));
        }
        endRequestVerbosity(flushLines);
      });
    await Promise.all([run('keep', true), run('drop', false)]);
    assert.deepEqual(written, ['keep:0', 'keep:1', 'keep:2']);
  });
});
