/** Limits of the failed-attempt throttle, per client and for the whole endpoint. */
export interface ThrottleLimits {
  /** Failed attempts one client may make per window before it is refused (default 5). */
  readonly perClient: number;
  /** Failed attempts all clients together may make per window before every attempt is refused (default 30). */
  readonly overall: number;
  /** The window, in ms (default 60 000). */
  readonly windowMs: number;
  /** Clients remembered at most; the oldest is forgotten first, the overall limit still holds (default 1000). */
  readonly maxClients: number;
}

interface Window {
  start: number;
  failures: number;
}

/**
 * Counts failed attempts in fixed windows, per client and overall, in bounded memory. A client over
 * its limit, or everyone once the overall limit is reached, is refused until its window ends:
 * guessing a secret then takes years instead of hours.
 */
export class FailureThrottle {
  private readonly clients = new Map<string, Window>();
  private readonly all: Window = { start: 0, failures: 0 };

  constructor(private readonly limits: ThrottleLimits) {}

  /** Milliseconds until `client` may try again; 0 when it may try now. */
  retryAfterMs(client: string, now = Date.now()): number {
    const { perClient, overall, windowMs } = this.limits;
    if (now - this.all.start >= windowMs) {
      this.all.start = now;
      this.all.failures = 0;
    }
    if (this.all.failures >= overall) return this.all.start + windowMs - now;
    const own = this.clients.get(client);
    if (!own) return 0;
    if (now - own.start >= windowMs) {
      this.clients.delete(client);
      return 0;
    }
    return own.failures >= perClient ? own.start + windowMs - now : 0;
  }

  /** Records one failed attempt; returns true when it used up the client's or the overall budget. */
  fail(client: string, now = Date.now()): boolean {
    const { perClient, overall, windowMs, maxClients } = this.limits;
    this.all.failures++;
    let own = this.clients.get(client);
    if (!own || now - own.start >= windowMs) {
      if (own) this.clients.delete(client);
      while (this.clients.size >= maxClients) {
        const oldest = this.clients.keys().next().value;
        if (oldest === undefined) break;
        this.clients.delete(oldest);
      }
      own = { start: now, failures: 0 };
      this.clients.set(client, own);
    }
    own.failures++;
    return own.failures === perClient || this.all.failures === overall;
  }

  /** Clients currently remembered (for tests and diagnostics). */
  get size(): number {
    return this.clients.size;
  }
}
