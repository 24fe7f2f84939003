import type { StandardSchemaV1 } from '@standard-schema/spec';
import { codes, reportError, ThreadlineConfigError } from '@threadline/core';
import type { StandardSchema } from './types.js';

const COMPONENT = 'validation.standard-schema';

/** Checks at setup that a value implements Standard Schema v1. */
export function assertStandardSchema(value: unknown): asserts value is StandardSchema {
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  if (!props || typeof props !== 'object' || props.version !== 1 || typeof props.validate !== 'function') {
    throw new ThreadlineConfigError(
      'validation',
      'option standardSchema must implement Standard Schema v1 (an object with ~standard.validate)',
    );
  }
}

/** One issue reduced to what results need: the top-level key it belongs to, a path and a message. */
export interface RowIssue {
  readonly key: string | undefined;
  readonly path: string;
  readonly message: string;
}

function segmentKey(segment: PropertyKey | StandardSchemaV1.PathSegment): PropertyKey {
  return typeof segment === 'object' && segment !== null ? segment.key : segment;
}

function convert(issues: readonly StandardSchemaV1.Issue[]): RowIssue[] {
  const out: RowIssue[] = [];
  // A validator can report thousands of issues for one hostile row; a few are enough to explain it.
  for (const issue of issues.slice(0, 32)) {
    const path = (issue.path ?? []).map((s) => String(segmentKey(s)));
    out.push({
      key: path[0],
      path: path.join('.'),
      message: typeof issue.message === 'string' ? issue.message.slice(0, 200) : 'invalid',
    });
  }
  return out.length > 0 ? out : [{ key: undefined, path: '', message: 'invalid' }];
}

const THREW: RowIssue[] = [{ key: undefined, path: '', message: 'the validator threw on this input' }];

/**
 * Runs the validator on one row. Returns the row's issues (empty when valid); a sync result is
 * returned as is so a sync validator costs no promise. A throwing validator counts as a failure
 * of the row (it could not be shown valid) and is reported to diagnostics, never to the caller.
 */
export function runStandardSchema(schema: StandardSchema, row: unknown): RowIssue[] | Promise<RowIssue[]> {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = schema['~standard'].validate(row);
  } catch (error) {
    reportError(COMPONENT, error, codes.CALLBACK_FAILED);
    return THREW;
  }
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    return (result as Promise<StandardSchemaV1.Result<unknown>>).then(
      (r) => (r?.issues ? convert(r.issues) : []),
      (error: unknown) => {
        reportError(COMPONENT, error, codes.CALLBACK_FAILED);
        return THREW;
      },
    );
  }
  const sync = result as StandardSchemaV1.Result<unknown>;
  return sync?.issues ? convert(sync.issues) : [];
}
