import { BroadcastChannel } from 'node:worker_threads';
import { register as globalRegistry } from 'prom-client';
import { ThreadlineConfigError } from '../errors.js';
import { reportError } from '../guard.js';
import type { AnyRegistry } from '../metrics.js';
import { check } from '../options.js';
import {
  CHANNEL,
  COMPONENT,
  type CollectMessage,
  keyOf,
  type MetricJson,
  merge,
  type Snapshot,
  type SnapshotMessage,
} from './snapshot.js';

/** Options of `collectWorkerMetrics` (in the main thread). */
export interface CollectWorkerMetricsOptions {
  /** The registry `/metrics` serves (default: prom-client's global registry). */
  readonly registry?: AnyRegistry;
  /** How long a scrape waits for the workers' fresh values, in ms (default 200). */
  readonly waitMs?: number;
  /** A worker silent for this long (ms) no longer reports its gauges; its counters stay (default 5000). */
  readonly staleMs?: number;
}

interface WorkerState {
  metrics: Snapshot;
  seenAt: number;
  round: number;
  /** Answered the last scrape's request in time; only such workers are waited for. */
  responsive: boolean;
}

/** Most workers kept apart; past it the longest-silent are folded in for good (thread IDs never repeat). */
const MAX_WORKERS = 64;

/** What the main thread knows of its workers' metrics, and the asking for fresh ones. */
class WorkerSnapshots {
  private readonly workers = new Map<number, WorkerState>();
  private retired: Snapshot = [];
  private round = 0;
  private pending: { round: number; done: () => void } | undefined;
  private current: Promise<Map<string, MetricJson>> | undefined;
  readonly channel = new BroadcastChannel(CHANNEL);

  constructor(
    private readonly waitMs: number,
    private readonly staleMs: number,
  ) {
    (this.channel as unknown as { unref?: () => void }).unref?.();
    this.channel.onmessage = (event) => {
      try {
        this.receive((event as MessageEvent).data as SnapshotMessage | CollectMessage);
      } catch (error) {
        reportError(COMPONENT, error);
      }
    };
  }

  private receive(data: SnapshotMessage | CollectMessage): void {
    if (data?.type !== 'snapshot') return;
    if (data.final) {
      this.retire(data.threadId, data.metrics).catch((error: unknown) => reportError(COMPONENT, error));
    } else {
      const known = this.workers.get(data.threadId);
      const answered = data.round !== 0 && data.round === this.round;
      this.workers.set(data.threadId, {
        metrics: data.metrics,
        seenAt: Date.now(),
        round: Math.max(data.round, known?.round ?? 0),
        responsive: answered || (known?.responsive ?? true),
      });
    }
    const pending = this.pending;
    if (pending && this.waitingFor().every((w) => w.round >= pending.round)) pending.done();
  }

  // A gone worker's counters and histograms keep counting in the total; its gauges do not.
  private async retire(id: number, metrics: Snapshot): Promise<void> {
    this.workers.delete(id);
    this.retired = await merge([this.retired, metrics.filter((m) => m.type !== 'gauge')]);
  }

  private waitingFor(): WorkerState[] {
    return [...this.workers.values()].filter((w) => w.responsive);
  }

  /** Asks every worker for fresh values and waits for the responsive ones, at most `waitMs`. */
  private async refresh(): Promise<void> {
    const silent = [...this.workers.entries()].sort((a, b) => a[1].seenAt - b[1].seenAt);
    for (let i = 0; this.workers.size > MAX_WORKERS && i < silent.length; i++) {
      await this.retire(silent[i]![0], silent[i]![1].metrics);
    }
    const asked = ++this.round;
    this.channel.postMessage({ type: 'collect', round: asked } satisfies CollectMessage);
    if (this.waitMs === 0 || this.waitingFor().length === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), this.waitMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.pending = undefined;
        for (const w of this.workers.values()) if (w.round < asked) w.responsive = false;
        resolve();
      };
      this.pending = { round: asked, done: finish };
    });
  }

  /** The workers' metrics merged, by metric key: one refresh per scrape, however many metrics ask. */
  merged(): Promise<Map<string, MetricJson>> {
    this.current ??= (async () => {
      try {
        await this.refresh();
        const now = Date.now();
        const live = [...this.workers.values()].map((w) =>
          now - w.seenAt > this.staleMs ? w.metrics.filter((m) => m.type !== 'gauge') : w.metrics,
        );
        const all = await merge([this.retired, ...live]);
        return new Map(all.map((m) => [keyOf(m), m]));
      } finally {
        setImmediate(() => {
          this.current = undefined;
        });
      }
    })();
    return this.current;
  }

  /** Metrics seen in the last snapshots, for the ones only workers record. */
  known(): Map<string, MetricJson> {
    const out = new Map<string, MetricJson>();
    for (const m of this.retired) out.set(keyOf(m), m);
    for (const w of this.workers.values()) for (const m of w.metrics) out.set(keyOf(m), m);
    return out;
  }
}

type MetricList = ReturnType<AnyRegistry['getMetricsAsArray']>;

/**
 * The registry's metrics as a scrape should see them: each of its own merged with the workers'
 * series of the same name, then the metrics only workers record. Views, never the metrics themselves.
 */
function mergedView(mine: MetricList, workers: WorkerSnapshots): MetricList {
  const names = new Set(mine.map((m) => keyOf(m as unknown as MetricJson)));
  const out = mine.map((metric) => {
    const get = (metric as unknown as { get(): Promise<MetricJson> }).get.bind(metric);
    return Object.create(metric, {
      get: {
        value: async () => {
          const [own, others] = await Promise.all([get(), workers.merged()]);
          const theirs = others.get(keyOf(own));
          if (!theirs) return own;
          const [both] = await merge([[own], [theirs]]);
          return { ...both, name: own.name };
        },
      },
    });
  });
  for (const [key, m] of workers.known()) {
    if (names.has(key)) continue;
    const only = {
      name: m.name,
      help: m.help,
      type: m.type,
      aggregator: m.aggregator,
      get: async () => (await workers.merged()).get(key) ?? { ...m, values: [] },
    };
    out.push(only as unknown as MetricList[number]);
  }
  return out;
}

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
  const workers = new WorkerSnapshots(waitMs, staleMs);
  const own = registry.getMetricsAsArray.bind(registry);
  // Every rendering path (prom-client's metrics() and getMetricsAsJSON(), core's renderMetrics)
  // lists the metrics through getMetricsAsArray: one instance-level view covers them all.
  const view = (): MetricList => mergedView(own(), workers);
  (registry as { getMetricsAsArray: typeof view }).getMetricsAsArray = view;
  return () => {
    if (registry.getMetricsAsArray === view) {
      delete (registry as Partial<{ getMetricsAsArray: unknown }>).getMetricsAsArray;
    }
    workers.channel.close();
  };
}
