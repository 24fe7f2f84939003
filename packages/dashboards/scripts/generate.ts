// Writes grafana/threadline.json from buildDashboard(), the one source of the dashboard.
// Run: npm run generate -w @threadline/dashboards
import { writeFileSync } from 'node:fs';
import { buildDashboard, dashboardFile } from '../src/index.js';

writeFileSync(dashboardFile, `${JSON.stringify(buildDashboard(), null, 2)}\n`);
console.log(`wrote ${dashboardFile}`);
