import { reportError } from '@threadline/core';
import { modelCodes } from './codes.js';
import type { MonitorCore } from './internal-types.js';
import type { DeclaredModel, OutcomeResult } from './types.js';
import type { ModelVersions } from './versions.js';

const COMPONENT = 'model.monitor';
/** Prediction IDs are 32 characters; anything longer is not one of ours. */
const MAX_PREDICTION_ID = 64;

/**
 * Joins delayed ground truth to predictions: the store does the join, this counts every outcome
 * by result, times the label delay and logs the rejected ones within the warning budget.
 */
export class OutcomeRecorder {
  constructor(
    private readonly core: MonitorCore,
    private readonly versions: ModelVersions,
  ) {}

  /** Records one outcome (see `ModelMonitor.recordOutcome`). Never throws. */
  record(predictionId: string, actual: unknown, options?: { at?: Date | number }): OutcomeResult {
    try {
      if (typeof predictionId !== 'string' || predictionId.length > MAX_PREDICTION_ID) {
        this.count(
          'invalid',
          undefined,
          predictionId,
          'the prediction ID must be a string from a Prediction',
        );
        return 'invalid';
      }
      const at = options?.at instanceof Date ? options.at.getTime() : options?.at;
      const r = this.core.store.record(
        predictionId,
        actual,
        typeof at === 'number' && Number.isFinite(at) ? at : Date.now(),
      );
      this.count(r.result, r.model, predictionId, r.reason);
      if (r.result === 'joined' && r.model && r.delayMs !== undefined) {
        const labels = this.versions.cellOf(r.model)?.labels ?? {
          model_name: r.model.name,
          model_version: r.model.version,
        };
        this.core.metrics.labelDelay.observe(labels, r.delayMs / 1000);
      }
      return r.result;
    } catch (error) {
      reportError(COMPONENT, error);
      return 'invalid';
    }
  }

  private count(result: OutcomeResult, model: DeclaredModel | undefined, id: unknown, reason?: string): void {
    const labels = model
      ? { model_name: model.name, model_version: model.version }
      : { model_name: '', model_version: '' };
    this.core.metrics.outcomes.inc({ ...labels, result });
    if (result === 'joined') return;
    this.core.warn(
      `outcome_${result}`,
      {
        event: 'model_outcome_rejected',
        code: modelCodes.OUTCOME_REJECTED,
        result,
        prediction_id: typeof id === 'string' ? id.slice(0, MAX_PREDICTION_ID) : undefined,
        ...(model ? { model_name: model.name, model_version: model.version } : {}),
        ...(reason ? { reason } : {}),
      },
      `outcome ${result}`,
    );
  }
}
