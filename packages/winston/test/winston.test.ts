import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, mock, test } from 'node:test';
import {
  addsContext,
  endRequestVerbosity,
  forceDebug,
  runWithContext,
  startRequestVerbosity,
  ThreadlineConfigError,
  writeEvent,
} from '@threadline/core';
import { type CreateLoggerOptions, createLogger, threadlineFormat, winstonSink } from '@threadline/winston';
import winston from 'winston';

type Line = Record<string, unknown>;

function memoryTransport(): { transport: winston.transport; lines: () => Line[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(chunk.toString());
      cb();
    },
  });
  return {
    transport: new winston.transports.Stream({ stream }),
    // Every chunk must be exactly one JSON line: a parse failure fails the test.
    lines: () => raw.map((s) => JSON.parse(s) as Line),
  };
}

function capture(options: CreateLoggerOptions = {}) {
  const mem = memoryTransport();
  const logger = createLogger({ service: 'test-svc', ...options, transports: mem.transport });
  return { logger, lines: mem.lines };
}

// Winston hands lines to its transports through a stream pipe; let it drain.
const drain = () => new Promise((r) => setImmediate(r));

const CTX = {
  request_id: 'req-1',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  trace_flags: '01',
  model: { name: 'ranker', version: '1.4.0', alias: 'champion' },
  run_id: 'run-7',
};

describe('createLogger', () => {
  test('JSON lines with time, level, message, service and the context fields', async () => {
    const { logger, lines } = capture();
    runWithContext(CTX, () => logger.info('scored', { event: 'model_inference', inference_time_ms: 12 }));
    logger.warn('outside');
    await drain();
    const [inside, outside] = lines();
    assert.deepEqual(Object.keys(inside!).slice(0, 4), ['time', 'level', 'message', 'service']);
    assert.match(String(inside!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(Number.isNaN(Date.parse(String(inside!.time))), false);
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
        model_alias: 'champion',
        run_id: 'run-7',
      },
    );
    assert.equal(outside!.level, 'warn');
    assert.equal(outside!.request_id, undefined);
    assert.equal(outside!.service, 'test-svc');
  });

  test('every line of many concurrent requests carries its own request', async () => {
    const { logger, lines } = capture();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        runWithContext({ request_id: `r${i}` }, async () => {
          logger.info(`start r${i}`);
          await new Promise((r) => setTimeout(r, i % 3));
          logger.info(`end r${i}`, { step: 'end' });
        }),
      ),
    );
    await drain();
    const all = lines();
    assert.equal(all.length, 400);
    for (const line of all) assert.equal(String(line.message).split(' ')[1], line.request_id);
  });

  test('level option, LOG_LEVEL and levels below it are dropped', async () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info('dropped');
    logger.error('kept');
    await drain();
    assert.deepEqual(
      lines().map((l) => l.message),
      ['kept'],
    );
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    try {
      const second = capture();
      second.logger.debug('visible');
      await drain();
      assert.equal(second.lines().length, 1);
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  test('service defaults to OTEL_SERVICE_NAME', async () => {
    const saved = process.env.OTEL_SERVICE_NAME;
    process.env.OTEL_SERVICE_NAME = 'from-env';
    try {
      const mem = memoryTransport();
      createLogger({ transports: mem.transport }).info('x');
      await drain();
      assert.equal(mem.lines()[0]!.service, 'from-env');
    } finally {
      if (saved === undefined) delete process.env.OTEL_SERVICE_NAME;
      else process.env.OTEL_SERVICE_NAME = saved;
    }
  });

  test('defaultMeta fills fields a line did not set', async () => {
    const { logger, lines } = capture({ defaultMeta: { region: 'eu', team: 'ml' } });
    logger.info('x', { team: 'search' });
    await drain();
    assert.equal(lines()[0]!.region, 'eu');
    assert.equal(lines()[0]!.team, 'search');
  });

  test('bad options throw ThreadlineConfigError at setup', () => {
    const bad: unknown[] = [
      { levle: 'info' },
      { level: 'loud' },
      { service: '' },
      { redact: 'password' },
      { redact: [''] },
      { verbosity: 'yes' },
      { transports: [] },
      { defaultMeta: 'x' },
      { censor: '' },
    ];
    for (const options of bad) {
      assert.throws(
        () => createLogger(options as CreateLoggerOptions),
        ThreadlineConfigError,
        JSON.stringify(options),
      );
    }
  });
});

// Redaction: the shared table in test/loggers/redaction.test.ts runs against both loggers.

describe('errors', () => {
  test('an Error logged directly keeps its message and stack', async () => {
    const { logger, lines } = capture();
    runWithContext(CTX, () => logger.error(new Error('model file missing')));
    await drain();
    const line = lines()[0]!;
    assert.equal(line.level, 'error');
    assert.equal(line.message, 'model file missing');
    assert.match(String(line.stack), /^Error: model file missing\n\s+at /);
    assert.equal(line.request_id, 'req-1');
  });

  test('an Error as metadata or nested in a field is serialized with its stack', async () => {
    const { logger, lines } = capture();
    const err = Object.assign(new TypeError('bad tensor shape'), { code: 'E_SHAPE' });
    logger.error('prediction failed', { err, context: { cause: new RangeError('inner') } });
    logger.error('failed:', new Error('as meta'));
    await drain();
    const [first, second] = lines();
    const e = first!.err as Line;
    assert.equal(e.type, 'TypeError');
    assert.equal(e.message, 'bad tensor shape');
    assert.equal(e.code, 'E_SHAPE');
    assert.match(String(e.stack), /TypeError: bad tensor shape/);
    assert.equal(((first!.context as Line).cause as Line).message, 'inner');
    assert.equal(second!.message, 'failed: as meta');
    assert.match(String(second!.stack), /Error: as meta/);
  });
});

