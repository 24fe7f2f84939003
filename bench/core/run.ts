// Core bench: context propagation, logger lines/s with and without Threadline's fields, and
// histogram observe with context labels, each side by side with its peer in one run.
// Variants of a group run in interleaved rounds after a warm-up; the table shows medians.
// Usage: npm run bench -- core   (QUICK=1 for a short smoke run, ONLY=pino to run one section)
import { Writable } from 'node:stream';
import {
  createHistogram,
  createRegistry,
  getContext,
  logFields,
  mergeContextFields,
  runWithContext,
} from '@threadline/core';
import { threadlineMixin, threadlineMixinMergeStrategy, threadlinePinoOptions } from '@threadline/pino';
import { threadlineFormat } from '@threadline/winston';
import pino from 'pino';
import { Histogram, Registry } from 'prom-client';
import winston from 'winston';

const QUICK = process.env.QUICK === '1';
const ROUNDS = QUICK ? 3 : 21;
const WARMUP_ROUNDS = QUICK ? 1 : 3;

interface Variant {
  readonly name: string;
  /** Runs one batch; returns the number of operations it did. */
  readonly run: () => number | Promise<number>;
}

interface Result {
  readonly name: string;
  readonly opsPerSec: number;
  /** Median over rounds of (baseline time / this variant's time) within the same round. */
  readonly cost: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs the variants in interleaved rounds (the first variant is the baseline). Ratios are taken
 * within each round and then the median is reported, so load that drifts during the run (other
 * processes on the machine) affects both sides of a ratio alike.
 */
async function group(variants: readonly Variant[]): Promise<Result[]> {
  const samples: number[][] = variants.map(() => []);
  // One collection between groups, none between samples: a forced full GC before every sample
  // resets the allocator's feedback and penalises the allocating variants unlike steady state.
  (globalThis as { gc?: () => void }).gc?.();
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // Rotate the order each round so no variant always runs right after the same one.
    for (let k = 0; k < variants.length; k++) {
      const index = (round + k) % variants.length;
      const start = process.hrtime.bigint();
      const ops = await variants[index]!.run();
      const ns = Number(process.hrtime.bigint() - start);
      if (round >= WARMUP_ROUNDS) samples[index]!.push((ops * 1e9) / ns);
    }
  }
  const base = samples[0]!;
  return variants.map((v, i) => ({
    name: v.name,
    opsPerSec: median(samples[i]!),
    cost: median(samples[i]!.map((ops, r) => base[r]! / ops)),
  }));
}

const rows: string[] = [];
function table(title: string, results: Result[], unit: string): void {
  rows.push(`| **${title}** | | | |`);
  for (const r of results) {
    rows.push(
      `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} ${unit}/s | ${(1e9 / r.opsPerSec).toFixed(0)} ns | ${r.cost.toFixed(2)}x |`,
    );
  }
}

const CTX = {
  request_id: '9b2c1f0e-6d7a-4c1b-9a55-1f2e3d4c5b6a',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  trace_flags: '01',
  model: { name: 'ranker', version: '1.4.0' },
};

// ---------------------------------------------------------------------------------------------
// Loggers: requests of a few lines each, every variant inside the same request contexts; only
// what puts the context's fields on the line differs.
const nullStream = (): Writable =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
const drain = () => new Promise((r) => setImmediate(r));
const REQUESTS = QUICK ? 400 : 4000;
const LINES_PER_REQUEST = 5;
const meta = { event: 'model_inference', inference_time_ms: 12 };

function requestContext(i: number) {
  return { ...CTX, request_id: `req-${i}` };
}

// What an application writes to get the same fields without Threadline: read its own context
// and pass the fields on every line.
function metaByHand(): Record<string, unknown> {
  const ctx = getContext()!;
  return {
    event: meta.event,
    inference_time_ms: meta.inference_time_ms,
    request_id: ctx.request_id,
    trace_id: ctx.trace_id,
    span_id: ctx.span_id,
    trace_flags: ctx.trace_flags,
    model_name: ctx.model?.name,
    model_version: ctx.model?.version,
  };
}

