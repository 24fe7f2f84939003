import {
  type BufferedWriteOptions,
  type BufferedWriter,
  flushPeriodically,
  resolveBufferedWrite,
} from '@threadline/core';
import pino from 'pino';

/** Options of `threadlineDestination`: core's `BufferedWriteOptions`. */
export type ThreadlineDestinationOptions = BufferedWriteOptions;

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
  const settings = resolveBufferedWrite('pino', dest, options);
  const stream = pino.destination({ dest: settings.dest, sync: false, minLength: settings.minLength });
  if (settings.minLength > 0)
    flushPeriodically(stream as unknown as BufferedWriter, settings.flushIntervalMs);
  return stream;
}
