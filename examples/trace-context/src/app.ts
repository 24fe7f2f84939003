import { type LogSink, propagationHeaders, reportError } from '@threadline/core';
import { threadline } from '@threadline/express';
import express, { type Express } from 'express';

/** One call the test harness asks for: POST `arguments` (as JSON) to `url`. */
interface Call {
  readonly url: string;
  readonly arguments: unknown;
}

function isCall(value: unknown): value is Call {
  return typeof value === 'object' && value !== null && typeof (value as Call).url === 'string';
}

/**
 * The service the W3C Trace Context test harness drives: `POST /test` takes a JSON list of
 * `{url, arguments}` and, for each in order, POSTs `arguments` to `url` carrying the
 * `traceparent`/`tracestate` derived from the incoming request (a new span under the same trace,
 * or a new trace when the incoming header was absent or invalid).
 */
export function createApp(options: { logger?: LogSink | false } = {}): Express {
  const app = express();
  app.use(threadline({ logger: options.logger ?? false }));
  app.post('/test', express.json({ limit: '1mb' }), async (req, res) => {
    const calls: unknown = req.body;
    if (!Array.isArray(calls) || !calls.every(isCall)) {
      res.status(400).json({ error: 'expected a JSON list of {url, arguments}' });
      return;
    }
    for (const call of calls) {
      try {
        const answer = await fetch(call.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...propagationHeaders({ requestId: false }) },
          body: JSON.stringify(call.arguments ?? null),
          signal: AbortSignal.timeout(10_000),
        });
        await answer.arrayBuffer();
      } catch (error) {
        // One unreachable callee must not stop the calls after it; the harness judges what arrived.
        reportError('example.trace-context', error);
      }
    }
    res.status(200).end();
  });
  return app;
}
