import { DRIFT_RECORDED, RECORDED } from './recorded.js';
import type {
  DashboardOptions,
  GrafanaDashboard,
  GrafanaDatasourceRef,
  GrafanaPanel,
  GrafanaTarget,
  GrafanaVariable,
} from './types.js';

// Every query goes through the `datasource` variable, so one import works against any Prometheus.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
const PROM: GrafanaDatasourceRef = { type: 'prometheus', uid: '${datasource}' };

// Grafana substitutes these before the query reaches Prometheus; `=~` keeps "All" (".*") working.
const JOB = 'job=~"$job"';
const MODEL = 'model_name=~"$model_name"';
const HTTP = 'http_server_request_duration_seconds';
const RATE = '[$__rate_interval]';

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly w: number;
  readonly h?: number;
  readonly type?: 'timeseries' | 'stat' | 'table';
  readonly unit?: string;
  readonly targets: readonly Omit<GrafanaTarget, 'refId' | 'datasource'>[];
  /** A dashed red line at this value (the alert threshold the panel relates to). */
  readonly threshold?: number;
  readonly min?: number;
  readonly max?: number;
}

/** Lays panels out left to right in rows of 24 grid columns, as Grafana does. */
class Layout {
  private readonly panels: GrafanaPanel[] = [];
  private id = 1;
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  row(title: string): void {
    this.newLine();
    this.panels.push({
      id: this.id++,
      type: 'row',
      title,
      collapsed: false,
      gridPos: { x: 0, y: this.y, w: 24, h: 1 },
      panels: [],
    });
    this.y += 1;
  }

  panel(spec: PanelSpec): void {
    const h = spec.h ?? 8;
    if (this.x + spec.w > 24) this.newLine();
    const type = spec.type ?? 'timeseries';
    this.panels.push({
      id: this.id++,
      type,
      title: spec.title,
      description: spec.description,
      datasource: PROM,
      gridPos: { x: this.x, y: this.y, w: spec.w, h },
      targets: spec.targets.map((t, i) => ({
        refId: String.fromCharCode(65 + i),
        datasource: PROM,
        ...(type === 'timeseries' ? { range: true } : {}),
        ...t,
      })),
      fieldConfig: fieldConfig(spec),
      options: panelOptions(type),
      ...(type === 'table' ? { transformations: TABLE_TRANSFORMS } : {}),
    });
    this.x += spec.w;
    this.rowHeight = Math.max(this.rowHeight, h);
  }

  done(): GrafanaPanel[] {
    return this.panels;
  }

  private newLine(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

function fieldConfig(spec: PanelSpec): unknown {
  const steps: unknown[] = [{ color: 'green', value: null }];
  if (spec.threshold !== undefined) steps.push({ color: 'red', value: spec.threshold });
  return {
    defaults: {
      unit: spec.unit ?? 'short',
      ...(spec.min !== undefined ? { min: spec.min } : {}),
      ...(spec.max !== undefined ? { max: spec.max } : {}),
      thresholds: { mode: 'absolute', steps },
      custom:
        spec.type === undefined || spec.type === 'timeseries'
          ? {
              drawStyle: 'line',
              lineWidth: 1,
              fillOpacity: 10,
              showPoints: 'never',
              spanNulls: false,
              thresholdsStyle: { mode: spec.threshold !== undefined ? 'dashed' : 'off' },
            }
          : {},
    },
    overrides: [],
  };
}

function panelOptions(type: string): unknown {
  if (type === 'stat') return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } };
  if (type === 'table') return { showHeader: true };
  return {
    legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] },
    tooltip: { mode: 'multi', sort: 'desc' },
  };
}

// model_info's value is always 1: the table shows its labels, one row per live version and job.
const TABLE_TRANSFORMS = [
  { id: 'labelsToFields', options: { mode: 'columns' } },
  { id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } },
];

