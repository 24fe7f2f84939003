import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { runWithContext } from '@threadline/core';
import { createLogger } from '@threadline/winston';
import winston from 'winston';

const MESSAGE = Symbol.for('message');

function raw(options: Parameters<typeof createLogger>[0] = {}) {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString().replace(/\n$/, ''));
      cb();
    },
  });
  const logger = createLogger({
    service: 'svc',
    redact: [],
    ...options,
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, out };
}

const drain = () => new Promise((r) => setImmediate(r));

/** What winston's own json format writes for `fields` in this order. */
function winstonJson(fields: Record<string, unknown>): string {
  const info = {
    ...fields,
    level: fields.level,
    message: fields.message,
  } as winston.Logform.TransformableInfo;
  const json = winston.format.json({ deterministic: false });
  const done = json.transform(info, json.options) as Record<symbol, string>;
  return done[MESSAGE]!;
}

test('each line is the text winston’s json format writes, envelope first, for awkward values', async () => {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const values: Record<string, unknown> = {
    text: 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 🚀 lone \ud800',
    'key "quoted"\n': 1,
    ключ: 'значение',
    int: 42,
    float: -0.125,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    yes: true,
    nothing: null,
    missing: undefined,
    fn: () => 1,
    sym: Symbol('s'),
    big: 12345678901234567890n,
    nestedBig: { n: 5n, list: [1n, 'a'] },
    date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    buffer: Buffer.from('hi'),
    list: [1, 'two', null, undefined, { three: 3 }],
    circular,
    deep: { a: { b: { c: [{ d: 'e' }] } } },
  };
  const { logger, out } = raw();
  logger.info('awkward', values);
  await drain();
  const line = out[0]!;
  const time = (JSON.parse(line) as { time: string }).time;
  assert.equal(line, winstonJson({ time, level: 'info', message: 'awkward', service: 'svc', ...values }));
});

test('context fields, default fields and a line’s own service, as the format chain wrote them', async () => {
  const { logger, out } = raw({ defaultMeta: { region: 'eu', int: 0 } });
  runWithContext({ request_id: 'r-1', attributes: { tenant: 'acme', int: -1 } }, () => {
    logger.warn('first', { int: 7 });
    logger.info('second', { service: 'other' });
  });
  await drain();
  const [first, second] = out.map((l) => l);
  const t1 = (JSON.parse(first!) as { time: string }).time;
  const t2 = (JSON.parse(second!) as { time: string }).time;
  assert.equal(
    first,
    winstonJson({
      time: t1,
      level: 'warn',
      message: 'first',
      service: 'svc',
      int: 7,
      tenant: 'acme',
      request_id: 'r-1',
      region: 'eu',
    }),
  );
  assert.equal(
    second,
    winstonJson({
      time: t2,
      level: 'info',
      message: 'second',
      service: 'other',
      tenant: 'acme',
      int: -1,
      request_id: 'r-1',
      region: 'eu',
    }),
  );
});

test('a transport with a format of its own sees every field, redacted', async () => {
  const seen: Record<string, unknown>[] = [];
  const own = new winston.transports.Stream({
    stream: new Writable({
      objectMode: true,
      write(info, _e, cb) {
        seen.push(info);
        cb();
      },
    }),
    format: winston.format((info) => info)(),
  });
  const logger = createLogger({ service: 'svc', transports: [own] });
  runWithContext({ request_id: 'r-2' }, () => logger.info('login', { password: 'hunter2', user: 'ada' }));
  await drain();
  assert.equal(seen.length, 1);
  const info = seen[0]!;
  assert.equal(info.password, '[REDACTED]');
  assert.equal(info.user, 'ada');
  assert.equal(info.request_id, 'r-2');
  assert.equal(info.service, 'svc');
  assert.match(String(info.time), /Z$/);
  assert.doesNotMatch(String((info as Record<symbol, unknown>)[MESSAGE]), /hunter2/);
});

test('the objects a caller logs keep their own values: redaction and the envelope go on a copy', async () => {
  const { logger, out } = raw({ redact: ['password'] });
  const meta = { password: 'hunter2', nested: { password: 'p2', keep: 1 } };
  const direct = { level: 'info', message: 'direct', password: 'p3' };
  logger.info('meta', meta);
  logger.log(direct);
  await drain();
  assert.deepEqual(meta, { password: 'hunter2', nested: { password: 'p2', keep: 1 } });
  assert.equal(direct.password, 'p3');
  assert.equal('time' in direct || 'service' in direct, false);
  assert.doesNotMatch(out.join('\n'), /hunter2|p2|p3/);
  assert.equal(out.length, 2);
});
