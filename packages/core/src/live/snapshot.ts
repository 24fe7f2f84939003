import type { AnyRegistry } from '../metrics.js';

/** Most routes, model versions and drifted features a snapshot lists. */
export const LIVE_TOP_N = 10;

type Labels = Readonly<Record<string, string | number>>;
interface Value {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}
interface Family {
  readonly name: string;
  readonly type: string;
  readonly values: readonly Value[];
}

/** Latency percentiles in seconds (null without requests in the interval). */
export interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** One route's traffic in the last interval. */
export interface RouteStats extends Percentiles {
  readonly route: string;
  /** Requests per second (null on the first poll). */
  readonly rps: number | null;
  /** Share of 5xx responses (null without requests). */
  readonly error_rate: number | null;
  /** Requests since the process started. */
  readonly requests: number;
}

/** One model version. */
export interface ModelStats {
  readonly model_name: string;
  readonly model_version: string;
  readonly prediction_rate: number | null;
  readonly error_rate: number | null;
  /** Share of the model name's predictions this version served in the interval (canary split). */
  readonly traffic_share: number | null;
  readonly inference_p95: number | null;
  /** Quality gauges (`model_accuracy_ratio` as `accuracy`, ...), when ground truth arrives. */
  readonly quality: Readonly<Record<string, number>>;
}

/** What the live page draws, computed from the registry at one poll. */
export interface LiveSnapshot {
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** Seconds since the previous poll (null on the first). */
  readonly interval: number | null;
  readonly http: { readonly routes: readonly RouteStats[]; readonly total: RouteStats } | null;
  readonly models: {
    readonly versions: readonly ModelStats[];
    readonly shadow: readonly {
      readonly model_name: string;
      readonly model_version: string;
      readonly baseline_version: string;
      readonly disagreement_ratio: number;
    }[];
  } | null;
  readonly process: {
    /** CPU seconds per second (1 = one core busy). */
    readonly cpu: number | null;
    readonly rss_bytes: number | null;
    readonly heap_used_bytes: number | null;
    readonly event_loop_lag_p99_seconds: number | null;
  } | null;
  readonly drift: {
    readonly share: readonly { readonly model: string; readonly share: number }[];
    readonly features: readonly {
      readonly feature: string;
      readonly method: string;
      readonly score: number;
      readonly detected: boolean;
    }[];
  } | null;
  /** One line per section with no data, saying what would feed it. */
  readonly missing: readonly string[];
}

const QUALITY: Readonly<Record<string, string>> = {
  model_accuracy_ratio: 'accuracy',
  model_precision_ratio: 'precision',
  model_recall_ratio: 'recall',
  model_f1_ratio: 'f1',
  model_roc_auc_ratio: 'roc_auc',
  model_mean_absolute_error: 'mae',
  model_mean_squared_error: 'mse',
};
const P_VALUE_METHODS = new Set(['ks', 'chisquare', 'z']);
/** Every family a snapshot reads, by its name in the conventions. */
const FAMILIES = [
  'http_server_request_duration_seconds',
  'model_predictions_total',
  'model_prediction_errors_total',
  'model_inference_duration_seconds',
  'model_shadow_disagreement_ratio',
  ...Object.keys(QUALITY),
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'ml_dataset_drift_share',
  'ml_feature_drift_score',
  'ml_feature_drift_detected',
];

/** Cumulative histogram of one group: counts per `le` plus the total. */
interface Hist {
  buckets: Map<number, number>;
  count: number;
  errors: number;
}

