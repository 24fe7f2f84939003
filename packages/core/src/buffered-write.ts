// Helpers for the buffered line writers of the logger adapters (sonic-boom under both pino and
// winston): lines gathered into one system call must still leave within a bound of time, and at
// exit. Structural types, so core depends on no writer.
import { ThreadlineConfigError } from './errors.js';

/** Options of a buffered line writer (`threadlineDestination`, `threadlineTransport`). */
export interface BufferedWriteOptions {
  /**
   * Bytes gathered before a write (default 4096). `0` writes every line at once, with one write
   * per line.
   */
  readonly minLength?: number;
  /** Longest a line waits in the buffer, in milliseconds (default 100). */
  readonly flushIntervalMs?: number;
}

/** A buffered writer's settings, checked. */
export interface BufferedWriteSettings {
  readonly dest: string | number;
  readonly minLength: number;
  readonly flushIntervalMs: number;
}

/**
 * Checks a buffered writer's destination (a file path or a file descriptor) and options, with
 * their defaults. Throws ThreadlineConfigError naming `component` on a bad one.
 */
export function resolveBufferedWrite(
  component: string,
  dest: unknown,
  options: BufferedWriteOptions,
): BufferedWriteSettings {
  if (!(typeof dest === 'string' && dest !== '') && !(Number.isInteger(dest) && (dest as number) >= 0)) {
    throw new ThreadlineConfigError(component, 'destination must be a file path or a file descriptor');
  }
  const minLength = options.minLength ?? 4096;
  const flushIntervalMs = options.flushIntervalMs ?? 100;
  // sonic-boom refuses a minLength at or above its largest single write (16 KiB).
  if (!Number.isInteger(minLength) || minLength < 0 || minLength > 8192) {
    throw new ThreadlineConfigError(component, 'option minLength must be an integer from 0 to 8192');
  }
  if (!Number.isInteger(flushIntervalMs) || flushIntervalMs < 1) {
    throw new ThreadlineConfigError(component, 'option flushIntervalMs must be a positive integer');
  }
  return { dest: dest as string | number, minLength, flushIntervalMs };
}

/** What the helpers read of a buffered writer (sonic-boom 3 and 4 alike). */
export interface BufferedWriter {
  /** Starts writing what the buffer holds (asynchronously). */
  flush?(): void;
  /** Writes what the buffer holds before returning. */
  flushSync?(): void;
  on?(event: 'close', listener: () => void): unknown;
  readonly destroyed?: boolean;
  readonly fd?: number;
  /** Bytes held (sonic-boom's own count). */
  readonly _len?: number;
  /** A write is in flight (sonic-boom's own flag). */
  readonly _writing?: boolean;
}

function holdsLines(writer: BufferedWriter): boolean {
  // Nothing held, closed, or the file not open yet: nothing to write now.
  return !(
    writer._len === 0 ||
    writer.destroyed === true ||
    (typeof writer.fd === 'number' && writer.fd < 0)
  );
}

/**
 * Writes what `writer` holds every `ms`, on an unref'd timer cleared when the writer closes.
 * sonic-boom 4's own `periodicFlush` writes an empty chunk when nothing is held (a system call
 * every tick for a quiet service), and the sonic-boom 3 that pino 8 brings has none.
 */
export function flushPeriodically(writer: BufferedWriter, ms: number): void {
  const timer = setInterval(() => {
    if (!holdsLines(writer)) return;
    try {
      writer.flush?.();
    } catch {
      // The next tick, the exit hook or shutdown() writes it.
    }
  }, ms);
  timer.unref();
  writer.on?.('close', () => clearInterval(timer));
}

const atExit = new Set<WeakRef<BufferedWriter>>();
const forget = new FinalizationRegistry<WeakRef<BufferedWriter>>((ref) => atExit.delete(ref));
let listening = false;

function flushAll(): void {
  for (const ref of atExit) {
    const writer = ref.deref();
    if (!writer || !holdsLines(writer)) continue;
    try {
      writer.flushSync?.();
    } catch {
      // A destination that cannot be written at exit: nothing left to report it to.
    }
  }
}

/**
 * Writes what `writer` still holds, synchronously, when the process exits: by `process.exit()`,
 * an uncaught exception, or an empty event loop. The writer is held weakly and forgotten when it
 * closes. Signals that end the process without an 'exit' event are `shutdown()`'s to handle.
 */
export function flushAtExit(writer: BufferedWriter): void {
  const ref = new WeakRef(writer);
  atExit.add(ref);
  forget.register(writer, ref, ref);
  writer.on?.('close', () => {
    atExit.delete(ref);
    forget.unregister(ref);
  });
  if (!listening) {
    listening = true;
    process.on('exit', flushAll);
  }
}

const POLL_MS = 5;

/**
 * Writes out what `writer` holds and resolves once it is written: the write in flight (and the
 * file's opening) is awaited first, so the rest follows it in order; then `flushSync` writes the
 * rest. The wait is bounded by `timeoutMs`. A failing `flushSync` rejects.
 */
export async function flushBuffered(writer: BufferedWriter, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    ((typeof writer.fd === 'number' && writer.fd < 0) || writer._writing === true) &&
    writer.destroyed !== true &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (holdsLines(writer)) writer.flushSync?.();
}
