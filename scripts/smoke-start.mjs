#!/usr/bin/env node
// Starts the README's main job (`npm start`) on a free port and checks what a user sees:
//   1. pino + OpenTelemetry's console exporter: /healthz answers, /metrics serves the HTTP histogram,
//      stdout carries JSON log lines with the request context and the spans, the banner is printed
//      again while synthetic traffic runs, and SIGTERM removes the temporary data directory;
//   2. LOGGER=winston on the port the first one holds: JSON lines through winston, then exit 1 with
//      a clear "already in use" message.
// Exits non-zero if anything is missing or the service does not come up in 120 s.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const root = new URL('..', import.meta.url).pathname;
const children = [];

function start(env) {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const run = { child, stdout: '', stderr: '', exited: false, code: null };
  child.stdout.on('data', (c) => {
    run.stdout = (run.stdout + c).slice(-400_000);
  });
  child.stderr.on('data', (c) => {
    run.stderr = (run.stderr + c).slice(-40_000);
  });
  run.done = new Promise((resolve) =>
    child.on('exit', (code) => {
      run.exited = true;
      run.code = code;
      resolve(code);
    }),
  );
  children.push(run);
  return run;
}

function stopAll() {
  for (const { child, exited } of children)
    if (!exited)
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
}

function fail(message, run) {
  stopAll();
  console.error(
    `${message}\n--- stderr ---\n${run?.stderr.slice(-4000) ?? ''}\n--- stdout ---\n${run?.stdout.slice(-3000) ?? ''}`,
  );
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jsonLines = (text) =>
  text.split('\n').flatMap((l) => {
    try {
      const v = JSON.parse(l);
      return v && typeof v === 'object' ? [v] : [];
    } catch {
      return [];
    }
  });

// 1. The default stack, with spans printed.
const first = start({ OTEL_TRACES_EXPORTER: 'console', BANNER_INTERVAL_MS: '2000', TRAFFIC_RATE: '10' });
const deadline = Date.now() + 120_000;
for (;;) {
  if (first.exited) fail('main job exited early', first);
  if (Date.now() > deadline) fail('main job did not answer /healthz within 120 s', first);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
  if (health?.ok) break;
  await sleep(500);
}
const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
if (!metrics.includes('http_server_request_duration_seconds'))
  fail('/metrics lacks http_server_request_duration_seconds', first);
await fetch(`http://127.0.0.1:${port}/recommendations/42`);

// 2. A second instance on the same port, logging through winston.
const second = start({ LOGGER: 'winston', TRAFFIC: '0', TRAIN_EPOCHS: '2' });
const code = await Promise.race([second.done, sleep(120_000).then(() => 'timeout')]);
if (code !== 1) fail(`a second instance on a taken port should exit 1, got ${code}`, second);
if (!/cannot start the service: port \d+ on [^ ]+ is already in use/.test(second.stderr))
  fail('a taken port should be reported in one clear line', second);
if (/\n\s+at /.test(second.stderr)) fail('a taken port should not print a stack trace', second);
if (!jsonLines(second.stdout).some((l) => l.service === 'recommendation-service' && l.message))
  fail('LOGGER=winston wrote no JSON log lines', second);

await sleep(2500); // the banner comes again every 2 s while synthetic traffic runs
const lines = jsonLines(first.stdout);
const access = lines.find((l) => l.event === 'http_request' && l.request_id && l.trace_id);
if (!access) fail('no access line with request_id and trace_id on stdout', first);
if (!/"level":"info"|"level":30/.test(first.stdout) || !/logs: +pino/.test(first.stderr))
  fail('the service does not log through pino', first);
if (!/traceId: '[0-9a-f]{32}'/.test(first.stdout))
  fail('OTEL_TRACES_EXPORTER=console printed no spans', first);
if ((first.stderr.match(/recommendation-service is up/g) ?? []).length < 2)
  fail('the banner was not printed again', first);
const dataDir = /data: +(\S+) \(removed on exit/.exec(first.stderr)?.[1];
if (!dataDir || !existsSync(dataDir)) fail('the banner names no existing temporary data directory', first);

process.kill(-first.child.pid, 'SIGTERM');
await Promise.race([first.done, sleep(20_000)]);
if (!first.exited) fail('main job did not stop within 20 s of SIGTERM', first);
// npm may exit before the service has finished its own shutdown.
for (let i = 0; i < 40 && existsSync(dataDir); i++) await sleep(250);
if (existsSync(dataDir)) fail(`the temporary data directory ${dataDir} was left behind`, first);
console.log(
  `main job on port ${port}: /healthz, /metrics, pino lines with request context, console spans, banner again, ` +
    `port-taken message (winston), temporary data removed on exit`,
);
