// One table of redaction cases, run against both logger packages: they share one definition in
// core (keys, defaults, option checks, the walk and its bounds), so they must agree line for line.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { REDACT_MAX_DEPTH, REDACT_MAX_ENTRIES, TRUNCATED } from '@threadline/core';
import { createPinoLogger } from '@threadline/pino';
import { createLogger } from '@threadline/winston';
import winston from 'winston';

type Line = Record<string, unknown>;
interface Options {
  redact?: readonly string[];
  censor?: string;
}
type LogOne = (options: Options, meta: Record<string, unknown>) => Promise<Line>;

const loggers: Record<string, LogOne> = {
  async winston(options, meta) {
    const raw: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        raw.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({
      ...options,
      service: 't',
      transports: new winston.transports.Stream({ stream }),
    });
    logger.info('x', meta);
    await new Promise((r) => setImmediate(r));
    assert.equal(raw.length, 1);
    return JSON.parse(raw[0]!) as Line;
  },
  async pino(options, meta) {
    const raw: string[] = [];
    const logger = createPinoLogger({
      ...options,
      service: 't',
      destination: { write: (s: string) => void raw.push(s) },
    });
    logger.info(meta, 'x');
    assert.equal(raw.length, 1);
    return JSON.parse(raw[0]!) as Line;
  },
};

function at(line: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], line);
}

function nest(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let out = leaf;
  for (let i = 0; i < depth; i++) out = { [`l${i}`]: out };
  return out;
}
const deepPath = (depth: number, key: string): string =>
  [...Array.from({ length: depth }, (_, i) => `l${depth - 1 - i}`), key].join('.');

/** Axios keeps request headers in a class instance with its own toJSON. */
class AxiosLikeHeaders {
  constructor(headers: Record<string, string>) {
    Object.assign(this, headers);
  }
  toJSON(): Record<string, unknown> {
    return { ...(this as object) } as Record<string, unknown>;
  }
}
class RequestConfig {
  headers = { Authorization: 'Bearer in-config', accept: 'json' };
  url = '/predict';
}

interface Case {
  readonly name: string;
  readonly options?: Options;
  readonly meta: () => Record<string, unknown>;
  /** path -> expected value in the written line */
  readonly expect: Readonly<Record<string, unknown>>;
  /** strings that must not appear anywhere in the line */
  readonly secrets?: readonly string[];
}

