// An Express app with Threadline: request context, route histograms, one access line per request,
// /metrics. It calls itself once, prints what Prometheus would scrape, and exits.
import { createRegistry, getContext, jsonLineSink } from '@threadline/core';
import { metricsHandler, threadline } from '@threadline/express';
import express from 'express';

const registry = createRegistry(); // OpenMetrics: histograms carry trace exemplars
const log = jsonLineSink();

const app = express();
app.use(threadline({ registry, logger: log })); // /metrics itself is neither measured nor logged
app.get('/metrics', metricsHandler({ registry, defaultMetrics: false }));

const users = express.Router();
users.get('/:id', async (req, res) => {
  await new Promise((r) => setTimeout(r, 5));
  // Any line written here, after any number of awaits, carries request_id and trace_id.
  log.log('info', { event: 'user_lookup', user: req.params.id }, 'looked up a user');
  res.json({ id: req.params.id, request_id: getContext()?.request_id });
});
app.use('/users', users);

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/users/42`, {
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  });
  console.log('X-Request-Id:', res.headers.get('x-request-id'), await res.json());
  const scrape = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { accept: 'application/openmetrics-text' },
  });
  const text = await scrape.text();
  console.log(
    text
      .split('\n')
      .filter((l) => l.startsWith('http_server_request_duration_seconds_count'))
      .join('\n'),
  );
  server.close();
});
