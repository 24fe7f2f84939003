import { onShutdown } from '@threadline/core';
import { type PrometheusContentType, Pushgateway, type Registry } from 'prom-client';
import type { PushgatewayOptions } from './types.js';

/**
 * Pushes one registry to a Pushgateway with POST (only the pushed metric names are replaced, so
 * `training_last_success_timestamp_seconds` from an earlier good run survives a failed one).
 * Pushes never overlap: a push asked for while one is in flight runs once after it, however many
 * were asked for. Failures go to `onFailure`; a push never rejects.
 */
export class Pusher {
  private readonly gateway: Pushgateway<PrometheusContentType>;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly options: PushgatewayOptions & { jobName: string },
    registry: Registry,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.gateway = new Pushgateway(options.url, { timeout: options.timeoutMs ?? 5000 }, registry);
  }

  /** Pushes now (or after the push in flight). Resolves when the registry's state is pushed or failed. */
  push(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // While a push is in flight, core's shutdown() waits for it and pushes the final state once more.
    const unregister = onShutdown({ name: 'training.pushgateway', phase: 'final', run: () => this.push() });
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.gateway.pushAdd({
            jobName: this.options.jobName,
            ...(this.options.groupings ? { groupings: { ...this.options.groupings } } : {}),
          });
        } catch (error) {
          try {
            this.onFailure(error);
          } catch {
            // Reporting must not break the run.
          }
        }
      } while (this.again);
      this.running = undefined;
      unregister();
    })();
    return this.running;
  }
}
