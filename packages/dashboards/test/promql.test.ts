import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandGrafana, inspectPromql } from './promql.js';

// The checker itself must be able to fail, or the dashboard and rules tests prove nothing.
describe('PromQL checker', () => {
  test('collects metric names from selectors, ranges and __name__ matchers', () => {
    const facts = inspectPromql(
      'histogram_quantile(0.95, sum by (le) (rate(a_bucket{job="x"}[5m]))) / on() group_left b + {__name__="c"}',
    );
    assert.deepEqual(facts.errors, []);
    assert.deepEqual([...facts.metrics].sort(), ['a_bucket', 'b', 'c']);
  });

  test('reports syntax errors', () => {
    assert.notDeepEqual(inspectPromql('sum(rate(a[5m])').errors, []);
    assert.notDeepEqual(inspectPromql('rate(a[5m]) /').errors, []);
    assert.notDeepEqual(inspectPromql('a{job=}').errors, []);
    assert.notDeepEqual(inspectPromql('').errors, []);
  });

  test('does not take function or label names for metrics', () => {
    const facts = inspectPromql('sum by (http_route) (rate(x_total{http_route="/a"}[1m])) > bool 3');
    assert.deepEqual([...facts.metrics], ['x_total']);
  });

  test('expands Grafana macros and variables into valid PromQL', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
    const expr = expandGrafana('sum(rate(a{job=~"$job",m=~"${model}"}[$__rate_interval]))');
    assert.equal(expr, 'sum(rate(a{job=~"placeholder",m=~"placeholder"}[5m]))');
    assert.deepEqual(inspectPromql(expr).errors, []);
  });
});
