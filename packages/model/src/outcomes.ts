import { newSpanId } from '@threadline/core';
import type { DeclaredModel, OutcomeResult } from './types.js';
import { type QualitySpec, SlidingWindow } from './window.js';

/** A prediction waiting for its outcome. */
interface Pending {
  readonly t: number;
  readonly model: DeclaredModel;
  readonly spec: QualitySpec;
  /** Predicted class index, or -1 (regression). */
  readonly predicted: number;
  /** Positive-class score, or NaN. */
  readonly score: number;
  /** Predicted regression value, or NaN. */
  readonly value: number;
  joined: boolean;
}

/** What one `record` call did. */
export interface RecordResult {
  readonly result: OutcomeResult;
  readonly model?: DeclaredModel;
  /** ms from prediction to outcome, for joined outcomes. */
  readonly delayMs?: number;
  /** Why an outcome was invalid. */
  readonly reason?: string;
}

// Per-process random part, made once: IDs are unique within the process (a sequence) and unlikely
// to collide across processes. Formatting the time in base 36 costs about a microsecond, so the
// text is kept for the millisecond it stands for.
const PROCESS_TAG = newSpanId().slice(0, 8);
let sequence = 0;
let lastMs = -1;
let lastMsText = '';

/**
 * A new prediction ID: the creation time in ms, base 36, a dash, a per-process tag and a sequence
 * number. The time lets an outcome for an ID no longer held be told apart: `late` (older than the
 * TTL), `evicted` (pushed out by capacity) or `unknown` (never made here).
 */
export function newPredictionId(now = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    lastMsText = now.toString(36);
  }
  sequence = sequence >= Number.MAX_SAFE_INTEGER ? 0 : sequence + 1;
  return `${lastMsText}-${PROCESS_TAG}${sequence}`;
}

const ID_SHAPE = /^[0-9a-z]{1,11}-[0-9a-f]{8}[0-9]+$/;

/**
 * The creation time of an ID this process made, else undefined: an ID of another shape, or one
 * carrying another process's tag, was never made here and must read as `unknown`, not `late`.
 */
