// An open-loop load generator: sends GET requests at a fixed rate, whatever the server's pace, so
// every variant does the same work in the same time and its CPU per request can be compared.
// A closed loop (autocannon) lets a slow server receive fewer requests, which hides its cost.
// Usage: node open-loop.js <url> <rate per second> <seconds> [connections]; prints one JSON line.
// Latency is measured from each request's scheduled time, not its send time, so a server that
// falls behind shows it (no coordinated omission).
import { Agent, request } from 'node:http';

/** What one open-loop run reports. */
export interface OpenLoopResult {
  readonly rate: number;
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  /** Completed requests per second over the time from the first send to the last response. */
  readonly achieved: number;
  readonly p50: number;
  readonly p99: number;
  /** How long after the last request's scheduled time its response came (ms): a server that keeps up answers in a few ms. */
  readonly lagMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Runs one open-loop load: `rate` requests per second for `seconds`, over at most `connections` sockets. */
function openLoop(url: string, rate: number, seconds: number, connections: number): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const t0 = performance.now();
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let last = t0;
  return new Promise((resolve) => {
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      agent.destroy();
      const sorted = latencies.subarray(0, completed).sort();
      const elapsed = (last - t0) / 1000;
      resolve({
        rate,
        sent,
        completed,
        errors,
        achieved: elapsed > 0 ? completed / Math.max(elapsed, seconds) : 0,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        lagMs: last - (t0 + ((total - 1) * 1000) / rate),
      });
    };
    const settle = (): void => {
      if (completed + errors === total) done();
    };
    const fire = (scheduled: number): void => {
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          last = performance.now();
          if (res.statusCode === 200) latencies[completed++] = last - scheduled;
          else errors++;
          settle();
        });
      });
      req.on('error', () => {
        errors++;
        settle();
      });
      req.end();
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      while (sent < due) fire(t0 + (sent++ * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    // A request left unanswered must not hold the run forever.
    setTimeout(done, (seconds + 10) * 1000).unref();
    tick();
  });
}

const [url, rate, seconds, connections] = process.argv.slice(2);
const result = await openLoop(url!, Number(rate), Number(seconds), Number(connections ?? 64));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
