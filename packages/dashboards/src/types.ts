/** One metric the bundle reads, as a package exports it. */
export interface ExportedMetric {
  /** Prometheus name as exported (histograms without the `_bucket`/`_sum`/`_count` suffix). */
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** The package (or library) whose registry serves it. */
  readonly source: string;
  /** Labels the panels and rules may group by. */
  readonly labels: readonly string[];
}

/** Where Grafana finds the traces an exemplar points to. */
export type TracesDatasourceType = 'tempo' | 'jaeger' | 'zipkin';

/** Options of `buildDashboard()`. */
export interface DashboardOptions {
  /** Dashboard title (default "Threadline: ML service overview"). */
  readonly title?: string;
  /** Dashboard UID, stable across imports (default "threadline-overview"). */
  readonly uid?: string;
  /** Type of the traces data source offered by the `traces` variable (default "tempo"). */
  readonly tracesDatasourceType?: TracesDatasourceType;
  /** Default refresh interval (default "30s"). */
  readonly refresh?: string;
}

/** A Grafana query target. */
export interface GrafanaTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  /** Ask Grafana for exemplars (the trace links on latency panels). */
  readonly exemplar?: boolean;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: 'time_series' | 'table';
  readonly datasource: GrafanaDatasourceRef;
}

/** A reference to a data source, usually through a dashboard variable. */
export interface GrafanaDatasourceRef {
  readonly type: string;
  readonly uid: string;
}

/** A Grafana panel (the subset of the JSON model this bundle writes). */
export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: GrafanaDatasourceRef;
  readonly targets?: readonly GrafanaTarget[];
  readonly fieldConfig?: unknown;
  readonly options?: unknown;
  readonly transformations?: unknown;
  readonly collapsed?: boolean;
  readonly panels?: readonly GrafanaPanel[];
}

/** A dashboard template variable. */
export interface GrafanaVariable {
  readonly name: string;
  readonly label?: string;
  readonly type: 'datasource' | 'query' | 'custom' | 'interval';
  readonly query: string | { readonly query: string; readonly refId: string };
  readonly definition?: string;
  readonly datasource?: GrafanaDatasourceRef;
  readonly includeAll?: boolean;
  readonly multi?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
  readonly current?: unknown;
  readonly hide?: number;
  readonly sort?: number;
  readonly options?: readonly unknown[];
}

/** A Grafana dashboard JSON model, ready to import or provision. */
export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly schemaVersion: number;
  readonly version: number;
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly timezone: string;
  readonly templating: { readonly list: readonly GrafanaVariable[] };
  readonly annotations: { readonly list: readonly unknown[] };
  readonly links: readonly unknown[];
  readonly panels: readonly GrafanaPanel[];
}

/** A Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  /** Written as a `#` comment above the rule: why it is written this way. */
  readonly comment?: string;
}

/** A Prometheus alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' | 'info' };
  readonly annotations: { readonly summary: string; readonly description: string };
  readonly comment?: string;
}

/** A rule group: its rules evaluate in order, so a rule may read a series recorded above it. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** One rule file as shipped: a header comment and its groups. */
export interface RuleFile {
  readonly header: string;
  readonly groups: readonly RuleGroup[];
}
