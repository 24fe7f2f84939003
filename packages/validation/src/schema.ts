import { readFile, writeFile } from 'node:fs/promises';
import { ThreadlineConfigError } from '@threadline/core';
import type { DomainValue, FeatureSpec, FeatureType, Severity, ValidationSchema } from './types.js';

const COMPONENT = 'validation.schema';
const FEATURE_TYPES: readonly FeatureType[] = ['number', 'integer', 'string', 'boolean'];
const SEVERITIES: readonly Severity[] = ['error', 'warning'];
const SCHEMA_KEYS = [
  'version',
  'description',
  'features',
  'rowCount',
  'unknownFeatures',
  'severity',
  'inferred',
] as const;
const FEATURE_KEYS = [
  'name',
  'description',
  'type',
  'required',
  'min',
  'max',
  'domain',
  'maxNullRate',
  'maxNonFiniteRate',
  'unique',
  'severity',
  'redact',
] as const;
/** Names that would reach Object.prototype if a feature were ever used as a plain-object key. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Feature label values reserved for checks that belong to no schema feature. */
export const RESERVED_FEATURES = ['__input__', '__rows__', '__schema__', '__unknown__'] as const;
// Any printable name up to 128 characters: names come from a reviewed schema, not from requests.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it excludes
const FEATURE_NAME = /^[^\u0000-\u001f\u007f]{1,128}$/;
/** Largest domain a schema may list: categories beyond this are not a domain but free text. */
export const MAX_DOMAIN_SIZE = 10_000;
/** Most features one schema may declare (each one is a bounded set of metric label values). */
export const MAX_FEATURES = 1_000;

