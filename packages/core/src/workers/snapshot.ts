import { AggregatorRegistry } from 'prom-client';
import type { AnyRegistry } from '../metrics.js';

// One named channel reaches every thread of the process, whoever created the workers (a raw
// Worker, piscina, any pool): no port has to be handed around.
export const CHANNEL = 'threadline:worker-metrics:v1';
export const COMPONENT = 'core.workers';

/** One metric as `registry.getMetricsAsJSON()` gives it (what crosses between threads). */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}
export type Snapshot = MetricJson[];
export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly threadId: number;
  readonly round: number;
  readonly metrics: Snapshot;
  /** The worker is stopping: fold its counters in for good. */
  readonly final?: boolean;
}
export interface CollectMessage {
  readonly type: 'collect';
  readonly round: number;
}

// Process-wide values (CPU, memory, file descriptors) are the main thread's to report; a
// worker's copy summed in would count the process twice.
/** The metrics a worker sends: all but the process-wide ones. */
export function shareable(metrics: Snapshot): Snapshot {
  return metrics.filter((m) => !m.name.startsWith('process_'));
}

/** A registry's metrics as plain data that can cross to another thread. */
export async function snapshotOf(registry: AnyRegistry): Promise<Snapshot> {
  return shareable((await registry.getMetricsAsJSON()) as unknown as Snapshot);
}

/** A metric's identity across threads: counters are named with or without `_total` depending on what rendered them last. */
export function keyOf(m: Pick<MetricJson, 'name' | 'type'>): string {
  return m.type === 'counter' ? m.name.replace(/_total$/, '') : m.name;
}

/** Sums snapshots per label set (gauges by their aggregator), as prom-client's cluster support does. */
export async function merge(parts: Snapshot[]): Promise<Snapshot> {
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
