// The CPU cost of Threadline's per-request work alone (context, IDs, trace context, metrics, and
// optionally the access-line record handed to a no-op sink), with no network and no framework:
// real IncomingMessage/ServerResponse objects, run through start and close. Reports the best of a
// few runs, since other work on the machine only ever adds time.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createRegistry, type LogSink } from '@threadline/core';
import { HttpInstrumentation, resolveHttpOptions } from '@threadline/core/http';

const N = 100_000;
const RUNS = 5;

function measure(logger: LogSink | false): number {
  const http = new HttpInstrumentation(
    resolveHttpOptions('bench', { registry: createRegistry(), logger }),
    () => '/users/:id',
  );
  const socket = new Socket();
  const one = (): void => {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/users/1';
    req.headers = { host: 'bench', 'user-agent': 'bench' };
    const res = new ServerResponse(req);
    Object.defineProperty(res, 'writableFinished', { value: true });
    res.setHeader('content-length', '20');
    http.run(req, res, req, () => {});
    res.emit('close');
  };
  const baseline = (): void => {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/users/1';
    req.headers = { host: 'bench', 'user-agent': 'bench' };
    const res = new ServerResponse(req);
    res.setHeader('content-length', '20');
    res.emit('close');
  };
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS + 1; r++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < N; i++) baseline();
    const base = process.cpuUsage(cpu0);
    const cpu1 = process.cpuUsage();
    for (let i = 0; i < N; i++) one();
    const used = process.cpuUsage(cpu1);
    const us = (used.user + used.system - base.user - base.system) / N;
    if (r > 0) best = Math.min(best, us); // the first run warms up
  }
  return best;
}

const noop: LogSink = { log() {} };
console.log(`Threadline per-request work, CPU µs (best of ${RUNS} × ${N}):`);
console.log(`  context + IDs + trace context + metrics: ${measure(false).toFixed(2)}`);
console.log(`  ... + access-line record to a no-op sink: ${measure(noop).toFixed(2)}`);
