import { fileURLToPath } from 'node:url';

// src/ and dist/ sit at the same depth, so one relative URL serves the sources and the build.
/** Absolute path of the shipped Grafana dashboard JSON. */
export const dashboardFile: string = fileURLToPath(new URL('../grafana/threadline.json', import.meta.url));
/** Absolute path of the shipped Prometheus recording and alerting rules. */
export const rulesFile: string = fileURLToPath(new URL('../rules/threadline.rules.yml', import.meta.url));
/** Absolute path of the Grafana provisioning directory (data source with exemplar links, dashboard provider). */
export const provisioningDir: string = fileURLToPath(new URL('../grafana/provisioning', import.meta.url));
