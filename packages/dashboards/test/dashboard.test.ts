import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  buildDashboard,
  dashboardFile,
  type GrafanaPanel,
  type GrafanaVariable,
  THREADLINE_METRICS,
} from '../src/index.js';
import { problems } from './catalog.js';

const dashboard = buildDashboard();
const panels = dashboard.panels.filter((p) => p.type !== 'row');

/** Each row's title with the titles of the panels under it, in order. */
function sections(list: readonly GrafanaPanel[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const p of list) {
    if (p.type === 'row') {
      current = p.title;
      out.set(current, []);
    } else out.get(current)?.push(p.title);
  }
  return out;
}

function variableQuery(v: GrafanaVariable): string {
  return typeof v.query === 'string' ? v.query : v.query.query;
}

describe('Grafana dashboard', () => {
  test('the shipped JSON is what buildDashboard() builds (regenerate with npm run generate)', () => {
    const shipped = JSON.parse(readFileSync(dashboardFile, 'utf8'));
    assert.deepEqual(shipped, JSON.parse(JSON.stringify(dashboard)));
  });

  test('every panel query parses as PromQL and reads only metrics Threadline exports', () => {
    let checked = 0;
    for (const panel of panels) {
      assert.ok(panel.targets && panel.targets.length > 0, `${panel.title} has no query`);
      for (const target of panel.targets) {
        assert.deepEqual(problems(target.expr), [], `${panel.title}: ${target.expr}`);
        checked++;
      }
    }
    assert.ok(checked >= 15, `only ${checked} queries checked`);
  });

  test('every variable query parses and reads only exported metrics', () => {
    const queries = dashboard.templating.list.filter((v) => v.type === 'query');
    assert.ok(queries.length >= 2);
    for (const v of queries) {
      const match = /^label_values\((.+),\s*([a-z_]+)\)$/.exec(variableQuery(v));
      assert.ok(match, `${v.name}: ${variableQuery(v)} is not label_values(selector, label)`);
      assert.deepEqual(problems(match[1]!), [], v.name);
    }
  });

  test('the checks reject a misspelt metric and a broken expression', () => {
    assert.deepEqual(problems('rate(http_server_request_duration_second_count[5m])'), [
      'unknown metric http_server_request_duration_second_count',
    ]);
    assert.ok(problems('sum by (le) (rate(http_server_request_duration_seconds_bucket[5m])').length > 0);
  });

  test('the layout follows the seed: traffic on top, model in the middle, runtime underneath', () => {
    const rows = sections(dashboard.panels);
    assert.deepEqual(
      [...rows.keys()],
      [
        'Traffic: requests, errors, latency',
        'Model: versions, quality, drift, data, training',
        'Runtime: CPU, memory, event loop',
      ],
    );
    const traffic = rows.get('Traffic: requests, errors, latency')!;
    for (const want of [
      'Requests per second by route',
      'Error rate (5xx share)',
      'Latency P50 / P95 / P99 by route',
    ])
      assert.ok(traffic.includes(want), want);
    const model = rows.get('Model: versions, quality, drift, data, training')!.join('|');
    for (const want of [/version/i, /Accuracy/, /disagreement/i, /drift/i, /validation/i, /training/i])
      assert.match(model, want);
    const runtime = rows.get('Runtime: CPU, memory, event loop')!.join('|');
    for (const want of [/CPU/, /Memory/, /Event-loop lag/]) assert.match(runtime, want);
  });

  test('panels sit inside the 24-column grid without overlapping', () => {
    const boxes = dashboard.panels.map((p) => ({ title: p.title, ...p.gridPos }));
    for (const b of boxes) assert.ok(b.x >= 0 && b.w > 0 && b.x + b.w <= 24, `${b.title} leaves the grid`);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.title} overlaps ${b.title}`);
      }
    assert.equal(
      new Set(dashboard.panels.map((p) => p.id)).size,
      dashboard.panels.length,
      'panel ids unique',
    );
  });

  test('latency quantiles per route come from the fleet-summed histogram, with exemplars', () => {
    const latency = panels.find((p) => p.title === 'Latency P50 / P95 / P99 by route')!;
    const exprs = latency.targets!.map((t) => t.expr);
    assert.equal(exprs.length, 3);
    for (const [i, q] of ['0.5', '0.95', '0.99'].entries()) {
      assert.match(
        exprs[i]!,
        new RegExp(`^histogram_quantile\\(${q.replace('.', '\\.')}, sum by \\(le, http_route\\)`),
      );
      assert.match(exprs[i]!, /http_server_request_duration_seconds_bucket/);
    }
    assert.ok(latency.targets!.every((t) => t.exemplar === true));
  });

  test('offers a traces data source variable for exemplar links, of the chosen type', () => {
    const traces = (d: ReturnType<typeof buildDashboard>) =>
      d.templating.list.find((v) => v.name === 'traces');
    assert.equal(traces(dashboard)?.type, 'datasource');
    assert.equal(traces(dashboard)?.query, 'tempo');
    assert.equal(traces(buildDashboard({ tracesDatasourceType: 'jaeger' }))?.query, 'jaeger');
    assert.equal(buildDashboard({ uid: 'x', title: 'T' }).uid, 'x');
  });

  test("the catalogue's runtime metrics are what prom-client's default metrics really export", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const real = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const runtime = THREADLINE_METRICS.filter((m) => m.source === 'prom-client');
    assert.ok(runtime.length >= 5);
    for (const m of runtime) assert.ok(real.has(m.name), `${m.name} is not a prom-client default metric`);
  });
});
