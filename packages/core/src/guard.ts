import diagnosticsChannel from 'node:diagnostics_channel';
import { codes, type ThreadlineCode } from './errors.js';

/** A diagnostic Threadline reports about itself: never thrown into the application. */
export interface DiagEvent {
  readonly code: ThreadlineCode | string;
  readonly component: string;
  readonly message: string;
  readonly error?: unknown;
  readonly level: 'warn' | 'error' | 'debug';
}

/** Receives Threadline's own diagnostics (not the application's logs). */
export type DiagLogger = (event: DiagEvent) => void;

/** Name of the `node:diagnostics_channel` channel every diagnostic is published on. */
export const DIAG_CHANNEL = 'threadline:diag';

const channel = diagnosticsChannel.channel(DIAG_CHANNEL);
let diagLogger: DiagLogger | undefined;
const warned = new Set<string>();
// Bounded so a flood of distinct keys cannot grow memory.
const MAX_WARN_KEYS = 1024;

/**
 * Installs a logger for Threadline's own diagnostics (default: none, so nothing reaches the
 * application's console). Returns a function that restores the previous logger.
 */
export function setDiagLogger(logger: DiagLogger | undefined): () => void {
  const previous = diagLogger;
  diagLogger = logger;
  return () => {
    diagLogger = previous;
  };
}

/**
 * Subscribes to Threadline's diagnostics. Prefer it to subscribing to `DIAG_CHANNEL` directly:
 * Node rethrows a throwing channel subscriber's error on the next tick (an uncaught exception),
 * while a listener given here is guarded and its errors are dropped. Returns the unsubscribe.
 */
export function onDiag(listener: DiagLogger): () => void {
  const guarded = (message: unknown): void => {
    try {
      listener(message as DiagEvent);
    } catch {
      // A diagnostics listener must not crash the process it observes.
    }
  };
  diagnosticsChannel.subscribe(DIAG_CHANNEL, guarded);
  return () => {
    diagnosticsChannel.unsubscribe(DIAG_CHANNEL, guarded);
  };
}

/** Publishes a diagnostic. Never throws, whatever the subscriber or logger does. */
export function diag(event: DiagEvent): void {
  try {
    if (channel.hasSubscribers) channel.publish(event);
  } catch {
    // A throwing subscriber must not reach the caller.
  }
  if (diagLogger) {
    try {
      diagLogger(event);
    } catch {
      // Same rule for the installed logger.
    }
  }
}

/** Publishes a warning once per `key` for the life of the process (bounded). */
export function warnOnce(key: string, event: Omit<DiagEvent, 'level'>): void {
  if (warned.has(key)) return;
  if (warned.size < MAX_WARN_KEYS) warned.add(key);
  diag({ ...event, level: 'warn' });
}

/** Reports an error caught inside Threadline or inside a user callback. */
export function reportError(component: string, error: unknown, code: ThreadlineCode = codes.INTERNAL): void {
  diag({
    code,
    component,
    level: 'error',
    message: error instanceof Error ? error.message : String(error),
    error,
  });
}

/**
 * Runs a user callback; a throw is reported to diagnostics and `fallback` is returned instead.
 * Use for every hook a user hands to Threadline, so their bug cannot break a request.
 */
export function safeCall<A extends unknown[], R, F = undefined>(
  component: string,
  fn: (...args: A) => R,
  args: A,
  fallback?: F,
): R | F {
  try {
    return fn(...args);
  } catch (error) {
    reportError(component, error, codes.CALLBACK_FAILED);
    return fallback as F;
  }
}
