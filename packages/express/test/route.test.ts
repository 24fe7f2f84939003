import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createRegistry, type LogSink } from '@threadline/core';
import { threadline } from '@threadline/express';
import express from 'express';

const require = createRequire(import.meta.url);
const versions = { express5: express, express4: require('express4') as typeof express };

function routes(lib: typeof express, sink: LogSink): express.Express {
  const app = lib();
  app.use(threadline({ registry: createRegistry(), logger: sink }));
  const deep = lib.Router();
  deep.get('/leaf/:leafId', (_req, res) => {
    res.send('leaf');
  });
  const mid = lib.Router();
  mid.use('/deep/:deepId', deep);
  const shared = lib.Router();
  shared.get('/:thing', (_req, res) => {
    res.send('shared');
  });
  app.use('/orgs/:org/teams/:team', mid);
  // One router mounted twice: each request gets the template of the mount it came through.
  app.use('/a/:x', shared);
  app.use('/b', shared);
  app.get(['/one/:n', '/two/:n'], (_req, res) => {
    res.send('array');
  });
  const sub = lib();
  const subRouter = lib.Router();
  subRouter.get('/r/:rid', (_req, res) => {
    res.send('sub');
  });
  sub.use('/inner', subRouter);
  app.use('/sub/:tenant', sub);
  app.use((_req, res) => {
    res.status(404).send('none');
  });
  return app;
}

for (const [name, lib] of Object.entries(versions)) {
  describe(`route templates on ${name}`, () => {
    test('nested routers, params in mounts, a router mounted twice, sub-apps, path arrays', async () => {
      const lines: Record<string, unknown>[] = [];
      const sink: LogSink = { log: (_level, fields) => lines.push(fields) };
      const server: Server = routes(lib, sink).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const cases: [string, string][] = [
          ['/orgs/acme/teams/blue/deep/9/leaf/3', '/orgs/:org/teams/:team/deep/:deepId/leaf/:leafId'],
          ['/a/1/zzz', '/a/:x/:thing'],
          ['/b/zzz', '/b/:thing'],
          // A path array is one route: its label joins the templates.
          ['/one/5', '/one/:n|/two/:n'],
          ['/sub/t1/inner/r/77', '/sub/:tenant/inner/r/:rid'],
          ['/orgs/acme', '__unmatched__'],
        ];
        for (const [path] of cases) await (await fetch(base + path)).text();
        while (lines.length < cases.length) await new Promise((r) => setTimeout(r, 5));
        for (const [path, route] of cases) {
          assert.equal(lines.find((l) => l.path === path)?.route, route, path);
        }
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
}
