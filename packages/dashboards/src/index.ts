export { exportedSeriesNames, THREADLINE_METRICS } from './catalog.js';
export { buildDashboard } from './dashboard.js';
export { DRIFT_RULES } from './drift-rules.js';
export { dashboardFile, provisioningDir, rulesFile } from './files.js';
export { DRIFT_RECORDED, RECORDED, recordedSeriesNames } from './recorded.js';
export { THREADLINE_RULES } from './rules.js';
export { renderRules } from './rules-yaml.js';
export type {
  AlertingRule,
  DashboardOptions,
  ExportedMetric,
  GrafanaDashboard,
  GrafanaDatasourceRef,
  GrafanaPanel,
  GrafanaTarget,
  GrafanaVariable,
  RecordingRule,
  RuleFile,
  RuleGroup,
  TracesDatasourceType,
} from './types.js';