function idTime(id: string): number | undefined {
  if (id.length > 40 || !ID_SHAPE.test(id)) return undefined;
  const dash = id.indexOf('-');
  if (id.slice(dash + 1, dash + 9) !== PROCESS_TAG) return undefined;
  const t = Number.parseInt(id.slice(0, dash), 36);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Predictions waiting for delayed ground truth, bounded twice: at most `maxEntries` (the oldest is
 * evicted first) and each for at most `ttlMs`. A ring of IDs in arrival order sits beside the Map:
 * the oldest entry is always at the ring's head, so eviction and expiry are O(1) per prediction
 * (walking a Map from its start would step over every deleted slot). Joined entries stay until
 * they expire, so a second outcome for the same ID is recognised as a duplicate.
 */
export class OutcomeStore {
  private readonly entries = new Map<string, Pending>();
  private readonly ringIds: (string | undefined)[];
  private readonly ringTimes: Float64Array;
  private head = 0;
  private count = 0;
  readonly window: SlidingWindow;
  /** Predictions dropped for capacity since the last read (see `takeEvictions`). */
  private evictions = 0;
  /** Time of the newest entry ever evicted for capacity: IDs older than it may have been evicted. */
  private evictedUpTo = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    windowMs: number,
    slices: number,
    /** Score buckets for ROC AUC. */
    readonly aucBuckets: number,
    private readonly now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(windowMs, slices, now);
    this.ringIds = new Array<string | undefined>(maxEntries);
    this.ringTimes = new Float64Array(maxEntries);
  }

  /** Removes the oldest ring slot and its entry (if still held). Returns the entry. */
  private pop(): Pending | undefined {
    const id = this.ringIds[this.head]!;
    this.ringIds[this.head] = undefined;
    this.head = this.head + 1 === this.maxEntries ? 0 : this.head + 1;
    this.count--;
    const entry = this.entries.get(id);
    if (entry) this.entries.delete(id);
    return entry;
  }

  /** Predictions held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Holds a prediction for its outcome. */
  track(
    id: string,
    model: DeclaredModel,
    spec: QualitySpec,
    predicted: number,
    score: number,
    value: number,
  ): void {
    const now = this.now();
    this.expire(now, 2);
    if (this.count === this.maxEntries) {
      const entry = this.pop();
      if (entry && !entry.joined) {
        this.evictions++;
        this.evictedUpTo = Math.max(this.evictedUpTo, entry.t);
      }
    }
    const slot = this.head + this.count;
    const at = slot >= this.maxEntries ? slot - this.maxEntries : slot;
    this.ringIds[at] = id;
    this.ringTimes[at] = now;
    this.count++;
    this.entries.set(id, { t: now, model, spec, predicted, score, value, joined: false });
    this.window.current(model, spec).tracked++;
  }

  /** Joins an outcome to its prediction. `actual`: a class name, a boolean (binary), or a number. */
  record(id: string, actual: unknown, at = this.now()): RecordResult {
    const now = this.now();
    const entry = this.entries.get(id);
    if (!entry) {
      const t = idTime(id);
      if (t === undefined || t > now + 60_000) return { result: 'unknown' };
      if (t < now - this.ttlMs) return { result: 'late' };
      if (t <= this.evictedUpTo) return { result: 'evicted' };
      return { result: 'unknown' };
    }
    if (entry.t < now - this.ttlMs) {
      this.entries.delete(id);
      return { result: 'late', model: entry.model };
    }
    if (entry.joined) return { result: 'duplicate', model: entry.model };
    const spec = entry.spec;
    const stats = this.window.current(entry.model, spec);
    if (spec.task === 'regression') {
      if (typeof actual !== 'number' || !Number.isFinite(actual)) {
        return {
          result: 'invalid',
          model: entry.model,
          reason: 'a regression outcome must be a finite number',
        };
      }
      if (Number.isNaN(entry.value)) {
        return { result: 'invalid', model: entry.model, reason: 'the prediction had no finite value' };
      }
      const diff = actual - entry.value;
      stats.absError += Math.abs(diff);
      stats.squaredError += diff * diff;
    } else {
      const k = spec.classes.length;
      let a: number;
      if (typeof actual === 'string') a = spec.classIndex.get(actual) ?? k;
      else if (typeof actual === 'boolean' && spec.positive >= 0 && k === 2) {
        a = actual ? spec.positive : 1 - spec.positive;
      } else {
        return {
          result: 'invalid',
          model: entry.model,
          reason: 'a classification outcome must be a class name',
        };
      }
      if (entry.predicted < 0) {
        return { result: 'invalid', model: entry.model, reason: 'the prediction had no class' };
      }
      stats.confusion[a * (k + 1) + entry.predicted]!++;
      if (spec.positive >= 0 && !Number.isNaN(entry.score)) {
        const b = Math.min(spec.aucBuckets - 1, Math.max(0, Math.floor(entry.score * spec.aucBuckets)));
        if (a === spec.positive) stats.positives[b]!++;
        else stats.negatives[b]!++;
      }
    }
    stats.joined++;
    entry.joined = true;
    return { result: 'joined', model: entry.model, delayMs: Math.max(0, at - entry.t) };
  }

  /** Drops expired entries from the head, at most `limit` of them (all when undefined). */
  expire(now = this.now(), limit = Number.POSITIVE_INFINITY): void {
    const cutoff = now - this.ttlMs;
    let n = 0;
    while (this.count > 0 && n < limit && this.ringTimes[this.head]! < cutoff) {
      this.pop();
      n++;
    }
  }

  /** Capacity evictions since the last call. */
  takeEvictions(): number {
    const n = this.evictions;
    this.evictions = 0;
    return n;
  }

  /** Forgets a retired model's entries and window counts. */
  forget(model: DeclaredModel): void {
    for (const [id, entry] of this.entries) if (entry.model === model) this.entries.delete(id);
    this.window.forget(model);
  }
}
