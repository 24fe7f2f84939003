import { Counter, register as globalRegistry } from 'prom-client';
import { contextStorage, getContext, type ThreadlineContext } from './context.js';
import { codes, ThreadlineConfigError } from './errors.js';
import { warnOnce } from './guard.js';
import type { AnyRegistry } from './metrics.js';

/** One W3C Baggage member: its value (percent-decoded) and its properties as received. */
export interface BaggageEntry {
  readonly value: string;
  /** The member's properties (`;k=v;flag`), kept verbatim so they are forwarded unchanged. */
  readonly properties?: string;
}

/** The baggage in a context: member key to entry. */
export type Baggage = Readonly<Record<string, BaggageEntry>>;

/** What `parseBaggage` found in a header. */
export interface ParsedBaggage {
  readonly members: Baggage;
  /** Members dropped because they were malformed. */
  readonly malformed: number;
  /** Members dropped because the header passed 180 members or 8192 bytes. */
  readonly overLimit: number;
}

/** The W3C Baggage limits: a header of at most 8192 bytes and 180 list members. */
export const MAX_BAGGAGE_BYTES = 8192;
export const MAX_BAGGAGE_MEMBERS = 180;

// key = token (RFC 7230 tchar); value = *baggage-octet, percent-encoded UTF-8.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
// property = key OWS "=" OWS value / key OWS
const PROPERTY =
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)?$/;
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

function decode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function parseMember(member: string): [string, BaggageEntry] | undefined {
  const semi = member.indexOf(';');
  const pair = semi === -1 ? member : member.slice(0, semi);
  const eq = pair.indexOf('=');
  if (eq === -1) return undefined;
  const key = pair.slice(0, eq).replace(OWS_EDGES, '');
  const raw = pair.slice(eq + 1).replace(OWS_EDGES, '');
  if (!TOKEN.test(key) || !VALUE.test(raw)) return undefined;
  const value = decode(raw);
  if (value === undefined) return undefined;
  if (semi === -1) return [key, { value }];
  const props = member
    .slice(semi + 1)
    .split(';')
    .map((p) => p.replace(OWS_EDGES, ''));
  if (!props.every((p) => PROPERTY.test(p))) return undefined;
  return [key, { value, properties: props.join(';') }];
}

/**
 * Parses a `baggage` header (or the list of its repeated values) as the W3C Baggage specification
 * describes. Malformed members are dropped one by one, not the whole header; members past 180 or
 * past 8192 bytes are dropped too. A repeated key keeps its last value. Never throws.
 */
export function parseBaggage(header: unknown): ParsedBaggage {
  const raw = Array.isArray(header) ? header.filter((h) => typeof h === 'string').join(',') : header;
  const members: Record<string, BaggageEntry> = Object.create(null);
  let malformed = 0;
  let overLimit = 0;
  if (typeof raw !== 'string' || raw === '') return { members, malformed, overLimit };
  let bytes = 0;
  let count = 0;
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf(',', start);
    if (end === -1) end = raw.length;
    const part = raw.slice(start, end);
    start = end + 1;
    const member = part.replace(OWS_EDGES, '');
    if (member === '') continue;
    bytes += Buffer.byteLength(member) + (count > 0 ? 1 : 0);
    if (count >= MAX_BAGGAGE_MEMBERS || bytes > MAX_BAGGAGE_BYTES) {
      // Counting the rest costs one indexOf per comma; the header is bounded by Node's header limit.
      overLimit++;
      continue;
    }
    const parsed = parseMember(member);
    if (!parsed) {
      malformed++;
      continue;
    }
    count++;
    members[parsed[0]] = parsed[1];
  }
  return { members, malformed, overLimit };
}

// Characters a baggage value may carry unencoded; the rest is percent-encoded as UTF-8.
const UNSAFE_VALUE = /[^\x21\x23-\x24\x26-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]/g;

function encodeValue(value: string): string {
  return value.replace(UNSAFE_VALUE, (c) => encodeURIComponent(c));
}

/**
 * Formats baggage members as a `baggage` header value, within the specification's limits: whole
 * members past 180 or 8192 bytes are left out (never a partial member). Invalid keys are skipped.
 * Returns `undefined` when nothing is left.
 */
export function formatBaggage(members: Baggage): string | undefined {
  let out = '';
  let count = 0;
  for (const key of Object.keys(members)) {
    const entry = members[key];
    if (!entry || !TOKEN.test(key) || typeof entry.value !== 'string') continue;
    let member = `${key}=${encodeValue(entry.value)}`;
    if (entry.properties) member += `;${entry.properties}`;
    const next = count === 0 ? member : `${out},${member}`;
    if (count >= MAX_BAGGAGE_MEMBERS || Buffer.byteLength(next) > MAX_BAGGAGE_BYTES) break;
    out = next;
    count++;
  }
  return count > 0 ? out : undefined;
}

/** The current context's baggage (empty outside a context or without baggage). */
export function getBaggage(): Baggage {
  return getContext()?.baggage ?? EMPTY;
}

const EMPTY: Baggage = Object.freeze(Object.create(null));

/**
 * Sets baggage members on the current context (a new object, so a sibling flow holding the old one
 * is not changed); `undefined` as a value removes a member. Returns false outside a context.
 */
export function setBaggage(entries: Record<string, string | BaggageEntry | undefined>): boolean {
  const ctx = contextStorage().getStore();
  if (!ctx) return false;
  const next: Record<string, BaggageEntry> = Object.assign(Object.create(null), ctx.baggage);
  for (const key of Object.keys(entries)) {
    const v = entries[key];
    if (v === undefined) delete next[key];
    else next[key] = typeof v === 'string' ? { value: v } : v;
  }
  ctx.baggage = next;
  return true;
}

