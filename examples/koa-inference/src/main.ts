// Entry point: `npm start -w examples/koa-inference` (PORT, default 3100; HOST, default 127.0.0.1).
// JSON log lines go to stdout; the banner saying where to look goes to stderr.
import type { Server } from 'node:http';
import { handleSignals, onShutdown } from '@threadline/core';
import { createKoaService } from './app.js';

const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? '127.0.0.1';
const service = await createKoaService({ faultRate: Number(process.env.FAULT_RATE ?? 0) });
const server: Server = service.app.listen(port, host);
await new Promise<void>((resolve) => server.once('listening', resolve));
process.stderr.write(
  `\n  koa-inference is up on http://${host}:${port}\n  try: curl http://${host}:${port}/recommendations/42\n  metrics: http://${host}:${port}/metrics\n\n`,
);
// SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the service, flush the logs, exit.
onShutdown({ name: 'koa-inference', phase: 'final', run: () => service.close() });
handleSignals({ servers: [server] });