const R = '[REDACTED]';
const cases: Case[] = [
  {
    name: 'top-level key',
    meta: () => ({ password: 'hunter2' }),
    expect: { password: R },
    secrets: ['hunter2'],
  },
  {
    name: 'request headers in any spelling',
    meta: () => ({
      req: { headers: { authorization: 'Bearer a', Cookie: 'sid=1', 'content-type': 'json' } },
    }),
    expect: { 'req.headers.authorization': R, 'req.headers.Cookie': R, 'req.headers.content-type': 'json' },
  },
  {
    name: 'UPPER case',
    meta: () => ({ headers: { AUTHORIZATION: 'Bearer b' } }),
    expect: { 'headers.AUTHORIZATION': R },
  },
  {
    name: 'an array value is censored whole',
    meta: () => ({ res: { headers: { 'Set-Cookie': ['a=1', 'b=2'] } } }),
    expect: { 'res.headers.Set-Cookie': R },
  },
  {
    name: 'body fields',
    meta: () => ({ body: { user: 'ann', Password: 'p' } }),
    expect: { 'body.Password': R, 'body.user': 'ann' },
  },
  {
    name: 'objects inside arrays',
    meta: () => ({ list: [{ password: 'x' }, 'plain', [{ cookie: 'c' }]] }),
    expect: { 'list.0.password': R, 'list.1': 'plain', 'list.2.0.cookie': R },
  },
  {
    name: 'nested 9 levels deep',
    meta: () => nest(9, { password: 'deep9' }),
    expect: { [deepPath(9, 'password')]: R },
    secrets: ['deep9'],
  },
  {
    name: 'nested at the bound',
    meta: () => nest(REDACT_MAX_DEPTH - 1, { password: 'at-bound' }),
    expect: { [deepPath(REDACT_MAX_DEPTH - 1, 'password')]: R },
    secrets: ['at-bound'],
  },
  {
    name: 'deeper than the bound: truncated, never written unchecked',
    meta: () => nest(REDACT_MAX_DEPTH + 5, { password: 'too-deep' }),
    expect: {},
    secrets: ['too-deep'],
  },
  {
    name: 'a class instance with toJSON (axios-style headers)',
    meta: () => ({ headers: new AxiosLikeHeaders({ Authorization: 'Bearer axios', Accept: 'json' }) }),
    expect: { 'headers.Authorization': R, 'headers.Accept': 'json' },
    secrets: ['Bearer axios'],
  },
  {
    name: 'a class instance without toJSON',
    meta: () => ({ config: new RequestConfig() }),
    expect: { 'config.headers.Authorization': R, 'config.url': '/predict' },
    secrets: ['in-config'],
  },
  {
    name: 'an HTTP-client error carrying its request config',
    meta: () => ({
      err: Object.assign(new Error('Request failed with status code 401'), {
        config: { headers: new AxiosLikeHeaders({ Authorization: 'Bearer err' }) },
      }),
    }),
    expect: { 'err.config.headers.Authorization': R, 'err.message': 'Request failed with status code 401' },
    secrets: ['Bearer err'],
  },
  {
    name: 'an error cause',
    meta: () => ({ err: new Error('outer', { cause: { password: 'in-cause' } }) }),
    expect: { 'err.cause.password': R },
    secrets: ['in-cause'],
  },
  {
    name: 'custom keys and censor, default keys then kept',
    options: { redact: ['apiKey'], censor: '***' },
    meta: () => ({ nested: { APIKEY: 'k1', inner: [{ apikey: 'k2' }] }, password: 'visible' }),
    expect: { 'nested.APIKEY': '***', 'nested.inner.0.apikey': '***', password: 'visible' },
  },
  {
    name: '[] turns redaction off',
    options: { redact: [] },
    meta: () => ({ password: 'visible' }),
    expect: { password: 'visible' },
  },
  {
    name: 'a cycle neither hangs nor hides a key',
    meta: () => {
      const cyclic: Record<string, unknown> = { password: 'cyc' };
      cyclic.self = cyclic;
      return { cyclic };
    },
    expect: { 'cyclic.password': R },
    secrets: ['cyc"'],
  },
  {
    name: 'a huge array: bounded, the unchecked rest left out',
    meta: () => ({
      rows: [...Array.from({ length: REDACT_MAX_ENTRIES + 10 }, (_, i) => i), { password: 'late' }],
    }),
    expect: { 'rows.0': 0 },
    secrets: ['late'],
  },
  {
    name: 'dates, maps and buffers are written as the logger writes them',
    meta: () => ({ at: new Date('2026-01-02T03:04:05.006Z'), n: 3, ok: true }),
    expect: { at: '2026-01-02T03:04:05.006Z', n: 3, ok: true },
  },
];

for (const [kind, logOne] of Object.entries(loggers)) {
  describe(`redaction table: ${kind}`, () => {
    for (const c of cases) {
      test(c.name, async () => {
        const meta = c.meta();
        const snapshot = (): string =>
          c.name.includes('cycle')
            ? ''
            : JSON.stringify(meta, (_k, v) => (v instanceof Error ? { message: v.message } : v));
        const before = snapshot();
        const line = await logOne(c.options ?? {}, meta);
        for (const [path, value] of Object.entries(c.expect)) assert.deepEqual(at(line, path), value, path);
        const text = JSON.stringify(line);
        for (const secret of c.secrets ?? []) assert.ok(!text.includes(secret), `${secret} leaked`);
        assert.equal(snapshot(), before, 'the caller’s objects are unchanged');
      });
    }
    test('beyond the bounds the marker is written', async () => {
      const line = await logOne({}, nest(REDACT_MAX_DEPTH + 5, { password: 'x' }));
      assert.ok(JSON.stringify(line).includes(TRUNCATED));
    });
  });
}

test('child logger bindings are redacted by both loggers', async () => {
  const out: string[] = [];
  const pinoLogger = createPinoLogger({
    service: 't',
    destination: { write: (s: string) => void out.push(s) },
  });
  pinoLogger
    .child({ headers: { authorization: 'Bearer child' } })
    .child({ password: 'p2' })
    .info('x');
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString());
      cb();
    },
  });
  const winstonLogger = createLogger({ service: 't', transports: new winston.transports.Stream({ stream }) });
  winstonLogger.child({ headers: { authorization: 'Bearer child' }, password: 'p2' }).info('x');
  await new Promise((r) => setImmediate(r));
  assert.equal(out.length, 2);
  for (const line of out) {
    const parsed = JSON.parse(line) as Line;
    assert.equal(at(parsed, 'headers.authorization'), '[REDACTED]');
    assert.equal(parsed.password, '[REDACTED]');
  }
});
