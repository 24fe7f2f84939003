// PromQL checks shared by the tests: parse with Prometheus' own lezer grammar, fail on any error
// node, and collect the metric names an expression reads.
import { parser } from '@prometheus-io/lezer-promql';

/** What a parse found: syntax errors (with the offending text) and the metric names read. */
export interface PromqlFacts {
  readonly errors: string[];
  readonly metrics: Set<string>;
}

// Grafana replaces these before a query reaches Prometheus; the grammar knows none of them.
const GRAFANA_MACROS: ReadonlyArray<[RegExp, string]> = [
  [/\$__rate_interval|\$__interval|\$__range/g, '5m'],
  [/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, 'placeholder'],
];

/** Replaces Grafana macros and variables with values a Prometheus would see. */
export function expandGrafana(expr: string): string {
  let out = expr;
  for (const [pattern, value] of GRAFANA_MACROS) out = out.replace(pattern, value);
  return out;
}

/** Parses one PromQL expression and reports its syntax errors and the metric names it reads. */
export function inspectPromql(expr: string): PromqlFacts {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`error at ${node.from}: "${expr.slice(Math.max(0, node.from - 20), node.to + 20)}"`);
        return;
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) metrics.add(expr.slice(identifier.from, identifier.to));
      }
      // {__name__="x"} names a metric too.
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        const text = expr.slice(node.from, node.to);
        const match = /^"?__name__"?\s*=\s*"([^"]+)"$/.exec(text);
        if (match) metrics.add(match[1]!);
      }
    },
  });
  if (expr.trim() === '') errors.push('empty expression');
  return { errors, metrics };
}
