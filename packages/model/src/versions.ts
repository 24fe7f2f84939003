import { check, reportError, ThreadlineConfigError, writeEvent } from '@threadline/core';
import { modelCodes } from './codes.js';
import type { MonitorCore, VersionCell } from './internal-types.js';
import { checkLabelValue } from './labels.js';
import type { DeclaredModel, ModelDeclaration } from './types.js';

const COMPONENT = 'model.monitor';
const DECLARE = 'model.declare';
const MAX_UNKNOWN_NAMES = 100;
/** Longest requested model name or version a log line repeats. */
const MAX_REQUESTED_CHARS = 128;

function trainedAt(value: unknown): string {
  if (value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new ThreadlineConfigError(DECLARE, 'trained_at is an invalid Date');
    return value.toISOString();
  }
  return checkLabelValue(DECLARE, 'trained_at', value, false);
}

function checkDeclaration(declaration: ModelDeclaration): Omit<DeclaredModel, 'lineage'> & {
  lineage: DeclaredModel['lineage'];
  live: boolean;
} {
  check.keys(DECLARE, declaration, [
    'name',
    'version',
    'alias',
    'stage',
    'run_id',
    'dataset_version',
    'git_sha',
    'trained_at',
    'framework',
    'live',
  ]);
  if (!declaration || typeof declaration !== 'object')
    throw new ThreadlineConfigError(DECLARE, 'a declaration must be an object');
  const name = checkLabelValue(DECLARE, 'name', declaration.name, true);
  const version = checkLabelValue(DECLARE, 'version', declaration.version, true);
  const alias = checkLabelValue(DECLARE, 'alias', declaration.alias, false);
  const stage = checkLabelValue(DECLARE, 'stage', declaration.stage, false);
  return {
    name,
    version,
    ...(alias !== '' ? { alias } : {}),
    ...(stage !== '' ? { stage } : {}),
    lineage: Object.freeze({
      run_id: checkLabelValue(DECLARE, 'run_id', declaration.run_id, false),
      dataset_version: checkLabelValue(DECLARE, 'dataset_version', declaration.dataset_version, false),
      git_sha: checkLabelValue(DECLARE, 'git_sha', declaration.git_sha, false),
      trained_at: trainedAt(declaration.trained_at),
      framework: checkLabelValue(DECLARE, 'framework', declaration.framework, false),
    }),
    live: check.boolean(DECLARE, 'live', declaration.live, true),
  };
}

/** `model_info` labels of a declared model. */
function infoLabels(model: DeclaredModel): Record<string, string> {
  return {
    model_name: model.name,
    model_version: model.version,
    model_alias: model.alias ?? '',
    model_stage: model.stage ?? '',
    ...model.lineage,
  };
}

/**
 * The declared model versions of one monitor: declaration (checked once), `model_info`, the
 * per-version hot-path series, going live and retiring (with their lineage lines), and lookup by
 * name, version or alias with unknown names counted.
 */
export class ModelVersions {
  private readonly declared = new Map<string, DeclaredModel>();
  private readonly cells = new Map<DeclaredModel, VersionCell>();
  private readonly live = new Set<DeclaredModel>();
  private readonly unknownNames = new Set<string>();

  constructor(
    private readonly core: MonitorCore,
    private readonly maxModels: number,
  ) {}

  /** The cell of a declared model, or undefined. */
  cellOf(model: DeclaredModel): VersionCell | undefined {
    return this.cells.get(model);
  }

  /** Declares a model version (see `ModelMonitor.declare`). */
  declare(declaration: ModelDeclaration): DeclaredModel {
    const { live: goLive, ...checked } = checkDeclaration(declaration);
    const key = `${checked.name}\u0000${checked.version}`;
    const existing = this.declared.get(key);
    if (existing) {
      const same =
        (existing.alias ?? '') === (checked.alias ?? '') &&
        (existing.stage ?? '') === (checked.stage ?? '') &&
        JSON.stringify(existing.lineage) === JSON.stringify(checked.lineage);
      if (!same) {
        throw new ThreadlineConfigError(
          DECLARE,
          `model ${checked.name}@${checked.version} is already declared with other lineage`,
        );
      }
      if (goLive) this.goLive(existing);
      return existing;
    }
    if (this.declared.size >= this.maxModels) {
      throw new ThreadlineConfigError(
        DECLARE,
        `at most ${this.maxModels} model versions may be declared (option maxModels); retire() old ones first`,
      );
    }
    const model: DeclaredModel = Object.freeze(checked);
    this.declared.set(key, model);
    this.cells.set(model, this.makeCell(model));
    this.core.metrics.info.set(infoLabels(model), 1);
    if (goLive) this.goLive(model);
    return model;
  }

