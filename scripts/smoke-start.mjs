#!/usr/bin/env node
// Starts the README's main job (`npm start`) on a free port, waits for /healthz, checks that
// /metrics serves the HTTP histogram, and stops it. Exits non-zero if it does not come up in 120 s.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const root = new URL('..', import.meta.url).pathname;
const child = spawn('npm', ['start'], {
  cwd: root,
  env: { ...process.env, PORT: String(port) },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let output = '';
const keep = (chunk) => {
  output = (output + chunk).slice(-20_000);
};
child.stdout.on('data', keep);
child.stderr.on('data', keep);
let exited = false;
child.on('exit', () => {
  exited = true;
});

function stop() {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
}

function fail(message) {
  stop();
  console.error(`${message}\n--- last output ---\n${output}`);
  process.exit(1);
}

const deadline = Date.now() + 120_000;
while (Date.now() < deadline) {
  if (exited) fail('main job exited early');
  try {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (health.ok) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      if (!metrics.includes('http_server_request_duration_seconds'))
        fail('/metrics lacks http_server_request_duration_seconds');
      console.log(`main job is up on port ${port}: /healthz ok, /metrics serves the HTTP histogram`);
      stop();
      process.exit(0);
    }
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 500));
}
fail('main job did not answer /healthz within 120 s');
