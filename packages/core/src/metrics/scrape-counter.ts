import { type Sample, ScrapeMetric, type ScrapeMetricOptions, ScrapeSeries } from './scrape-metric.js';

/** Options of `createScrapeCounter`. */
export type ScrapeCounterOptions<L extends string> = ScrapeMetricOptions<L>;

/** One label set of a `ScrapeCounter`: a plain number an increment bumps in place. */
export class CounterSeries extends ScrapeSeries {
  value = 0;

  constructor(
    private readonly owner: ScrapeCounter<string>,
    key: string,
    labels: Readonly<Record<string, string>>,
  ) {
    super(key, labels);
  }

  /** Adds `n` (default 1). Negative or non-finite amounts are dropped (prom-client would throw). */
  inc(n = 1): void {
    if (!(n >= 0) || n === Number.POSITIVE_INFINITY) return;
    if (this.count === 0) this.owner.activate(this);
    this.value += n;
    this.count++;
  }

  protected clearValues(): void {
    this.value = 0;
  }
}

/**
 * A counter for a hot path, kept as plain numbers and rendered at scrape time as prom-client's
 * counter renders (`_total` in both formats, series in order of first increment, summed across
 * cluster workers).
 */
export class ScrapeCounter<L extends string = string> extends ScrapeMetric<CounterSeries, L> {
  readonly type = 'counter';

  constructor(options: ScrapeCounterOptions<L>) {
    super(options, 'counter');
  }

  protected makeSeries(key: string, labels: Readonly<Record<string, string>>): CounterSeries {
    return new CounterSeries(this as ScrapeCounter<string>, key, labels);
  }

  protected render(s: CounterSeries, out: Sample[]): void {
    out.push({ labels: { ...s.labels }, value: s.value });
  }
}

/** Creates a scrape-time counter and registers it (default: prom-client's global registry). */
export function createScrapeCounter<L extends string = never>(
  options: ScrapeCounterOptions<L>,
): ScrapeCounter<L> {
  return new ScrapeCounter(options).register(options.registry);
}
