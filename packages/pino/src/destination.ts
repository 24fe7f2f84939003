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
  return pino.destination({
    dest,
    sync: false,
    minLength,
    ...(minLength > 0 ? { periodicFlush: flushIntervalMs } : {}),
  } as Parameters<typeof pino.destination>[0]);
}
