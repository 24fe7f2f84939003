// The set of names an expression of the bundle may read, and one function that lists what is wrong
// with an expression.
import { DRIFT_RECORDED, exportedSeriesNames, recordedSeriesNames } from '../src/index.js';
import { expandGrafana, inspectPromql } from './promql.js';

/** Series names the bundle may read: exported by a Threadline package, or recorded by its or the drift package's rules. */
export const ALLOWED: ReadonlySet<string> = new Set([
  ...exportedSeriesNames(),
  ...recordedSeriesNames(),
  ...Object.values(DRIFT_RECORDED),
]);

/** Syntax errors and unknown metric names in one expression (Grafana macros expanded first). */
export function problems(expr: string, allowed: ReadonlySet<string> = ALLOWED): string[] {
  const facts = inspectPromql(expandGrafana(expr));
  const unknown = [...facts.metrics].filter((m) => !allowed.has(m)).map((m) => `unknown metric ${m}`);
  return [...facts.errors, ...unknown];
}
