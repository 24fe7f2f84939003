import { codes, warnOnce } from '@threadline/core';

/**
 * Where an index stands against the highest seen so far. `continued`: the highest index again with
 * metrics not yet recorded there (validation metrics logged after the training ones), merged
 * without a flag.
 */
export type Order = 'in_order' | 'continued' | 'out_of_order' | 'duplicate';

/**
 * The index rule of one kind (steps or epochs): nothing is dropped, an index below the highest is
 * out of order, the highest again with a metric already recorded there is a duplicate, a missing
 * index means highest + 1.
 */
export class IndexTracker {
  /** The highest index seen, or null before the first. */
  highest: number | null = null;
  outOfOrder = 0;
  duplicates = 0;

  constructor(
    private readonly kind: 'step' | 'epoch',
    private readonly runId: string,
  ) {}

  /** The index after the highest (0 for the first). */
  next(): number {
    return this.highest === null ? 0 : this.highest + 1;
  }

  /** The index to use: the given one if it is a non-negative integer, else the next (warned once). */
  take(given: number | undefined): number {
    if (given === undefined) return this.next();
    if (Number.isInteger(given) && given >= 0) return given;
    warnOnce(`bad-index:${this.runId}:${this.kind}`, {
      code: codes.TRAINING_BAD_INDEX,
      component: 'training',
      message: `run ${this.runId}: ${this.kind} index ${String(given)} is not a non-negative integer; using the next index`,
    });
    return this.next();
  }

  /**
   * Classifies an index and moves the highest. `repeats` says whether a metric of this record
   * already has a value at this index.
   */
  place(index: number, repeats: boolean): Order {
    const highest = this.highest;
    let order: Order = 'in_order';
    if (highest !== null && index < highest) {
      order = 'out_of_order';
      this.outOfOrder++;
    } else if (highest !== null && index === highest) {
      order = repeats ? 'duplicate' : 'continued';
      if (repeats) this.duplicates++;
    }
    if (highest === null || index > highest) this.highest = index;
    return order;
  }
}

/** True when the record is flagged in its line and counted in `training_out_of_order_steps_total`. */
export function flagged(order: Order): order is 'out_of_order' | 'duplicate' {
  return order === 'out_of_order' || order === 'duplicate';
}
