import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { AggregatorRegistry, register as globalRegistry } from 'prom-client';
import { ThreadlineConfigError } from '../errors.js';
import { reportError } from '../guard.js';
import type { AnyRegistry } from '../metrics.js';
import { check } from '../options.js';

// One named channel reaches every thread of the process, whoever created the workers (a raw
// Worker, piscina, any pool): no port has to be handed around.
const CHANNEL = 'threadline:worker-metrics:v1';
const COMPONENT = 'core.workers';

/** One metric as `registry.getMetricsAsJSON()` gives it (what crosses between threads). */
interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}
type Snapshot = MetricJson[];
interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly threadId: number;
  readonly round: number;
  readonly metrics: Snapshot;
  /** The worker is stopping: fold its counters in for good. */
  readonly final?: boolean;
}
interface CollectMessage {
  readonly type: 'collect';
  readonly round: number;
}

/** Options of `shareWorkerMetrics` (in a worker). */
export interface ShareWorkerMetricsOptions {
  /** The worker's registry (default: prom-client's global registry of that thread). */
  readonly registry?: AnyRegistry;
  /** How often the worker sends its metrics unasked, in ms (default 1000). */
  readonly intervalMs?: number;
}

/** Options of `collectWorkerMetrics` (in the main thread). */
export interface CollectWorkerMetricsOptions {
  /** The registry `/metrics` serves (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /** How long a scrape waits for the workers' fresh values, in ms (default 200). */
  readonly waitMs?: number;
  /** A worker silent for this long (ms) is taken as gone: its counters are kept, its gauges dropped (default 5000). */
  readonly staleMs?: number;
}

// Process-wide values (CPU, memory, file descriptors) are the main thread's to report; a
// worker's copy summed in would count the process twice.
function shareable(metrics: Snapshot): Snapshot {
  return metrics.filter((m) => !m.name.startsWith('process_'));
}

