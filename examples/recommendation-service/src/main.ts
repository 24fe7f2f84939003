// Entry point (`npm start` at the repository root). Configuration from the environment:
//   PORT (3000), HOST (127.0.0.1), TRAFFIC (1: built-in synthetic traffic; 0: none),
//   TRAFFIC_RATE (requests/s, 20), FAULT_RATE (share of failing feature lookups; 0.03 with traffic),
//   RETRAIN_INTERVAL_MS (the "nightly" job's period, 24 h), TRAIN_EPOCHS (10), DATA_DIR (a temporary directory),
//   CLUSTER_WORKERS (0: one process; N: a Node cluster of N workers, /metrics summed by the primary
//   on METRICS_PORT, default PORT + 1).
// JSON log lines go to stdout; the banner saying where to look goes to stderr.
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { createRegistry } from '@threadline/core';
import { clusterWorkerMetrics, startMetricsServer } from '@threadline/express';
import type { Registry } from 'prom-client';
import { createService } from './service.js';
import { startTraffic, type Traffic } from './traffic.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const host = env.HOST ?? '127.0.0.1';
const workers = Number(env.CLUSTER_WORKERS ?? 0);
const metricsPort = Number(env.METRICS_PORT ?? port + 1);
const trafficOn = (env.TRAFFIC ?? '1') !== '0' && workers === 0;
const faultRate = Number(env.FAULT_RATE ?? (trafficOn ? 0.03 : 0));
const retrainMs = Number(env.RETRAIN_INTERVAL_MS ?? 24 * 3_600_000);

function banner(lines: string[]): void {
  process.stderr.write(`\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
}

if (workers > 0 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const metrics = await startMetricsServer({ cluster: true, port: metricsPort, host });
  banner([
    `recommendation-service: cluster of ${workers} workers on http://${host}:${port}`,
    `fleet metrics (summed over workers): http://${host}:${metrics.port}/metrics`,
  ]);
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    void metrics.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  const registry = createRegistry() as unknown as Registry;
  const service = await createService({
    registry,
    faultRate,
    ...(env.DATA_DIR ? { dataDir: env.DATA_DIR } : {}),
    ...(env.TRAIN_EPOCHS ? { epochs: Number(env.TRAIN_EPOCHS) } : {}),
  });
  if (cluster.isWorker) clusterWorkerMetrics({ registry });
  const server: Server = service.app.listen(port, host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const retrain = setInterval(() => {
    service.retrain().catch(() => {
      // The failed run is logged and exported by the training logger; the old models keep serving.
    });
  }, retrainMs);
  retrain.unref();
  let traffic: Traffic | undefined;
  if (trafficOn) {
    traffic = startTraffic({
      baseUrl: base,
      movies: service.movies,
      tastes: service.population.tastes,
      rate: Number(env.TRAFFIC_RATE ?? 20),
    });
  }
  if (!cluster.isWorker) {
    const { champion, challenger } = service.current();
    banner([
      `recommendation-service is up on ${base}`,
      `  try:     curl ${base}/recommendations/42`,
      `  metrics: ${base}/metrics      health: ${base}/healthz`,
      `  live:    ${base}/live (the dashboard in your browser, no Prometheus needed)`,
      `  models:  ${champion.name}@${champion.version} (champion), @${challenger.version} (canary)`,
      `  traffic: ${trafficOn ? `synthetic, ${env.TRAFFIC_RATE ?? 20} req/s, ${faultRate * 100}% faults (TRAFFIC=0 to stop)` : 'none'}`,
      `  data:    ${service.dataDir}`,
      'Logs are JSON lines on stdout. Dashboard and alerts: packages/dashboards.',
    ]);
  }
  const stop = async () => {
    clearInterval(retrain);
    await traffic?.stop();
    server.close();
    server.closeAllConnections();
    service.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