describe('threadlineFormat on a user-built logger', () => {
  test('adds context fields; reserved fields are the context’s, attributes never overwrite the line’s', async () => {
    const mem = memoryTransport();
    const logger = winston.createLogger({
      format: winston.format.combine(threadlineFormat(), winston.format.json()),
      transports: [mem.transport],
    });
    runWithContext({ ...CTX, attributes: { tenant: 'ctx-tenant', region: 'eu' } }, () => {
      logger.info('hello', { tenant: 'explicit', request_id: 'spoofed' });
    });
    logger.info('outside');
    await drain();
    const [inside, outside] = mem.lines();
    assert.equal(inside!.tenant, 'explicit');
    assert.equal(inside!.region, 'eu');
    assert.equal(inside!.request_id, 'req-1');
    assert.equal(inside!.model_version, '1.4.0');
    assert.deepEqual(outside, { level: 'info', message: 'outside' });
  });
});

describe('per-request verbosity', () => {
  test('without verbosity:true the configured level is final', async () => {
    const { logger, lines } = capture({ level: 'info' });
    runWithContext({ request_id: 'r' }, () => {
      startRequestVerbosity({ forceDebug: true, bufferLimit: 0 });
      logger.debug('not written');
    });
    await drain();
    assert.equal(lines().length, 0);
  });

  test('forced debug writes debug lines of that request only', async () => {
    const { logger, lines } = capture({ level: 'info', verbosity: true });
    logger.debug('outside: dropped');
    logger.info('outside: kept');
    runWithContext({ request_id: 'forced' }, () => {
      startRequestVerbosity({ forceDebug: true, bufferLimit: 0 });
      logger.debug('forced debug');
      logger.silly('still too verbose');
    });
    runWithContext({ request_id: 'plain' }, () => {
      startRequestVerbosity({ forceDebug: false, bufferLimit: 0 });
      logger.debug('plain: dropped');
    });
    await drain();
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
        logger.debug('d2', { rows: 3 });
        logger.debug('d3');
        logger.info('i1');
        await drain();
        assert.deepEqual(
          lines().map((l) => l.message),
          ['i1'],
          'only the info line is written before the flush',
        );
        mock.timers.tick(5000);
        assert.equal(endRequestVerbosity(true), 2);
      });
    } finally {
      mock.timers.reset();
    }
    await drain();
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
  });

  test('discarded buffers write nothing; forceDebug mid-request flushes then writes', async () => {
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
    await drain();
    assert.deepEqual(
      lines().map((l) => l.message),
      ['held', 'direct'],
    );
  });
});

describe('winstonSink', () => {
  test('writes a structured line through the logger, with the context', async () => {
    const { logger, lines } = capture();
    const sink = winstonSink(logger);
    runWithContext(CTX, () => {
      sink.log(
        'info',
        { http_route: '/predict', http_response_status_code: 200, duration_ms: 4.2 },
        'request completed',
      );
      sink.log('warn', { event: 'slow' }, 'slow request');
      sink.log('debug', {}, 'below the level');
    });
    await drain();
    const all = lines();
    assert.deepEqual(
      all.map((l) => [l.level, l.message, l.request_id]),
      [
        ['info', 'request completed', 'req-1'],
        ['warn', 'slow request', 'req-1'],
      ],
    );
    assert.equal(all[0]!.http_response_status_code, 200);
  });

  test('maps warn to warning on syslog-level loggers and never throws', async () => {
    const mem = memoryTransport();
    const logger = winston.createLogger({
      levels: winston.config.syslog.levels,
      format: winston.format.json(),
      transports: [mem.transport],
    });
    winstonSink(logger).log('warn', {}, 'w');
    await drain();
    assert.equal(mem.lines()[0]!.level, 'warning');
    const broken = {
      levels: { info: 0 },
      log: () => {
        throw new Error('down');
      },
    } as unknown as winston.Logger;
    winstonSink(broken).log('info', {}, 'x');
  });
});

describe("winstonSink and the plugins' event writer", () => {
  test('over createLogger the sink adds the context itself; over a plain logger the writer does', async () => {
    const ours = capture();
    const branded = winstonSink(ours.logger);
    assert.equal(addsContext(branded), true);
    const mem = memoryTransport();
    const plain = winston.createLogger({ format: winston.format.json(), transports: mem.transport });
    const unbranded = winstonSink(plain);
    assert.equal(addsContext(unbranded), false);
    runWithContext(CTX, () => {
      writeEvent(branded, 'warn', { event: 'validation_failed' }, 'failed');
      writeEvent(unbranded, 'warn', { event: 'validation_failed' }, 'failed');
    });
    await drain();
    for (const line of [...ours.lines(), ...mem.lines()]) {
      assert.equal(line.event, 'validation_failed');
      assert.equal(line.request_id, 'req-1');
      assert.equal(line.model_version, '1.4.0');
      assert.equal(line.run_id, 'run-7');
    }
    assert.equal(ours.lines().length + mem.lines().length, 2);
  });
});