async function snapshotOf(registry: AnyRegistry): Promise<Snapshot> {
  return shareable((await registry.getMetricsAsJSON()) as unknown as Snapshot);
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

interface WorkerState {
  metrics: Snapshot;
  seenAt: number;
  round: number;
  /** Answered the last scrape's request in time; only such workers are waited for. */
  responsive: boolean;
}

/** Most silent workers kept apart; past it the longest-silent are folded in for good. */
const MAX_SILENT_WORKERS = 64;

/**
 * In the main thread: merges the metrics the workers send (`shareWorkerMetrics`) into what
 * `registry` serves, summed per label set, gauges combined by their `aggregator` as prom-client's
 * cluster support does. A scrape first asks the workers for fresh values, waiting at most
 * `waitMs` and only for workers that answered before (an idle piscina worker cannot). A silent
 * worker's counters and histograms stay counted (its last values); its gauges leave after
 * `staleMs`. The registry's own metrics are not changed, only what it renders. Returns the undo.
 */
export function collectWorkerMetrics(options: CollectWorkerMetricsOptions = {}): () => void {
  check.keys(COMPONENT, options, ['registry', 'waitMs', 'staleMs']);
  const registry = options.registry ?? (globalRegistry as AnyRegistry);
  if (typeof registry?.getMetricsAsArray !== 'function') {
    throw new ThreadlineConfigError(COMPONENT, 'option registry must be a prom-client Registry');
  }
  const waitMs = check.number(COMPONENT, 'waitMs', options.waitMs, 200, { min: 0, max: 10_000 });
  const staleMs = check.number(COMPONENT, 'staleMs', options.staleMs, 5000, { min: 100 });
  const workers = new Map<number, WorkerState>();
  let retired: Snapshot = [];
  let round = 0;
  let pending: { round: number; done: () => void } | undefined;
  const channel = new BroadcastChannel(CHANNEL);
  (channel as unknown as { unref?: () => void }).unref?.();

  // A gone worker's counters and histograms keep counting in the total; its gauges do not.
  const retire = async (id: number, metrics: Snapshot): Promise<void> => {
    workers.delete(id);
    retired = await merge([retired, metrics.filter((m) => m.type !== 'gauge')]);
  };
  const waitingFor = (): WorkerState[] => [...workers.values()].filter((w) => w.responsive);
  channel.onmessage = (event) => {
    const data = (event as MessageEvent).data as SnapshotMessage | CollectMessage;
    if (data?.type !== 'snapshot') return;
    if (data.final) {
      retire(data.threadId, data.metrics).catch((error: unknown) => reportError(COMPONENT, error));
    } else {
      const known = workers.get(data.threadId);
      const answered = data.round !== 0 && data.round === round;
      workers.set(data.threadId, {
        metrics: data.metrics,
        seenAt: Date.now(),
        round: Math.max(data.round, known?.round ?? 0),
        responsive: answered || (known?.responsive ?? true),
      });
    }
    if (pending && waitingFor().every((w) => w.round >= pending!.round)) pending.done();
  };

  const refresh = async (): Promise<void> => {
    const silent = [...workers.entries()].sort((a, b) => a[1].seenAt - b[1].seenAt);
    for (let i = 0; workers.size > MAX_SILENT_WORKERS && i < silent.length; i++) {
      await retire(silent[i]![0], silent[i]![1].metrics);
    }
    round++;
    const asked = round;
    channel.postMessage({ type: 'collect', round: asked } satisfies CollectMessage);
    if (waitMs === 0 || waitingFor().length === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), waitMs);
      const finish = (): void => {
        clearTimeout(timer);
        pending = undefined;
        for (const w of workers.values()) if (w.round < asked) w.responsive = false;
        resolve();
      };
      pending = { round: asked, done: finish };
    });
  };

  const snapshots = (): Snapshot[] => {
    const now = Date.now();
    return [...workers.values()].map((w) =>
      now - w.seenAt > staleMs ? w.metrics.filter((m) => m.type !== 'gauge') : w.metrics,
    );
  };

  // One refresh and one merge per scrape, however many metrics ask for them.
  let current: Promise<Map<string, MetricJson>> | undefined;
  const workerMetrics = (): Promise<Map<string, MetricJson>> => {
    current ??= (async () => {
      try {
        await refresh();
        const merged = await merge([retired, ...snapshots()]);
        return new Map(merged.map((m) => [keyOf(m), m]));
      } finally {
        setImmediate(() => {
          current = undefined;
        });
      }
    })();
    return current;
  };

  const own = registry.getMetricsAsArray.bind(registry);
  const view = (): ReturnType<AnyRegistry['getMetricsAsArray']> => {
    const mine = own();
    const names = new Set(mine.map((m) => keyOf(m as unknown as MetricJson)));
    const out = mine.map((metric) => {
      const get = (metric as unknown as { get(): Promise<MetricJson> }).get.bind(metric);
      return Object.create(metric, {
        get: {
          value: async () => {
            const [mineNow, others] = await Promise.all([get(), workerMetrics()]);
            const theirs = others.get(keyOf(mineNow));
            if (!theirs) return mineNow;
            const [merged] = await merge([[mineNow], [theirs]]);
            return { ...merged, name: mineNow.name };
          },
        },
      });
    });
    // Metrics only workers record: known from their last snapshots, values fresh at scrape time.
    const known = new Map<string, MetricJson>();
    for (const m of retired) known.set(keyOf(m), m);
    for (const w of workers.values()) for (const m of w.metrics) known.set(keyOf(m), m);
    for (const [key, m] of known) {
      if (names.has(key)) continue;
      out.push({
        name: m.name,
        help: m.help,
        type: m.type,
        aggregator: m.aggregator,
        get: async () => (await workerMetrics()).get(key) ?? { ...m, values: [] },
      } as unknown as (typeof out)[number]);
    }
    return out;
  };
  (registry as { getMetricsAsArray: typeof view }).getMetricsAsArray = view;
  return () => {
    if (registry.getMetricsAsArray === view)
      delete (registry as Partial<{ getMetricsAsArray: unknown }>).getMetricsAsArray;
    channel.close();
  };
}

// Counters are named with or without `_total` depending on what rendered them last.
function keyOf(m: Pick<MetricJson, 'name' | 'type'>): string {
  return m.type === 'counter' ? m.name.replace(/_total$/, '') : m.name;
}

async function merge(parts: Snapshot[]): Promise<Snapshot> {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return [];
  // Same metric, two spellings of a counter's name: align them for prom-client, which groups by
  // name, then give the result the first spelling seen.
  const names = new Map<string, string>();
  const aligned = nonEmpty.map((p) =>
    p.map((m) => {
      const key = keyOf(m);
      if (!names.has(key)) names.set(key, m.name);
      return m.type === 'counter' ? { ...m, name: key } : m;
    }),
  );
  const merged = (await AggregatorRegistry.aggregate(
    aligned as never,
  ).getMetricsAsJSON()) as unknown as Snapshot;
  return merged.map((m) => ({ ...m, name: names.get(keyOf(m)) ?? m.name }));
}