async function winstonLoggers(): Promise<void> {
  const winstonWith = (...formats: winston.Logform.Format[]) =>
    winston.createLogger({
      format: winston.format.combine(...formats, winston.format.json()),
      transports: [new winston.transports.Stream({ stream: nullStream() })],
    });
  const winstonBare = winstonWith();
  const winstonTl = winstonWith(threadlineFormat());
  const winstonBatch = (logger: winston.Logger, byHand: boolean) => async () => {
    for (let r = 0; r < REQUESTS; r++) {
      runWithContext(requestContext(r), () => {
        for (let i = 0; i < LINES_PER_REQUEST; i++) logger.info('scored', byHand ? metaByHand() : meta);
      });
    }
    await drain();
    return REQUESTS * LINES_PER_REQUEST;
  };
  table(
    `winston, lines/s (JSON to a null stream; requests of ${LINES_PER_REQUEST} lines)`,
    await group([
      { name: 'winston, no context fields', run: winstonBatch(winstonBare, false) },
      { name: 'winston + threadlineFormat', run: winstonBatch(winstonTl, false) },
      { name: 'winston, the same fields passed by hand', run: winstonBatch(winstonBare, true) },
    ]),
    'lines',
  );
}

async function pinoLoggers(): Promise<void> {
  const dest = { write: (_s: string) => {} };
  const pinoBare = pino({}, dest);
  const pinoMixin = pino(
    { mixin: threadlineMixin(), mixinMergeStrategy: threadlineMixinMergeStrategy },
    dest,
  );
  const pinoTl = pino({ ...threadlinePinoOptions() }, dest);
  const pinoBatch = (logger: pino.Logger) => () => {
    for (let r = 0; r < REQUESTS; r++) {
      runWithContext(requestContext(r), () => {
        for (let i = 0; i < LINES_PER_REQUEST; i++) logger.info(meta, 'scored');
      });
    }
    return REQUESTS * LINES_PER_REQUEST;
  };
  // By hand, the idiomatic pino way: a child logger per request with the fields as bindings.
  const pinoChildBatch = () => {
    for (let r = 0; r < REQUESTS; r++) {
      runWithContext(requestContext(r), () => {
        const ctx = getContext()!;
        const child = pinoBare.child({
          request_id: ctx.request_id,
          trace_id: ctx.trace_id,
          span_id: ctx.span_id,
          trace_flags: ctx.trace_flags,
          model_name: ctx.model?.name,
          model_version: ctx.model?.version,
        });
        for (let i = 0; i < LINES_PER_REQUEST; i++) child.info(meta, 'scored');
      });
    }
    return REQUESTS * LINES_PER_REQUEST;
  };
  table(
    `pino, lines/s (to a null destination; requests of ${LINES_PER_REQUEST} lines)`,
    await group([
      { name: 'pino, no context fields', run: pinoBatch(pinoBare) },
      { name: 'pino + threadlinePinoOptions (createPinoLogger)', run: pinoBatch(pinoTl) },
      { name: 'pino + threadlineMixin alone', run: pinoBatch(pinoMixin) },
      { name: 'pino, the same fields by hand (child logger per request)', run: pinoChildBatch },
    ]),
    'lines',
  );
}

// ---------------------------------------------------------------------------------------------
// Histogram observe: ContextHistogram (model labels from the context) vs raw prom-client with the
// same labels given by hand.
const OBSERVES = QUICK ? 20_000 : 200_000;

async function histograms(): Promise<void> {
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const labelNames = ['http_route', 'model_name', 'model_version'];
  const promRegistry = new Registry();
  const raw = new Histogram({
    name: 'raw_seconds',
    help: 'raw',
    labelNames,
    buckets,
    registers: [promRegistry],
  });
  const ours = createHistogram({
    name: 'ctx_seconds',
    help: 'ctx',
    labelNames: ['http_route'],
    buckets,
    registry: promRegistry,
  });
  const omRegistry = createRegistry();
  const rawEx = new Histogram({
    name: 'raw_ex_seconds',
    help: 'raw',
    labelNames,
    buckets,
    registers: [omRegistry],
    enableExemplars: true,
  });
  const oursEx = createHistogram({
    name: 'ctx_ex_seconds',
    help: 'ctx',
    labelNames: ['http_route'],
    buckets,
    registry: omRegistry,
  });
  const labels = { http_route: '/predict', model_name: 'ranker', model_version: '1.4.0' };
  const own = { http_route: '/predict' };
  const exemplarLabels = { trace_id: CTX.trace_id, span_id: CTX.span_id };
  const batch = (fn: (i: number) => void) => () =>
    runWithContext(CTX, () => {
      for (let i = 0; i < OBSERVES; i++) fn(i);
      return OBSERVES;
    });
  table(
    'histogram observe, Prometheus registry',
    await group([
      {
        name: 'prom-client Histogram.observe (labels by hand)',
        run: batch((i) => raw.observe(labels, (i % 100) / 100)),
      },
      {
        name: 'ContextHistogram.observe (model labels from context)',
        run: batch((i) => ours.observe(own, (i % 100) / 100)),
      },
    ]),
    'observes',
  );
  table(
    'histogram observe, OpenMetrics registry with exemplars (sampled trace)',
    await group([
      {
        name: 'prom-client observe with exemplar (by hand)',
        run: batch((i) => rawEx.observe({ labels, value: (i % 100) / 100, exemplarLabels })),
      },
      {
        name: 'ContextHistogram.observe (exemplar from context)',
        run: batch((i) => oursEx.observe(own, (i % 100) / 100)),
      },
    ]),
    'observes',
  );
}

