#!/usr/bin/env node
// `npm start`: runs the recommendation service from its TypeScript sources (no build needed after
// `npm ci`). PORT, TRAFFIC and the other settings are read from the environment by the service;
// see examples/recommendation-service/README.md.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const child = spawn(
  process.execPath,
  ['--conditions=threadline-source', '--import', 'tsx', 'examples/recommendation-service/src/main.ts'],
  { cwd: root, stdio: 'inherit', env: process.env },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
