import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { register as globalRegistry } from 'prom-client';
import { ThreadlineConfigError } from '../errors.js';
import { reportError } from '../guard.js';
import type { AnyRegistry } from '../metrics.js';
import { check } from '../options.js';
import { CHANNEL, COMPONENT, type CollectMessage, type SnapshotMessage, snapshotOf } from './snapshot.js';

/** Options of `shareWorkerMetrics` (in a worker). */
export interface ShareWorkerMetricsOptions {
  /** The worker's registry (default: prom-client's global registry of that thread). */
  readonly registry?: AnyRegistry;
  /** How often the worker sends its metrics unasked, in ms (default 1000). */
  readonly intervalMs?: number;
}

/**
 * In a worker thread: sends this thread's metrics to the main thread's `collectWorkerMetrics`,
 * every `intervalMs` and whenever a scrape asks, so they appear, summed, on the main `/metrics`.
 * Works on every Node version Threadline supports (20+). Returns the undo, which sends a last
 * snapshot so nothing counted is lost.
 */
export function shareWorkerMetrics(options: ShareWorkerMetricsOptions = {}): () => void {
  check.keys(COMPONENT, options, ['registry', 'intervalMs']);
  if (isMainThread) {
    throw new ThreadlineConfigError(
      COMPONENT,
      'shareWorkerMetrics belongs in a worker thread; the main thread calls collectWorkerMetrics()',
    );
  }
  if (sharing)
    throw new ThreadlineConfigError(COMPONENT, 'shareWorkerMetrics is already running in this thread');
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  const intervalMs = check.number(COMPONENT, 'intervalMs', options.intervalMs, 1000, {
    min: 10,
    max: 600_000,
  });
  const channel = new BroadcastChannel(CHANNEL);
  let stopped = false;
  let lastSent = 0;
  const send = async (round: number, final = false): Promise<void> => {
    try {
      lastSent = Date.now();
      const metrics = await snapshotOf(registry);
      if (stopped && !final) return;
      const message: SnapshotMessage = {
        type: 'snapshot',
        threadId,
        round,
        metrics,
        ...(final ? { final } : {}),
      };
      channel.postMessage(message);
      if (final) channel.close();
    } catch (error) {
      reportError(COMPONENT, error);
    }
  };
  channel.onmessage = (event) => {
    const data = (event as MessageEvent).data as CollectMessage | SnapshotMessage;
    if (data?.type === 'collect' && !stopped) void send(data.round);
  };
  (channel as unknown as { unref?: () => void }).unref?.();
  const timer = setInterval(() => void send(0), intervalMs);
  timer.unref();
  void send(0);
  const current = {
    afterTask: (idle: boolean): Promise<void> | undefined =>
      !stopped && (idle || Date.now() - lastSent >= intervalMs) ? send(0) : undefined,
  };
  sharing = current;
  return () => {
    if (stopped) return;
    stopped = true;
    if (sharing === current) sharing = undefined;
    clearInterval(timer);
    void send(0, true);
  };
}

let sharing: { afterTask(idle: boolean): Promise<void> | undefined } | undefined;

/**
 * After a task in a worker: sends this thread's metrics when it is about to go idle (or the
 * interval has passed). A pool may block an idle worker's event loop (piscina waits on
 * `Atomics.wait`), so the values must leave before the task's result does. `undefined`: nothing due.
 */
export function afterWorkerTask(idle: boolean): Promise<void> | undefined {
  return sharing?.afterTask(idle);
}
