import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ThreadlineConfigError } from '@threadline/core';
import { createPinoLogger, flushLogger, threadlineDestination } from '@threadline/pino';
import { linesOf, runScript, sleep } from '../../../test/helpers/log-file.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-pino-dest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('threadlineDestination (the default of createPinoLogger)', () => {
  test('gathers lines and writes them within the flush interval, in order', async () => {
    const file = join(dir, 'interval.log');
    const logger = createPinoLogger({ destination: threadlineDestination(file, { flushIntervalMs: 50 }) });
    for (let i = 0; i < 5; i++) logger.info({ i }, 'line');
    // Five short lines are far below 4 KiB: nothing is written on the request's path.
    assert.equal(linesOf(file).length, 0);
    await sleep(400);
    assert.deepEqual(
      linesOf(file).map((l) => l.i),
      [0, 1, 2, 3, 4],
    );
  });

  test('a path given to createPinoLogger gets the buffered destination; flushLogger writes it out', async () => {
    const file = join(dir, 'path.log');
    const logger = createPinoLogger({ destination: file });
    await sleep(50); // the file opens asynchronously
    for (let i = 0; i < 3; i++) logger.info({ i }, 'line');
    assert.equal(linesOf(file).length, 0);
    await flushLogger(logger);
    assert.equal(linesOf(file).length, 3);
  });

  test('minLength 0 writes every line as it comes', async () => {
    const file = join(dir, 'each.log');
    const logger = createPinoLogger({ destination: threadlineDestination(file, { minLength: 0 }) });
    await sleep(50);
    logger.info('one');
    await sleep(100);
    assert.equal(linesOf(file).length, 1);
  });

  test('no line is lost when the process exits, by process.exit or by an uncaught exception', () => {
    for (const ending of ['process.exit(0)', "throw new Error('boom')"]) {
      const file = join(dir, `exit-${ending.length}.log`);
      const script = `
        import { createPinoLogger } from '@threadline/pino';
        const logger = createPinoLogger({ destination: ${JSON.stringify(file)} });
        setTimeout(() => {
          for (let i = 0; i < 2000; i++) logger.info({ i }, 'line');
          ${ending};
        }, 50);
      `;
      const r = runScript(script);
      assert.notEqual(r.status, null, `the child exited (${r.stderr})`);
      const got = linesOf(file).map((l) => l.i);
      assert.equal(got.length, 2000, `${ending}: ${got.length} of 2000 lines written`);
      assert.deepEqual(got.slice(0, 3), [0, 1, 2]);
    }
  });

  test('bad destinations and options fail at setup', () => {
    assert.throws(() => threadlineDestination(''), ThreadlineConfigError);
    assert.throws(() => threadlineDestination(-1), ThreadlineConfigError);
    assert.throws(() => threadlineDestination(1, { minLength: 20_000 }), ThreadlineConfigError);
    assert.throws(() => threadlineDestination(1, { flushIntervalMs: 0 }), ThreadlineConfigError);
    assert.throws(() => createPinoLogger({ destination: {} as unknown as string }), ThreadlineConfigError);
  });
});
