import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createRegistry, ThreadlineConfigError } from '@threadline/core';
import { createLogger, endLogger, threadlineTransport } from '@threadline/winston';
import { linesOf, runScript, sleep } from '../../../test/helpers/log-file.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-winston-transport-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('threadlineTransport (the default of createLogger)', () => {
  test('createLogger writes through it when no transports are given', () => {
    const logger = createLogger();
    assert.equal(logger.transports.length, 1);
    assert.equal((logger.transports[0] as unknown as { name: string }).name, 'threadline');
    logger.transports[0]!.silent = true;
  });

  test('gathers lines and writes them within the flush interval, in order', async () => {
    const file = join(dir, 'interval.log');
    const logger = createLogger({ transports: [threadlineTransport(file, { flushIntervalMs: 50 })] });
    await sleep(50); // the file opens asynchronously
    for (let i = 0; i < 5; i++) logger.info('line', { i });
    await sleep(5);
    // Five short lines are far below 4 KiB: nothing is written on the request's path.
    assert.equal(linesOf(file).length, 0);
    await sleep(400);
    assert.deepEqual(
      linesOf(file).map((l) => l.i),
      [0, 1, 2, 3, 4],
    );
    await endLogger(logger);
  });

  test('endLogger writes out what is held, in order, and closes the file', async () => {
    const file = join(dir, 'end.log');
    const logger = createLogger({ service: 'svc', transports: [threadlineTransport(file)] });
    for (let i = 0; i < 3000; i++) logger.info('line', { i });
    await endLogger(logger);
    const lines = linesOf(file);
    assert.equal(lines.length, 3000);
    assert.ok(lines.every((l, i) => l.i === i && l.service === 'svc' && l.message === 'line'));
  });

  test('minLength 0 writes every line as it comes; a missing directory is created', async () => {
    const file = join(dir, 'nested', 'deeper', 'each.log');
    const logger = createLogger({ transports: [threadlineTransport(file, { minLength: 0 })] });
    await sleep(50);
    logger.info('one');
    await sleep(100);
    assert.equal(linesOf(file).length, 1);
    await endLogger(logger);
  });

  test("a transport level filters, and 'logged' fires for a listener", async () => {
    const file = join(dir, 'level.log');
    const transport = threadlineTransport(file, { level: 'warn' });
    const logger = createLogger({ level: 'debug', transports: [transport] });
    const logged: unknown[] = [];
    transport.on('logged', (info) => logged.push(info));
    logger.info('dropped');
    logger.warn('kept');
    await sleep(20);
    assert.equal(logged.length, 1);
    await endLogger(logger);
    assert.deepEqual(
      linesOf(file).map((l) => l.message),
      ['kept'],
    );
  });

  test('no line is lost when the process exits, by process.exit or by an uncaught exception', () => {
    for (const ending of ['process.exit(0)', "throw new Error('boom')"]) {
      const file = join(dir, `exit-${ending.length}.log`);
      const script = `
        import { createLogger, threadlineTransport } from '@threadline/winston';
        // No timer flush before the end: what the buffer holds then is the exit hook's to write.
        const logger = createLogger({
          transports: [threadlineTransport(${JSON.stringify(file)}, { flushIntervalMs: 60_000 })],
        });
        setTimeout(() => {
          for (let i = 0; i < 2000; i++) logger.info('line', { i });
          // Once those are written, one more line: far below 4 KiB, held in the buffer at the end.
          setTimeout(() => {
            logger.info('line', { i: 2000 });
            setTimeout(() => { ${ending}; }, 100);
          }, 300);
        }, 50);
      `;
      const r = runScript(script);
      assert.notEqual(r.status, null, `the child exited (${r.stderr})`);
      const got = linesOf(file).map((l) => l.i);
      assert.equal(got.length, 2001, `${ending}: ${got.length} of 2001 lines written`);
      assert.deepEqual(got.slice(0, 3), [0, 1, 2]);
      assert.equal(got[2000], 2000);
    }
  });

  test('a destination that cannot be opened is counted and reported, never thrown', async () => {
    const blocker = join(dir, 'a-directory');
    mkdirSync(blocker);
    const registry = createRegistry();
    // A path that is a directory: the open fails after setup, on the event loop.
    const logger = createLogger({ registry, transports: [threadlineTransport(blocker)] });
    logger.info('into the void');
    await sleep(100);
    const text = await registry.metrics();
    assert.match(text, /threadline_log_transport_errors_total\{[^}]*transport="threadline"[^}]*\} 1/);
  });

  test('bad destinations and options fail at setup', () => {
    assert.throws(() => threadlineTransport(''), ThreadlineConfigError);
    assert.throws(() => threadlineTransport(-1), ThreadlineConfigError);
    assert.throws(() => threadlineTransport(1, { minLength: 20_000 }), ThreadlineConfigError);
    assert.throws(() => threadlineTransport(1, { flushIntervalMs: 0 }), ThreadlineConfigError);
    assert.throws(() => threadlineTransport(1, { level: 3 as unknown as string }), ThreadlineConfigError);
  });
});
