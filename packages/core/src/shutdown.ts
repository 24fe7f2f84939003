import { performance } from 'node:perf_hooks';
import { ThreadlineConfigError } from './errors.js';
import { reportError, warnOnce } from './guard.js';
import { check } from './options.js';

/**
 * When a hook runs: `drain` (stop accepting, finish in-flight work), then `final` (last metric
 * pushes, span exports: work that may still log), then `flush` (loggers and sinks, last, so the
 * lines of the earlier phases are written too).
 */
export type ShutdownPhase = 'drain' | 'final' | 'flush';
const PHASES: readonly ShutdownPhase[] = ['drain', 'final', 'flush'];

/** A step of a clean shutdown, registered with `onShutdown`. */
export interface ShutdownHook {
  /** Shown in diagnostics and in the result when the hook fails or overruns. */
  readonly name: string;
  /** Default `final`. */
  readonly phase?: ShutdownPhase;
  run(): void | Promise<void>;
}

/** Options of `shutdown` and `handleSignals`. Checked when given: a bad one throws `ThreadlineConfigError`. */
export interface ShutdownOptions {
  /** HTTP servers to stop: no new connections, in-flight requests finish, idle keep-alive sockets close. */
  readonly servers?: readonly DrainableServer[];
  /** Longest wait for in-flight requests (default 10 s); then their connections are closed. */
  readonly drainTimeoutMs?: number;
  /** Longest wait for each later phase (final pushes, then log flushes; default 5 s each). */
  readonly flushTimeoutMs?: number;
  /** End the process when done (default true). */
  readonly exit?: boolean;
  /** Exit code (default 0, or 1 when a step failed or overran). */
  readonly exitCode?: number;
}

/** What `shutdown` resolves to. */
export interface ShutdownResult {
  /** Every step finished in time without error. */
  readonly ok: boolean;
  /** Names of the steps that threw or rejected. */
  readonly failed: readonly string[];
  /** Names of the steps still running when their phase's time was up. */
  readonly timedOut: readonly string[];
}

/** The part of `http.Server` (or `net.Server`) a drain needs. */
export interface DrainableServer {
  close(callback?: (error?: Error) => void): unknown;
  prependListener?(
    event: 'request',
    listener: (req: unknown, res: { shouldKeepAlive: boolean }) => void,
  ): unknown;
  removeListener?(
    event: 'request',
    listener: (req: unknown, res: { shouldKeepAlive: boolean }) => void,
  ): unknown;
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
}

interface Entry {
  readonly name: string;
  readonly phase: ShutdownPhase;
  run(): void | Promise<void>;
}

interface State {
  readonly hooks: Map<object, Entry>;
  running: Promise<ShutdownResult> | undefined;
}

// One registry per process, shared by every installed copy of core (the key is versioned).
const KEY = Symbol.for('threadline.core.shutdown.v1');
const g = globalThis as typeof globalThis & { [KEY]?: State };
g[KEY] ??= { hooks: new Map(), running: undefined };
const state = g[KEY];

const COMPONENT = 'core.shutdown';

/** Registers a shutdown step (see `ShutdownHook`). Returns the undo. */
export function onShutdown(hook: ShutdownHook): () => void {
  check.string(COMPONENT, 'name', hook?.name, undefined);
  check.fn(COMPONENT, 'run', hook.run, undefined);
  const phase = check.oneOf(COMPONENT, 'phase', hook.phase, PHASES, 'final');
  const token = {};
  state.hooks.set(token, { name: hook.name, phase, run: () => hook.run() });
  return () => {
    state.hooks.delete(token);
  };
}

// A logger registered for flushing is held weakly: one dropped by the application is collected,
// and its entry with it, so registering every logger never grows memory.
const collected = new FinalizationRegistry<object>((token) => {
  state.hooks.delete(token);
});

/**
 * Registers `flush(target)` as a `flush`-phase step without keeping `target` alive. Used by the
 * logger packages for every logger and sink they make. Returns the undo.
 */
export function flushOnShutdown<T extends object>(
  target: T,
  name: string,
  flush: (target: T) => void | Promise<void>,
): () => void {
  const ref = new WeakRef(target);
  const token = {};
  state.hooks.set(token, {
    name,
    phase: 'flush',
    run: () => {
      const live = ref.deref();
      return live ? flush(live) : undefined;
    },
  });
  collected.register(target, token, token);
  return () => {
    state.hooks.delete(token);
    collected.unregister(token);
  };
}

/** True once `shutdown` has been called. */
export function isShuttingDown(): boolean {
  return state.running !== undefined;
}

const sleep = (ms: number): Promise<'timeout'> =>
  new Promise((resolve) => {
    setTimeout(() => resolve('timeout'), ms);
  });

/**
 * Stops an HTTP server cleanly: no new connections, idle keep-alive connections closed as they
 * become idle, in-flight requests left to finish. Resolves true when every connection ended within
 * `timeoutMs`; otherwise closes what remains and resolves false. Never rejects.
 */
