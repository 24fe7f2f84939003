// The integrations the service runs with: its log lines go through pino (default) or winston, and
// OpenTelemetry starts when an exporter is configured. Both are read from the environment:
//   LOGGER       pino (default) | winston
//   LOG_LEVEL    the logger's level (info)
//   OTEL_EXPORTER_OTLP_ENDPOINT   set: spans go over OTLP to this collector
//   OTEL_TRACES_EXPORTER=console  spans printed on stdout; unset and no endpoint: no tracing at all
import type { LogSink } from '@threadline/core';
import { startTelemetry } from '@threadline/otel';
import { createPinoLogger, pinoSink } from '@threadline/pino';
import { createLogger, winstonSink } from '@threadline/winston';

const SERVICE = 'recommendation-service';

/** The logger the service, the middleware and the ML plugins write through. */
export interface ServiceLogger {
  readonly name: 'pino' | 'winston';
  readonly sink: LogSink;
  /** Writes what is buffered; called before the process exits. */
  flush(): Promise<void>;
}

/** Builds the logger named by LOGGER; an unknown name fails at startup with the names it accepts. */
export function createServiceLogger(env: NodeJS.ProcessEnv = process.env): ServiceLogger {
  const name = env.LOGGER || 'pino';
  if (name === 'pino') {
    const logger = createPinoLogger({ service: SERVICE });
    return {
      name,
      sink: pinoSink(logger),
      flush: () => new Promise((resolve) => logger.flush(() => resolve())),
    };
  }
  if (name === 'winston') {
    const logger = createLogger({ service: SERVICE });
    return { name, sink: winstonSink(logger), flush: async () => {} };
  }
  throw new Error(`LOGGER must be "pino" or "winston", not ${JSON.stringify(name)}`);
}

/** What tracing is on, for the banner, and how to stop it. */
export interface ServiceTelemetry {
  readonly description: string;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry (HTTP and Express instrumentations) when an OTLP endpoint or the console
 * exporter is configured. Must run before Express is loaded, so main.ts imports the app after it.
 */
export function startServiceTelemetry(env: NodeJS.ProcessEnv = process.env): ServiceTelemetry {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter === 'none' || (!endpoint && exporter !== 'console')) {
    return {
      description: 'off (set OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_TRACES_EXPORTER=console)',
      shutdown: async () => {},
    };
  }
  const shutdown = startTelemetry({
    serviceName: env.OTEL_SERVICE_NAME || SERVICE,
    instrumentations: { express: true },
  });
  return {
    description: exporter === 'console' ? 'console exporter (stdout)' : `OTLP to ${endpoint}`,
    shutdown,
  };
}
