import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import {
  acceptRequestId,
  check,
  codes,
  DIAG_CHANNEL,
  type DiagEvent,
  diag,
  jsonLineSink,
  MAX_REQUEST_ID_LENGTH,
  newRequestId,
  newSpanId,
  newTraceId,
  onDiag,
  reportError,
  runWithContext,
  safeCall,
  setDiagLogger,
  ThreadlineConfigError,
  warnOnce,
} from '@threadline/core';

function collect(): { events: DiagEvent[]; stop: () => void } {
  const events: DiagEvent[] = [];
  return { events, stop: onDiag((e) => events.push(e)) };
}

describe('guard', () => {
  test('safeCall returns the result, or reports the throw and returns the fallback', () => {
    const { events, stop } = collect();
    try {
      assert.equal(
        safeCall('test.hook', (a: number, b: number) => a + b, [2, 3]),
        5,
      );
      const boom = new Error('user hook broke');
      const result = safeCall(
        'test.hook',
        () => {
          throw boom;
        },
        [],
        'fallback',
      );
      assert.equal(result, 'fallback');
      assert.equal(
        safeCall('test.hook', () => {
          throw 'a string';
        }, []),
        undefined,
      );
      assert.equal(events.length, 2);
      assert.deepEqual(
        { ...events[0], error: undefined },
        {
          code: codes.CALLBACK_FAILED,
          component: 'test.hook',
          level: 'error',
          message: 'user hook broke',
          error: undefined,
        },
      );
      assert.equal(events[0]!.error, boom);
      assert.equal(events[1]!.message, 'a string');
    } finally {
      stop();
    }
  });

  test('a throwing onDiag listener reaches neither the caller nor the process', async () => {
    const stopBad = onDiag(() => {
      throw new Error('listener bug');
    });
    const { events, stop } = collect();
    try {
      diag({ code: codes.INTERNAL, component: 't', level: 'warn', message: 'x' });
      reportError('t', new Error('y'));
      // Node would rethrow a raw subscriber's error on the next tick; give it the chance to.
      await new Promise((r) => setImmediate(r));
      assert.equal(events.length, 2, 'the other listener still receives every event');
    } finally {
      stopBad();
      stop();
    }
    diag({ code: codes.INTERNAL, component: 't', level: 'warn', message: 'after stop' });
    assert.equal(events.length, 2, 'unsubscribed');
  });

  test('events are published on the node:diagnostics_channel channel', () => {
    const seen: unknown[] = [];
    const listener = (m: unknown): void => {
      seen.push(m);
    };
    diagnosticsChannel.subscribe(DIAG_CHANNEL, listener);
    try {
      diag({ code: codes.BAD_HEADER, component: 't', level: 'debug', message: 'm' });
    } finally {
      diagnosticsChannel.unsubscribe(DIAG_CHANNEL, listener);
    }
    assert.equal((seen[0] as DiagEvent).code, codes.BAD_HEADER);
  });

  test('setDiagLogger returns its undo; a throwing logger is contained', () => {
    const a: string[] = [];
    const b: string[] = [];
    const undoA = setDiagLogger((e) => a.push(e.message));
    const undoB = setDiagLogger((e) => {
      b.push(e.message);
      throw new Error('logger bug');
    });
    diag({ code: codes.INTERNAL, component: 't', level: 'warn', message: 'one' });
    undoB();
    diag({ code: codes.INTERNAL, component: 't', level: 'warn', message: 'two' });
    undoA();
    diag({ code: codes.INTERNAL, component: 't', level: 'warn', message: 'three' });
    assert.deepEqual(b, ['one']);
    assert.deepEqual(a, ['two']);
  });

  test('warnOnce warns once per key', () => {
    const { events, stop } = collect();
    const key = `k-${Math.random()}`;
    try {
      for (let i = 0; i < 3; i++) warnOnce(key, { code: codes.BAD_HEADER, component: 't', message: 'w' });
      warnOnce(`${key}-other`, { code: codes.BAD_HEADER, component: 't', message: 'w2' });
    } finally {
      stop();
    }
    assert.deepEqual(
      events.map((e) => [e.message, e.level]),
      [
        ['w', 'warn'],
        ['w2', 'warn'],
      ],
    );
  });
});

