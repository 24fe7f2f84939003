// The two entry points of core, and the framework-free debug endpoint's throttle (the adapters'
// answers are asserted in request-path.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as app from '@threadline/core';
import { createRegistry } from '@threadline/core';
import * as adapter from '@threadline/core/http';
import { parseMetrics, sum } from './harness.js';

const SECRET = 'a-long-enough-secret';

test('@threadline/core/http holds the adapter API; @threadline/core no longer does', () => {
  for (const name of [
    'HttpInstrumentation',
    'resolveHttpOptions',
    'createDebugEndpoint',
    'createMetricsResponder',
    'writeMetricsResponse',
    'readJsonBody',
    'markOwnEndpoint',
  ]) {
    assert.equal(typeof (adapter as Record<string, unknown>)[name], 'function', name);
    assert.ok(!(name in app), `${name} is not part of the application API`);
  }
  for (const name of [
    'keepTrace',
    'HTTP_OPTION_KEYS',
    'METRICS_OPTION_KEYS',
    'methodLabel',
    'createHttpMetrics',
  ]) {
    assert.ok(!(name in app) && !(name in adapter), `${name} is exported nowhere`);
  }
  for (const name of ['startMetricsServer', 'clusterWorkerMetrics', 'UNMATCHED_ROUTE', 'runWithContext']) {
    assert.ok(name in app, name);
  }
});

test('debug endpoint: the overall limit holds across clients; the per-client table stays bounded', async () => {
  const registry = createRegistry();
  const endpoint = adapter.createDebugEndpoint('test.debug', {
    secret: SECRET,
    registry,
    throttle: { perClient: 3, overall: 10, maxClients: 4, windowMs: 60_000 },
  });
  const call = (client: string, secret = 'wrong') =>
    endpoint({ method: 'GET', path: '/', authorization: `Bearer ${secret}`, body: undefined, client }).status;
  // Ten clients, one wrong guess each: the overall budget is spent and everyone waits, even with
  // the right secret.
  const first = Array.from({ length: 10 }, (_, i) => call(`10.0.0.${i}`));
  assert.deepEqual(first, Array(10).fill(401));
  assert.equal(call('10.0.0.99'), 429);
  assert.equal(call('10.0.0.99', SECRET), 429);
  const samples = parseMetrics(await registry.metrics());
  assert.equal(sum(samples, 'threadline_debug_auth_failures_total', { outcome: 'rejected' }), 10);
  assert.equal(sum(samples, 'threadline_debug_auth_failures_total', { outcome: 'throttled' }), 2);

  // A bounded table: with room for two clients, a third forgets the oldest (which may try again).
  const small = adapter.createDebugEndpoint('test.debug', {
    secret: SECRET,
    registry,
    throttle: { perClient: 2, overall: 1000, maxClients: 2 },
  });
  const ask = (client: string, secret = 'wrong') =>
    small({ method: 'GET', path: '/', authorization: `Bearer ${secret}`, body: undefined, client }).status;
  assert.deepEqual([ask('a'), ask('a'), ask('a')], [401, 401, 429]);
  assert.deepEqual([ask('b'), ask('c')], [401, 401]);
  assert.equal(ask('a', SECRET), 200, 'a was forgotten when c arrived');
  // The secret is compared on digests: a guess of any length is just wrong.
  assert.equal(ask('d', `${SECRET}x`), 401);
  assert.equal(ask('e', SECRET.slice(0, -1)), 401);
});

test('bad throttle options throw at setup', () => {
  assert.throws(
    () => adapter.createDebugEndpoint('test.debug', { secret: SECRET, throttle: { perClient: 0 } }),
    /throttle.perClient/,
  );
  assert.throws(
    () => adapter.createDebugEndpoint('test.debug', { secret: SECRET, throttle: { bogus: 1 } as never }),
    /unknown option/,
  );
});