function fail(where: string, message: string): never {
  throw new ThreadlineConfigError(COMPONENT, `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function knownKeys(where: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(where, `unknown field ${JSON.stringify(key)}; known: ${known.join(', ')}`);
  }
}

function optionalNumber(where: string, name: string, value: unknown, min = -Infinity, max = Infinity) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(where, `${name} must be a finite number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalBoolean(where: string, name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(where, `${name} must be a boolean`);
  return value;
}

function optionalString(where: string, name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(where, `${name} must be a string`);
  return value;
}

function optionalOneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]) {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    fail(where, `${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function parseDomain(where: string, value: unknown): DomainValue[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_DOMAIN_SIZE) {
    fail(where, `domain must be a non-empty array of at most ${MAX_DOMAIN_SIZE} values`);
  }
  const out: DomainValue[] = [];
  for (const v of value) {
    const ok =
      typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok)
      fail(where, `domain values must be strings, finite numbers or booleans, got ${JSON.stringify(v)}`);
    out.push(v);
  }
  return out;
}

function parseFeature(value: unknown, index: number): FeatureSpec {
  const where = `features[${index}]`;
  if (!isRecord(value)) fail(where, 'must be an object');
  knownKeys(where, value, FEATURE_KEYS);
  const name = value.name;
  if (typeof name !== 'string' || !FEATURE_NAME.test(name)) {
    fail(where, `name must be 1 to 128 printable characters, got ${JSON.stringify(name)}`);
  }
  if (FORBIDDEN_KEYS.has(name) || (RESERVED_FEATURES as readonly string[]).includes(name)) {
    fail(where, `name ${JSON.stringify(name)} is reserved`);
  }
  const at = `feature ${name}`;
  const type = optionalOneOf(at, 'type', value.type, FEATURE_TYPES);
  const min = optionalNumber(at, 'min', value.min);
  const max = optionalNumber(at, 'max', value.max);
  if (min !== undefined && max !== undefined && min > max) fail(at, `min ${min} is above max ${max}`);
  if (
    (min !== undefined || max !== undefined) &&
    type !== undefined &&
    type !== 'number' &&
    type !== 'integer'
  ) {
    fail(at, `min/max apply to numeric features, not to type ${type}`);
  }
  const spec: Record<string, unknown> = { name };
  const fields: [string, unknown][] = [
    ['description', optionalString(at, 'description', value.description)],
    ['type', type],
    ['required', optionalBoolean(at, 'required', value.required)],
    ['min', min],
    ['max', max],
    ['domain', parseDomain(at, value.domain)],
    ['maxNullRate', optionalNumber(at, 'maxNullRate', value.maxNullRate, 0, 1)],
    ['maxNonFiniteRate', optionalNumber(at, 'maxNonFiniteRate', value.maxNonFiniteRate, 0, 1)],
    ['unique', optionalBoolean(at, 'unique', value.unique)],
    ['severity', optionalOneOf(at, 'severity', value.severity, SEVERITIES)],
    ['redact', optionalBoolean(at, 'redact', value.redact)],
  ];
  for (const [key, v] of fields) if (v !== undefined) spec[key] = v;
  return spec as unknown as FeatureSpec;
}

/**
 * Checks a schema (an object, or JSON text) and returns a clean copy holding only known fields.
 * Throws `ThreadlineConfigError` naming the first problem: schemas are loaded at setup, and a typo
 * in a schema must fail loudly rather than silently skip a check.
 */
export function parseSchema(input: unknown): ValidationSchema {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      fail('schema', `not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isRecord(value)) fail('schema', 'must be an object');
  knownKeys('schema', value, SCHEMA_KEYS);
  if (value.version !== 1) fail('schema', `version must be 1, got ${JSON.stringify(value.version)}`);
  if (!Array.isArray(value.features)) fail('schema', 'features must be an array');
  if (value.features.length > MAX_FEATURES) fail('schema', `at most ${MAX_FEATURES} features`);
  const features = value.features.map(parseFeature);
  const names = new Set<string>();
  for (const f of features) {
    if (names.has(f.name)) fail('schema', `feature ${f.name} is declared twice`);
    names.add(f.name);
  }
  const out: Record<string, unknown> = { version: 1 };
  const description = optionalString('schema', 'description', value.description);
  if (description !== undefined) out.description = description;
  out.features = features;
  if (value.rowCount !== undefined) {
    if (!isRecord(value.rowCount)) fail('schema', 'rowCount must be an object');
    knownKeys('rowCount', value.rowCount, ['min', 'max']);
    const min = optionalNumber('rowCount', 'min', value.rowCount.min, 0);
    const max = optionalNumber('rowCount', 'max', value.rowCount.max, 0);
    if (min !== undefined && max !== undefined && min > max)
      fail('rowCount', `min ${min} is above max ${max}`);
    out.rowCount = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  const unknown = optionalOneOf('schema', 'unknownFeatures', value.unknownFeatures, [
    'allow',
    'error',
    'warning',
  ] as const);
  if (unknown !== undefined) out.unknownFeatures = unknown;
  const severity = optionalOneOf('schema', 'severity', value.severity, SEVERITIES);
  if (severity !== undefined) out.severity = severity;
  if (value.inferred !== undefined) {
    const inf = value.inferred;
    if (
      !isRecord(inf) ||
      typeof inf.rows !== 'number' ||
      typeof inf.at !== 'string' ||
      typeof inf.note !== 'string'
    ) {
      fail('schema', 'inferred must be { rows, at, note }');
    }
    out.inferred = { rows: inf.rows, at: inf.at, note: inf.note };
  }
  return out as unknown as ValidationSchema;
}

/** The schema as stable, indented JSON (fields in a fixed order), ready for review and diffing. */
export function serializeSchema(schema: ValidationSchema): string {
  return `${JSON.stringify(parseSchema(schema), null, 2)}\n`;
}

/** Reads and checks a schema file. Rejects with `ThreadlineConfigError` when the file is invalid. */
export async function loadSchema(path: string | URL): Promise<ValidationSchema> {
  const text = await readFile(path, 'utf8');
  return parseSchema(text);
}

/** Writes a schema file (checked first, so an invalid schema is never saved). */
export async function saveSchema(path: string | URL, schema: ValidationSchema): Promise<void> {
  await writeFile(path, serializeSchema(schema), 'utf8');
}
