import { createServer } from 'node:http';
import { createApp } from './app.js';

const { PORT = '3000', HOST = '127.0.0.1', MODE = 'pool' } = process.env;
const { app, close } = createApp({ mode: MODE === 'inline' ? 'inline' : 'pool' });
const server = createServer(app).listen(Number(PORT), HOST, () => {
  process.stderr.write(`inference-pool (${MODE}) on http://${HOST}:${PORT}/score?x=0.1,0.2,0.3,0.4\n`);
  process.send?.({ port: (server.address() as { port: number }).port });
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  void close().then(() => process.disconnect?.());
};
process.once('SIGTERM', stop);
process.on('message', (m) => m === 'stop' && stop());