/** How incoming baggage reaches log fields (see `configureBaggage`). */
export interface BaggageOptions {
  /**
   * Incoming baggage keys copied into the context's attributes (and so into every log line), as
   * an allow-list: an array (`model_version` becomes the field `baggage_model_version`) or a map
   * from key to field name. Nothing else from incoming baggage reaches a log line (default: none).
   */
  readonly logFields?: readonly string[] | Readonly<Record<string, string>>;
  /** Longest value copied into a log field; longer values are cut (default 128). */
  readonly maxLogValueLength?: number;
}

interface ResolvedBaggageOptions {
  readonly fields: ReadonlyMap<string, string>;
  readonly maxValue: number;
}

const FIELD = /^[a-z_][a-z0-9_]*$/;
let settings: ResolvedBaggageOptions = { fields: new Map(), maxValue: 128 };

/**
 * Sets, process-wide, which incoming baggage keys become log fields. Throws `ThreadlineConfigError`
 * on a bad option. Returns the undo (the previous settings).
 */
export function configureBaggage(options: BaggageOptions): () => void {
  const component = 'core.baggage';
  const known = ['logFields', 'maxLogValueLength'];
  if (!options || typeof options !== 'object')
    throw new ThreadlineConfigError(component, 'options must be an object');
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw new ThreadlineConfigError(component, `unknown option ${JSON.stringify(key)}`);
  }
  const fields = new Map<string, string>();
  const given = options.logFields ?? [];
  const pairs: [unknown, unknown][] = Array.isArray(given)
    ? given.map((k: unknown) => [
        k,
        typeof k === 'string' ? `baggage_${k.toLowerCase().replace(/[^a-z0-9_]/g, '_')}` : k,
      ])
    : typeof given === 'object' && given !== null
      ? Object.entries(given)
      : [[given, given]];
  for (const [key, field] of pairs) {
    if (typeof key !== 'string' || !TOKEN.test(key))
      throw new ThreadlineConfigError(component, `logFields: invalid baggage key ${JSON.stringify(key)}`);
    if (typeof field !== 'string' || !FIELD.test(field))
      throw new ThreadlineConfigError(
        component,
        `logFields: invalid log field name ${JSON.stringify(field)}`,
      );
    fields.set(key, field);
  }
  const max = options.maxLogValueLength ?? 128;
  if (!Number.isInteger(max) || max < 1 || max > 4096)
    throw new ThreadlineConfigError(component, 'option maxLogValueLength must be an integer in [1, 4096]');
  const previous = settings;
  settings = { fields, maxValue: max };
  return () => {
    settings = previous;
  };
}

// Values copied into log lines: printable ASCII only after decoding, so no line can be forged.
const LOG_UNSAFE = /[^\x20-\x7e]/g;

const droppedCounters = new WeakMap<AnyRegistry, Counter<'reason'>>();

function droppedCounter(registry: AnyRegistry): Counter<'reason'> {
  let counter = droppedCounters.get(registry);
  if (!counter) {
    const name = 'threadline_baggage_members_dropped_total';
    counter =
      (registry.getSingleMetric(name) as Counter<'reason'> | undefined) ??
      new Counter({
        name,
        help: 'Incoming W3C Baggage members dropped, by reason (malformed, limit).',
        labelNames: ['reason'],
        registers: [registry],
      });
    droppedCounters.set(registry, counter);
  }
  return counter;
}

/**
 * Reads an incoming `baggage` header into a request's context: the members go to `ctx.baggage`
 * (and on to outgoing calls), the allow-listed keys to log fields. Dropped members are counted in
 * `threadline_baggage_members_dropped_total{reason}` and warned once. Never throws.
 */
export function acceptIncomingBaggage(
  ctx: ThreadlineContext,
  header: unknown,
  registry: AnyRegistry | undefined,
): void {
  if (header === undefined) return;
  try {
    const parsed = parseBaggage(header);
    if (Object.keys(parsed.members).length > 0) ctx.baggage = parsed.members;
    for (const [key, field] of settings.fields) {
      const entry = parsed.members[key];
      if (!entry) continue;
      const clean = entry.value.replace(LOG_UNSAFE, '?');
      ctx.attributes[field] = clean.length > settings.maxValue ? clean.slice(0, settings.maxValue) : clean;
    }
    if (parsed.malformed === 0 && parsed.overLimit === 0) return;
    const counter = droppedCounter(registry ?? (globalRegistry as AnyRegistry));
    if (parsed.malformed > 0) counter.inc({ reason: 'malformed' }, parsed.malformed);
    if (parsed.overLimit > 0) counter.inc({ reason: 'limit' }, parsed.overLimit);
    warnOnce(`baggage:${parsed.malformed > 0 ? 'malformed' : 'limit'}`, {
      code: codes.BAD_HEADER,
      component: 'core.baggage',
      message: `incoming baggage: ${parsed.malformed} malformed and ${parsed.overLimit} over-limit members dropped (counted in threadline_baggage_members_dropped_total)`,
    });
  } catch (error) {
    warnOnce('baggage:internal', {
      code: codes.INTERNAL,
      component: 'core.baggage',
      message: 'incoming baggage could not be read',
      error,
    });
  }
}

/** Forgets the dropped-members counter of a registry (after `registry.clear()`). */
export function forgetBaggageMetrics(registry: AnyRegistry): void {
  droppedCounters.delete(registry);
}
