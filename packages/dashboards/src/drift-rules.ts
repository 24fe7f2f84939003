import { DRIFT_RECORDED } from './recorded.js';
import type { RuleFile } from './types.js';

const BUCKETS = 'feature:ml_feature_value_bucket:increase1h';
const LOWER = 'feature:ml_feature_value_bucket_lower:increase1h';
const RATIO = 'feature:ml_feature_value_bin:ratio1h';
const RATIO_FILLED = 'feature:ml_feature_value_bin:ratio1h_filled';
const REFERENCE_FILLED = 'feature:ml_feature_reference_ratio:filled';

/**
 * The fleet PSI rules shipped as `@threadline/drift`'s `rules/drift.rules.yml`. They are defined
 * here, beside the alert and the panel that read their result, and written into the drift package
 * by `npm run generate -w @threadline/dashboards`; a test holds the shipped file to this definition.
 * The drift package's own test checks the formula against its in-process PSI.
 */
export const DRIFT_RULES: RuleFile = {
  header: `Fleet-wide population stability index (PSI) per feature, from the \`ml_feature_value\` histograms
that every replica exports with buckets at its reference profile's bin bounds, and the
reference's share of each bucket (\`ml_feature_reference_ratio{le, prev_le}\`).

  PSI = sum over buckets of (ref - cur) * ln(ref / cur)

Empty buckets count as 0.0001 on either side (Evidently's fill for windows under 10^4 values;
the in-process PSI uses the same rule, so the two agree whenever every non-empty bucket holds
more than 0.01% of the window). Change the 1h window by editing the \`[1h]\` range and the names.

Generated from src/drift-rules.ts of @threadline/dashboards (\`npm run generate -w @threadline/dashboards\`):
edit the definition there, not this file.`,
  groups: [
    {
      name: 'threadline-drift',
      rules: [
        {
          comment: 'Observations per cumulative bucket over the last hour, summed over all replicas.',
          record: BUCKETS,
          expr: 'sum by (model_name, model_version, feature, le) (increase(ml_feature_value_bucket[1h]))',
        },
        {
          comment: `The same cumulative count at each bucket's lower bound, keyed by the bucket's upper bound:
the reference gauge maps every \`le\` to its \`prev_le\`.`,
          record: LOWER,
          expr: `sum without (prev_le) (
    group by (model_name, model_version, feature, le, prev_le) (ml_feature_reference_ratio)
  * on (model_name, model_version, feature, prev_le) group_left ()
    sum without (le) (
      label_replace(${BUCKETS}, "prev_le", "$1", "le", "(.*)")
    )
)`,
        },
        {
          comment: 'The current share of each bucket (the first bucket has no lower bound to subtract).',
          record: RATIO,
          expr: `(
    (
        ${BUCKETS}
      - on (model_name, model_version, feature, le)
        ${LOWER}
    )
  or
    ${BUCKETS}
)
/ on (model_name, model_version, feature) group_left ()
  (${BUCKETS}{le="+Inf"} > 0)`,
        },
        {
          comment: 'Both distributions with empty buckets filled.',
          record: RATIO_FILLED,
          expr: `(${RATIO} + 0 > 0)
or
(${RATIO} * 0 + 0.0001)`,
        },
        {
          comment: 'Every replica exports the same reference shares: keep one.',
          record: REFERENCE_FILLED,
          expr: `max by (model_name, model_version, feature, le) (
  (ml_feature_reference_ratio + 0 > 0) or (ml_feature_reference_ratio * 0 + 0.0001)
)`,
        },
        {
          record: DRIFT_RECORDED.fleetPsi,
          expr: `sum by (model_name, model_version, feature) (
    (${REFERENCE_FILLED} - ${RATIO_FILLED})
  * (ln(${REFERENCE_FILLED}) - ln(${RATIO_FILLED}))
)`,
        },
      ],
    },
  ],
};
