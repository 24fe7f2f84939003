import type { FeatureHistogram, InvalidReason } from './fleet.js';
import { type Accumulator, accumulatorFor, type FeatureSpec } from './window.js';

/** Rows observe() collects before feeding them to the numeric accumulators in one loop. */
const BUFFER_ROWS = 256;

/** The shape of a monitor's window, as its options resolved it. */
export interface WindowShape {
  readonly type: 'tumbling' | 'sliding';
  /** True for a window of `durationMs`, false for one of `rows`. */
  readonly byTime: boolean;
  /** 1 for a tumbling window. */
  readonly sliceCount: number;
  /** Rows, or milliseconds, of one slice. */
  readonly sliceSize: number;
}

/** A window ready to be evaluated: its accumulators (owned by the receiver now), rows and times. */
export interface ClosedWindow {
  readonly accs: Accumulator[];
  readonly rows: number;
  readonly start: number;
  readonly end: number;
}

interface Slice {
  readonly accs: Accumulator[];
  rows: number;
  start: number;
}

/** Invalid values by reason. */
export type InvalidCounts = Record<InvalidReason, number>;

/** All-zero invalid counts. */
export function invalidCounts(): InvalidCounts {
  return { missing: 0, nan: 0, infinite: 0, invalid: 0, unseen: 0 };
}

/** The invalid values one accumulator has seen. */
export function invalidOf(acc: Accumulator): InvalidCounts {
  return {
    missing: acc.missing,
    nan: acc.nan,
    infinite: acc.infinite,
    invalid: acc.invalid,
    unseen: acc.kind === 'categorical' ? acc.unseenTotal : 0,
  };
}

/** Adds `from` into `into`. */
export function addInvalid(into: InvalidCounts, from: InvalidCounts): void {
  for (const k of Object.keys(into) as InvalidReason[]) into[k] += from[k];
}

interface Totals {
  readonly counts: Float64Array;
  sum: number;
  count: number;
  readonly invalid: InvalidCounts;
}

/**
 * A count- or time-based window of accumulators, tumbling or sliding by slices, whose memory is
 * fixed by the specs (cells and bins per feature), never by the rows. Each completed window (each
 * slice, when sliding) goes to `onClose`. Also keeps the fleet totals: every closed slice's
 * buckets and invalid values, to which the open slice is added when read.
 */
export class SlicedWindow {
  private readonly buffers: (Float64Array | undefined)[];
  private buffered = 0;
  private readonly slices: Slice[];
  private current = 0;
  private readonly totals: Totals[];

  constructor(
    private readonly specs: readonly FeatureSpec[],
    private readonly shape: WindowShape,
    private readonly now: () => number,
    private readonly onClose: (window: ClosedWindow) => void,
  ) {
    this.buffers = specs.map((s) => (s.kind === 'numeric' ? new Float64Array(BUFFER_ROWS) : undefined));
    this.slices = Array.from({ length: shape.sliceCount }, () => ({
      accs: this.fresh(),
      rows: 0,
      start: now(),
    }));
    this.totals = specs.map((s) => ({
      counts: new Float64Array(s.kind === 'numeric' ? s.bounds.length + 1 : 0),
      sum: 0,
      count: 0,
      invalid: invalidCounts(),
    }));
  }

  /** Closes every slice whose time is over at `t` (at most a whole window's worth after a long pause). */
  tick(t: number): void {
    const { sliceSize, sliceCount } = this.shape;
    let guard = 0;
    while (t - this.slices[this.current]!.start >= sliceSize && guard++ <= sliceCount)
      this.closeSlice(this.slices[this.current]!.start + sliceSize);
    if (t - this.slices[this.current]!.start >= sliceSize) this.slices[this.current]!.start = t;
  }

  /** Adds one row (feature name → value); a row without a feature is a missing value for it. */
  observe(row: Readonly<Record<string, unknown>>): void {
    const { byTime, sliceSize } = this.shape;
    if (byTime) this.tick(this.now());
    const slice = this.slices[this.current]!;
    const accs = slice.accs;
    const at = this.buffered;
    for (let i = 0; i < this.specs.length; i++) {
      const v = row[this.specs[i]!.name];
      const buffer = this.buffers[i];
      if (buffer === undefined) accs[i]!.add(v);
      else if (typeof v === 'number' && v - v === 0) buffer[at] = v;
      else {
        buffer[at] = Number.NaN;
        accs[i]!.add(v);
      }
    }
    this.buffered = at + 1;
    slice.rows++;
    if (this.buffered === BUFFER_ROWS) this.drain();
    if (!byTime && slice.rows >= sliceSize) this.closeSlice(this.now());
  }

