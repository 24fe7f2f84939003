/** The quality spec of one declared model: how its predictions and outcomes are compared. */
export interface QualitySpec {
  readonly task: 'classification' | 'regression';
  /** Declared classes; index `classes.length` is `__other__`. */
  readonly classes: readonly string[];
  readonly classIndex: ReadonlyMap<string, number>;
  /** Index of the positive class for binary metrics, or -1. */
  readonly positive: number;
  /** Buckets over [0, 1] for ROC AUC. */
  readonly aucBuckets: number;
}

/** Counts of one version within one slice of the window. */
export class VersionStats {
  tracked = 0;
  joined = 0;
  /** Classification: actual x predicted, (k+1) x (k+1) with `__other__` last. */
  readonly confusion: Float64Array;
  /** Binary scores of joined outcomes, by bucket, split by the actual class. */
  readonly positives: Float64Array;
  readonly negatives: Float64Array;
  /** Regression sums. */
  absError = 0;
  squaredError = 0;

  constructor(readonly spec: QualitySpec) {
    const k = spec.classes.length + 1;
    this.confusion = new Float64Array(spec.task === 'classification' ? k * k : 0);
    const b = spec.positive >= 0 ? spec.aucBuckets : 0;
    this.positives = new Float64Array(b);
    this.negatives = new Float64Array(b);
  }

  /** Adds another slice's counts to this one. */
  add(other: VersionStats): void {
    this.tracked += other.tracked;
    this.joined += other.joined;
    for (let i = 0; i < this.confusion.length; i++) this.confusion[i]! += other.confusion[i]!;
    for (let i = 0; i < this.positives.length; i++) {
      this.positives[i]! += other.positives[i]!;
      this.negatives[i]! += other.negatives[i]!;
    }
    this.absError += other.absError;
    this.squaredError += other.squaredError;
  }
}

interface Slice {
  epoch: number;
  readonly stats: Map<object, VersionStats>;
}

/**
 * A sliding window cut into `slices` equal slices: counts go to the slice of "now", a read sums
 * the slices younger than the window. Memory is slices x versions x (classes^2 + AUC buckets)
 * numbers, fixed by configuration.
 */
export class SlidingWindow {
  private readonly ring: Slice[];
  private readonly sliceMs: number;

  constructor(
    windowMs: number,
    private readonly slices: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sliceMs = windowMs / slices;
    this.ring = Array.from({ length: slices }, () => ({ epoch: -1, stats: new Map() }));
  }

  /** The stats of `key` in the current slice (created on first use). */
  current(key: object, spec: QualitySpec): VersionStats {
    const epoch = Math.floor(this.now() / this.sliceMs);
    const slice = this.ring[epoch % this.slices]!;
    if (slice.epoch !== epoch) {
      slice.epoch = epoch;
      slice.stats.clear();
    }
    let stats = slice.stats.get(key);
    if (!stats) {
      stats = new VersionStats(spec);
      slice.stats.set(key, stats);
    }
    return stats;
  }

  /** Every key's counts summed over the live slices. */
  totals(): Map<object, VersionStats> {
    const epoch = Math.floor(this.now() / this.sliceMs);
    const out = new Map<object, VersionStats>();
    for (const slice of this.ring) {
      if (slice.epoch < 0 || slice.epoch <= epoch - this.slices) continue;
      for (const [key, stats] of slice.stats) {
        let sum = out.get(key);
        if (!sum) {
          sum = new VersionStats(stats.spec);
          out.set(key, sum);
        }
        sum.add(stats);
      }
    }
    return out;
  }

  /** Forgets one key (a retired model). */
  forget(key: object): void {
    for (const slice of this.ring) slice.stats.delete(key);
  }
}

/** Quality figures of one version, from its summed window stats. Undefined where not computable. */
export interface QualityFigures {
  samples: number;
  joinRatio?: number;
  accuracy?: number;
  /** Per class (by class name), and `macro`. */
  precision: Map<string, number>;
  recall: Map<string, number>;
  f1: Map<string, number>;
  macro?: { precision: number; recall: number; f1: number };
  rocAuc?: number;
  mae?: number;
  mse?: number;
}

/**
 * Computes the figures. Per-class precision or recall with an empty denominator is left out;
 * macro averages follow scikit-learn's `zero_division=0`: over every declared class seen in the
 * window (as actual or predicted), an undefined per-class value counts as 0.
 */
export function figures(stats: VersionStats): QualityFigures {
  const spec = stats.spec;
  const out: QualityFigures = {
    samples: stats.joined,
    precision: new Map(),
    recall: new Map(),
    f1: new Map(),
  };
  if (stats.tracked > 0) out.joinRatio = Math.min(1, stats.joined / stats.tracked);
  if (stats.joined === 0) return out;
  if (spec.task === 'regression') {
    out.mae = stats.absError / stats.joined;
    out.mse = stats.squaredError / stats.joined;
    return out;
  }
  const k = spec.classes.length + 1;
  const c = stats.confusion;
  let n = 0;
  let right = 0;
  for (let a = 0; a < k; a++) {
    for (let p = 0; p < k; p++) {
      n += c[a * k + p]!;
      if (a === p) right += c[a * k + p]!;
    }
  }
  if (n > 0) out.accuracy = right / n;
  let seen = 0;
  let sumP = 0;
  let sumR = 0;
  let sumF = 0;
  for (let i = 0; i < k - 1; i++) {
    const tp = c[i * k + i]!;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += c[j * k + i]!;
      actual += c[i * k + j]!;
    }
    if (predicted === 0 && actual === 0) continue;
    seen++;
    const name = spec.classes[i]!;
    const precision = predicted > 0 ? tp / predicted : undefined;
    const recall = actual > 0 ? tp / actual : undefined;
    if (precision !== undefined) out.precision.set(name, precision);
    if (recall !== undefined) out.recall.set(name, recall);
    const p = precision ?? 0;
    const r = recall ?? 0;
    const f = p + r > 0 ? (2 * p * r) / (p + r) : 0;
    if (precision !== undefined && recall !== undefined) out.f1.set(name, f);
    sumP += p;
    sumR += r;
    sumF += f;
  }
  if (seen > 0) out.macro = { precision: sumP / seen, recall: sumR / seen, f1: sumF / seen };
  if (spec.positive >= 0) {
    let pos = 0;
    let neg = 0;
    let area = 0;
    for (let b = 0; b < stats.positives.length; b++) {
      // Positives in this bucket outrank every negative below it and tie with those in it.
      area += stats.positives[b]! * (neg + stats.negatives[b]! / 2);
      pos += stats.positives[b]!;
      neg += stats.negatives[b]!;
    }
    if (pos > 0 && neg > 0) out.rocAuc = area / (pos * neg);
  }
  return out;
}
