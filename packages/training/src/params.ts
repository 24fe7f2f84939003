import { codes } from '@threadline/core';
import { TrainingParamError } from './errors.js';
import type { ParamValue } from './types.js';

/** A stable text form of a value, so key order does not matter when comparing parameter values. */
function canonical(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}[${i}]`)).join(',')}]`;
      const keys = Object.keys(value as object).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TrainingParamError(
        codes.TRAINING_PARAM_INVALID,
        `parameter ${path} has a ${typeof value} value, which cannot be stored as JSON`,
      );
  }
}

/** A JSON copy of a parameter value (non-finite numbers become null, as JSON has no NaN). */
function jsonCopy(value: ParamValue): ParamValue {
  return JSON.parse(JSON.stringify(value)) as ParamValue;
}

/**
 * What a run was trained with: parameters and the dataset version, both write-once (a run with two
 * learning rates is not one run), and free tags.
 */
export class RunParams {
  readonly values: Record<string, ParamValue> = {};
  readonly tags: Record<string, string>;
  private readonly canon = new Map<string, string>();
  private dataset: string | null;

  constructor(
    private readonly runId: string,
    datasetVersion: string | undefined,
    tags: Readonly<Record<string, string>> | undefined,
  ) {
    this.dataset = datasetVersion ?? null;
    this.tags = { ...tags };
  }

  /** The dataset version, or null when not set. */
  get datasetVersion(): string | null {
    return this.dataset;
  }

  /**
   * Adds parameters and returns the new ones. The same value again is fine; a different value, or
   * one JSON cannot hold, throws a `TrainingParamError` and changes nothing, not even valid keys.
   */
  add(params: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
    const pending: [string, string, ParamValue][] = [];
    for (const [key, value] of Object.entries(params)) {
      const canon = canonical(value, key);
      const prior = this.canon.get(key);
      if (prior !== undefined && prior !== canon) {
        throw new TrainingParamError(
          codes.TRAINING_PARAM_CONFLICT,
          `parameter ${JSON.stringify(key)} of run ${this.runId} is already ${prior}; cannot set it to ${canon} (parameters are write-once)`,
        );
      }
      if (prior === undefined) pending.push([key, canon, value]);
    }
    const fresh: Record<string, ParamValue> = {};
    for (const [key, canon, value] of pending) {
      this.canon.set(key, canon);
      this.values[key] = jsonCopy(value);
      fresh[key] = this.values[key]!;
    }
    return fresh;
  }

  /** Sets the dataset version (write-once); true when it was not set before. */
  setDatasetVersion(version: string): boolean {
    if (this.dataset !== null && this.dataset !== version) {
      throw new TrainingParamError(
        codes.TRAINING_PARAM_CONFLICT,
        `dataset version of run ${this.runId} is already ${JSON.stringify(this.dataset)}; cannot set it to ${JSON.stringify(version)}`,
      );
    }
    if (this.dataset === version) return false;
    this.dataset = version;
    return true;
  }
}
