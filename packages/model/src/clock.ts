// performance.now() is monotonic like hrtime and, unlike hrtime() or hrtime.bigint(), allocates
// nothing per read; it is the cheapest clock Node has, and still a few tens of ns, so a call reads
// it as few times as it can and derives the wall-clock time from the same reading.
const mono = performance;

let offset = Date.now() - mono.now();
let resyncAt = Number.NEGATIVE_INFINITY;

/** Milliseconds on the monotonic clock (performance.now()). */
export function monoNow(): number {
  return mono.now();
}

/**
 * Wall-clock ms since the epoch for a monotonic reading `t` (from `monoNow()`). The offset between
 * the two clocks is read again at most once per monotonic millisecond, so at any call rate a step
 * of the system clock is followed within a millisecond, and at high rates a call reads Date.now()
 * about once per millisecond instead of once per call.
 */
export function wallMs(t: number): number {
  if (t >= resyncAt) {
    offset = Date.now() - t;
    resyncAt = t + 1;
  }
  return t + offset;
}
