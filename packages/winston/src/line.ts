import { isoNow, logFields, mergeContextFields, type Redactor } from '@threadline/core';
import { configure } from 'safe-stable-stringify';
import winston from 'winston';
import { capturedFields, capturedTime, installCapture } from './capture.js';

// triple-beam's MESSAGE: where a finalizing format leaves the line for the transports.
const MESSAGE = Symbol.for('message');
const ENVELOPE = new Set(['time', 'level', 'message', 'service']);
// Key order as given (winston's json format sorts by default); circular references and bigints
// as logform's json format writes them.
const stringify = configure({ deterministic: false });
const bigintAsString = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? value.toString() : value;

// Field names repeat from line to line: their JSON text is kept, up to a bound.
const MAX_KEYS = 2048;
const keys = new Map<string, string>();
function keyText(key: string): string {
  let text = keys.get(key);
  if (text === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear();
    text = `${JSON.stringify(key)}:`;
    keys.set(key, text);
  }
  return text;
}

/** The JSON text of one field value, as winston's json format writes it; undefined leaves it out. */
function valueText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}"`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      return value === null ? 'null' : stringify(value, bigintAsString);
  }
}

function field(line: string, key: string, value: unknown): string {
  const text = valueText(value);
  return text === undefined ? line : `${line},${keyText(key)}${text}`;
}

/**
 * The format of `createLogger`'s loggers, in one pass: the Threadline context taken when the line
 * was logged (as `threadlineFormat` adds it), `time`, `service`, the line's fields redacted and
 * the default fields; then the JSON line itself, envelope first (`time`, `level`, `message`,
 * `service`), written field by field. The info the transports get has every field too, redacted,
 * for a transport with a format of its own; the logged object keeps its own values.
 */
export function lineFormat(
  service: string,
  defaultMeta: Readonly<Record<string, unknown>> | undefined,
  redactor: Redactor | undefined,
): winston.Logform.Format {
  installCapture();
  const censor = redactor?.redaction.censor;
  const serviceText = JSON.stringify(service);
  return winston.format((info) => {
    const src = info as Record<string | symbol, unknown>;
    mergeContextFields(src, capturedFields(info) ?? logFields());
    // A shallow copy carries what the line adds (time, service, redacted values, default fields),
    // so an object handed to logger.log() keeps its own values; it is what the transports get.
    const out: Record<string | symbol, unknown> = { ...src };
    const time = src.time ?? capturedTime(info) ?? isoNow();
    out.time = time;
    let line = `{"time":${valueText(time) ?? 'null'},"level":${valueText(src.level) ?? 'null'}`;
    line = field(line, 'message', src.message);
    if (src.service === undefined) {
      out.service = service;
      line += `,"service":${serviceText}`;
    } else line = field(line, 'service', src.service);
    for (const key of Object.keys(src)) {
      if (ENVELOPE.has(key)) continue;
      if (redactor) out[key] = redactor.isRedactedKey(key) ? censor : redactor.redact(src[key]);
      line = field(line, key, out[key]);
    }
    if (defaultMeta) {
      for (const key in defaultMeta) {
        if (key in out) continue;
        out[key] = defaultMeta[key];
        line = field(line, key, out[key]);
      }
    }
    out[MESSAGE] = `${line}}`;
    return out as winston.Logform.TransformableInfo;
  })();
}
