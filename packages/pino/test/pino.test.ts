import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import {
  addsContext,
  endRequestVerbosity,
  forceDebug,
  runWithContext,
  setAttribute,
  setContext,
  startRequestVerbosity,
  ThreadlineConfigError,
  writeEvent,
} from '@threadline/core';
import {
  type CreatePinoLoggerOptions,
  createPinoLogger,
  DEFAULT_REDACT_KEYS,
  pinoSink,
  redactPathsFor,
  threadlineMixin,
  threadlineMixinMergeStrategy,
  threadlinePinoOptions,
} from '@threadline/pino';
import pino from 'pino';

type Line = Record<string, unknown>;

function memory(): { destination: pino.DestinationStream; lines: () => Line[]; raw: string[] } {
  const raw: string[] = [];
  return {
    raw,
    destination: { write: (s: string) => void raw.push(s) },
    // pino writes one chunk per line: each must parse on its own.
    lines: () =>
      raw.map((s) => {
        assert.ok(s.endsWith('\n') && s.indexOf('\n') === s.length - 1, 'one line per write');
        return JSON.parse(s) as Line;
      }),
  };
}

function capture(options: CreatePinoLoggerOptions = {}) {
  const mem = memory();
  const logger = createPinoLogger({ service: 'test-svc', ...options, destination: mem.destination });
  return { logger, lines: mem.lines, raw: mem.raw };
}

const CTX = {
  request_id: 'req-1',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  trace_flags: '01',
  model: { name: 'ranker', version: '1.4.0' },
  run_id: 'run-7',
};

