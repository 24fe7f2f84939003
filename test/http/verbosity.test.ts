import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { debugSwitch } from '@threadline/core';
import { FRAMEWORKS, setup, start, until } from './harness.js';

afterEach(() => debugSwitch.clear());

for (const fw of FRAMEWORKS) {
  describe(`per-request verbosity on ${fw}`, () => {
    test('debug lines are held per request and written only when it fails or is slow', async () => {
      const { logs, options } = setup({ slowMs: 60_000 });
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      const slowApp = await start(fw, { threadline: { ...options, slowMs: 0 }, handlerLog: logs.sink });
      try {
        const ok = await fetch(`${app.url}/dbg`);
        await ok.text();
        const failed = await fetch(`${app.url}/dbg-fail`);
        assert.equal(failed.status, 500);
        await failed.text();
        await until(() => logs.access().length === 2);
        const debug = () => logs.lines.filter((l) => l.event === 'debug_line');
        assert.equal(debug().length, 2);
        const failedId = failed.headers.get('x-request-id');
        assert.ok(debug().every((l) => l.request_id === failedId && l.level === 'debug'));
        const slow = await fetch(`${slowApp.url}/dbg`);
        await slow.text();
        await until(() => logs.access().length === 3);
        assert.equal(debug().length, 4);
        assert.ok(
          debug()
            .slice(2)
            .every((l) => l.request_id === slow.headers.get('x-request-id')),
        );
      } finally {
        await app.close();
        await slowApp.close();
      }
    });

    test('the runtime switch turns debug on for one request ID, or for a route, without restart', async () => {
      const { logs, options } = setup({ slowMs: 60_000 });
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      try {
        const debug = () => logs.lines.filter((l) => l.event === 'debug_line');
        debugSwitch.add({ requestId: 'look-at-me' });
        await (await fetch(`${app.url}/dbg`, { headers: { 'x-request-id': 'look-at-me' } })).text();
        await (await fetch(`${app.url}/dbg`, { headers: { 'x-request-id': 'not-me' } })).text();
        await until(() => logs.access().length === 2);
        assert.deepEqual(
          debug().map((l) => l.request_id),
          ['look-at-me', 'look-at-me'],
        );
        debugSwitch.clear();
        debugSwitch.add({ route: '/dbg' });
        await (await fetch(`${app.url}/dbg`, { headers: { 'x-request-id': 'by-route' } })).text();
        await until(() => logs.access().length === 3);
        assert.deepEqual(
          debug().map((l) => l.request_id),
          ['look-at-me', 'look-at-me', 'by-route', 'by-route'],
        );
      } finally {
        await app.close();
      }
    });

    test('the context survives body parsing (stream events) into the handler', async () => {
      const { logs, options } = setup();
      const app = await start(fw, { threadline: options, handlerLog: logs.sink });
      try {
        const res = await fetch(`${app.url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'with-body' },
          body: JSON.stringify({ a: 1, b: 2 }),
        });
        assert.deepEqual(await res.json(), { keys: 2, seen: 'with-body' });
        await until(() => logs.access().length === 1);
        assert.equal(logs.access()[0]!.request_bytes, 13);
      } finally {
        await app.close();
      }
    });
  });
}