function quantile(q: number, buckets: readonly [number, number][], total: number): number | null {
  if (total <= 0) return null;
  // Prometheus' histogram_quantile: linear inside the bucket holding the rank.
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return prevLe;
      const inBucket = count - prevCount;
      return inBucket <= 0 ? le : prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function percentiles(now: Hist, before: Hist | undefined): Percentiles & { n: number } {
  const buckets = [...now.buckets.entries()]
    .map(([le, c]): [number, number] => [le, c - (before?.buckets.get(le) ?? 0)])
    .sort((a, b) => a[0] - b[0]);
  const n = now.count - (before?.count ?? 0);
  return {
    p50: quantile(0.5, buckets, n),
    p95: quantile(0.95, buckets, n),
    p99: quantile(0.99, buckets, n),
    n,
  };
}

/**
 * Turns successive reads of a prom-client registry into rates and percentiles over the interval
 * between two polls. It keeps only the previous poll's cumulative values for the series that exist
 * (bounded by the registry, which the cardinality guards bound), and lists at most `LIVE_TOP_N`
 * rows per section.
 */
export class LiveSampler {
  private previous: { time: number; hists: Map<string, Hist>; counters: Map<string, number> } | undefined;

  /** Route templates of the live page itself, left out of the traffic section (at most 8). */
  private readonly own = new Set<string>();

  constructor(private readonly registry: AnyRegistry) {}

  /** Leaves `route` (the template the live page is served under) out of the traffic section. */
  excludeRoute(route: string): void {
    if (this.own.size < 8) this.own.add(route);
  }

  /** Reads the registry once and returns the snapshot. Never rejects: a failing read is a missing section. */
  async sample(time: number = Date.now()): Promise<LiveSnapshot> {
    // Only the families the page shows, each read (and collected) on its own: a registry's other
    // metrics cost nothing here.
    const families: Family[] = [];
    for (const name of FAMILIES) {
      try {
        const metric = this.registry.getSingleMetric(name);
        if (metric) families.push((await metric.get()) as unknown as Family);
      } catch {
        // A failing collect leaves its section missing; the others are still drawn.
      }
    }
    const byName = new Map(families.map((f) => [f.name, f]));
    const prev = this.previous;
    const interval = prev ? Math.max((time - prev.time) / 1000, 1e-3) : null;
    const hists = new Map<string, Hist>();
    const counters = new Map<string, number>();
    const rate = (key: string, value: number): number | null => {
      counters.set(key, value);
      const before = prev?.counters.get(key);
      return interval === null ? null : Math.max(0, value - (before ?? 0)) / interval;
    };
    const missing: string[] = [];
    const http = this.httpSection(byName, hists, prev?.hists, interval);
    if (!http)
      missing.push(
        'HTTP: no http_server_request_duration_seconds yet (use the threadline middleware and send a request)',
      );
    const models = modelSection(byName, rate, hists, prev?.hists);
    if (!models) missing.push('Models: no model_predictions_total (@threadline/model not in use)');
    const proc = processSection(byName, rate);
    if (!proc)
      missing.push('Process: no process_cpu_seconds_total (default metrics are off for this registry)');
    const drift = driftSection(byName);
    if (!drift)
      missing.push(
        'Drift: no ml_dataset_drift_share (@threadline/drift not in use, or no window evaluated yet)',
      );
    this.previous = { time, hists, counters };
    return { time, interval, http, models, process: proc, drift, missing };
  }

  private httpSection(
    byName: Map<string, Family>,
    hists: Map<string, Hist>,
    before: Map<string, Hist> | undefined,
    interval: number | null,
  ): LiveSnapshot['http'] {
    const family = byName.get('http_server_request_duration_seconds');
    if (!family || family.values.length === 0) return null;
    // The page's own polls are not the service's traffic.
    const own = this.own;
    const served =
      own.size === 0
        ? family
        : { ...family, values: family.values.filter((v) => !own.has(String(v.labels.http_route))) };
    const perRoute = groupHistogram(served, (l) => String(l.http_route ?? ''), hists, 'http|route|');
    if (perRoute.length === 0) return null;
    // All routes: the sum of the routes' histograms.
    const all: Hist = { buckets: new Map(), count: 0, errors: 0 };
    for (const r of perRoute) {
      const h = hists.get(`http|route|${r}`)!;
      all.count += h.count;
      all.errors += h.errors;
      for (const [le, c] of h.buckets) all.buckets.set(le, (all.buckets.get(le) ?? 0) + c);
    }
    hists.set('http|*', all);
    const stats = (route: string, key: string): RouteStats => {
      const h = hists.get(key)!;
      const b = before?.get(key);
      const p = percentiles(h, b);
      const errors = h.errors - (b?.errors ?? 0);
      return {
        route,
        rps: interval === null ? null : p.n / interval,
        error_rate: p.n > 0 ? errors / p.n : null,
        requests: h.count,
        p50: p.p50,
        p95: p.p95,
        p99: p.p99,
      };
    };
    const routes = perRoute
      .map((r) => stats(r, `http|route|${r}`))
      .sort((a, b) => (b.rps ?? 0) - (a.rps ?? 0) || b.requests - a.requests)
      .slice(0, LIVE_TOP_N);
    return { routes, total: stats('all routes', 'http|*') };
  }
}

/** Sums a histogram family's series into groups by `key`; records them in `hists` under `prefix`. */
function groupHistogram(
  family: Family,
  key: (labels: Labels) => string,
  hists: Map<string, Hist>,
  prefix: string,
): string[] {
  const groups: string[] = [];
  for (const v of family.values) {
    const group = key(v.labels);
    const id = prefix + group;
    let h = hists.get(id);
    if (!h) {
      h = { buckets: new Map(), count: 0, errors: 0 };
      hists.set(id, h);
      groups.push(group);
    }
    const name = v.metricName ?? '';
    if (name.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
      h.buckets.set(le, (h.buckets.get(le) ?? 0) + v.value);
    } else if (name.endsWith('_count')) {
      h.count += v.value;
      if (Number(v.labels.http_response_status_code) >= 500) h.errors += v.value;
    }
  }
  return groups;
}

type Rate = (key: string, value: number) => number | null;

function modelSection(
  byName: Map<string, Family>,
  rate: Rate,
  hists: Map<string, Hist>,
  before: Map<string, Hist> | undefined,
): LiveSnapshot['models'] {
  const predictions = byName.get('model_predictions_total');
  if (!predictions || predictions.values.length === 0) return null;
  const id = (l: Labels) => `${l.model_name ?? ''}\u0000${l.model_version ?? ''}`;
  const versions = new Map<string, { name: string; version: string; total: number; errors: number }>();
  for (const v of predictions.values) {
    const k = id(v.labels);
    const e = versions.get(k) ?? {
      name: String(v.labels.model_name ?? ''),
      version: String(v.labels.model_version ?? ''),
      total: 0,
      errors: 0,
    };
    e.total += v.value;
    versions.set(k, e);
  }
  for (const v of byName.get('model_prediction_errors_total')?.values ?? []) {
    const e = versions.get(id(v.labels));
    if (e) e.errors += v.value;
  }
  const quality = new Map<string, Record<string, number>>();
  for (const [metric, short] of Object.entries(QUALITY)) {
    for (const v of byName.get(metric)?.values ?? []) {
      if (!Number.isFinite(v.value)) continue;
      const q = quality.get(id(v.labels)) ?? {};
      q[short] = v.value;
      quality.set(id(v.labels), q);
    }
  }
  const inference = byName.get('model_inference_duration_seconds');
  if (inference) groupHistogram(inference, id, hists, 'model|');
  const rows = [...versions.entries()].map(([k, e]) => {
    const predRate = rate(`pred|${k}`, e.total);
    const errRate = rate(`err|${k}`, e.errors);
    const p = hists.has(`model|${k}`)
      ? percentiles(hists.get(`model|${k}`)!, before?.get(`model|${k}`))
      : null;
    return {
      model_name: e.name,
      model_version: e.version,
      prediction_rate: predRate,
      error_rate:
        predRate !== null && errRate !== null && predRate + errRate > 0
          ? errRate / (predRate + errRate)
          : null,
      traffic_share: null as number | null,
      inference_p95: p?.p95 ?? null,
      quality: quality.get(k) ?? {},
    };
  });
  // Canary view: each version's share of its model name's predictions in the interval.
  const perName = new Map<string, number>();
  for (const r of rows)
    perName.set(r.model_name, (perName.get(r.model_name) ?? 0) + (r.prediction_rate ?? 0));
  for (const r of rows) {
    const all = perName.get(r.model_name) ?? 0;
    r.traffic_share = r.prediction_rate !== null && all > 0 ? r.prediction_rate / all : null;
  }
  rows.sort(
    (a, b) =>
      (b.prediction_rate ?? 0) - (a.prediction_rate ?? 0) ||
      (a.model_name + a.model_version < b.model_name + b.model_version ? -1 : 1),
  );
  const shadow = (byName.get('model_shadow_disagreement_ratio')?.values ?? [])
    .filter((v) => Number.isFinite(v.value))
    .slice(0, LIVE_TOP_N)
    .map((v) => ({
      model_name: String(v.labels.model_name ?? ''),
      model_version: String(v.labels.model_version ?? ''),
      baseline_version: String(v.labels.baseline_version ?? ''),
      disagreement_ratio: v.value,
    }));
  return { versions: rows.slice(0, LIVE_TOP_N), shadow };
}

function gauge(byName: Map<string, Family>, name: string): number | null {
  const values = byName.get(name)?.values ?? [];
  if (values.length === 0) return null;
  return values.reduce((a, v) => a + v.value, 0);
}

function processSection(byName: Map<string, Family>, rate: Rate): LiveSnapshot['process'] {
  const cpu = gauge(byName, 'process_cpu_seconds_total');
  if (cpu === null) return null;
  return {
    cpu: rate('cpu', cpu),
    rss_bytes: gauge(byName, 'process_resident_memory_bytes'),
    heap_used_bytes: gauge(byName, 'nodejs_heap_size_used_bytes'),
    event_loop_lag_p99_seconds: gauge(byName, 'nodejs_eventloop_lag_p99_seconds'),
  };
}

function driftSection(byName: Map<string, Family>): LiveSnapshot['drift'] {
  const share = byName.get('ml_dataset_drift_share');
  if (!share || share.values.length === 0) return null;
  const detected = new Map<string, boolean>();
  for (const v of byName.get('ml_feature_drift_detected')?.values ?? [])
    detected.set(`${v.labels.model_name}|${v.labels.model_version}|${v.labels.feature}`, v.value === 1);
  const features = (byName.get('ml_feature_drift_score')?.values ?? []).map((v) => {
    const method = String(v.labels.method ?? '');
    return {
      feature: String(v.labels.feature ?? ''),
      method,
      score: v.value,
      detected: detected.get(`${v.labels.model_name}|${v.labels.model_version}|${v.labels.feature}`) ?? false,
      // Most drifted first: detected, then low p-values and high distances.
      key: P_VALUE_METHODS.has(method) ? -Math.log10(Math.max(v.value, 1e-300)) : v.value * 10,
    };
  });
  features.sort((a, b) => Number(b.detected) - Number(a.detected) || b.key - a.key);
  return {
    share: share.values.slice(0, LIVE_TOP_N).map((v) => ({
      model: [v.labels.model_name, v.labels.model_version].filter(Boolean).join('@') || 'default',
      share: v.value,
    })),
    features: features.slice(0, LIVE_TOP_N).map(({ key: _k, ...f }) => f),
  };
}
