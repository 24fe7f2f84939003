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

/**
 * Shows training progress: on a TTY a bar per epoch over its steps (or one bar over the epochs
 * when steps per epoch are unknown) with live metrics; elsewhere one plain line per epoch.
 * Display failures are reported to diagnostics and never reach the training loop.
 */
export class Progress {
  private readonly kind: 'bar-steps' | 'bar-epochs' | 'lines' | 'off';
  private bar: cliProgress.SingleBar | undefined;
  private epoch = 0;

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

  /** An epoch begins. */
  epochStart(epoch: number): void {
    this.epoch = epoch;
    this.guard(() => {
      const of = this.setup.totalEpochs ? `/${this.setup.totalEpochs}` : '';
      if (this.kind === 'bar-steps') {
        this.bar?.stop();
        this.bar = this.newBar();
        this.bar.start(this.setup.stepsPerEpoch!, 0, { epoch, of, metrics: '' });
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

  /** An epoch ended with these metrics. */
  epochEnd(epoch: number, metrics: Readonly<Record<string, number | null>>, durationMs: number | null): void {
    this.guard(() => {
      const text = formatMetrics(metrics);
      if (this.kind === 'bar-steps' && this.bar) {
        this.bar.update(this.setup.stepsPerEpoch!, { metrics: text });
        this.bar.stop();
        this.bar = undefined;
      } else if (this.kind === 'bar-epochs' && this.bar) {
        this.bar.increment(1, { metrics: `epoch ${epoch} ${text}` });
      } else if (this.kind === 'lines') {
        const of = this.setup.totalEpochs ? `/${this.setup.totalEpochs}` : '';
        const took = durationMs === null ? '' : ` (${Math.round(durationMs)} ms)`;
        this.setup.stream.write(`epoch ${epoch ?? this.epoch}${of} ${text}${took}\n`);
      }
    });
  }

  /** The run ended: leave the last bar on screen and release the stream. */
  stop(): void {
    this.guard(() => {
      this.bar?.stop();
      this.bar = undefined;
    });
  }
}
