// Shared fixtures for the HTTP tests: the same small app built on Express 5, Express 4, Koa 3 and
// Koa 2 (with @koa/router), with or without Threadline, a log capture, and a metrics parser.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import {
  bufferDebugLine,
  createRegistry,
  debugDecision,
  getContext,
  type HttpOptions,
  jsonLineSink,
  type LogSink,
} from '@threadline/core';
import { markOwnEndpoint } from '@threadline/core/http';
import { debugHandler, threadline as expressThreadline, metricsHandler } from '@threadline/express';
import { debugMiddleware, threadline as koaThreadline, metricsMiddleware } from '@threadline/koa';
import express from 'express';
import Koa from 'koa';

const require = createRequire(import.meta.url);
const express4 = require('express4') as typeof express;
const Koa2 = require('koa2') as typeof Koa;

export const FRAMEWORKS = ['express5', 'express4', 'koa3', 'koa2'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** Captured log lines, parsed back from the JSON the sink wrote. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly sink: LogSink = jsonLineSink(
    { write: (s: string) => this.lines.push(JSON.parse(s)) },
    { service: 'test' },
  );
  access(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === 'http_request');
  }
  handler(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === 'handler');
  }
}

export interface Running {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Threadline options; `undefined` builds the bare app. */
  readonly threadline?: HttpOptions | undefined;
  /** Sink for the lines written inside handlers (absent: none). */
  readonly handlerLog?: LogSink;
  /** Also mount /metrics with these options. */
  readonly metrics?: Record<string, unknown>;
  /** Also mount the debug switch at /_threadline/debug with these options. */
  readonly debug?: Record<string, unknown>;
  /** Told, from listeners /listeners adds on the response, which request's context each one ran in. */
  readonly onListener?: (event: string, requestId: string | undefined, tag: string) => void;
  /** Host to listen on (default 127.0.0.1). */
  readonly host?: string;
}

/** Adds 'finish' and 'close' listeners on the raw response, reporting the context they run in. */
function listenOnResponse(o: AppOptions, res: ServerResponse, tag: string): void {
  for (const event of ['finish', 'close']) {
    res.on(event, () => o.onListener?.(event, getContext()?.request_id, tag));
  }
}

function streamThatFails(): Readable {
  let n = 0;
  return new Readable({
    read() {
      n++;
      if (n === 1) this.push('partial ');
      else this.destroy(new Error('stream broke'));
    },
  });
}

async function work(log: LogSink | undefined, step: string, tag?: string): Promise<string | undefined> {
  await sleep(Math.floor(Math.random() * 3));
  await Promise.resolve();
  log?.log('info', { event: 'handler', step, tag }, 'in handler');
  return getContext()?.request_id;
}

/** Says it started, then waits for the client to go away (or two seconds), and says it is done. */
async function slow(log: LogSink | undefined, res: ServerResponse): Promise<void> {
  log?.log('info', { event: 'handler', step: 'slow_started' }, 'slow');
  await Promise.race([sleep(2000), once(res, 'close')]);
  log?.log('info', { event: 'handler', step: 'slow_done' }, 'slow');
}

/** A debug line as a logger bridge writes it: now, held in the request's buffer, or by level. */
function debugLine(log: LogSink | undefined, n: number): void {
  if (!log) return;
  const write = () => log.log('debug', { event: 'debug_line', n }, 'detail');
  const decision = debugDecision();
  if (decision === 'write') write();
  else if (decision === 'buffer') bufferDebugLine(write);
}

async function debugWork(log: LogSink | undefined, fail: boolean): Promise<void> {
  debugLine(log, 1);
  await sleep(1);
  debugLine(log, 2);
  if (fail) throw new Error('debug boom');
}

function buildExpress(lib: typeof express, o: AppOptions): (req: never, res: never) => void {
  const app = lib();
  // Production mode: error pages without stacks, so the bare and instrumented answers compare equal.
  app.set('env', 'production');
  if (o.threadline) app.use(expressThreadline(o.threadline));
  if (o.metrics) app.get('/metrics', metricsHandler(o.metrics));
  if (o.debug) app.use('/_threadline/debug', lib.json(), debugHandler(o.debug as never));
  // A Threadline-owned page of another package (a dashboard) marks itself as the endpoints do.
  app.get('/_threadline/page', (_req, res) => {
    markOwnEndpoint(res, '/_threadline/page');
    res.send('page');
  });
  app.get('/listeners', async (req, res) => {
    listenOnResponse(o, res, String(req.query.tag));
    await work(undefined, 'listeners');
    res.send('ok');
  });
  app.get('/req-log', async (req, res) => {
    await sleep(1);
    req.log.child({ step: 'req_log' }).info('from req.log', { tag: String(req.query.tag) });
    // Another logging middleware (pino-http) assigns its own logger: the assignment wins.
    const theirs = req.log;
    req.log = theirs.child({});
    res.json({ id: req.id, replaced: req.log !== theirs });
  });
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  app.get('/users/:id', async (req, res, next) => {
    try {
      const seen = await work(o.handlerLog, 'users', req.params.id);
      res.json({ id: req.params.id, seen });
    } catch (e) {
      next(e);
    }
  });
  const items = lib.Router({ mergeParams: true });
  items.get('/:itemId', async (req, res) => {
    const seen = await work(o.handlerLog, 'items');
    res.json({ tenant: (req.params as Record<string, string>).tenant, item: req.params.itemId, seen });
  });
  const api = lib.Router({ mergeParams: true });
  api.use('/items', items);
  app.use('/api/:tenant', api);
  const admin = lib();
  admin.set('env', 'production');
  admin.get('/stats/:day', (req, res) => {
    res.json({ day: req.params.day });
  });
  app.use('/admin', admin);
  app.post('/echo', lib.json(), async (req, res) => {
    const seen = await work(o.handlerLog, 'echo');
    res.json({ keys: Object.keys(req.body ?? {}).length, seen });
  });
  app.get('/boom-sync', () => {
    throw new Error('sync boom');
  });
  app.get('/boom-async', (_req, _res, next) => {
    Promise.reject(new Error('async boom')).catch(next);
  });
  app.get('/teapot', (_req, res) => {
    res.status(418).send('short and stout');
  });
  app.get('/stream-error', (_req, res) => {
    const s = streamThatFails();
    s.on('error', () => res.destroy());
    s.pipe(res);
  });
  app.get('/slow', async (_req, res) => {
    await slow(o.handlerLog, res);
    if (!res.destroyed) res.send('late');
  });
  app.get('/dbg', async (_req, res) => {
    await debugWork(o.handlerLog, false);
    res.send('ok');
  });
  app.get('/dbg-fail', async (_req, _res, next) => {
    await debugWork(o.handlerLog, true).catch(next);
  });
  app.all('/any', (req, res) => {
    res.send(`method ${req.method}`);
  });
  return app as never;
}

