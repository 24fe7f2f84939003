import { RESERVED_LOG_FIELDS } from '@threadline/core';

/**
 * Fields a training line writes itself: the line envelope, the run's own fields and the flags.
 * Together with core's reserved context fields (`run_id`, `trace_id`, model, ...) they are the
 * names a metric may not take, or it would overwrite them.
 */
const TRAINING_FIELDS = [
  'time',
  'level',
  'message',
  'msg',
  'service',
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

const RESERVED: ReadonlySet<string> = new Set([...RESERVED_LOG_FIELDS, ...TRAINING_FIELDS]);

/** The flat field name a metric is logged under: snake-safe and never a reserved field. */
export function metricFieldName(name: string): string {
  let key = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (key === '' || /^[0-9]/.test(key)) key = `_${key}`;
  return RESERVED.has(key) ? `metric_${key}` : key;
}
