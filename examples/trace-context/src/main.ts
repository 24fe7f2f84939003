import { jsonLineSink } from '@threadline/core';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 5000);
const host = process.env.HOST ?? '127.0.0.1';
const app = createApp({ logger: jsonLineSink(process.stderr) });
app.listen(port, host, () => {
  process.stderr.write(`trace-context service on http://${host}:${port}/test\n`);
});
