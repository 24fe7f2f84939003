// One trace per request with @opentelemetry/instrumentation-http active: the OTel server span, the
// Threadline context, the spans of Threadline's own work and the log lines all share one trace ID,
// and Threadline never starts a second trace. The service runs in a child process started with
// `node --import <setup>`, as in production, and exports OTLP/JSON to a collector in this test.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type OtlpSpan, runTracedService } from '../helpers/otlp.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING = `00-${INCOMING_TRACE}-00f067aa0ba902b7-01`;
const SPAN_KIND_SERVER = 2;

interface Reply {
  status: number;
  requestId: string | null;
  body: {
    handler: Record<string, string>;
    inference: Record<string, string>;
    context_trace_id: string;
  };
}

function attr(span: OtlpSpan, key: string): string | undefined {
  return span.attributes.find((a) => a.key === key)?.value.stringValue;
}

/** Runs the app in a child with the telemetry setup preloaded; returns spans, log lines and replies. */
async function run(app: string, env: Record<string, string> = {}) {
  const { spans, lines, result } = await runTracedService(
    `${FIXTURES}${app}`,
    `${FIXTURES}telemetry.ts`,
    async (base) => {
      const replies: Reply[] = [];
      const headers: Record<string, string>[] = [{ traceparent: INCOMING }, {}, {}];
      for (const h of headers) {
        const res = await fetch(`${base}/predict`, { headers: h });
        replies.push({
          status: res.status,
          requestId: res.headers.get('x-request-id'),
          body: (await res.json()) as Reply['body'],
        });
      }
      return replies;
    },
    env,
  );
  return { spans, lines, replies: result };
}

function checkOneTracePerRequest(result: {
  spans: OtlpSpan[];
  lines: Record<string, string>[];
  replies: Reply[];
}) {
  const { spans, lines, replies } = result;
  assert.equal(replies.length, 3);
  assert.ok(spans.length > 0, 'spans were exported');

  const traces = new Set(spans.map((s) => s.traceId));
  assert.equal(traces.size, 3, 'exactly one trace per request');
  assert.equal(replies[0]!.body.handler.trace_id, INCOMING_TRACE, 'the incoming traceparent was continued');

  for (const reply of replies) {
    assert.equal(reply.status, 200);
    const { handler, inference, context_trace_id } = reply.body;
    const traceId = handler.trace_id!;
    assert.ok(traces.has(traceId), 'the handler saw the exported trace');
    assert.equal(context_trace_id, traceId, 'the Threadline context adopted the OTel trace');
    assert.equal(inference.trace_id, traceId);

    const inTrace = spans.filter((s) => s.traceId === traceId);
    const servers = inTrace.filter((s) => s.kind === SPAN_KIND_SERVER);
    assert.equal(servers.length, 1, 'one server span per request');
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const work = inTrace.find((s) => s.name === 'model.inference');
    assert.ok(work, 'the inference span is in the request trace');
    assert.equal(work.spanId, inference.span_id, 'logs inside the span carry its span ID');
    // Its ancestors lead back to the server span of the same request.
    let up: OtlpSpan | undefined = work;
    while (up?.parentSpanId && byId.has(up.parentSpanId)) up = byId.get(up.parentSpanId);
    assert.equal(up?.spanId, servers[0]!.spanId);
    assert.equal(attr(work, 'model_name'), 'ranker');
    assert.equal(attr(work, 'model_version'), '3.1.0');
    assert.equal(attr(work, 'request_id'), handler.request_id);
    if (reply.requestId !== null) assert.equal(reply.requestId, handler.request_id);

    // The handler's two lines, and the adapter's access line when there is one.
    const mine = lines.filter((l) => l.request_id === handler.request_id);
    assert.ok(mine.length >= 2, 'the log lines of the request are there');
    for (const line of mine) assert.equal(line.trace_id, traceId);
    assert.ok(mine.some((l) => l.event === 'request_start'));
    assert.equal(mine.find((l) => l.event === 'model_inference')?.span_id, work.spanId);
  }
}

describe('one trace per request under instrumentation-http', () => {
  test('node:http server adopting the active span with runWithContext', async () => {
    checkOneTracePerRequest(await run('app-http.ts'));
  });
});

describe('one trace per request with @threadline/express', () => {
  test('threadline() adopts the server span of instrumentation-http', async () => {
    checkOneTracePerRequest(await run('app-express.ts'));
  });

  test('with the Express instrumentation on as well, still one trace per request', async () => {
    const result = await run('app-express.ts', { FIXTURE_INSTRUMENTATION: 'express' });
    assert.ok(
      result.spans.some((s) => attr(s, 'express.type') === 'request_handler'),
      'Express spans were made',
    );
    checkOneTracePerRequest(result);
  });
});

describe('one trace per request with @threadline/koa', () => {
  test('threadline() adopts the server span, with the Koa instrumentation on', async () => {
    const result = await run('app-koa.ts', { FIXTURE_INSTRUMENTATION: 'koa' });
    assert.ok(
      result.spans.some((s) => attr(s, 'koa.type') === 'middleware'),
      'Koa spans were made',
    );
    checkOneTracePerRequest(result);
  });
});
