import { ThreadlineConfigError } from '@threadline/core';
import pino from 'pino';

/** Options of `threadlineDestination`. */
export interface ThreadlineDestinationOptions {
  /**
   * Bytes gathered before a write (default 4096). `0` writes every line at once, with one write
   * per line, as `pino.destination()` does.
   */
  readonly minLength?: number;
  /** Longest a line waits in the buffer, in milliseconds (default 100). */
  readonly flushIntervalMs?: number;
}

const COMPONENT = 'pino';

/**
 * The destination `createPinoLogger` writes to by default: pino's own (sonic-boom) on a file
 * descriptor or path, asynchronous and buffered. Lines are gathered up to `minLength` bytes and
 * written in one system call, off the request's path, and never wait longer than
 * `flushIntervalMs`. They are written out synchronously when the process exits (pino registers
 * the stream for that), and `shutdown()` from core flushes it; only a process killed outright
 * (SIGKILL, out of memory) can lose the last `flushIntervalMs` of lines.
 * Throws ThreadlineConfigError on bad options.
 */
export function threadlineDestination(
  dest: string | number = 1,
  options: ThreadlineDestinationOptions = {},
): pino.DestinationStream {
  if (!(typeof dest === 'string' && dest !== '') && !(Number.isInteger(dest) && (dest as number) >= 0)) {
    throw new ThreadlineConfigError(COMPONENT, 'destination must be a file path or a file descriptor');
  }
  const minLength = options.minLength ?? 4096;
  const flushIntervalMs = options.flushIntervalMs ?? 100;
  // sonic-boom refuses a minLength at or above its largest single write (16 KiB).
  if (!Number.isInteger(minLength) || minLength < 0 || minLength > 8192) {
    throw new ThreadlineConfigError(COMPONENT, 'option minLength must be an integer from 0 to 8192');
  }
  if (!Number.isInteger(flushIntervalMs) || flushIntervalMs < 1) {
    throw new ThreadlineConfigError(COMPONENT, 'option flushIntervalMs must be a positive integer');
  }
  const stream = pino.destination({ dest, sync: false, minLength });
  if (minLength > 0) flushEvery(stream as unknown as Buffered, flushIntervalMs);
  return stream;
}

/** What the timer reads of sonic-boom (3.x, pino 8's, and 4.x alike). */
interface Buffered {
  flush?(): void;
  on?(event: 'close', listener: () => void): unknown;
  readonly destroyed?: boolean;
  readonly fd?: number;
  readonly _len?: number;
}

/**
 * Writes what the buffer holds every `ms`. sonic-boom 4 has a `periodicFlush` option of its own;
 * the sonic-boom 3 that pino 8 brings does not, and a quiet service would hold its lines until
 * 4 KiB had gathered.
 */
function flushEvery(stream: Buffered, ms: number): void {
  const timer = setInterval(() => {
    // Nothing held, closed, or the file not open yet: nothing to write now.
    if (stream._len === 0 || stream.destroyed === true || (typeof stream.fd === 'number' && stream.fd < 0))
      return;
    try {
      stream.flush?.();
    } catch {
      // The next tick, the exit hook or shutdown() writes it.
    }
  }, ms);
  timer.unref();
  stream.on?.('close', () => clearInterval(timer));
}