describe('createPinoLogger', () => {
  test('time, level label, message, service and the context fields on every line', () => {
    const { logger, lines } = capture();
    runWithContext(CTX, () => logger.info({ event: 'model_inference', inference_time_ms: 12 }, 'scored'));
    logger.warn('outside');
    const [inside, outside] = lines();
    assert.match(String(inside!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(
      { ...inside, time: undefined },
      {
        time: undefined,
        level: 'info',
        message: 'scored',
        service: 'test-svc',
        event: 'model_inference',
        inference_time_ms: 12,
        request_id: 'req-1',
        trace_id: CTX.trace_id,
        span_id: CTX.span_id,
        trace_flags: '01',
        model_name: 'ranker',
        model_version: '1.4.0',
        run_id: 'run-7',
      },
    );
    assert.deepEqual(outside, {
      level: 'warn',
      time: outside!.time,
      service: 'test-svc',
      message: 'outside',
    });
  });

  test('every line of many concurrent requests carries its own request, child loggers too', async () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: 'scorer' });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        runWithContext({ request_id: `r${i}` }, async () => {
          logger.info(`start r${i}`);
          await new Promise((r) => setTimeout(r, i % 3));
          child.info(`end r${i}`);
        }),
      ),
    );
    const all = lines();
    assert.equal(all.length, 400);
    for (const line of all) assert.equal(String(line.message).split(' ')[1], line.request_id);
    assert.equal(all.filter((l) => l.component === 'scorer').length, 200);
  });

  test('reserved context fields win over the line’s; attributes do not', () => {
    const { logger, lines } = capture();
    const obj = { request_id: 'spoofed', tenant: 'explicit' };
    runWithContext({ ...CTX, attributes: { tenant: 'ctx', region: 'eu' } }, () => logger.info(obj, 'x'));
    const line = lines()[0]!;
    assert.equal(line.request_id, 'req-1');
    assert.equal(line.tenant, 'explicit');
    assert.equal(line.region, 'eu');
    assert.deepEqual(obj, { request_id: 'spoofed', tenant: 'explicit' }, 'the caller’s object is unchanged');
  });

  test('bad options throw ThreadlineConfigError at setup', () => {
    const bad: unknown[] = [
      { lvl: 'info' },
      { level: 'loud' },
      { service: '' },
      { redact: 'password' },
      { redactPaths: [1] },
      { verbosity: 1 },
      { destination: {} },
    ];
    for (const options of bad) {
      assert.throws(
        () => createPinoLogger(options as CreatePinoLoggerOptions),
        ThreadlineConfigError,
        JSON.stringify(options),
      );
    }
  });

  test('LOG_LEVEL and OTEL_SERVICE_NAME defaults', () => {
    const saved = { level: process.env.LOG_LEVEL, service: process.env.OTEL_SERVICE_NAME };
    process.env.LOG_LEVEL = 'warn';
    process.env.OTEL_SERVICE_NAME = 'from-env';
    try {
      const mem = memory();
      const logger = createPinoLogger({ destination: mem.destination });
      logger.info('dropped');
      logger.warn('kept');
      assert.deepEqual(
        mem.lines().map((l) => [l.message, l.service]),
        [['kept', 'from-env']],
      );
    } finally {
      for (const [k, v] of [
        ['LOG_LEVEL', saved.level],
        ['OTEL_SERVICE_NAME', saved.service],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('context written as cached bindings', () => {
  // A key written twice would make the line mean whatever the reader's JSON parser picks.
  function assertNoDuplicateKeys(raw: string[]): void {
    for (const line of raw) {
      // Flat lines only: a nested object may repeat a key legitimately (an error's message).
      if (line.indexOf('{', 1) !== -1) continue;
      const keys = [...line.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
      assert.equal(new Set(keys).size, keys.length, line);
    }
  }

  test('fields changed mid-request are seen by the next line', async () => {
    const { logger, lines, raw } = capture();
    await runWithContext({ request_id: 'r' }, async () => {
      logger.info('before');
      setContext({ model: { name: 'ranker', version: '2' } });
      logger.info('after set');
      await new Promise((r) => setImmediate(r));
      setContext({ run_id: 'run-9' });
      logger.info('after run');
      setAttribute('tenant', 't1');
      logger.info('with attribute');
      runWithContext({ request_id: 'child' }, () => logger.info('child context'));
      logger.info('back in parent');
    });
    assert.deepEqual(
      lines().map((l) => [l.message, l.request_id, l.model_version, l.run_id, l.tenant]),
      [
        ['before', 'r', undefined, undefined, undefined],
        ['after set', 'r', '2', undefined, undefined],
        ['after run', 'r', '2', 'run-9', undefined],
        ['with attribute', 'r', '2', 'run-9', 't1'],
        ['child context', 'child', '2', 'run-9', 't1'],
        ['back in parent', 'r', '2', 'run-9', 't1'],
      ],
    );
    assertNoDuplicateKeys(raw);
  });

  test('a line setting a reserved field: the context wins and no key is written twice', () => {
    const { logger, lines, raw } = capture();
    runWithContext(CTX, () => {
      logger.info({ request_id: 'spoofed', model_name: 'other' }, 'x');
      logger.child({ component: 'c' }).info({ run_id: 'other' }, 'y');
    });
    const [x, y] = lines();
    assert.equal(x!.request_id, 'req-1');
    assert.equal(x!.model_name, 'ranker');
    assert.equal(y!.run_id, 'run-7');
    assert.equal(y!.component, 'c');
    assertNoDuplicateKeys(raw);
  });

  test('merged path (context with attributes): Errors, format strings and plain messages', () => {
    const { logger, lines, raw } = capture();
    runWithContext({ request_id: 'r', attributes: { tenant: 't1' } }, () => {
      logger.error(new Error('boom'));
      logger.info('hello %s', 'world');
      Reflect.apply(logger.info, logger, []);
      logger.warn({ tenant: 'explicit', n: 1 });
    });
    const [err, fmt, empty, own] = lines();
    assert.equal(err!.message, 'boom');
    assert.match(String((err!.err as Line).stack), /^Error: boom/);
    assert.equal(err!.tenant, 't1');
    assert.equal(fmt!.message, 'hello world');
    assert.equal(fmt!.request_id, 'r');
    assert.equal(empty!.request_id, 'r');
    assert.equal(own!.tenant, 'explicit');
    assert.equal(own!.request_id, 'r');
    assertNoDuplicateKeys(raw);
  });

  test('context values that need escaping are written as valid JSON', () => {
    const { logger, lines } = capture();
    const name = 'we"ird\\name\nwith\u0001control\ud800';
    runWithContext({ request_id: 'r', model: { name, version: '1' } }, () => logger.info('x'));
    assert.equal(lines()[0]!.model_name, JSON.parse(JSON.stringify(name)));
  });

  test('the logger’s own bindings are restored after each line', () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: 'c' });
    runWithContext(CTX, () => child.info('inside'));
    child.info('outside');
    logger.info('root outside');
    const [, outside, root] = lines();
    assert.equal(outside!.request_id, undefined);
    assert.equal(outside!.component, 'c');
    assert.equal(root!.component, undefined);
    assert.equal(root!.request_id, undefined);
  });

  test('threadlinePinoOptions on a user-built logger', () => {
    const mem = memory();
    const logger = pino({ ...threadlinePinoOptions(), base: undefined, timestamp: false }, mem.destination);
    runWithContext(CTX, () => logger.info({ a: 1 }, 'in'));
    assert.deepEqual(mem.lines(), [
      {
        level: 30,
        request_id: 'req-1',
        trace_id: CTX.trace_id,
        span_id: CTX.span_id,
        trace_flags: '01',
        model_name: 'ranker',
        model_version: '1.4.0',
        run_id: 'run-7',
        a: 1,
        msg: 'in',
      },
    ]);
    assertNoDuplicateKeys(mem.raw);
  });
});

describe('redactPathsFor (for pino loggers you configure yourself)', () => {
  test('redactPathsFor expands spellings under exact parents, never wildcards', () => {
    assert.deepEqual(redactPathsFor(['set-cookie'], ['', 'res.headers']), [
      '["set-cookie"]',
      'res.headers["set-cookie"]',
      '["Set-Cookie"]',
      'res.headers["Set-Cookie"]',
      '["SET-COOKIE"]',
      'res.headers["SET-COOKIE"]',
    ]);
    // Wildcard paths make pino walk every object of every line: the defaults must have none.
    assert.ok(redactPathsFor(DEFAULT_REDACT_KEYS).every((p) => !p.includes('*')));
  });
});

// Redaction of createPinoLogger: the shared table in test/loggers/redaction.test.ts.

describe('errors', () => {
  test('err and error fields and a bare Error are serialized with the stack', () => {
    const { logger, lines } = capture();
    runWithContext(CTX, () => {
      logger.error(new Error('model file missing'));
      logger.error(
        { err: Object.assign(new TypeError('bad shape'), { code: 'E_SHAPE' }) },
        'prediction failed',
      );
      logger.error({ error: new RangeError('out of range') }, 'other key');
    });
    const [bare, withErr, withError] = lines();
    assert.equal(bare!.message, 'model file missing');
    assert.match(String((bare!.err as Line).stack), /^Error: model file missing\n\s+at /);
    assert.equal(bare!.request_id, 'req-1');
    const e = withErr!.err as Line;
    assert.equal(e.type, 'TypeError');
    assert.equal(e.code, 'E_SHAPE');
    assert.match(String(e.stack), /TypeError: bad shape/);
    assert.match(String((withError!.error as Line).stack), /RangeError: out of range/);
  });
});

describe('threadlineMixin on a user-built pino logger', () => {
  test('adds the context fields; outside a context nothing', () => {
    const mem = memory();
    const logger = pino(
      {
        mixin: threadlineMixin(),
        mixinMergeStrategy: threadlineMixinMergeStrategy,
        base: undefined,
        timestamp: false,
      },
      mem.destination,
    );
    runWithContext(CTX, () => logger.info('in'));
    logger.info('out');
    assert.deepEqual(mem.lines(), [
      {
        level: 30,
        request_id: 'req-1',
        trace_id: CTX.trace_id,
        span_id: CTX.span_id,
        trace_flags: '01',
        model_name: 'ranker',
        model_version: '1.4.0',
        run_id: 'run-7',
        msg: 'in',
      },
      { level: 30, msg: 'out' },
    ]);
  });
});

describe('per-request verbosity', () => {
  test('without verbosity:true the configured level is final', () => {
    const { logger, lines } = capture({ level: 'info' });
    runWithContext({ request_id: 'r' }, () => {
      startRequestVerbosity({ forceDebug: true, bufferLimit: 0 });
      logger.debug('not written');
    });
    assert.equal(lines().length, 0);
  });

  test('forced debug writes debug lines of that request only', () => {
    const { logger, lines } = capture({ level: 'info', verbosity: true });
    logger.debug('outside: dropped');
    logger.info('outside: kept');
    runWithContext({ request_id: 'forced' }, () => {
      startRequestVerbosity({ forceDebug: true, bufferLimit: 0 });
      logger.debug({ rows: 2 }, 'forced debug');
      logger.trace('still too verbose');
    });
    runWithContext({ request_id: 'plain' }, () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 0 });
      logger.debug('plain: dropped');
    });
    assert.deepEqual(
      lines().map((l) => [l.message, l.level, l.request_id]),
      [
        ['outside: kept', 'info', undefined],
        ['forced debug', 'debug', 'forced'],
      ],
    );
  });

  test('buffered debug lines wait for the flush and keep their time and context', async () => {
    const { logger, lines } = capture({ level: 'info', verbosity: true });
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-01-02T03:04:05.006Z') });
    try {
      await runWithContext({ request_id: 'slow' }, async () => {
        startRequestVerbosity({ forceDebug: false, bufferLimit: 2 });
        logger.debug('d1');
        mock.timers.tick(1000);
        logger.debug({ rows: 3 }, 'd2');
        logger.debug('d3');
        logger.info('i1');
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(
          lines().map((l) => l.message),
          ['i1'],
        );
        mock.timers.tick(5000);
        assert.equal(endRequestVerbosity(true), 2);
      });
    } finally {
      mock.timers.reset();
    }
    const all = lines();
    assert.deepEqual(
      all.map((l) => [l.message, l.level, l.request_id]),
      [
        ['i1', 'info', 'slow'],
        ['d2', 'debug', 'slow'],
        ['d3', 'debug', 'slow'],
      ],
    );
    assert.equal(all[1]!.time, '2026-01-02T03:04:06.006Z', 'the time the line was logged, not flushed');
    assert.equal(all[1]!.rows, 3);
    assert.equal(all[0]!.time, '2026-01-02T03:04:06.006Z');
  });

  test('discarded buffers write nothing; forceDebug mid-request flushes then writes', () => {
    const { logger, lines } = capture({ level: 'info', verbosity: true });
    runWithContext({ request_id: 'fast' }, () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 10 });
      logger.debug('never');
      endRequestVerbosity(false);
    });
    runWithContext({ request_id: 'escalated' }, () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 10 });
      logger.debug('held');
      forceDebug();
      logger.debug('direct');
    });
    assert.deepEqual(
      lines().map((l) => l.message),
      ['held', 'direct'],
    );
  });
});

