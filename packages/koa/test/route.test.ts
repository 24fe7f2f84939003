import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import Router from '@koa/router';
import { createRegistry, type LogSink } from '@threadline/core';
import { threadline } from '@threadline/koa';
import Koa from 'koa';

const require = createRequire(import.meta.url);
const versions = { koa3: Koa, koa2: require('koa2') as typeof Koa };

for (const [name, Lib] of Object.entries(versions)) {
  describe(`route templates on ${name}`, () => {
    test('router prefixes, nested routers, unmatched paths', async () => {
      const lines: Record<string, unknown>[] = [];
      const sink: LogSink = { log: (_level, fields) => lines.push(fields) };
      const app = new Lib();
      app.use(threadline({ registry: createRegistry(), logger: sink }) as never);
      const leaf = new Router();
      leaf.get('/leaf/:leafId', (ctx) => {
        ctx.body = 'leaf';
      });
      const mid = new Router({ prefix: '/orgs/:org' });
      mid.use('/teams/:team', leaf.routes());
      const plain = new Router();
      plain.get('/x/:id', (ctx) => {
        ctx.body = 'x';
      });
      app.use(mid.routes() as never);
      app.use(plain.routes() as never);
      const server = createServer(app.callback()).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const cases: [string, string][] = [
          ['/orgs/acme/teams/blue/leaf/3', '/orgs/:org/teams/:team/leaf/:leafId'],
          ['/x/1', '/x/:id'],
          ['/nothing/here', '__unmatched__'],
        ];
        for (const [path] of cases) await (await fetch(base + path)).text();
        while (lines.length < cases.length) await new Promise((r) => setTimeout(r, 5));
        for (const [path, route] of cases)
          assert.equal(lines.find((l) => l.path === path)?.route, route, path);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
}
