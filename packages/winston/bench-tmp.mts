import { Writable } from 'node:stream';
import { captureLogFields, runWithContext, setContext } from '@threadline/core';
import { createLogger } from '@threadline/winston';
import winston from 'winston';

function ns(fn: () => void, n: number): number {
  for (let i = 0; i < n / 10; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / n;
}
const sink = new Writable({
  write(_c, _e, cb) {
    cb();
  },
});
const logger = createLogger({ transports: new winston.transports.Stream({ stream: sink }) });
const proto = winston.Logger.prototype as unknown as Record<string, unknown>;
const patched = proto.write;
const drain = () => new Promise((r) => setImmediate(r));

await runWithContext(
  { request_id: 'req-1', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' },
  async () => {
    setContext({ model: { name: 'ranker', version: '1.4.0' } });
    console.log('captureLogFields (cached)', ns(() => captureLogFields(), 500_000).toFixed(1), 'ns');
    console.log('new Date().toISOString()', ns(() => new Date().toISOString(), 500_000).toFixed(1), 'ns');
    // Lines in batches of 100, each batch drained, so the stream never backs up (that would
    // measure queueing); capture on and off interleaved, best of many batches.
    const batch = async (): Promise<number> => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 100; i++) logger.info('scored', { event: 'model_inference', input_size: 128 });
      await drain();
      return Number(process.hrtime.bigint() - t) / 100;
    };
    const on: number[] = [];
    const off: number[] = [];
    for (let round = 0; round < 400; round++) {
      proto.write = patched;
      on.push(await batch());
      delete proto.write; // Writable's own write: the context is read at format time, as before
      off.push(await batch());
    }
    const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
    console.log(
      `logger.info per line (median of 400 batches): with capture ${median(on).toFixed(0)} ns, without ${median(off).toFixed(0)} ns`,
    );
    proto.write = patched;
  },
);
