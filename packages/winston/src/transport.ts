import {
  type BufferedWriteOptions,
  type BufferedWriter,
  check,
  flushAtExit,
  flushBuffered,
  flushPeriodically,
  resolveBufferedWrite,
} from '@threadline/core';
import sonicBoom from 'sonic-boom';
import winston from 'winston';

// sonic-boom is CommonJS: its class is module.exports and module.exports.SonicBoom alike.
const { SonicBoom } = sonicBoom;
type SonicBoom = InstanceType<typeof SonicBoom>;
// winston exports its transport base class as `Transport`; its types call it `transport`.
const TransportStream = (
  winston as unknown as { Transport: new (options?: { level?: string }) => winston.transport }
).Transport;

// triple-beam's MESSAGE: where winston's finalizing format (json) leaves the formatted line.
const MESSAGE = Symbol.for('message');
const SETTLE_TIMEOUT_MS = 5_000;

/** Options of `threadlineTransport`: core's `BufferedWriteOptions` and the transport's own level. */
export interface ThreadlineTransportOptions extends BufferedWriteOptions {
  /** The most verbose level this transport writes (default: the logger's). */
  readonly level?: string;
}

type Info = Record<string | symbol, unknown>;
type Out = SonicBoom & { readonly destroyed?: boolean };

/**
 * Writes what `out` holds (core's `flushBuffered`) and resolves when it is written; a file the
 * transport opened is closed after.
 */
async function settle(out: Out, closeAfter: boolean): Promise<void> {
  try {
    await flushBuffered(out as unknown as BufferedWriter, SETTLE_TIMEOUT_MS);
  } catch {
    // A destination that cannot take the rest now: its 'error' has been reported.
  }
  if (!closeAfter || out.destroyed) return;
  await new Promise<void>((resolve) => {
    out.once('close', resolve);
    try {
      out.end();
    } catch {
      resolve();
    }
  });
}

/**
 * The transport behind `threadlineTransport`: a winston transport over sonic-boom (pino's line
 * writer), buffered and asynchronous.
 */
class BufferedTransport extends TransportStream {
  readonly name = 'threadline';
  readonly #out: Out;
  readonly #ownsFile: boolean;
  #broken = false;

  constructor(out: Out, ownsFile: boolean, options: ThreadlineTransportOptions) {
    super(options.level !== undefined ? { level: options.level } : {});
    this.#out = out;
    this.#ownsFile = ownsFile;
    out.on('error', (error: NodeJS.ErrnoException) => {
      // A reader gone for good (EPIPE): stop writing, as pino's destination does, and say it once.
      if (error?.code === 'EPIPE') this.#broken = true;
      this.emit('error', error);
    });
  }

  override log(info: unknown, callback: () => void): void {
    if (!this.#broken && !this.#out.destroyed) {
      try {
        this.#out.write(`${(info as Info)[MESSAGE]}\n`);
      } catch (error) {
        this.emit('error', error);
      }
    }
    // winston's own transports emit 'logged' on every line, through a setImmediate each: here only
    // for a listener.
    if (this.listenerCount('logged') > 0) setImmediate(() => this.emit('logged', info));
    callback();
  }

  /** Ends the transport (winston's `end()`, core's `shutdown()`) once every line is written. */
  override _final(callback: (error?: Error | null) => void): void {
    settle(this.#out, this.#ownsFile).then(
      () => callback(),
      () => callback(),
    );
  }

  /** winston calls this when the transport is removed from its logger. */
  override close(): void {
    void settle(this.#out, this.#ownsFile);
  }
}

/**
 * The transport `createLogger` writes to by default: one JSON line per entry on a file descriptor
 * (default 1, stdout) or a file path, through sonic-boom, asynchronous and buffered. Lines are
 * gathered up to `minLength` bytes and written in one system call, off the request's path, and
 * never wait longer than `flushIntervalMs`. They are written out synchronously when the process
 * exits (`process.exit()`, an uncaught exception), and ending the logger (`endLogger`,
 * `shutdown()` from core) writes them before it resolves. Only a process killed outright
 * (SIGKILL, out of memory) can lose the last `flushIntervalMs` of lines.
 * Throws ThreadlineConfigError on bad options.
 */
export function threadlineTransport(
  dest: string | number = 1,
  options: ThreadlineTransportOptions = {},
): winston.transport {
  const settings = resolveBufferedWrite('winston', dest, options);
  check.string('winston', 'level', options.level, undefined);
  const out = new SonicBoom({
    dest: settings.dest,
    sync: false,
    minLength: settings.minLength,
    mkdir: true,
  }) as Out;
  const writer = out as unknown as BufferedWriter;
  if (settings.minLength > 0) flushPeriodically(writer, settings.flushIntervalMs);
  flushAtExit(writer);
  return new BufferedTransport(out, typeof settings.dest === 'string', options);
}