export async function drainServer(server: DrainableServer, timeoutMs = 10_000): Promise<boolean> {
  // A request arriving on a kept-alive connection during the drain is served, and told to be the
  // connection's last (`Connection: close`), so a busy client cannot hold the drain open.
  const lastOnConnection = (_req: unknown, res: { shouldKeepAlive: boolean }): void => {
    res.shouldKeepAlive = false;
  };
  server.prependListener?.('request', lastOnConnection);
  const closed = new Promise<true>((resolve) => {
    try {
      server.close(() => resolve(true));
    } catch {
      resolve(true); // not listening: nothing to stop
    }
  });
  // A keep-alive connection is idle between requests: close each as soon as its response is out.
  const idle = setInterval(() => server.closeIdleConnections?.(), 20);
  server.closeIdleConnections?.();
  const outcome = await Promise.race([closed, sleep(timeoutMs)]);
  clearInterval(idle);
  server.removeListener?.('request', lastOnConnection);
  if (outcome === true) return true;
  server.closeAllConnections?.();
  return false;
}

async function runPhase(
  entries: Entry[],
  timeoutMs: number,
  failed: string[],
  timedOut: string[],
): Promise<void> {
  const pending = new Set(entries.map((e) => e.name));
  const runs = entries.map(async (entry) => {
    try {
      await entry.run();
    } catch (error) {
      failed.push(entry.name);
      reportError(COMPONENT, error);
    } finally {
      pending.delete(entry.name);
    }
  });
  const outcome = await Promise.race([Promise.all(runs), sleep(timeoutMs)]);
  if (outcome === 'timeout') {
    for (const name of pending) timedOut.push(name);
    warnOnce(`shutdown-timeout:${[...pending].join(',')}`, {
      code: 'TL_SHUTDOWN_TIMEOUT',
      component: COMPONENT,
      message: `shutdown steps still running after ${timeoutMs} ms: ${[...pending].join(', ')}`,
    });
  }
}

function checkOptions(options: ShutdownOptions): void {
  check.keys(COMPONENT, options, [
    'servers',
    'drainTimeoutMs',
    'flushTimeoutMs',
    'exit',
    'exitCode',
    'signals',
  ]);
  check.number(COMPONENT, 'drainTimeoutMs', options.drainTimeoutMs, 0, { min: 0 });
  check.number(COMPONENT, 'flushTimeoutMs', options.flushTimeoutMs, 0, { min: 0 });
  check.boolean(COMPONENT, 'exit', options.exit, true);
  check.number(COMPONENT, 'exitCode', options.exitCode, 0, { min: 0, max: 255, integer: true });
  const servers: unknown = options.servers;
  if (
    servers !== undefined &&
    (!Array.isArray(servers) || servers.some((s) => typeof (s as DrainableServer)?.close !== 'function'))
  ) {
    throw new ThreadlineConfigError(COMPONENT, 'option servers must be an array of servers');
  }
}

async function run(options: ShutdownOptions): Promise<ShutdownResult> {
  const failed: string[] = [];
  const timedOut: string[] = [];
  const drainMs = options.drainTimeoutMs ?? 10_000;
  const flushMs = options.flushTimeoutMs ?? 5_000;
  for (const phase of PHASES) {
    const entries = [...state.hooks.values()].filter((e) => e.phase === phase);
    if (phase === 'drain') {
      (options.servers ?? []).forEach((server, i) => {
        entries.push({
          name: `server[${i}]`,
          phase,
          run: async () => {
            if (!(await drainServer(server, drainMs)))
              throw new Error(`server[${i}] still had requests after ${drainMs} ms`);
          },
        });
      });
    }
    if (entries.length > 0)
      await runPhase(entries, phase === 'drain' ? drainMs + 100 : flushMs, failed, timedOut);
  }
  const result: ShutdownResult = { ok: failed.length === 0 && timedOut.length === 0, failed, timedOut };
  if (options.exit !== false) process.exit(options.exitCode ?? (result.ok ? 0 : 1));
  // The process goes on: a later shutdown runs again.
  state.running = undefined;
  return result;
}

/**
 * Ends the service cleanly, once: stops the given servers and waits (bounded) for their in-flight
 * requests, runs the registered `final` steps (a last Pushgateway push, span export), flushes every
 * Threadline logger and sink, then exits the process (unless `exit: false`). Later calls return the
 * running call's promise. Never rejects: failing steps are reported and named in the result.
 */
export function shutdown(options: ShutdownOptions = {}): Promise<ShutdownResult> {
  if (state.running) return state.running;
  checkOptions(options);
  // Marked running before the first step starts, so a step that calls shutdown() gets this promise.
  state.running = Promise.resolve().then(() => run(options));
  return state.running;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** A signal this long after the one that started the shutdown ends the process at once. */
const REPEAT_FORCES_EXIT_MS = 1_000;

/**
 * Opt-in: on SIGTERM or SIGINT (or `signals`), calls `shutdown(options)`. A signal sent again
 * while the shutdown runs, a second or more after the first, ends the process at once (exit code
 * 128 + signal number), as a second Ctrl-C should; repeats within that second (npm forwarding the
 * signal the process group also got) are the same request. Returns the undo, which removes the handlers.
 */
export function handleSignals(
  options: ShutdownOptions & { signals?: readonly NodeJS.Signals[] } = {},
): () => void {
  const { signals = ['SIGTERM', 'SIGINT'], ...rest } = options;
  checkOptions(rest);
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.running) {
      // The same stop request often arrives twice within milliseconds: `npm start` forwards the
      // signal to its child while the supervisor signals the whole process group. Only a signal
      // sent again later (a second Ctrl-C) means "stop now".
      if (firstAt === undefined || performance.now() - firstAt >= REPEAT_FORCES_EXIT_MS) {
        process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      }
      return;
    }
    firstAt = performance.now();
    void shutdown(rest);
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.removeListener(s, onSignal);
  };
}