function quantiles(metric: string, by: string, selector: string): PanelSpec['targets'] {
  return [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket{${selector}}${RATE})))`,
    legendFormat: `{{${by.split(', ').join('}} {{')}}} p${Math.round(q * 100)}`,
    exemplar: true,
  }));
}

function variables(options: Required<DashboardOptions>): GrafanaVariable[] {
  const query = (name: string, label: string, definition: string): GrafanaVariable => ({
    name,
    label,
    type: 'query',
    datasource: PROM,
    definition,
    query: { query: definition, refId: `${name}-variable` },
    includeAll: true,
    multi: true,
    allValue: '.*',
    refresh: 2,
    sort: 1,
    current: { selected: true, text: ['All'], value: ['$__all'] },
  });
  return [
    { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', refresh: 1 },
    {
      // Exemplar links need a traces data source: Grafana reads its UID from the Prometheus data
      // source's exemplar settings (see grafana/provisioning/datasources.yaml); this variable lets a
      // reader pick the one their exemplars point at when exploring.
      name: 'traces',
      label: 'Traces',
      type: 'datasource',
      query: options.tracesDatasourceType,
      refresh: 1,
    },
    query('job', 'Job', `label_values(${HTTP}_count, job)`),
    query('model_name', 'Model', 'label_values(model_info, model_name)'),
  ];
}

/**
 * The Threadline dashboard in the layout the seed describes: traffic, errors and latency on top, model
 * metrics per version in the middle, the process underneath. Every expression reads only metrics in
 * `THREADLINE_METRICS` or series recorded by the bundled rules.
 */
export function buildDashboard(options: DashboardOptions = {}): GrafanaDashboard {
  const opts: Required<DashboardOptions> = {
    title: options.title ?? 'Threadline: ML service overview',
    uid: options.uid ?? 'threadline-overview',
    tracesDatasourceType: options.tracesDatasourceType ?? 'tempo',
    refresh: options.refresh ?? '30s',
  };
  const layout = new Layout();

  layout.row('Traffic: requests, errors, latency');
  layout.panel({
    title: 'Requests per second by route',
    description: 'Finished HTTP requests per second, per route template.',
    w: 6,
    unit: 'reqps',
    targets: [
      {
        expr: `sum by (http_route) (rate(${HTTP}_count{${JOB}}${RATE}))`,
        legendFormat: '{{http_route}}',
      },
    ],
  });
  layout.panel({
    title: 'Error rate (5xx share)',
    description:
      'Share of requests answered with a 5xx status, per route. The alert fires above 2% for 5 minutes.',
    w: 6,
    unit: 'percentunit',
    threshold: 0.02,
    min: 0,
    targets: [
      {
        expr:
          `sum by (http_route) (rate(${HTTP}_count{${JOB},http_response_status_code=~"5.."}${RATE}))` +
          ` / sum by (http_route) (rate(${HTTP}_count{${JOB}}${RATE}))`,
        legendFormat: '{{http_route}}',
      },
    ],
  });
  layout.panel({
    title: 'Latency P50 / P95 / P99 by route',
    description:
      'Quantiles from the request-duration histogram, over every instance. Dots are exemplars: click one to open its trace. The alert fires when P95 stays above 500 ms for 5 minutes.',
    w: 12,
    unit: 's',
    threshold: 0.5,
    targets: quantiles(HTTP, 'http_route', JOB),
  });
  layout.panel({
    title: 'Average latency by route',
    description: 'Mean request duration (sum over count of the histogram).',
    w: 8,
    unit: 's',
    targets: [
      {
        expr:
          `sum by (http_route) (rate(${HTTP}_sum{${JOB}}${RATE}))` +
          ` / sum by (http_route) (rate(${HTTP}_count{${JOB}}${RATE}))`,
        legendFormat: '{{http_route}}',
      },
    ],
  });
  layout.panel({
    title: 'In-flight requests',
    description: 'Requests being served right now, per method.',
    w: 8,
    targets: [
      {
        expr: `sum by (http_request_method) (http_server_active_requests{${JOB}})`,
        legendFormat: '{{http_request_method}}',
      },
    ],
  });
  layout.panel({
    title: 'Anomaly z-scores (latency, errors)',
    description:
      'How many standard deviations the 5-minute P95 latency and error ratio sit from their mean over the last hour (recorded by the bundled rules). Beyond ±3 is unusual even below the fixed thresholds.',
    w: 8,
    threshold: 3,
    targets: [
      { expr: `${RECORDED.latencyP95ZScore}{${JOB}}`, legendFormat: '{{job}} latency' },
      { expr: `${RECORDED.errorRatioZScore}{${JOB}}`, legendFormat: '{{job}} errors' },
    ],
  });

  layout.row('Model: versions, quality, drift, data, training');
  layout.panel({
    title: 'Live model versions',
    description: 'One row per declared model version and instance, with its lineage (model_info).',
    type: 'table',
    w: 8,
    targets: [
      {
        expr: `max by (job, model_name, model_version) (model_info{${MODEL}})`,
        instant: true,
        format: 'table',
      },
    ],
  });
  layout.panel({
    title: 'Predictions and errors per second by version',
    description:
      'Calls of the instrumented predict function and those that failed, per model version (canary included).',
    w: 8,
    unit: 'ops',
    targets: [
      {
        expr: `sum by (model_name, model_version) (rate(model_predictions_total{${JOB},${MODEL}}${RATE}))`,
        legendFormat: '{{model_name}} {{model_version}}',
      },
      {
        expr: `sum by (model_name, model_version) (rate(model_prediction_errors_total{${JOB},${MODEL}}${RATE}))`,
        legendFormat: '{{model_name}} {{model_version}} errors',
      },
    ],
  });
  layout.panel({
    title: 'Inference latency P95 by version and phase',
    description: 'Time spent in preprocess, predict and postprocess, per model version.',
    w: 8,
    unit: 's',
    targets: [
      {
        expr: `histogram_quantile(0.95, sum by (le, model_version, phase) (rate(model_inference_duration_seconds_bucket{${JOB},${MODEL}}${RATE})))`,
        legendFormat: '{{model_version}} {{phase}}',
        exemplar: true,
      },
    ],
  });
  layout.panel({
    title: 'Accuracy by version (joined outcomes)',
    description:
      'Share of predictions whose delayed outcome (POST /outcomes) matched, per version, over the outcome window. Compare the canary with the champion here before promoting it.',
    w: 8,
    unit: 'percentunit',
    min: 0,
    max: 1,
    targets: [
      {
        expr: `max by (model_name, model_version) (model_accuracy_ratio{${JOB},${MODEL}})`,
        legendFormat: '{{model_name}} {{model_version}} accuracy',
      },
      {
        expr: `max by (model_name, model_version) (model_roc_auc_ratio{${JOB},${MODEL}})`,
        legendFormat: '{{model_name}} {{model_version}} ROC AUC',
      },
    ],
  });
  layout.panel({
    title: 'Canary disagreement with the champion',
    description:
      'Share of calls where the candidate version, run in shadow on the same input, predicted differently from the version that answered.',
    w: 8,
    unit: 'percentunit',
    min: 0,
    targets: [
      {
        expr: `max by (model_name, model_version, baseline_version) (model_shadow_disagreement_ratio{${JOB},${MODEL}})`,
        legendFormat: '{{model_version}} vs {{baseline_version}}',
      },
    ],
  });
  layout.panel({
    title: 'Outcomes joined per second',
    description: 'Delayed ground truth arriving, by version and result (joined, late, duplicate, unknown).',
    w: 8,
    unit: 'ops',
    targets: [
      {
        expr: `sum by (model_version, result) (rate(model_outcomes_total{${JOB},${MODEL}}${RATE}))`,
        legendFormat: '{{model_version}} {{result}}',
      },
    ],
  });
  layout.panel({
    title: 'Dataset drift share by version',
    description:
      'Share of input features whose live distribution drifted from the training reference. The alert fires at 0.5 or more.',
    w: 8,
    unit: 'percentunit',
    min: 0,
    max: 1,
    threshold: 0.5,
    targets: [
      {
        expr: `max by (model_name, model_version) (ml_dataset_drift_share{${JOB},${MODEL}})`,
        legendFormat: '{{model_name}} {{model_version}}',
      },
    ],
  });
  layout.panel({
    title: 'Feature drift score',
    description: 'Per-feature drift statistic against the training reference (method in the legend).',
    w: 8,
    targets: [
      {
        expr: `max by (feature, method) (ml_feature_drift_score{${JOB},${MODEL}})`,
        legendFormat: '{{feature}} ({{method}})',
      },
    ],
  });
  layout.panel({
    title: 'Fleet PSI per feature (all instances, 1 h)',
    description:
      "Population stability index of each feature over every replica's last hour against the training reference, from the drift package's recording rules. Above 0.2 is a significant shift.",
    w: 8,
    threshold: 0.2,
    min: 0,
    targets: [
      {
        expr: `max by (model_version, feature) (${DRIFT_RECORDED.fleetPsi}{${MODEL}})`,
        legendFormat: '{{model_version}} {{feature}}',
      },
    ],
  });
  layout.panel({
    title: 'Validation failures by feature and check',
    description: 'Inputs and batch rows that failed a data-validation check, per second.',
    w: 8,
    unit: 'ops',
    targets: [
      {
        expr: `sum by (feature, check) (rate(data_validation_failures_total{${JOB},${MODEL}}${RATE}))`,
        legendFormat: '{{feature}} {{check}}',
      },
    ],
  });

  layout.panel({
    title: 'Hours since the last successful training run',
    description:
      'Per experiment. The alert fires past 26 hours (a nightly job that missed a night) or when the latest run failed.',
    type: 'stat',
    w: 8,
    h: 6,
    unit: 'h',
    threshold: 26,
    targets: [
      {
        expr: `(time() - max by (experiment) (training_last_success_timestamp_seconds{${JOB}})) / 3600`,
        legendFormat: '{{experiment}}',
        instant: true,
      },
    ],
  });
  layout.panel({
    title: 'Latest training run failed',
    description: '1 when the latest run of the experiment failed or was killed.',
    type: 'stat',
    w: 8,
    h: 6,
    threshold: 1,
    targets: [
      {
        expr: `max by (experiment) (training_run_failed{${JOB}})`,
        legendFormat: '{{experiment}}',
        instant: true,
      },
    ],
  });
  layout.panel({
    title: 'Records in the latest batch',
    description: 'Records each ingestion step received in its latest batch file.',
    w: 8,
    h: 6,
    targets: [
      {
        expr: `max by (step, source) (batch_records_count{${JOB}})`,
        legendFormat: '{{step}} {{source}}',
      },
    ],
  });

  layout.row('Runtime: CPU, memory, event loop');
  layout.panel({
    title: 'CPU',
    description: 'CPU seconds used per second, per instance (1 = one core).',
    w: 8,
    unit: 'percentunit',
    targets: [{ expr: `rate(process_cpu_seconds_total{${JOB}}${RATE})`, legendFormat: '{{instance}}' }],
  });
  layout.panel({
    title: 'Memory',
    description: 'Resident set size and V8 heap in use, per instance.',
    w: 8,
    unit: 'bytes',
    targets: [
      { expr: `process_resident_memory_bytes{${JOB}}`, legendFormat: '{{instance}} rss' },
      { expr: `nodejs_heap_size_used_bytes{${JOB}}`, legendFormat: '{{instance}} heap used' },
    ],
  });
  layout.panel({
    title: 'Event-loop lag P50 / P99',
    description: 'How late timers fire: the first sign of CPU-bound work on the request path.',
    w: 8,
    unit: 's',
    targets: [
      { expr: `nodejs_eventloop_lag_p50_seconds{${JOB}}`, legendFormat: '{{instance}} p50' },
      { expr: `nodejs_eventloop_lag_p99_seconds{${JOB}}`, legendFormat: '{{instance}} p99' },
    ],
  });

  return {
    uid: opts.uid,
    title: opts.title,
    description:
      'Requests, errors and latency per route; model versions, drift and data quality; process health. From the Threadline ops bundle.',
    tags: ['threadline', 'ml', 'prometheus'],
    schemaVersion: 39,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: opts.refresh,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    templating: { list: variables(opts) },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [],
    panels: layout.done(),
  };
}