describe('option checks', () => {
  test('valid values and defaults pass, bad ones throw ThreadlineConfigError', () => {
    assert.equal(check.number('c', 'n', undefined, 5), 5);
    assert.equal(check.number('c', 'n', 3, 5, { min: 1, max: 10, integer: true }), 3);
    assert.throws(() => check.number('c', 'n', 3.5, 5, { integer: true }), ThreadlineConfigError);
    assert.throws(() => check.number('c', 'n', Number.NaN, 5), /option n must be a number/);
    assert.throws(() => check.number('c', 'n', 11, 5, { max: 10 }), ThreadlineConfigError);
    assert.equal(check.boolean('c', 'b', undefined, true), true);
    assert.throws(() => check.boolean('c', 'b', 'yes', true), ThreadlineConfigError);
    assert.equal(check.string('c', 's', 'x', 'd'), 'x');
    assert.throws(() => check.string('c', 's', '', 'd'), ThreadlineConfigError);
    assert.throws(() => check.fn('c', 'f', 1, undefined), ThreadlineConfigError);
    assert.equal(check.oneOf('c', 'o', 'a', ['a', 'b'] as const, 'b'), 'a');
    assert.throws(() => check.oneOf('c', 'o', 'z', ['a', 'b'] as const, 'b'), /one of a, b/);
    assert.throws(() => check.keys('c', { typo: 1 }, ['known']), /unknown option "typo"/);
    assert.throws(() => check.keys('c', null as never, ['known']), ThreadlineConfigError);
    check.keys('c', { known: 1 }, ['known']);
  });
});

describe('ids', () => {
  test('acceptRequestId accepts only safe values', () => {
    const ok = ['abc', 'a-b_c.d:e/f', '0123456789abcdef', 'x'.repeat(MAX_REQUEST_ID_LENGTH), '~!'];
    for (const v of ok) assert.equal(acceptRequestId(v), v);
    const bad: unknown[] = [
      undefined,
      null,
      42,
      ['a'],
      '',
      'x'.repeat(MAX_REQUEST_ID_LENGTH + 1),
      'has space',
      'line\nbreak',
      'cr\r',
      'tab\t',
      'nul\u0000',
      'del\u007f',
      'caf\u00e9',
      '{"level":"error"}\n{"forged":true}',
    ];
    for (const v of bad) assert.equal(acceptRequestId(v), undefined, JSON.stringify(v));
    assert.equal(acceptRequestId('abcdef', 5), undefined);
    assert.equal(acceptRequestId('abcde', 5), 'abcde');
  });

  test('generated ids have the right shape and do not repeat', () => {
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = newTraceId();
      const s = newSpanId();
      assert.match(t, /^[0-9a-f]{32}$/);
      assert.match(s, /^[0-9a-f]{16}$/);
      traces.add(t);
      spans.add(s);
    }
    assert.equal(traces.size, 1000);
    assert.equal(spans.size, 1000);
    const r = newRequestId();
    assert.match(r, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(acceptRequestId(r), r);
  });
});

describe('jsonLineSink', () => {
  test('writes one JSON line with the envelope and the context fields', () => {
    const lines: string[] = [];
    const sink = jsonLineSink({ write: (s: string) => lines.push(s) }, { service: 'svc' });
    runWithContext(
      {
        request_id: 'r1',
        trace_id: 'a'.repeat(32),
        span_id: 'b'.repeat(16),
        trace_flags: '01',
        model: { name: 'm', version: '2' },
        attributes: { tenant: 't1' },
      },
      () => {
        sink.log(
          'info',
          { http_route: '/predict', duration_ms: 12, request_id: 'spoofed', tenant: 'mine' },
          'request done',
        );
      },
    );
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    const line = JSON.parse(lines[0]!);
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(line.level, 'info');
    assert.equal(line.message, 'request done');
    assert.equal(line.service, 'svc');
    assert.equal(line.http_route, '/predict');
    assert.equal(line.duration_ms, 12);
    assert.equal(line.request_id, 'r1', 'reserved fields are the context’s');
    assert.equal(line.tenant, 'mine', 'attributes do not overwrite the line’s own fields');
    assert.equal(line.trace_id, 'a'.repeat(32));
    assert.equal(line.model_version, '2');
  });

  test('never throws: unencodable fields and a failing stream are reported', () => {
    const { events, stop } = collect();
    const lines: string[] = [];
    try {
      const sink = jsonLineSink({ write: (s: string) => lines.push(s) }, { service: 'svc' });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      sink.log('error', { cyclic, big: 10n }, 'still written');
      const broken = jsonLineSink({
        write: () => {
          throw new Error('EPIPE');
        },
      });
      broken.log('warn', {}, 'lost');
    } finally {
      stop();
    }
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]!).message, 'still written');
    assert.equal(events.filter((e) => e.component === 'core.log-sink').length, 2);
  });
});
