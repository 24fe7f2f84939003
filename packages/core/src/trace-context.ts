import { newSpanId, newTraceId } from './ids.js';

/** A parsed W3C `traceparent`. */
export interface TraceParent {
  /** Two hex digits; `00` today. */
  readonly version: string;
  readonly traceId: string;
  /** The caller's span ID (the parent of ours). */
  readonly parentId: string;
  /** Two lowercase hex digits. */
  readonly traceFlags: string;
}

/** Bit 0 of trace-flags: the caller may have recorded this trace. */
export const FLAG_SAMPLED = 0x01;
/** Bit 1 of trace-flags (Trace Context Level 2): the trace ID's right 7 bytes are random. */
export const FLAG_RANDOM = 0x02;
/** The spec's limit on tracestate list members. */
export const MAX_TRACESTATE_MEMBERS = 32;

function isLowerHex(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function allZero(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) !== 0x30) return false;
  return true;
}

/**
 * Parses a `traceparent` header as Trace Context Level 2 requires. Returns `undefined` for any
 * invalid value (never throws), and the caller starts a new trace.
 * Future versions (01..fe) are parsed by their version-00 prefix, as the spec asks.
 */
export function parseTraceparent(header: unknown): TraceParent | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  if (value.length < 55) return undefined;
  if (!isLowerHex(value, 0, 2)) return undefined;
  const version = value.slice(0, 2);
  if (version === 'ff') return undefined;
  if (version === '00' && value.length !== 55) return undefined;
  if (value.length > 55 && value[55] !== '-') return undefined;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return undefined;
  if (!isLowerHex(value, 3, 35) || allZero(value, 3, 35)) return undefined;
  if (!isLowerHex(value, 36, 52) || allZero(value, 36, 52)) return undefined;
  if (!isLowerHex(value, 53, 55)) return undefined;
  return {
    version,
    traceId: value.slice(3, 35),
    parentId: value.slice(36, 52),
    traceFlags: value.slice(53, 55),
  };
}

/** Formats a version-00 `traceparent`. */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: string): string {
  return `00-${traceId}-${spanId}-${traceFlags}`;
}

// Key grammar of the current Trace Context text (it replaced the tenant@system split of Level 1):
//   key     = ( lcalpha / DIGIT ) 0*255( keychar )
//   keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
// so `foo@`, `foo@@bar` and 256-character keys with `@` are valid, and inherited.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

/** True when `key` is a valid tracestate key. */
export function isValidTracestateKey(key: string): boolean {
  return KEY.test(key);
}

/** True when `value` is a valid tracestate value. */
export function isValidTracestateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Validates and normalises a `tracestate` header (or the list of its repeated values): members
 * trimmed, empty members dropped, and a repeated key kept once (its left-most entry, the most
 * recent position; the specification lets a vendor keep duplicates or discard one, not drop the
 * header). Returns `undefined` when any member is invalid or there are more than 32 members: the
 * specification lets a vendor discard such a header whole.
 */
export function parseTracestate(header: unknown): string | undefined {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (typeof raw !== 'string') return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  let count = 0;
  for (const part of raw.split(',')) {
    // OWS is SP and HTAB only; String#trim would also strip Unicode spaces the grammar forbids.
    const member = part.replace(OWS_EDGES, '');
    if (member === '') continue;
    if (++count > MAX_TRACESTATE_MEMBERS) return undefined;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return undefined;
    if (keys.has(key)) continue;
    keys.add(key);
    members.push(member);
  }
  return members.length > 0 ? members.join(',') : undefined;
}

/** A trace position: what Threadline stores in the context. */
export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: string;
  readonly tracestate?: string;
}

/** Options for starting or continuing a trace. */
export interface TraceStartOptions {
  /** Sampling decision for a new root trace (default true). A parent's decision always wins. */
  readonly sampled?: boolean;
}

/**
 * Continues the caller's trace (a new span ID under its trace ID, its flags and tracestate) or,
 * when `traceparent` is absent or invalid, starts a new root trace. Never throws.
 */
export function continueTrace(
  traceparent: unknown,
  tracestate?: unknown,
  options?: TraceStartOptions,
): TraceIds & { readonly parentId?: string } {
  const parent = parseTraceparent(Array.isArray(traceparent) ? undefined : traceparent);
  if (parent) {
    const state = parseTracestate(tracestate);
    return {
      traceId: parent.traceId,
      spanId: newSpanId(),
      parentId: parent.parentId,
      // Only the bits defined by version 00 are carried into our version-00 header.
      traceFlags: (Number.parseInt(parent.traceFlags, 16) & (FLAG_SAMPLED | FLAG_RANDOM))
        .toString(16)
        .padStart(2, '0'),
      ...(state !== undefined ? { tracestate: state } : {}),
    };
  }
  return newTrace(options);
}

/** Starts a new root trace with random IDs (so the Level 2 random flag is set). */
export function newTrace(options?: TraceStartOptions): TraceIds {
  const flags = (options?.sampled === false ? 0 : FLAG_SAMPLED) | FLAG_RANDOM;
  return { traceId: newTraceId(), spanId: newSpanId(), traceFlags: `0${flags}` };
}

/** True when the flags have the sampled bit set. */
export function isSampled(traceFlags: string | undefined): boolean {
  if (!traceFlags) return false;
  // The sampled bit is the low bit of the last hex digit; `traceFlags` is two hex digits.
  const last = traceFlags.charCodeAt(traceFlags.length - 1);
  const digit = last <= 57 ? last - 48 : (last | 32) - 87;
  return digit >= 0 && digit < 16 && (digit & FLAG_SAMPLED) === FLAG_SAMPLED;
}
