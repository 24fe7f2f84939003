import type { LogLevel, LogSink } from '@threadline/core';
import type { Registry, RegistryContentType } from 'prom-client';

/** Parses Prometheus text into `name{a="x",b="y"}` (labels sorted) -> value. */
export async function scrape(registry: Registry<RegistryContentType>): Promise<Map<string, number>> {
  const text = await registry.metrics();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

/** The value of one series; labels in any order. Undefined when absent. */
export function value(
  metrics: Map<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const key = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  return metrics.get(`${name}{${key}}`);
}

/** Sums every series of `name` whose labels include `labels`. */
export function sum(metrics: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const [key, v] of metrics) {
    const brace = key.indexOf('{');
    if (key.slice(0, brace) !== name) continue;
    const have = key.slice(brace + 1, -1).split(',');
    if (wanted.every((w) => have.includes(w))) total += v;
  }
  return total;
}

export interface Line {
  level: LogLevel;
  fields: Record<string, unknown>;
  message: string;
}

/** A sink keeping every line, for assertions. */
export function memorySink(): LogSink & { lines: Line[]; events(name: string): Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    log(level, fields, message) {
      lines.push({ level, fields, message });
    },
    events(name: string) {
      return lines.filter((l) => l.fields.event === name);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
