// Profile training data, watch a stream of requests for drift, print the report and the metrics.
// Run: node --import tsx examples/basic.ts
import { createRegistry, jsonLineSink } from '@threadline/core';
import { buildProfile, createDriftMonitor, loadProfile } from '@threadline/drift';

// Training data: two numeric features and a categorical one.
let seed = 1;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return (seed - 1) / 2147483646;
};
const gaussian = (mean: number, sd: number) =>
  mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const training = Array.from({ length: 5000 }, () => ({
  age: gaussian(40, 12),
  basket: gaussian(55, 20),
  channel: random() < 0.7 ? 'web' : 'app',
}));

// At training time: profile and save (a JSON file next to the model artefact).
const saved = JSON.stringify(buildProfile(training));

// At serving time: load the profile and start a monitor.
const registry = createRegistry();
const monitor = createDriftMonitor({
  reference: loadProfile(saved),
  registry,
  model: { name: 'churn', version: '2.1.0' },
  window: { rows: 2000 }, // tumbling windows of 2000 requests
  logger: jsonLineSink(process.stderr), // `drift_detected` events
  onReport: (report) => {
    const summary = Object.entries(report.features).map(
      ([name, f]) => `${name}: ${f.method} ${f.statistic?.toFixed(4)} drift=${f.drift}`,
    );
    console.log(
      `window of ${report.rows} rows, dataset drift ${report.dataset_drift}\n  ${summary.join('\n  ')}`,
    );
  },
});

// Production traffic: basket sizes grow, and a few values arrive broken.
for (let i = 0; i < 4000; i++) {
  monitor.observe({
    age: gaussian(40, 12),
    basket: i < 2000 ? gaussian(55, 20) : gaussian(70, 20),
    channel: i % 500 === 0 ? null : random() < 0.7 ? 'web' : 'app',
  });
}
await monitor.flush();

const metrics = await registry.metrics();
console.log(
  metrics
    .split('\n')
    .filter((l) => l.startsWith('ml_feature_drift') || l.startsWith('ml_dataset'))
    .join('\n'),
);
monitor.close();