describe('pinoSink', () => {
  test('writes a structured line through the logger, with the context; never throws', () => {
    const { logger, lines } = capture();
    const sink = pinoSink(logger);
    runWithContext(CTX, () => {
      sink.log('info', { http_route: '/predict', http_response_status_code: 200 }, 'request completed');
      sink.log('error', { event: 'failed' }, 'request failed');
      sink.log('debug', {}, 'below the level');
    });
    assert.deepEqual(
      lines().map((l) => [l.level, l.message, l.request_id, l.http_route ?? l.event]),
      [
        ['info', 'request completed', 'req-1', '/predict'],
        ['error', 'request failed', 'req-1', 'failed'],
      ],
    );
    const broken = {
      info: () => {
        throw new Error('down');
      },
    } as unknown as pino.Logger;
    pinoSink(broken).log('info', {}, 'x');
  });
});

describe("pinoSink and the plugins' event writer", () => {
  test('over createPinoLogger (and its children) the sink adds the context itself: one copy a line', () => {
    const { logger, raw } = capture();
    const sink = pinoSink(logger);
    assert.equal(addsContext(sink), true);
    assert.equal(addsContext(pinoSink(logger.child({ part: 'x' }))), true);
    runWithContext(CTX, () => writeEvent(sink, 'warn', { event: 'drift_detected' }, 'drift'));
    const text = raw.join('');
    assert.equal(text.match(/"request_id"/g)?.length, 1);
    assert.match(text, /"run_id":"run-7"/);
  });

  test('over a plain pino logger the sink is unbranded and the writer merges the context', () => {
    const mem = memory();
    const plain = pino({ base: null }, mem.destination);
    const sink = pinoSink(plain);
    assert.equal(addsContext(sink), false);
    runWithContext(CTX, () => writeEvent(sink, 'info', { event: 'training_epoch' }, 'epoch'));
    const [line] = mem.lines();
    assert.equal(line!.request_id, 'req-1');
    assert.equal(line!.model_version, '1.4.0');
    assert.equal(line!.event, 'training_epoch');
  });
});