// ---------------------------------------------------------------------------------------------
// Context propagation: an async workload (awaits, timers' microtask chains) that reads the request
// ID at each step. cls-hooked installs an async hook for the whole process, so it runs last.
const FLOWS = QUICK ? 500 : 2000;
const STEPS = 4;

async function step(read: () => unknown): Promise<unknown> {
  await null;
  return read();
}

async function context(): Promise<void> {
  const noneFlow = async (id: string): Promise<void> => {
    for (let s = 0; s < STEPS; s++) if ((await step(() => id)) !== id) throw new Error('mismatch');
    await new Promise((r) => setImmediate(r));
  };
  const alsFlow = async (id: string): Promise<void> => {
    for (let s = 0; s < STEPS; s++)
      if ((await step(() => getContext()?.request_id)) !== id) throw new Error('mismatch');
    await new Promise((r) => setImmediate(r));
  };
  const none: Variant = {
    name: 'no context (ID passed by hand)',
    run: async () => {
      await Promise.all(Array.from({ length: FLOWS }, (_, i) => noneFlow(`r${i}`)));
      return FLOWS;
    },
  };
  const als: Variant = {
    name: 'Threadline (AsyncLocalStorage)',
    run: async () => {
      await Promise.all(
        Array.from({ length: FLOWS }, (_, i) =>
          runWithContext({ request_id: `r${i}` }, () => alsFlow(`r${i}`)),
        ),
      );
      return FLOWS;
    },
  };
  const before = await group([none, als]);

  // Loaded only now: its async hook slows every async operation in the process from here on.
  const cls = (await import('cls-hooked')).default;
  const ns = cls.createNamespace('bench');
  const clsFlow = async (id: string): Promise<void> => {
    for (let s = 0; s < STEPS; s++)
      if ((await step(() => ns.get('request_id'))) !== id) throw new Error('mismatch');
    await new Promise((r) => setImmediate(r));
  };
  const clsVariant: Variant = {
    name: 'cls-hooked',
    run: async () => {
      await Promise.all(
        Array.from({ length: FLOWS }, (_, i) =>
          ns.runPromise(() => {
            ns.set('request_id', `r${i}`);
            return clsFlow(`r${i}`);
          }),
        ),
      );
      return FLOWS;
    },
  };
  const after = await group([{ ...none, name: 'no context, with cls-hooked loaded' }, clsVariant]);
  // The two phases cannot be paired round by round: compare medians with the clean baseline.
  const clean = before[0]!.opsPerSec;
  const afterVsClean = after.map((r) => ({ ...r, cost: clean / r.opsPerSec }));
  table(
    `context propagation, flows/s (${FLOWS} concurrent flows, ${STEPS} awaits + setImmediate each)`,
    [...before, ...afterVsClean],
    'flows',
  );
}

// ---------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  // Sanity: the variants measure what they claim.
  runWithContext(CTX, () => {
    if (logFields().request_id !== CTX.request_id) throw new Error('context not visible');
    if (mergeContextFields({} as Record<string, unknown>).model_name !== 'ranker')
      throw new Error('fields not merged');
  });
  // ONLY=winston,pino,histograms,context picks sections (for profiling one of them).
  const only = process.env.ONLY?.split(',');
  if (!only || only.includes('winston')) await winstonLoggers();
  if (!only || only.includes('pino')) await pinoLoggers();
  if (!only || only.includes('histograms')) await histograms();
  if (!only || only.includes('context')) await context();
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}, ${ROUNDS} rounds, medians.\n`);
  console.log('| variant | throughput (median) | per op | cost vs first row (median of per-round ratios) |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

await main();
