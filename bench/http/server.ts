// One benchmark server, one variant, a fresh process per measurement: `node server.js <variant>`,
// started by run.js with an IPC channel. Listens on 127.0.0.1 (port 0) and reports the port over
// IPC; answers `cpu` messages with its own process.cpuUsage() (all threads, microsecond resolution)
// and a monotonic timestamp, so the runner reads the server's CPU time per request without a
// request of its own going through the middleware. Every logger writes to /dev/null, so the
// numbers measure the middleware and the formatting, not a terminal.
import { createWriteStream } from 'node:fs';
import type { createServer, RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
const variant = process.argv[2] ?? 'express:bare';
const [framework, name] = variant.split(':') as ['express' | 'koa', string];

function nullStream(): NodeJS.WritableStream {
  return createWriteStream('/dev/null');
}

// pino's default destination (sonic-boom, asynchronous, one write per line), to /dev/null.
function pinoToNull(): import('pino').Logger {
  const pino = require('pino') as typeof import('pino');
  return pino(pino.destination({ dest: '/dev/null', sync: false }));
}

let exported = 0;

async function otel(instrumentation: 'express' | 'koa'): Promise<void> {
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  // Spans are batched and dropped: the cost measured is creating and ending them.
  const exporter = {
    export: (spans: unknown[], done: (r: { code: number }) => void) => {
      exported += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  const framework =
    instrumentation === 'express'
      ? new (require('@opentelemetry/instrumentation-express').ExpressInstrumentation)()
      : new (require('@opentelemetry/instrumentation-koa').KoaInstrumentation)();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation(), framework] });
}

async function threadlineSink(variantName: string): Promise<import('@threadline/core').LogSink> {
  if (variantName.startsWith('threadline-pino')) {
    const { createPinoLogger, pinoSink } = await import('@threadline/pino');
    // A path: createPinoLogger's default destination (buffered), pointed at /dev/null, as the
    // peers get pino's default (one asynchronous write per line) pointed at /dev/null.
    const destination: string | import('pino').DestinationStream =
      variantName === 'threadline-pino-sync'
        ? (require('pino') as typeof import('pino')).destination({
            dest: '/dev/null',
            sync: true,
            minLength: 4096,
          })
        : '/dev/null';
    // `-plain`: without the logger's default credential redaction, like the pino-http peer.
    return pinoSink(
      createPinoLogger(variantName.endsWith('-plain') ? { destination, redact: [] } : { destination }),
    );
  }
  const { createLogger, threadlineTransport, winstonSink } = await import('@threadline/winston');
  // createLogger's default transport (buffered) pointed at /dev/null; `-stream`: winston's Stream
  // transport over a file stream, as express-winston gets.
  const winston = require('winston') as typeof import('winston');
  const transport =
    variantName === 'threadline-winston-stream'
      ? new winston.transports.Stream({ stream: nullStream() })
      : threadlineTransport('/dev/null');
  return winstonSink(createLogger({ transports: [transport] }));
}

async function expressApp(): Promise<RequestListener> {
  if (name === 'otel') await otel('express');
  const express = require('express') as typeof import('express');
  const app = express();
  switch (name) {
    case 'bare':
      break;
    case 'pino-http':
      app.use(require('pino-http')({ logger: pinoToNull() }));
      break;
    case 'express-winston': {
      const winston = require('winston') as typeof import('winston');
      const expressWinston = require('express-winston');
      app.use(
        expressWinston.logger({
          winstonInstance: winston.createLogger({
            format: winston.format.json(),
            transports: [new winston.transports.Stream({ stream: nullStream() })],
          }),
        }),
      );
      break;
    }
    case 'express-prom-bundle':
      app.use(
        require('express-prom-bundle')({ includeMethod: true, includePath: true, includeStatusCode: true }),
      );
      break;
    case 'cls-rtracer':
      app.use(require('cls-rtracer').expressMiddleware());
      break;
    case 'otel':
      break;
    case 'peers': {
      const rTracer = require('cls-rtracer');
      app.use(rTracer.expressMiddleware());
      app.use(
        require('express-prom-bundle')({ includeMethod: true, includePath: true, includeStatusCode: true }),
      );
      app.use(require('pino-http')({ logger: pinoToNull(), genReqId: () => rTracer.id() }));
      break;
    }
    case 'threadline-nolog':
    case 'threadline-pino':
    case 'threadline-pino-plain':
    case 'threadline-pino-sync':
    case 'threadline-winston':
    case 'threadline-winston-stream': {
      const { createRegistry } = await import('@threadline/core');
      const { threadline } = await import('@threadline/express');
      const logger = name === 'threadline-nolog' ? false : await threadlineSink(name);
      app.use(threadline({ registry: createRegistry(), logger }));
      break;
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
  app.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id, ok: true });
  });
  return app as unknown as RequestListener;
}

async function koaApp(): Promise<RequestListener> {
  if (name === 'otel') await otel('koa');
  const Koa = require('koa') as typeof import('koa');
  const Router = require('@koa/router') as typeof import('@koa/router').default;
  const app = new Koa();
  // The usual Koa recipe for request metrics (no maintained Koa package does it): a prom-client
  // histogram labelled by the matched route.
  const handMetrics = () => {
    const client = require('prom-client') as typeof import('prom-client');
    const histogram = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'request duration',
      labelNames: ['method', 'route', 'code'],
      registers: [new client.Registry()],
    });
    return async (ctx: import('koa').Context, next: () => Promise<unknown>) => {
      const end = histogram.startTimer();
      try {
        await next();
      } finally {
        end({ method: ctx.method, route: String(ctx._matchedRoute ?? 'unmatched'), code: ctx.status });
      }
    };
  };
  switch (name) {
    case 'bare':
    case 'otel':
      break;
    case 'koa-pino-logger':
      app.use(require('koa-pino-logger')({ logger: pinoToNull() }));
      break;
    case 'prom-client':
      app.use(handMetrics());
      break;
    case 'cls-rtracer':
      app.use(require('cls-rtracer').koaMiddleware());
      break;
    case 'peers':
      app.use(require('cls-rtracer').koaMiddleware());
      app.use(handMetrics());
      app.use(require('koa-pino-logger')({ logger: pinoToNull() }));
      break;
    case 'threadline-nolog':
    case 'threadline-pino':
    case 'threadline-pino-plain':
    case 'threadline-pino-sync':
    case 'threadline-winston':
    case 'threadline-winston-stream': {
      const { createRegistry } = await import('@threadline/core');
      const { threadline } = await import('@threadline/koa');
      const logger = name === 'threadline-nolog' ? false : await threadlineSink(name);
      app.use(threadline({ registry: createRegistry(), logger }));
      break;
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
  const router = new Router();
  router.get('/users/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, ok: true };
  });
  app.use(router.routes());
  return app.callback() as RequestListener;
}

const listener = framework === 'koa' ? await koaApp() : await expressApp();
// The http module is taken through require so OpenTelemetry's require hook has patched it.
const http = require('node:http') as { createServer: typeof createServer };
const server = http.createServer(listener);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: unknown) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    // hrtime in microseconds: the clock V8's CPU profile timestamps use, so a profile can be cut
    // to the measured window.
    process.send?.({ cpu: user + system, at: Number(process.hrtime.bigint() / 1000n) });
  }
});
function stop(): void {
  if (process.env.BENCH_VERBOSE) process.stderr.write(`spans exported: ${exported}\n`);
  // process.exit, not a signal's default: --cpu-prof writes its profile on a normal exit only.
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('disconnect', stop);