  /** Adds rows given as columns; rows past the end of a shorter column (or none) are missing. */
  observeColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>): void {
    const { byTime, sliceSize } = this.shape;
    this.drain();
    const cols = this.specs.map((s) => columns[s.name]);
    let rows = 0;
    for (const c of cols) if (c && typeof c.length === 'number') rows = Math.max(rows, c.length);
    let offset = 0;
    while (offset < rows) {
      if (byTime) this.tick(this.now());
      const slice = this.slices[this.current]!;
      const take = byTime ? rows - offset : Math.min(rows - offset, sliceSize - slice.rows);
      for (let i = 0; i < cols.length; i++) {
        const col = cols[i];
        const acc = slice.accs[i]!;
        const have = col && typeof col.length === 'number' ? Math.min(col.length, offset + take) : offset;
        if (have > offset) acc.addMany(col!, offset, have);
        acc.missing += offset + take - Math.max(have, offset);
      }
      slice.rows += take;
      offset += take;
      if (!byTime && slice.rows >= sliceSize) this.closeSlice(this.now());
    }
  }

  /** The window as it stands, for an evaluation now (the accumulators must not be changed). */
  snapshot(): { accs: Accumulator[]; rows: number; start: number } {
    this.drain();
    const accs = this.shape.type === 'tumbling' ? this.slices[this.current]!.accs : this.mergeAll();
    const rows = this.slices.reduce((n, s) => n + s.rows, 0);
    const start = Math.min(...this.slices.map((s) => s.start));
    return { accs, rows, start };
  }

  /** The fleet histograms: closed slices' totals plus the open slice, per numeric feature. */
  *histograms(): Generator<FeatureHistogram> {
    this.drain();
    const open = this.slices[this.current]!.accs;
    for (let i = 0; i < this.specs.length; i++) {
      const spec = this.specs[i]!;
      const acc = open[i]!;
      if (spec.kind !== 'numeric' || acc.kind !== 'numeric') continue;
      const t = this.totals[i]!;
      yield {
        feature: spec.name,
        bounds: spec.bounds,
        counts: t.counts.map((c, j) => c + acc.buckets[j]!),
        sum: t.sum + acc.moments.mean * acc.moments.n,
        count: t.count + acc.moments.n,
      };
    }
  }

  /** The fleet invalid-value counts: closed slices' totals plus the open slice, per feature. */
  *invalid(): Generator<{ feature: string; counts: InvalidCounts }> {
    this.drain();
    const open = this.slices[this.current]!.accs;
    for (let i = 0; i < this.specs.length; i++) {
      const counts = invalidCounts();
      addInvalid(counts, this.totals[i]!.invalid);
      addInvalid(counts, invalidOf(open[i]!));
      yield { feature: this.specs[i]!.name, counts };
    }
  }

  private fresh(): Accumulator[] {
    return this.specs.map(accumulatorFor);
  }

  // Rows from observe() reach the numeric accumulators in blocks, through the columnar loop; the
  // block is drained before anything reads or closes the slice.
  private drain(): void {
    if (this.buffered === 0) return;
    const accs = this.slices[this.current]!.accs;
    for (let i = 0; i < this.buffers.length; i++) {
      const buffer = this.buffers[i];
      if (buffer !== undefined) accs[i]!.addMany(buffer, 0, this.buffered, true);
    }
    this.buffered = 0;
  }

  private closeSlice(nextStart: number): void {
    this.drain();
    const { type, byTime, sliceCount } = this.shape;
    const slices = this.slices;
    const slice = slices[this.current]!;
    this.addToTotals(slice);
    const accs = type === 'tumbling' ? slice.accs : this.mergeAll();
    const rows = type === 'tumbling' ? slice.rows : slices.reduce((n, s) => n + s.rows, 0);
    const start =
      type === 'tumbling' ? slice.start : Math.min(...slices.filter((s) => s.rows > 0).map((s) => s.start));
    const end = byTime ? nextStart : this.now();
    if (type === 'tumbling') slices[this.current] = { accs: this.fresh(), rows: 0, start: nextStart };
    else {
      this.current = (this.current + 1) % sliceCount;
      const next = slices[this.current]!;
      for (const acc of next.accs) acc.reset();
      next.rows = 0;
      next.start = nextStart;
    }
    this.onClose({ accs, rows, start, end });
  }

  // Counters and fleet totals take a slice once, when it is complete.
  private addToTotals(slice: Slice): void {
    for (let i = 0; i < this.specs.length; i++) {
      const acc = slice.accs[i]!;
      const t = this.totals[i]!;
      addInvalid(t.invalid, invalidOf(acc));
      if (acc.kind === 'numeric') {
        for (let j = 0; j < t.counts.length; j++) t.counts[j]! += acc.buckets[j]!;
        t.sum += acc.moments.mean * acc.moments.n;
        t.count += acc.moments.n;
      }
    }
  }

  private mergeAll(): Accumulator[] {
    const merged = this.fresh();
    for (const s of this.slices) {
      for (let i = 0; i < merged.length; i++)
        (merged[i] as { merge(o: Accumulator): void }).merge(s.accs[i]!);
    }
    return merged;
  }
}
