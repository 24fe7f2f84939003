import { reportError } from '@threadline/core';
import cliProgress from 'cli-progress';
import type { ProgressMode } from './types.js';

const COMPONENT = 'training.progress';

/** Formats metrics for a human: `loss=0.4123 acc=0.83`. */
export function formatMetrics(metrics: Readonly<Record<string, number | null>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(metrics)) {
    parts.push(`${name}=${value === null ? 'NaN' : Number(value.toPrecision(4))}`);
  }
  return parts.join(' ');
}

interface ProgressSetup {
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WritableStream;
  readonly totalEpochs?: number;
  readonly stepsPerEpoch?: number;
}

/** Most plain (non-TTY) progress lines a run writes, besides its last epoch's. */
export const MAX_PROGRESS_LINES = 10;

/**
 * Whether the plain line of the `done`-th epoch (counted from 1) is written. With a known total,
 * every ceil(total / 10)-th epoch and the total-th: at most 10 lines. Without one, epochs 1, 2, 4,
 * 8, ...: 10 lines up to epoch 512, one more each time the count doubles. Either way the last epoch
 * of the run is written when the run ends, so the final metrics are always on screen.
 */
export function progressLineDue(done: number, totalEpochs: number | undefined): boolean {
  if (done < 1) return false;
  if (totalEpochs) {
    const every = Math.ceil(totalEpochs / MAX_PROGRESS_LINES);
    return done % every === 0 || done === totalEpochs;
  }
  return Number.isInteger(Math.log2(done));
}

/**
 * Shows training progress: on a TTY a bar per epoch over its steps (or one bar over the epochs
 * when steps per epoch are unknown) with live metrics; elsewhere a few plain lines per run (see
 * `progressLineDue`). Epochs are counted from 1 to N on screen, whatever indexes the loop uses.
 * Display failures are reported to diagnostics and never reach the training loop.
 */
export class Progress {
  private readonly kind: 'bar-steps' | 'bar-epochs' | 'lines' | 'off';
  private bar: cliProgress.SingleBar | undefined;
  /** Epochs ended so far. */
  private done = 0;
  /** The plain line of the latest epoch, while not written. */
  private pending: string | undefined;
  private written = 0;

  constructor(private readonly setup: ProgressSetup) {
    const tty = (setup.stream as { isTTY?: boolean }).isTTY === true;
    const wantBar = setup.mode === 'bar' || (setup.mode === 'auto' && tty);
    if (setup.mode === false) this.kind = 'off';
    else if (wantBar && setup.stepsPerEpoch) this.kind = 'bar-steps';
    else if (wantBar && setup.totalEpochs) this.kind = 'bar-epochs';
    else this.kind = 'lines';
  }

  private newBar(): cliProgress.SingleBar {
    return new cliProgress.SingleBar(
      {
        stream: this.setup.stream,
        format:
          this.kind === 'bar-steps'
            ? 'epoch {epoch}{of} [{bar}] {value}/{total} steps | {metrics}'
            : 'epochs [{bar}] {value}/{total} | {metrics}',
        hideCursor: false,
        clearOnComplete: false,
        noTTYOutput: this.setup.mode === 'bar',
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }

  private of(): string {
    return this.setup.totalEpochs ? `/${this.setup.totalEpochs}` : '';
  }

  /** An epoch begins (its index is the loop's; the display counts epochs from 1). */
  epochStart(_index: number): void {
    this.guard(() => {
      if (this.kind === 'bar-steps') {
        this.bar?.stop();
        this.bar = this.newBar();
        this.bar.start(this.setup.stepsPerEpoch!, 0, { epoch: this.done + 1, of: this.of(), metrics: '' });
      } else if (this.kind === 'bar-epochs' && !this.bar) {
        this.bar = this.newBar();
        this.bar.start(this.setup.totalEpochs!, 0, { metrics: '' });
      }
    });
  }

  /** A step ended with these metrics. */
  step(metrics: Readonly<Record<string, number | null>>): void {
    if (this.kind !== 'bar-steps' || !this.bar) return;
    this.guard(() => this.bar?.increment(1, { metrics: formatMetrics(metrics) }));
  }

  /**
   * An epoch ended with these metrics. `fresh` is false for more metrics of the epoch just ended
   * (validation logged after training), which is not one more epoch.
   */
  epochEnd(metrics: Readonly<Record<string, number | null>>, durationMs: number | null, fresh = true): void {
    if (fresh) this.done++;
    this.guard(() => {
      const text = formatMetrics(metrics);
      if (this.kind === 'bar-steps' && this.bar) {
        this.bar.update(this.setup.stepsPerEpoch!, { metrics: text });
        this.bar.stop();
        this.bar = undefined;
      } else if (this.kind === 'bar-epochs' && this.bar) {
        if (fresh) this.bar.increment(1, { metrics: text });
        else this.bar.update({ metrics: text });
      } else if (this.kind === 'lines') {
        this.plainLine(text, durationMs, fresh);
      }
    });
  }

  private plainLine(text: string, durationMs: number | null, fresh: boolean): void {
    const n = Math.max(this.done, 1);
    // More metrics of an epoch already on screen are in the summary and the log, not repeated here.
    if (!fresh && this.written === n) return;
    const took = durationMs === null ? '' : ` (${Math.round(durationMs)} ms)`;
    const line = `epoch ${n}${this.of()} ${text}${took}\n`;
    if (fresh && progressLineDue(n, this.setup.totalEpochs)) {
      this.pending = undefined;
      this.written = n;
      this.setup.stream.write(line);
    } else {
      this.pending = line;
    }
  }

  /** The run ended: write the last epoch's line if it is not on screen, leave the last bar there. */
  stop(): void {
    this.guard(() => {
      this.bar?.stop();
      this.bar = undefined;
      if (this.pending !== undefined) {
        this.written = Math.max(this.done, 1);
        this.setup.stream.write(this.pending);
        this.pending = undefined;
      }
    });
  }
}
