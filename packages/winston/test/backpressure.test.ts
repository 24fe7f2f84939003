import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runWithContext } from '@threadline/core';
import { createLogger, endLogger, threadlineFormat } from '@threadline/winston';
import winston from 'winston';

const REQUESTS = 3000;
const CONCURRENCY = 200;
const dir = mkdtempSync(join(tmpdir(), 'threadline-winston-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Line = Record<string, unknown>;

/**
 * Ends the logger and waits until its File transport's file stream has written everything: the
 * logger's own 'finish' can come before the file stream's last write on a loaded machine.
 */
function finish(logger: winston.Logger): Promise<void> {
  return endLogger(logger);
}

/**
 * Serves REQUESTS overlapping requests, each logging through `logger` from its own context, and
 * returns the file's lines. Each line names the request it was written for in `expect`.
 */
async function serve(
  logger: winston.Logger,
  file: string,
  lines: (log: winston.Logger, id: string) => Promise<void>,
): Promise<Line[]> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const id = String(req.headers['x-request-id']);
    void runWithContext({ request_id: id, trace_id: id.padStart(32, '0') }, async () => {
      await lines(logger, id);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      const id = `req-${next++}`;
      await new Promise<void>((resolve, reject) => {
        const r = request({ port, host: '127.0.0.1', agent, headers: { 'x-request-id': id } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        r.on('error', reject);
        r.end();
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  await new Promise((r) => server.close(r));
  await finish(logger);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

function mislabelled(lines: Line[]): number {
  return lines.filter((l) => l.request_id !== l.expect || l.trace_id !== String(l.expect).padStart(32, '0'))
    .length;
}

test('createLogger + File transport under backpressure: every line carries its own request', async () => {
  const file = join(dir, 'created.log');
  const logger = createLogger({ transports: [new winston.transports.File({ filename: file })] });
  const child = logger.child({ component: 'scorer' });
  const lines = await serve(logger, file, async (log, id) => {
    log.info('start', { expect: id });
    await new Promise((r) => setImmediate(r));
    child.log('info', 'scored', { expect: id });
    log.error(Object.assign(new Error('boom'), { expect: id }));
    log.log({ level: 'warn', message: 'done', expect: id });
  });
  assert.equal(lines.length, REQUESTS * 4, 'every line written');
  assert.equal(mislabelled(lines), 0, 'lines carrying another request’s IDs');
  const times = lines.map((l) => Date.parse(String(l.time)));
  assert.ok(times.every((t) => Number.isFinite(t)));
});

test('threadlineFormat on a user-built logger + File transport under backpressure', async () => {
  const file = join(dir, 'own.log');
  const logger = winston.createLogger({
    format: winston.format.combine(threadlineFormat(), winston.format.json()),
    transports: [new winston.transports.File({ filename: file })],
  });
  const lines = await serve(logger, file, async (log, id) => {
    log.info('start', { expect: id });
    await new Promise((r) => setImmediate(r));
    log.child({ step: 2 }).warn('end', { expect: id });
  });
  assert.equal(lines.length, REQUESTS * 2);
  assert.equal(mislabelled(lines), 0, 'lines carrying another request’s IDs');
});
