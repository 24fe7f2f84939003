// Entry point (`npm start` at the repository root). Configuration from the environment:
//   PORT (3000; 0 picks a free port), HOST (127.0.0.1: only this machine can connect; in a container
//   set HOST=0.0.0.0 so other containers, Prometheus among them, can reach the service and /metrics),
//   TRAFFIC (1: built-in synthetic traffic; 0: none),
//   TRAFFIC_RATE (requests/s, 20), FAULT_RATE (share of failing feature lookups; 0.03 with traffic),
//   RETRAIN_INTERVAL_MS (the "nightly" job's period, 24 h), TRAIN_EPOCHS (10),
//   DATA_DIR (kept; without it a temporary directory is used and removed on exit),
//   BANNER_INTERVAL_MS (30 s: the banner is printed again while synthetic traffic runs; 0: once),
//   CLUSTER_WORKERS (0: one process; N: a Node cluster of N workers, /metrics summed by the primary
//   on METRICS_PORT, default PORT + 1), and LOGGER, LOG_LEVEL, OTEL_* (see observability.ts).
// JSON log lines go to stdout; the banner saying where to look goes to stderr.
import cluster from 'node:cluster';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRegistry, handleSignals, onShutdown } from '@threadline/core';
import type { Registry } from 'prom-client';
import { createServiceLogger, startServiceTelemetry } from './observability.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const host = env.HOST ?? '127.0.0.1';
const workers = Number(env.CLUSTER_WORKERS ?? 0);
const metricsPort = Number(env.METRICS_PORT ?? port + 1);
const trafficOn = (env.TRAFFIC ?? '1') !== '0' && workers === 0;
const faultRate = Number(env.FAULT_RATE ?? (trafficOn ? 0.03 : 0));
const retrainMs = Number(env.RETRAIN_INTERVAL_MS ?? 24 * 3_600_000);
const bannerMs = Number(env.BANNER_INTERVAL_MS ?? 30_000);

function banner(lines: string[]): void {
  process.stderr.write(`\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
}

/** Ends the process with one clear line when a port cannot be had, instead of a stack trace. */
function failListen(error: NodeJS.ErrnoException, what: string, at: number): never {
  const why =
    error.code === 'EADDRINUSE'
      ? `port ${at} on ${host} is already in use (another recommendation-service?). Stop it, or set PORT to a free port (PORT=0 picks one).`
      : error.code === 'EACCES'
        ? `not allowed to listen on port ${at} on ${host}; use a port above 1023.`
        : error.message;
  process.stderr.write(`recommendation-service: cannot start the ${what}: ${why}\n`);
  process.exit(1);
}

// Tracing starts before Express is loaded, so its instrumentation sees it.
const telemetry = startServiceTelemetry(env);
const log = createServiceLogger(env);
const { clusterWorkerMetrics, startMetricsServer } = await import('@threadline/express');
const { createService } = await import('./service.js');
const { startTraffic } = await import('./traffic.js');

if (workers > 0 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const metrics = await startMetricsServer({ cluster: true, port: metricsPort, host }).catch((error) =>
    failListen(error, 'metrics server', metricsPort),
  );
  banner([
    `recommendation-service: cluster of ${workers} workers on http://${host}:${port}`,
    `fleet metrics (summed over workers): http://${host}:${metrics.port}/metrics`,
  ]);
  onShutdown({
    name: 'workers',
    phase: 'drain',
    run: async () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
      await metrics.close();
    },
  });
  handleSignals();
} else {
  const registry = createRegistry() as unknown as Registry;
  const service = await createService({
    registry,
    faultRate,
    logger: log.sink,
    ...(env.DATA_DIR ? { dataDir: env.DATA_DIR } : {}),
    ...(env.TRAIN_EPOCHS ? { epochs: Number(env.TRAIN_EPOCHS) } : {}),
  });
  // The data directory is ours to remove only when we made it.
  const removeData = () => {
    if (!env.DATA_DIR) rmSync(service.dataDir, { recursive: true, force: true });
  };
  if (cluster.isWorker) clusterWorkerMetrics({ registry });
  const server: Server = service.app.listen(port, host);
  await new Promise<void>((resolve) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      service.close();
      removeData();
      failListen(error, 'service', port);
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
  const retrain = setInterval(() => {
    service.retrain().catch(() => {
      // The failed run is logged and exported by the training logger; the old models keep serving.
    });
  }, retrainMs);
  retrain.unref();
  let traffic: ReturnType<typeof startTraffic> | undefined;
  if (trafficOn) {
    traffic = startTraffic({
      baseUrl: base,
      movies: service.movies,
      tastes: service.population.tastes,
      rate: Number(env.TRAFFIC_RATE ?? 20),
    });
  }
  let again: NodeJS.Timeout | undefined;
  if (!cluster.isWorker) {
    const { champion, challenger } = service.current();
    const lines = [
      `recommendation-service is up on ${base}`,
      `  try:     curl ${base}/recommendations/42`,
      `  metrics: ${base}/metrics      health: ${base}/healthz`,
      `  live:    ${base}/live (the dashboard in your browser, no Prometheus needed)`,
      `  models:  ${champion.name}@${champion.version} (champion), @${challenger.version} (canary)`,
      `  traffic: ${trafficOn ? `synthetic, ${env.TRAFFIC_RATE ?? 20} req/s, ${faultRate * 100}% faults (TRAFFIC=0 to stop)` : 'none'}`,
      `  logs:    ${log.name} JSON lines on stdout (LOGGER=pino|winston, LOG_LEVEL)`,
      `  tracing: ${telemetry.description}`,
      `  data:    ${service.dataDir}${env.DATA_DIR ? '' : ' (removed on exit; set DATA_DIR to keep it)'}`,
      'Dashboard and alerts: packages/dashboards.',
    ];
    banner(lines);
    // Synthetic traffic scrolls the banner away; say it again now and then.
    if (trafficOn && bannerMs > 0) {
      again = setInterval(() => banner(lines), bannerMs);
      again.unref();
    }
  }
  // SIGTERM/SIGINT (once each, however often they arrive): stop the traffic and the server
  // (in-flight requests finish), close the service and the tracer, flush the logs, remove the
  // temporary data, exit.
  onShutdown({
    name: 'traffic',
    phase: 'drain',
    run: async () => {
      clearInterval(retrain);
      clearInterval(again);
      await traffic?.stop();
    },
  });
  onShutdown({ name: 'recommendation-service', phase: 'final', run: () => service.close() });
  onShutdown({ name: 'telemetry', phase: 'final', run: () => telemetry.shutdown() });
  onShutdown({
    name: 'service-log',
    phase: 'flush',
    run: async () => {
      await log.flush();
      removeData();
    },
  });
  handleSignals({ servers: [server] });
}
