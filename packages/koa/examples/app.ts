// A Koa app with Threadline and @koa/router: request context, route histograms, one access line per
// request, /metrics. It calls itself once, prints what Prometheus would scrape, and exits.
import Router from '@koa/router';
import { createRegistry, getContext, jsonLineSink } from '@threadline/core';
import { metricsMiddleware, threadline } from '@threadline/koa';
import Koa from 'koa';

const registry = createRegistry();
const log = jsonLineSink();

const app = new Koa();
app.use(threadline({ registry, logger: log })); // /metrics itself is neither measured nor logged
app.use(metricsMiddleware({ registry, defaultMetrics: false }));

const router = new Router({ prefix: '/users' });
router.get('/:id', async (ctx) => {
  await new Promise((r) => setTimeout(r, 5));
  log.log('info', { event: 'user_lookup', user: ctx.params.id }, 'looked up a user');
  ctx.body = { id: ctx.params.id, request_id: getContext()?.request_id };
});
app.use(router.routes());

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/users/42`);
  console.log('X-Request-Id:', res.headers.get('x-request-id'), await res.json());
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  console.log(
    text
      .split('\n')
      .filter((l) => l.startsWith('http_server_request_duration_seconds_count'))
      .join('\n'),
  );
  server.close();
});
