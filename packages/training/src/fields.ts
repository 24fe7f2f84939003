import { CONTEXT_LOG_FIELDS, ENVELOPE_LOG_FIELDS } from '@threadline/core';

/**
 * Fields a training line writes itself besides core's envelope: the run's own fields and the
 * flags (`msg` is pino's message key). Together with core's envelope and context fields
 * (`ENVELOPE_LOG_FIELDS`, `CONTEXT_LOG_FIELDS`) they are the names a metric may not take, or it
 * would overwrite them.
 */
const TRAINING_FIELDS = [
  'msg',
  'event',
  'experiment',
  'step',
  'epoch',
  'status',
  'duration_ms',
  'out_of_order',
  'duplicate',
  'non_finite_metrics',
] as const;

const RESERVED: ReadonlySet<string> = new Set([
  ...ENVELOPE_LOG_FIELDS,
  ...CONTEXT_LOG_FIELDS,
  ...TRAINING_FIELDS,
]);

/** The flat field name a metric is logged under: snake-safe and never a reserved field. */
export function metricFieldName(name: string): string {
  let key = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (key === '' || /^[0-9]/.test(key)) key = `_${key}`;
  return RESERVED.has(key) ? `metric_${key}` : key;
}
