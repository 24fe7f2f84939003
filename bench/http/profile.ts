// Summarises a V8 CPU profile (`--cpu-prof`) as self time per request, by package and by function,
// limited to the measured window, so a table can say where each microsecond of a variant's
// difference to bare goes. CLI: node profile.js <file.cpuprofile> [requests]
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time per request, by package (category) and by function. */
export interface ProfileSummary {
  /** µs of self time per request, by category. */
  readonly byPackage: ReadonlyMap<string, number>;
  /** µs of self time per request, by `function (file:line)`, with its category. */
  readonly byFunction: ReadonlyMap<string, { readonly category: string; readonly us: number }>;
  /** Sampled time inside the window, µs per request (idle excluded). */
  readonly totalUs: number;
  /** False when the window did not overlap the profile and the whole profile was used. */
  readonly windowed: boolean;
}

const FRAMEWORK = new Set([
  'express',
  'router',
  'body-parser',
  'finalhandler',
  'send',
  'serve-static',
  'content-type',
  'type-is',
  'accepts',
  'negotiator',
  'mime-types',
  'qs',
  'parseurl',
  'path-to-regexp',
  'on-finished',
  'etag',
  'fresh',
  'statuses',
  'depd',
  'vary',
  'cookie',
  'proxy-addr',
  'forwarded',
  'encodeurl',
  'escape-html',
  'range-parser',
  'merge-descriptors',
  'koa',
  '@koa/router',
  'koa-compose',
  'koa-convert',
  'http-errors',
  'delegates',
  'only',
  'content-disposition',
  'cookies',
  'keygrip',
  'http-assert',
  'debug',
  'ms',
]);
const PINO = new Set([
  'pino',
  'pino-std-serializers',
  'sonic-boom',
  'fast-redact',
  '@pinojs/redact',
  'thread-stream',
  'quick-format-unescaped',
  'atomic-sleep',
  'fast-safe-stringify',
  'safe-stable-stringify',
  'on-exit-leak-free',
]);
const WINSTON = new Set([
  'winston',
  'logform',
  'winston-transport',
  'triple-beam',
  'readable-stream',
  '@colors/colors',
  'fecha',
  'one-time',
  'stack-trace',
  'async',
  'is-stream',
  'safe-buffer',
  'string_decoder',
  'inherits',
  'util-deprecate',
]);
const PEER_LOGGERS = new Set(['pino-http', 'koa-pino-logger', 'express-winston']);