function buildKoa(Lib: typeof Koa, o: AppOptions): (req: never, res: never) => void {
  const app = new Lib();
  app.silent = true;
  app.on('error', () => {});
  if (o.threadline) app.use(koaThreadline(o.threadline) as never);
  if (o.metrics) app.use(metricsMiddleware(o.metrics) as never);
  if (o.debug) app.use(debugMiddleware(o.debug as never) as never);
  const router = new Router();
  router.get('/_threadline/page', (ctx) => {
    markOwnEndpoint(ctx.res, '/_threadline/page');
    ctx.body = 'page';
  });
  router.get('/listeners', async (ctx) => {
    listenOnResponse(o, ctx.res, String(ctx.query.tag));
    await work(undefined, 'listeners');
    ctx.body = 'ok';
  });
  router.get('/req-log', async (ctx) => {
    await sleep(1);
    ctx.log.child({ step: 'req_log' }).info('from req.log', { tag: String(ctx.query.tag) });
    const theirs = ctx.log;
    ctx.log = theirs.child({});
    ctx.body = { id: ctx.id, replaced: ctx.log !== theirs };
  });
  router.get('/health', (ctx) => {
    ctx.body = 'ok';
  });
  router.get('/users/:id', async (ctx) => {
    const seen = await work(o.handlerLog, 'users', ctx.params.id);
    ctx.body = { id: ctx.params.id, seen };
  });
  const items = new Router();
  items.get('/:itemId', async (ctx) => {
    const seen = await work(o.handlerLog, 'items');
    ctx.body = { tenant: ctx.params.tenant, item: ctx.params.itemId, seen };
  });
  const api = new Router({ prefix: '/api/:tenant' });
  api.use('/items', items.routes());
  const admin = new Router({ prefix: '/admin' });
  admin.get('/stats/:day', (ctx) => {
    ctx.body = { day: ctx.params.day };
  });
  router.post('/echo', async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as object;
    const seen = await work(o.handlerLog, 'echo');
    ctx.body = { keys: Object.keys(body).length, seen };
  });
  router.get('/boom-sync', () => {
    throw new Error('sync boom');
  });
  router.get('/boom-async', async () => {
    await sleep(1);
    throw new Error('async boom');
  });
  router.get('/teapot', (ctx) => {
    ctx.status = 418;
    ctx.body = 'short and stout';
  });
  router.get('/stream-error', (ctx) => {
    ctx.body = streamThatFails();
  });
  router.get('/slow', async (ctx) => {
    await slow(o.handlerLog, ctx.res);
    ctx.body = 'late';
  });
  router.get('/dbg', async (ctx) => {
    await debugWork(o.handlerLog, false);
    ctx.body = 'ok';
  });
  router.get('/dbg-fail', async () => {
    await debugWork(o.handlerLog, true);
  });
  router.all('/any', (ctx) => {
    ctx.body = `method ${ctx.method}`;
  });
  app.use(router.routes() as never);
  app.use(api.routes() as never);
  app.use(admin.routes() as never);
  return app.callback() as never;
}

/** Builds the shared app on `framework` and listens on 127.0.0.1 (port 0). */
export async function start(framework: Framework, o: AppOptions = {}): Promise<Running> {
  const handler =
    framework === 'express5'
      ? buildExpress(express, o)
      : framework === 'express4'
        ? buildExpress(express4, o)
        : framework === 'koa3'
          ? buildKoa(Koa, o)
          : buildKoa(Koa2, o);
  const server = createServer(handler as RequestListener);
  server.listen(0, o.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh OpenMetrics registry plus the Threadline options most tests use. */
export function setup(extra: Partial<HttpOptions> = {}): {
  registry: ReturnType<typeof createRegistry>;
  logs: LogCapture;
  options: HttpOptions;
} {
  const registry = createRegistry();
  const logs = new LogCapture();
  return { registry, logs, options: { registry, logger: logs.sink, ...extra } };
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus or OpenMetrics text into samples (exemplars ignored). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*?)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** Waits until `cond` holds (log lines and metrics are written on the response's close). */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(5);
  }
}
