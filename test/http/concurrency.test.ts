import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { describe, test } from 'node:test';
import { FRAMEWORKS, setup, start, until } from './harness.js';

const TOTAL = 2000;
const IN_FLIGHT = 100;

function get(
  url: string,
  agent: Agent,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

for (const fw of FRAMEWORKS) {
  describe(`concurrency on ${fw}`, () => {
    test(`${TOTAL} overlapping requests: no cross-talk between request IDs in handler lines after awaits`, async () => {
      const { logs, options } = setup();
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
      try {
        let next = 0;
        const mismatches: string[] = [];
        const worker = async (): Promise<void> => {
          while (next < TOTAL) {
            const i = next++;
            const res = await get(`${app.url}/users/${i}`, agent, { 'x-request-id': `req-${i}` });
            const body = JSON.parse(res.body) as { id: string; seen: string };
            if (body.seen !== `req-${i}` || res.headers['x-request-id'] !== `req-${i}`)
              mismatches.push(`req-${i}`);
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
        assert.deepEqual(mismatches, []);
        await until(() => logs.access().length === TOTAL, 10_000);
        const handlerLines = logs.handler();
        assert.equal(handlerLines.length, TOTAL);
        for (const line of handlerLines) assert.equal(line.request_id, `req-${line.tag}`);
        assert.equal(new Set(handlerLines.map((l) => l.trace_id)).size, TOTAL);
        for (const line of logs.access()) assert.equal(line.request_id, `req-${String(line.path).slice(7)}`);
      } finally {
        agent.destroy();
        await app.close();
      }
    });
  });
}
