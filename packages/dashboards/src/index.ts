export { exportedSeriesNames, THREADLINE_METRICS } from './catalog.js';
export { buildDashboard } from './dashboard.js';
export { dashboardFile, provisioningDir, rulesFile } from './files.js';
export { DRIFT_RECORDED, RECORDED, recordedSeriesNames } from './recorded.js';
export type {
  DashboardOptions,
  ExportedMetric,
  GrafanaDashboard,
  GrafanaDatasourceRef,
  GrafanaPanel,
  GrafanaTarget,
  GrafanaVariable,
  TracesDatasourceType,
} from './types.js';