  private makeCell(model: DeclaredModel): VersionCell {
    const m = this.core.metrics;
    const labels = { model_name: model.name, model_version: model.version };
    return {
      model,
      labels,
      phases: {
        preprocess: m.duration.series({ ...labels, phase: 'preprocess' }),
        predict: m.duration.series({ ...labels, phase: 'predict' }),
        postprocess: m.duration.series({ ...labels, phase: 'postprocess' }),
      },
      batchSize: m.batchSize.series(labels),
      inputSize: m.inputSize.series(labels),
      outputScore: m.outputScore.series(labels),
      outputValue: m.outputValue.series(labels),
      predictions: m.predictions.series(labels),
      classes: new Map(),
      spec: undefined,
    };
  }

  /** Writes the `model_deployed` lineage line for a declared model, once. */
  goLive(model: DeclaredModel): void {
    this.core.cell(model, DECLARE);
    if (this.live.has(model)) return;
    this.live.add(model);
    writeEvent(
      this.core.logger,
      'info',
      {
        event: 'model_deployed',
        model_name: model.name,
        model_version: model.version,
        ...(model.alias !== undefined ? { model_alias: model.alias } : {}),
        ...(model.stage !== undefined ? { model_stage: model.stage } : {}),
        ...Object.fromEntries(Object.entries(model.lineage).filter(([, v]) => v !== '')),
      },
      `model ${model.name}@${model.version} is live`,
      COMPONENT,
    );
  }

  /** Retires a declared model (see `ModelMonitor.retire`). */
  retire(model: DeclaredModel): void {
    this.core.cell(model, DECLARE);
    this.core.metrics.info.metric.remove(infoLabels(model));
    this.core.store.forget(model);
    this.declared.delete(`${model.name}\u0000${model.version}`);
    this.cells.delete(model);
    if (this.live.delete(model)) {
      writeEvent(
        this.core.logger,
        'info',
        { event: 'model_retired', model_name: model.name, model_version: model.version },
        `model ${model.name}@${model.version} is retired`,
        COMPONENT,
      );
    }
  }

  /** The declared models. */
  models(): DeclaredModel[] {
    return [...this.declared.values()];
  }

  /** Finds a declared model (see `ModelMonitor.resolve`). */
  resolve(name: string, versionOrAlias?: string): DeclaredModel | undefined {
    const found = typeof name === 'string' ? this.find(name, versionOrAlias) : undefined;
    if (found) return found;
    this.unknown(name, versionOrAlias);
    return undefined;
  }

  private find(name: string, versionOrAlias: string | undefined): DeclaredModel | undefined {
    if (typeof versionOrAlias === 'string' && versionOrAlias !== '') {
      const exact = this.declared.get(`${name}\u0000${versionOrAlias}`);
      if (exact) return exact;
      let byAlias: DeclaredModel | undefined;
      for (const m of this.declared.values()) if (m.name === name && m.alias === versionOrAlias) byAlias = m;
      return byAlias;
    }
    if (versionOrAlias !== undefined) return undefined;
    let only: DeclaredModel | undefined;
    let count = 0;
    for (const m of this.declared.values()) {
      if (m.name === name) {
        only = m;
        count++;
      }
    }
    if (count === 1) return only;
    let latest: DeclaredModel | undefined;
    for (const m of this.live) if (m.name === name) latest = m;
    return latest;
  }

  private unknown(name: unknown, version: unknown): void {
    try {
      this.core.metrics.unknownModels.inc();
      const text =
        typeof name === 'string'
          ? name.slice(0, MAX_REQUESTED_CHARS)
          : String(name).slice(0, MAX_REQUESTED_CHARS);
      const first = !this.unknownNames.has(text) && this.unknownNames.size < MAX_UNKNOWN_NAMES;
      if (first) this.unknownNames.add(text);
      this.core.warn(
        'unknown_model',
        {
          event: 'model_unknown',
          code: modelCodes.UNKNOWN_MODEL,
          requested_model: text,
          requested_version: typeof version === 'string' ? version.slice(0, MAX_REQUESTED_CHARS) : undefined,
        },
        `model ${text} is not declared`,
      );
    } catch (error) {
      reportError(COMPONENT, error);
    }
  }
}