/** Which part of the stack a function belongs to, from its script URL. */
export function categorise(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (functionName === '(program)') return 'V8: (program) native, unattributed';
    if (functionName === '(idle)') return 'idle';
    return 'native (V8 builtins, Node bindings: JSON, strings, fs writes)';
  }
  if (url.startsWith('node:')) {
    const mod = url.slice(5);
    if (/^_?http|^internal\/http/.test(mod)) return 'node:http';
    if (/^net$|^internal\/(stream_base|net)/.test(mod)) return 'node:net';
    if (/stream/.test(mod)) return 'node:stream';
    if (/async_hooks|async_context|async_local_storage/.test(mod)) return 'node:async_hooks (ALS)';
    if (/timers|process\/task_queues|next_tick/.test(mod)) return 'node: timers and ticks';
    return 'node: other internals';
  }
  const ours = /\/packages\/([^/]+)\/(?:dist|src)\//.exec(url) ?? /\/@threadline\/([^/]+)\//.exec(url);
  if (ours) return `Threadline ${ours[1]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 14).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (pkg === 'prom-client' || pkg === 'tdigest' || pkg === 'bintrees') return 'prom-client';
    if (FRAMEWORK.has(pkg)) return 'framework';
    if (PINO.has(pkg)) return 'pino';
    if (WINSTON.has(pkg)) return 'winston';
    if (PEER_LOGGERS.has(pkg)) return pkg;
    if (pkg.startsWith('@opentelemetry/')) return 'OpenTelemetry';
    return pkg;
  }
  if (/\/bench\/(dist\/)?http\//.test(url)) return 'bench app (route handler)';
  return 'other';
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + 14);
  const pkg = url.lastIndexOf('/packages/');
  if (pkg !== -1) return url.slice(pkg + 10);
  return url.replace(/^file:\/\/.*\/bench\//, 'bench/');
}

/**
 * Self time per request inside [from, to] (µs on the process's monotonic clock, as V8's profile
 * timestamps are). Idle samples are left out: they are the time the server waited for requests.
 */
export function summarise(profile: CpuProfile, requests: number, from?: number, to?: number): ProfileSummary {
  const frames = new Map<number, CallFrame>();
  for (const n of profile.nodes) frames.set(n.id, n.callFrame);
  const windowed = from !== undefined && to !== undefined && from < profile.endTime && to > profile.startTime;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { category: string; us: number }>();
  let total = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (windowed && (t < from! || t > to!)) continue;
    const frame = frames.get(profile.samples[i]!);
    if (!frame) continue;
    const category = categorise(frame);
    if (category === 'idle') continue;
    total += dt;
    byPackage.set(category, (byPackage.get(category) ?? 0) + dt);
    const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    const entry = byFunction.get(key) ?? { category, us: 0 };
    entry.us += dt;
    byFunction.set(key, entry);
  }
  for (const [k, v] of byPackage) byPackage.set(k, v / requests);
  for (const v of byFunction.values()) v.us /= requests;
  return { byPackage, byFunction, totalUs: total / requests, windowed };
}

/** Reads a `.cpuprofile` file and summarises it. */
export function summariseFile(path: string, requests: number, from?: number, to?: number): ProfileSummary {
  return summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, requests, from, to);
}

/** A Markdown table of one variant's packages against bare's: µs per request and the difference. */
export function comparePackages(bare: ProfileSummary, variant: ProfileSummary): string[] {
  const names = new Set([...bare.byPackage.keys(), ...variant.byPackage.keys()]);
  const rows = [...names]
    .map((name) => {
      const b = bare.byPackage.get(name) ?? 0;
      const v = variant.byPackage.get(name) ?? 0;
      return { name, b, v, d: v - b };
    })
    .sort((x, y) => y.d - x.d);
  const lines = ['| package | bare µs/req | variant µs/req | difference |', '|---|---:|---:|---:|'];
  for (const r of rows) {
    if (Math.abs(r.d) < 0.05 && r.v < 0.5) continue;
    lines.push(
      `| ${r.name} | ${r.b.toFixed(2)} | ${r.v.toFixed(2)} | ${r.d >= 0 ? '+' : ''}${r.d.toFixed(2)} |`,
    );
  }
  const d = variant.totalUs - bare.totalUs;
  lines.push(
    `| **total (sampled, idle excluded)** | ${bare.totalUs.toFixed(2)} | ${variant.totalUs.toFixed(2)} | ${d >= 0 ? '+' : ''}${d.toFixed(2)} |`,
  );
  return lines;
}

/** The functions of a profile with the most self time per request, outside the bare app's share. */
export function topFunctions(bare: ProfileSummary, variant: ProfileSummary, n: number): string[] {
  const rows = [...variant.byFunction.entries()]
    .map(([key, v]) => ({
      key,
      category: v.category,
      us: v.us,
      d: v.us - (bare.byFunction.get(key)?.us ?? 0),
    }))
    .sort((x, y) => y.d - x.d)
    .slice(0, n);
  const lines = ['| function | package | µs/req | vs bare |', '|---|---|---:|---:|'];
  for (const r of rows) {
    lines.push(
      `| \`${r.key.replaceAll('|', '\\|')}\` | ${r.category} | ${r.us.toFixed(2)} | +${r.d.toFixed(2)} |`,
    );
  }
  return lines;
}

if (process.argv[1]?.endsWith('profile.js') && process.argv[2]) {
  const s = summariseFile(process.argv[2], Number(process.argv[3] ?? 1));
  const sorted = [...s.byPackage.entries()].sort((a, b) => b[1] - a[1]);
  for (const [name, us] of sorted) console.log(`${us.toFixed(2).padStart(9)}  ${name}`);
  console.log('---');
  const fns = [...s.byFunction.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, 40);
  for (const [name, v] of fns) console.log(`${v.us.toFixed(2).padStart(9)}  ${name}  [${v.category}]`);
}
