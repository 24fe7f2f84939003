// A transport or destination that fails must not end the process: the failure is counted in
// threadline_log_transport_errors_total, reported on threadline:diag, and the logger keeps serving.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createRegistry, type DiagEvent, onDiag } from '@threadline/core';
import { createPinoLogger } from '@threadline/pino';
import { createLogger } from '@threadline/winston';
import winston from 'winston';
import Transport from 'winston-transport';
import { findSamples, parsePromText } from '../helpers/prom-text.js';

const tick = () => new Promise((r) => setTimeout(r, 20));

async function counted(registry: ReturnType<typeof createRegistry>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of findSamples(
    parsePromText(await registry.metrics()),
    'threadline_log_transport_errors_total',
  )) {
    out[`${s.labels.logger}/${s.labels.transport}`] = s.value;
  }
  return out;
}

function diagEvents(): { events: DiagEvent[]; stop: () => void } {
  const events: DiagEvent[] = [];
  const stop = onDiag((e) => {
    if (e.code === 'TL_LOG_TRANSPORT_FAILED') events.push(e);
  });
  return { events, stop };
}

class Emitting extends Transport {
  name = 'flaky-http';
  override log(_info: unknown, next: () => void): void {
    setImmediate(() => this.emit('error', new Error('connection refused')));
    next();
  }
}
class Throwing extends Transport {
  name = 'throwing';
  override log(): void {
    throw new Error('transport bug');
  }
}

test('winston: a transport emitting error or throwing is counted; the other transport keeps every line', async () => {
  const registry = createRegistry();
  const { events, stop } = diagEvents();
  const kept: string[] = [];
  const good = new winston.transports.Stream({
    stream: new Writable({
      write(chunk: Buffer, _e, cb) {
        kept.push(chunk.toString());
        cb();
      },
    }),
  });
  try {
    const logger = createLogger({ transports: [new Emitting(), new Throwing(), good], registry });
    for (let i = 0; i < 5; i++) {
      assert.doesNotThrow(() => logger.info(`line ${i}`));
      await tick();
    }
    assert.equal(kept.length, 5, 'the healthy transport got every line');
    const counts = await counted(registry);
    assert.equal(counts['winston/flaky-http'], 5);
    assert.equal(counts['winston/throwing'], 5);
    assert.equal(events.length, 10);
  } finally {
    stop();
  }
});

test('pino: a destination that errors is counted and the process keeps serving', async () => {
  const registry = createRegistry();
  const { events, stop } = diagEvents();
  let writes = 0;
  const destination = new Writable({
    write(_chunk, _e, cb) {
      writes++;
      cb(new Error('disk full'));
    },
  });
  try {
    const logger = createPinoLogger({ destination, registry });
    logger.info('first');
    await tick();
    assert.equal(writes, 1);
    assert.equal((await counted(registry))['pino/destination'], 1);
    assert.equal(events.length, 1);
  } finally {
    stop();
  }
});
