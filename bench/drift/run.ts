// Drift monitor cost: nanoseconds per observed value per feature on the hot path (row by row and
// columnar), then 100 features x ~1M rows with total time, evaluation time and peak memory.
// Run: npm run bench -- drift
import { performance } from 'node:perf_hooks';
import { buildProfile, createDriftMonitor, type DriftProfile } from '@threadline/drift';

const FEATURES = 100;
const POOL = 4096;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = rng(1);
const normal = (mean = 0) => mean + Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);

function profile(referenceRows: number): DriftProfile {
  const columns: Record<string, number[]> = {};
  for (const n of names) columns[n] = Array.from({ length: referenceRows }, () => normal());
  return buildProfile(columns);
}

// A pool of rows reused in turn, so the data generator is not what is measured.
const pool = Array.from({ length: POOL }, () => {
  const row: Record<string, number> = {};
  for (const n of names) row[n] = normal(0.05);
  return row;
});

// The same data as columns of CHUNK rows, for the columnar fast path.
const CHUNK = 4096;
const chunk: Record<string, Float64Array> = {};
for (const n of names) chunk[n] = Float64Array.from(pool, (row) => row[n]!);

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Wall and CPU nanoseconds per value of `fn` (CPU time is what a busy machine distorts least). */
function measure(values: number, fn: () => void): string {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  fn();
  const used = process.cpuUsage(cpu);
  const wallNs = ((performance.now() - wall) * 1e6) / values;
  const cpuNs = ((used.user + used.system) * 1e3) / values;
  return `${cpuNs.toFixed(1)} ns (wall ${wallNs.toFixed(1)})`;
}

function hotPath(label: string, reference: DriftProfile, rows: number): string {
  const monitor = createDriftMonitor({ reference, metrics: false, window: { rows: 1e12 } });
  for (let i = 0; i < 20_000; i++) monitor.observe(pool[i % POOL]!); // warm-up
  const perRow = measure(rows * FEATURES, () => {
    for (let i = 0; i < rows; i++) monitor.observe(pool[i % POOL]!);
  });
  for (let i = 0; i < 10; i++) monitor.observeColumns(chunk);
  const chunks = Math.ceil(rows / CHUNK);
  const perColumn = measure(chunks * CHUNK * FEATURES, () => {
    for (let i = 0; i < chunks; i++) monitor.observeColumns(chunk);
  });
  monitor.close();
  return `| ${label} | ${rows.toLocaleString('en')} x ${FEATURES} | ${perRow} | ${perColumn} |`;
}

async function fullRun(
  label: string,
  reference: DriftProfile,
  rows: number,
  windowRows: number,
): Promise<string> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let evalMs = 0;
  let reports = 0;
  const monitor = createDriftMonitor({
    reference,
    window: { rows: windowRows },
    onReport: () => {
      reports++;
    },
  });
  const start = performance.now();
  const cpu = process.cpuUsage();
  // Columns of CHUNK rows; windowRows is a multiple of CHUNK so each window ends on a chunk.
  for (let i = 0; i < rows; i += CHUNK) {
    monitor.observeColumns(chunk);
    if ((i + CHUNK) % windowRows === 0) {
      // Let the scheduled evaluation run, and time it.
      const t = performance.now();
      await monitor.flush();
      evalMs += performance.now() - t;
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
  }
  await monitor.flush();
  const total = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  monitor.close();
  return `| ${label} | ${rows.toLocaleString('en')} x ${FEATURES} | ${((used.user + used.system) / 1e6).toFixed(1)} s (wall ${total.toFixed(1)} s) | ${(evalMs / Math.max(1, reports)).toFixed(0)} ms x ${reports} | ${mb(peakRss)} MB (+${mb(peakRss - base.rss)}) | ${mb(peakHeap)} MB (+${mb(peakHeap - base.heapUsed)}) |`;
}

/** Wall time of one synchronous evaluation of 100 features over a window of `rows` rows. */
function evaluation(label: string, reference: DriftProfile, rows: number): string {
  const monitor = createDriftMonitor({ reference, metrics: false, window: { rows: 1e12 } });
  for (let i = 0; i < rows; i += CHUNK) monitor.observeColumns(chunk);
  const start = performance.now();
  const report = monitor.evaluate();
  const ms = performance.now() - start;
  monitor.close();
  const method = Object.values(report.features)[0]!.method;
  return `| ${label} | ${report.rows.toLocaleString('en')} | ${method} | ${ms.toFixed(0)} ms | ${(ms / FEATURES).toFixed(1)} ms |`;
}

const small = profile(1000); // exact support: every reference value is a cell boundary (KS)
const large = profile(20_000); // 1000-point quantile grid (normed Wasserstein)

console.log('### Hot path: cost per observed value per feature\n');
console.log(
  '| reference | rows x features | observe(row), CPU per value | observeColumns(columns), CPU per value |',
);
console.log('|---|---|---|---|');
console.log(hotPath('1000 rows (KS, exact support)', small, 200_000));
console.log(hotPath('20000 rows (Wasserstein, 1000-point grid)', large, 200_000));

console.log('\n### One evaluation of 100 features\n');
console.log('| reference | window rows | test | evaluation | per feature |');
console.log('|---|---|---|---|---|');
console.log(evaluation('1000 rows, exact KS p-value', small, 8192));
console.log(evaluation('1000 rows, asymptotic KS p-value', small, 98_304));
console.log(evaluation('20000 rows', large, 98_304));

console.log('\n### 100 features x 1M rows (observeColumns, tumbling windows of 98,304 rows, metrics on)\n');
console.log(
  '| reference | rows x features | CPU time | evaluation per window (wall) | peak RSS (growth) | peak heap (growth) |',
);
console.log('|---|---|---|---|---|---|');
console.log(await fullRun('20000 rows (Wasserstein)', large, 1_003_520, 24 * CHUNK));
console.log(await fullRun('1000 rows (KS, asymptotic p-value)', small, 1_003_520, 24 * CHUNK));
