import { getContext, type RequestVerbosity } from './context.js';
import { ThreadlineConfigError } from './errors.js';
import { safeCall } from './guard.js';

/** A rule that turns debug logging on, at run time, for the requests it matches. */
export interface DebugRule {
  readonly id: string;
  readonly requestId?: string;
  readonly userId?: string;
  readonly sessionId?: string;
  /** A route template, as in the `http_route` label. */
  readonly route?: string;
  /** Epoch milliseconds after which the rule no longer matches. */
  readonly expiresAt: number;
}

/** What a request is matched on. */
export interface DebugQuery {
  readonly requestId?: string | undefined;
  readonly userId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly route?: string | undefined;
}

/** Input to `DebugSwitch.add`: at least one selector, and a lifetime. */
export type DebugRuleInput = Omit<Partial<DebugRule>, 'id' | 'expiresAt'> & { readonly ttlMs?: number };

const COMPONENT = 'core.verbosity';
const SELECTORS = ['requestId', 'userId', 'sessionId', 'route'] as const;
/** Rules a process keeps at most, so the switch cannot grow without bound. */
export const MAX_DEBUG_RULES = 256;
/** Default and largest lifetime of a rule: debug output is costly, so it always ends by itself. */
export const DEFAULT_DEBUG_TTL_MS = 15 * 60_000;
export const MAX_DEBUG_TTL_MS = 24 * 60 * 60_000;

/**
 * The process-wide runtime switch to debug level for chosen request IDs, user or session IDs, or
 * routes, without a restart. Rules expire by themselves.
 */
export class DebugSwitch {
  private rules = new Map<string, DebugRule>();
  private seq = 0;

  /** Adds a rule; throws ThreadlineConfigError on a rule with no selector or a bad lifetime. */
  add(input: DebugRuleInput): DebugRule {
    if (!input || typeof input !== 'object')
      throw new ThreadlineConfigError(COMPONENT, 'a debug rule must be an object');
    const rule: { -readonly [K in keyof DebugRule]?: DebugRule[K] } = {};
    for (const key of SELECTORS) {
      const v = input[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v === '' || v.length > 256) {
        throw new ThreadlineConfigError(
          COMPONENT,
          `debug rule ${key} must be a non-empty string of at most 256 characters`,
        );
      }
      rule[key] = v;
    }
    if (!SELECTORS.some((k) => rule[k] !== undefined)) {
      throw new ThreadlineConfigError(COMPONENT, `a debug rule needs one of ${SELECTORS.join(', ')}`);
    }
    const ttl = input.ttlMs ?? DEFAULT_DEBUG_TTL_MS;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_DEBUG_TTL_MS) {
      throw new ThreadlineConfigError(COMPONENT, `debug rule ttlMs must be in (0, ${MAX_DEBUG_TTL_MS}]`);
    }
    this.prune();
    if (this.rules.size >= MAX_DEBUG_RULES) {
      throw new ThreadlineConfigError(COMPONENT, `at most ${MAX_DEBUG_RULES} debug rules may be active`);
    }
    rule.id = `dbg-${++this.seq}`;
    rule.expiresAt = Date.now() + ttl;
    const done = rule as DebugRule;
    this.rules.set(done.id, done);
    return done;
  }

  /** Removes a rule by ID; false when there was none. */
  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.clear();
  }

  /** The active rules. */
  list(): DebugRule[] {
    this.prune();
    return [...this.rules.values()];
  }

  /** True when at least one rule is set (it may have expired): callers skip building a query otherwise. */
  get active(): boolean {
    return this.rules.size > 0;
  }

  /** True when any active rule matches the request (all of a rule's selectors must match). */
  matches(query: DebugQuery): boolean {
    if (this.rules.size === 0) return false;
    const now = Date.now();
    for (const rule of this.rules.values()) {
      if (rule.expiresAt <= now) {
        this.rules.delete(rule.id);
        continue;
      }
      if (
        (rule.requestId === undefined || rule.requestId === query.requestId) &&
        (rule.userId === undefined || rule.userId === query.userId) &&
        (rule.sessionId === undefined || rule.sessionId === query.sessionId) &&
        (rule.route === undefined || rule.route === query.route)
      ) {
        return true;
      }
    }
    return false;
  }

  private prune(): void {
    const now = Date.now();
    for (const rule of this.rules.values()) if (rule.expiresAt <= now) this.rules.delete(rule.id);
  }
}

const SWITCH_KEY = Symbol.for('threadline.core.debugSwitch.v1');
type GlobalWithSwitch = typeof globalThis & { [SWITCH_KEY]?: DebugSwitch };
const g = globalThis as GlobalWithSwitch;
if (!g[SWITCH_KEY]) g[SWITCH_KEY] = new DebugSwitch();

/** The process-wide debug switch (one per process, even with two copies of core). */
export const debugSwitch: DebugSwitch = g[SWITCH_KEY];

/** Starts per-request verbosity on the current context: forced debug, or a debug buffer of `bufferLimit` lines (0: none). */
export function startRequestVerbosity(options: { forceDebug: boolean; bufferLimit: number }): void {
  const ctx = getContext();
  if (!ctx) return;
  const state: RequestVerbosity = {
    forceDebug: options.forceDebug,
    buffer: options.bufferLimit > 0 && !options.forceDebug ? [] : undefined,
    limit: Math.max(0, Math.floor(options.bufferLimit)),
    dropped: 0,
  };
  (ctx as { verbosity?: RequestVerbosity }).verbosity = state;
}

/** Turns forced debug on for the current request (e.g. once its route is known); buffered lines are written first. */
export function forceDebug(): void {
  const state = getContext()?.verbosity;
  if (!state || state.forceDebug) return;
  state.forceDebug = true;
  flush(state);
}

/**
 * How a logger bridge should treat a debug-level line now: `write` it, `buffer` it (with
 * `bufferDebugLine`), or `default` (no request verbosity: the logger's own level decides).
 */
export function debugDecision(): 'write' | 'buffer' | 'default' {
  const state = getContext()?.verbosity;
  if (!state) return 'default';
  if (state.forceDebug) return 'write';
  return state.buffer ? 'buffer' : 'default';
}

/** Holds a debug line's write until the request ends; the oldest line goes when the buffer is full. */
export function bufferDebugLine(write: () => void): void {
  const state = getContext()?.verbosity;
  if (!state?.buffer) return;
  if (state.buffer.length >= state.limit) {
    state.buffer.shift();
    state.dropped++;
  }
  state.buffer.push(write);
}

/**
 * Ends the current request's verbosity: with `flush` the buffered debug lines are written (the
 * request failed or was slow), else discarded. Returns how many lines were written.
 */
export function endRequestVerbosity(flushLines: boolean): number {
  const state = getContext()?.verbosity;
  if (!state) return 0;
  const n = flushLines ? flush(state) : 0;
  state.buffer = undefined;
  return n;
}

function flush(state: RequestVerbosity): number {
  const lines = state.buffer;
  state.buffer = undefined;
  if (!lines) return 0;
  for (const write of lines) safeCall(COMPONENT, write, []);
  return lines.length;
}
